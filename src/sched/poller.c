/*
 * poller.c — the epoll thread (see poller.h).
 *
 * Every watched descriptor has a Watch, registered with EPOLLONESHOT and
 * the Watch as its data; an eventfd registered with NULL data wakes the
 * thread to stop it. Watches are kept until the poller is freed: a
 * runtime watches a handful of descriptors (standard input), not one per
 * request.
 *
 * Locking: pl->lock guards the watch list, the callbacks and `state`. The
 * thread reads a watch's callback under the lock and runs it without: a
 * one-shot watch cannot fire again before it is re-armed, and whoever
 * re-arms it decides so only after the callback has run (see input.c).
 */
#include "sched/poller.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "base/util.h"

typedef struct Watch {
    struct Watch *next;
    int fd;
    PollFn fn;
    void *ctx;
} Watch;

enum { POLLER_IDLE, POLLER_RUNNING, POLLER_STOPPED };

struct Poller {
    pthread_mutex_t lock;
    int state;          /* POLLER_*: the thread starts at the first arm */
    int epfd, wakefd;
    pthread_t thread;
    Watch *watches;
};

Poller *poller_new(void) {
    Poller *pl = xcalloc(1, sizeof *pl);
    pthread_mutex_init(&pl->lock, NULL);
    pl->epfd = pl->wakefd = -1;
    return pl;
}

static void *poller_main(void *arg) {
    Poller *pl = arg;
    for (;;) {
        struct epoll_event ev[16];
        int n = epoll_wait(pl->epfd, ev, (int)ARRAY_LEN(ev), -1);
        if (n < 0 && errno != EINTR) return NULL;
        for (int i = 0; i < n; i++) {
            Watch *w = ev[i].data.ptr;
            if (!w) return NULL; /* the stop eventfd: nothing else matters now */
            pthread_mutex_lock(&pl->lock);
            PollFn fn = w->fn;
            void *ctx = w->ctx;
            pthread_mutex_unlock(&pl->lock);
            fn(ctx, ev[i].events);
        }
    }
}

/* Create the epoll set and start the thread; false (errno set) if the
 * system refuses. Called under pl->lock. */
static bool poller_start(Poller *pl) {
    pl->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (pl->epfd < 0) return false;
    pl->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    if (pl->wakefd < 0 || epoll_ctl(pl->epfd, EPOLL_CTL_ADD, pl->wakefd, &ev) < 0 ||
        pthread_create(&pl->thread, NULL, poller_main, pl) != 0) {
        int saved = errno;
        if (pl->wakefd >= 0) close(pl->wakefd);
        close(pl->epfd);
        pl->epfd = pl->wakefd = -1;
        errno = saved ? saved : EAGAIN;
        return false;
    }
    pl->state = POLLER_RUNNING;
    return true;
}

bool poller_arm(Poller *pl, int fd, uint32_t events, PollFn fn, void *ctx) {
    pthread_mutex_lock(&pl->lock);
    bool ok = false;
    if (pl->state == POLLER_STOPPED) {
        errno = ESHUTDOWN;
        goto out;
    }
    if (pl->state == POLLER_IDLE && !poller_start(pl)) goto out;
    Watch *w = pl->watches;
    while (w && w->fd != fd) w = w->next;
    struct epoll_event ev = {.events = events | EPOLLONESHOT};
    if (w) {
        ev.data.ptr = w;
        ok = epoll_ctl(pl->epfd, EPOLL_CTL_MOD, fd, &ev) == 0;
    } else {
        w = xcalloc(1, sizeof *w);
        w->fd = fd;
        ev.data.ptr = w;
        ok = epoll_ctl(pl->epfd, EPOLL_CTL_ADD, fd, &ev) == 0;
        if (ok) {
            w->next = pl->watches;
            pl->watches = w;
        } else {
            free(w);
        }
    }
    if (ok) {
        w->fn = fn;
        w->ctx = ctx;
    }
out:
    pthread_mutex_unlock(&pl->lock);
    return ok;
}

void poller_forget(Poller *pl, int fd) {
    pthread_mutex_lock(&pl->lock);
    for (Watch **w = &pl->watches; *w; w = &(*w)->next) {
        if ((*w)->fd != fd) continue;
        Watch *gone = *w;
        *w = gone->next;
        if (pl->epfd >= 0) epoll_ctl(pl->epfd, EPOLL_CTL_DEL, fd, NULL);
        free(gone);
        break;
    }
    pthread_mutex_unlock(&pl->lock);
}

void poller_stop(Poller *pl) {
    pthread_mutex_lock(&pl->lock);
    bool running = pl->state == POLLER_RUNNING;
    pl->state = POLLER_STOPPED;
    pthread_mutex_unlock(&pl->lock);
    if (!running) return;
    uint64_t one = 1;
    ssize_t n = write(pl->wakefd, &one, sizeof one);
    (void)n; /* cannot fail: the counter is far from overflowing */
    pthread_join(pl->thread, NULL);
}

void poller_free(Poller *pl) {
    if (!pl) return;
    poller_stop(pl);
    for (Watch *w = pl->watches, *next; w; w = next) {
        next = w->next;
        free(w);
    }
    if (pl->epfd >= 0) close(pl->epfd);
    if (pl->wakefd >= 0) close(pl->wakefd);
    pthread_mutex_destroy(&pl->lock);
    free(pl);
}
