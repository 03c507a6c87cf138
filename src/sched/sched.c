/*
 * sched.c — the schedulers of a realm. Processes are run by the thread
 * that calls into them (vm/host.c) until the scheduler threads take over
 * running spawned processes.
 */
#include "sched/sched.h"

#include <stdlib.h>

#include "base/util.h"

struct Sched {
    struct Runtime *rt;
    unsigned nthreads;
};

Sched *sched_new(struct Runtime *rt, unsigned nthreads) {
    Sched *s = xcalloc(1, sizeof *s);
    s->rt = rt;
    s->nthreads = nthreads;
    return s;
}

void sched_free(Sched *s) { free(s); }
