/*
 * input.c — standard input (see input.h).
 *
 * in->lock guards everything here. Who reads the descriptor:
 *   - the poller thread, once per readiness event, and only after a
 *     poll() with no wait says a read will not block (the descriptor stays
 *     in blocking mode: it is shared with the shell and other programs,
 *     so its file status flags are not ours to change);
 *   - a process on its worker, when the descriptor cannot be polled at
 *     all (a regular file, /dev/null), which never blocks for long.
 * `armed` is true from poller_arm until the callback has run: no one
 * re-arms in between, so a readiness event is handled exactly once.
 *
 * Waiters are pids, not Proc pointers: a process killed while parked is
 * simply not found when input comes. All waiters are woken at each event
 * and each asks again; those that find no line park again.
 */
#include "proc/input.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "base/util.h"
#include "proc/life.h"
#include "sched/poller.h"
#include "sched/sched.h"
#include "term/string.h"
#include "vm/runtime.h"

/* Bytes asked of the descriptor per read. */
#define INPUT_CHUNK 4096

struct Input {
    pthread_mutex_t lock;
    Runtime *rt;
    int fd;
    Buf buf;          /* bytes read and not yet taken: data[start..len) */
    size_t start;
    bool eof;         /* end of input (or a read error): no more reads */
    bool armed;       /* the poller watches fd for us */
    bool direct;      /* fd cannot be polled: read it on the caller's worker */
    Value *waiters;   /* pids parked in read-line */
    size_t nwaiters, capwaiters;
};

Input *input_new(Runtime *rt, int fd) {
    Input *in = xcalloc(1, sizeof *in);
    pthread_mutex_init(&in->lock, NULL);
    in->rt = rt;
    in->fd = fd;
    in->eof = fd < 0;
    buf_init(&in->buf);
    return in;
}

void input_free(Input *in) {
    if (!in) return;
    buf_free(&in->buf);
    free(in->waiters);
    pthread_mutex_destroy(&in->lock);
    free(in);
}

/* One read of up to INPUT_CHUNK bytes into the buffer; sets eof at the end
 * of input or on an error other than an interruption. */
static void input_read_chunk(Input *in) {
    if (in->start == in->buf.len) in->start = in->buf.len = 0;
    buf_reserve(&in->buf, INPUT_CHUNK);
    ssize_t n = read(in->fd, in->buf.data + in->buf.len, INPUT_CHUNK);
    if (n > 0)
        in->buf.len += (size_t)n;
    else if (n == 0 || (errno != EINTR && errno != EAGAIN))
        in->eof = true;
}

/* Poller thread: the descriptor is ready (or hung up). */
static void input_ready(void *ctx, uint32_t events) {
    (void)events;
    Input *in = ctx;
    pthread_mutex_lock(&in->lock);
    in->armed = false;
    struct pollfd pfd = {.fd = in->fd, .events = POLLIN};
    if (poll(&pfd, 1, 0) > 0) {
        if (pfd.revents & POLLNVAL)
            in->eof = true;
        else
            input_read_chunk(in);
    }
    Value *woken = in->waiters;
    size_t n = in->nwaiters;
    in->waiters = NULL;
    in->nwaiters = in->capwaiters = 0;
    pthread_mutex_unlock(&in->lock);
    for (size_t i = 0; i < n; i++) {
        Proc *w = proc_lookup(in->rt, woken[i]);
        if (!w) continue;
        sched_wake(w, NULL);
        proc_unref(w);
    }
    free(woken);
}

/* Take the next line out of the buffer if one is there (or the rest, at
 * the end of input). */
static bool take_line(Input *in, Proc *p, Value *line) {
    const char *from = in->buf.data + in->start;
    size_t avail = in->buf.len - in->start;
    const char *nl = avail ? memchr(from, '\n', avail) : NULL;
    if (!nl && !in->eof) return false;
    if (!nl && avail == 0) {
        *line = LV_NIL;
        return true;
    }
    size_t len = nl ? (size_t)(nl - from) : avail;
    in->start += nl ? len + 1 : len;
    if (len > 0 && from[len - 1] == '\r') len--;
    *line = str_from_bytes_lossy(p, from, len);
    return true;
}

static void add_waiter(Input *in, Value pid) {
    for (size_t i = 0; i < in->nwaiters; i++)
        if (in->waiters[i] == pid) return;
    if (in->nwaiters == in->capwaiters) {
        in->capwaiters = in->capwaiters ? in->capwaiters * 2 : 4;
        in->waiters = xrealloc(in->waiters, in->capwaiters * sizeof *in->waiters);
    }
    in->waiters[in->nwaiters++] = pid;
}

bool input_read_line(Input *in, Proc *p, Value *line) {
    pthread_mutex_lock(&in->lock);
    bool got;
    for (;;) {
        got = take_line(in, p, line);
        if (got) break;
        if (in->direct) {
            input_read_chunk(in);
            continue;
        }
        if (!in->armed) {
            if (poller_arm(in->rt->poller, in->fd, EPOLLIN, input_ready, in)) {
                in->armed = true;
            } else {
                /* Not pollable: read directly; not open, or the runtime
                 * is shutting down: no more input. */
                if (errno == EPERM)
                    in->direct = true;
                else
                    in->eof = true;
                continue;
            }
        }
        add_waiter(in, p->pid);
        break;
    }
    pthread_mutex_unlock(&in->lock);
    return got;
}
