/*
 * rt.h — creating and destroying a runtime, and the processes that the
 * host (CLI, tests) drives directly.
 */
#ifndef LONA_RT_H
#define LONA_RT_H

#include "proc/proc.h"
#include "vm/runtime.h"

typedef struct RtOptions {
    unsigned schedulers;      /* 0 = one per online core */
    const char *lib_path;     /* extra library path, may be NULL */
    bool no_stdlib;           /* skip loading lib/lona (unit tests of C modules) */
    bool no_input;            /* read-line sees the end of input at once */
    uint32_t realm_id;        /* 0: the root realm (1); a child realm's id otherwise */
} RtOptions;

/* The process limit (LONA_MAX_PROCESSES) is a whole number from 1 to
 * RT_MAX_PROCESSES_CEILING; a value outside is ignored here (the CLI
 * rejects it first). */
#define RT_MAX_PROCESSES_CEILING 1000000000ULL

Runtime *rt_new(const RtOptions *opts);
void rt_free(Runtime *rt);

/* A process not scheduled by anyone: for unit tests of C modules that need
 * a heap to build values on. */
Proc *proc_new_bare(Runtime *rt);
void proc_free_bare(Proc *p);

#endif
