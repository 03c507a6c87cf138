/*
 * interrupt.c — signals for the command-line tools (see interrupt.h).
 *
 * The watcher thread and the host thread share `intr` under its lock:
 * the host sets and clears the watched process, the watcher kills it.
 * Because the host clears the target under the lock before it frees the
 * process, the watcher never kills a freed process. The watcher never
 * blocks while holding the lock (the pipe does not block; a full pipe
 * already says that a signal is waiting).
 */
#include "cli/interrupt.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "proc/exit.h"

static struct {
    bool started;
    IntrMode mode;
    sigset_t set;
    pthread_t thread;
    pthread_mutex_t lock;
    bool stopping;
    Proc *target;       /* the watched evaluation, or NULL */
    bool killed;        /* a signal killed target */
    int pipe[2];        /* signals for the input reader, one byte each */
} intr = {.pipe = {-1, -1}};

static void intr_exit_now(int sig) {
    _exit(128 + sig);
}

/* Under intr.lock. */
static void intr_react(int sig) {
    if (intr.target) {
        if (intr.killed && intr.mode == INTR_PROGRAM) intr_exit_now(sig);
        /* SIGTERM and SIGHUP end the evaluation too, so that the REPL
         * gets back to its loop and leaves. */
        intr.killed = true;
        exit_kill_from_host(intr.target);
        if (sig == SIGINT) return;
    } else if (intr.mode == INTR_PROGRAM) {
        intr_exit_now(sig);
    }
    unsigned char b = (unsigned char)sig;
    (void)!write(intr.pipe[1], &b, 1);
}

static void *intr_watcher(void *arg) {
    (void)arg;
    for (;;) {
        int sig;
        if (sigwait(&intr.set, &sig) != 0) continue;
        pthread_mutex_lock(&intr.lock);
        bool stop = intr.stopping;
        if (!stop) intr_react(sig);
        pthread_mutex_unlock(&intr.lock);
        if (stop) return NULL;
    }
}

void intr_start(IntrMode mode) {
    intr.mode = mode;
    sigemptyset(&intr.set);
    sigaddset(&intr.set, SIGINT);
    if (mode == INTR_PROMPT) {
        sigaddset(&intr.set, SIGTERM);
        sigaddset(&intr.set, SIGHUP);
    }
    /* A background job of a non-interactive shell starts with SIGINT
     * ignored; sigwait still takes it once it is blocked, but only if it
     * is not ignored. */
    signal(SIGINT, SIG_DFL);
    if (pipe2(intr.pipe, O_CLOEXEC | O_NONBLOCK) != 0) lona_panic("pipe: %s", strerror(errno));
    pthread_mutex_init(&intr.lock, NULL);
    pthread_sigmask(SIG_BLOCK, &intr.set, NULL);
    if (pthread_create(&intr.thread, NULL, intr_watcher, NULL) != 0) lona_panic("cannot start the signal thread");
    intr.started = true;
}

void intr_stop(void) {
    if (!intr.started) return;
    pthread_mutex_lock(&intr.lock);
    intr.stopping = true;
    pthread_mutex_unlock(&intr.lock);
    pthread_kill(intr.thread, SIGINT);
    pthread_join(intr.thread, NULL);
    close(intr.pipe[0]);
    close(intr.pipe[1]);
    intr.pipe[0] = intr.pipe[1] = -1;
    intr.started = false;
}

void intr_watch(Proc *p) {
    if (!intr.started) return;
    pthread_mutex_lock(&intr.lock);
    intr.target = p;
    intr.killed = false;
    pthread_mutex_unlock(&intr.lock);
}

bool intr_unwatch(void) {
    if (!intr.started) return false;
    pthread_mutex_lock(&intr.lock);
    bool killed = intr.killed;
    intr.target = NULL;
    intr.killed = false;
    pthread_mutex_unlock(&intr.lock);
    return killed;
}

int intr_fd(void) {
    return intr.pipe[0];
}

int intr_take(void) {
    unsigned char b;
    if (intr.pipe[0] < 0 || read(intr.pipe[0], &b, 1) != 1) return 0;
    return b;
}
