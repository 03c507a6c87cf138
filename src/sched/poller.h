/*
 * poller.h — waiting on file descriptors without blocking a scheduler.
 *
 * One thread per runtime sleeps in epoll_wait and runs a callback when a
 * watched descriptor is ready; the callback (typically) wakes the Lonala
 * processes that wait for it, which then do the I/O on their own worker.
 * A scheduler thread never blocks on a descriptor: a process that needs
 * one parks, as it does in receive.
 *
 * Each watch is one-shot: after its callback ran, the descriptor stays
 * registered but silent until poller_arm is called for it again. The
 * thread starts with the first poller_arm, so a program that never waits
 * on a descriptor never has it.
 */
#ifndef LONA_POLLER_H
#define LONA_POLLER_H

#include <stdbool.h>
#include <stdint.h>

typedef struct Poller Poller;

/* Runs on the poller thread with the epoll events that were ready
 * (EPOLLIN, EPOLLHUP, ...). It must not block. */
typedef void (*PollFn)(void *ctx, uint32_t events);

Poller *poller_new(void);
/* Stops the thread (if started): no callback runs after it returns, and
 * poller_arm fails from then on (errno ESHUTDOWN). Worker threads may
 * still call poller_arm until they are stopped, hence the two steps. */
void poller_stop(Poller *pl);
/* Frees a stopped poller. Descriptors are not closed. */
void poller_free(Poller *pl);

/* Watch fd for `events` (EPOLLIN, EPOLLOUT) once: fn(ctx, ready) runs
 * when it is ready. Arming a descriptor already armed replaces its
 * callback. Returns false, arming nothing, with errno EPERM if the
 * descriptor cannot be polled (a regular file or /dev/null: always ready,
 * read it directly), EBADF if it is not open, ESHUTDOWN once stopped. */
bool poller_arm(Poller *pl, int fd, uint32_t events, PollFn fn, void *ctx);

/* Stop watching fd for good (before it is closed, so that a descriptor
 * reusing the number starts afresh). Called on the poller thread from the
 * fd's own callback, or from any thread once that callback cannot run. */
void poller_forget(Poller *pl, int fd);

#endif
