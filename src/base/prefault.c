/*
 * prefault.c — faulting memory in ahead of its use (see prefault.h).
 *
 * One thread per OS process, started on the first request, serves a small
 * ring of ranges in order. A request that finds the ring full is dropped:
 * the owner of the memory then faults it in itself, as it would anyway.
 */
#include "base/prefault.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#define RING 32

typedef struct Range {
    void *addr;
    size_t bytes;
} Range;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER; /* a range was queued */
static pthread_cond_t done = PTHREAD_COND_INITIALIZER; /* the ring is empty and nothing in hand */
static Range ring[RING];
static unsigned head, count; /* ring[head] is the oldest of count ranges */
static bool busy;            /* the thread is faulting a range in, outside the lock */
static enum { NOT_STARTED, RUNNING, UNAVAILABLE } thread_state;

static void *prefault_main(void *arg) {
    (void)arg;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    pthread_mutex_lock(&lock);
    for (;;) {
        while (count == 0) pthread_cond_wait(&work, &lock);
        Range r = ring[head];
        head = (head + 1) % RING;
        count--;
        busy = true;
        pthread_mutex_unlock(&lock);
        /* Whole pages (madvise wants its start aligned). It may fail (no
         * memory): the owner then faults the pages in itself. */
        uintptr_t start = (uintptr_t)r.addr & ~(page - 1);
        uintptr_t end = ((uintptr_t)r.addr + r.bytes + page - 1) & ~(page - 1);
        madvise((void *)start, end - start, MADV_POPULATE_WRITE);
        pthread_mutex_lock(&lock);
        busy = false;
        if (count == 0) pthread_cond_broadcast(&done);
    }
    return NULL;
}

/* Under lock: is the thread there (starting it if need be)? It takes no
 * signal: they are for the threads that wait for them. */
static bool thread_ready_locked(void) {
    if (thread_state == NOT_STARTED) {
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        pthread_t t;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&at, (size_t)64 << 10);
        thread_state = pthread_create(&t, &at, prefault_main, NULL) == 0 ? RUNNING : UNAVAILABLE;
        pthread_attr_destroy(&at);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    }
    return thread_state == RUNNING;
}

void prefault_async(void *addr, size_t bytes) {
    pthread_mutex_lock(&lock);
    if (count < RING && thread_ready_locked()) {
        ring[(head + count) % RING] = (Range){addr, bytes};
        count++;
        pthread_cond_signal(&work);
    }
    pthread_mutex_unlock(&lock);
}

void prefault_drain(void) {
    pthread_mutex_lock(&lock);
    while (count > 0 || busy) pthread_cond_wait(&done, &lock);
    pthread_mutex_unlock(&lock);
}
