/*
 * sched.h — the schedulers of a realm.
 *
 * One worker thread per scheduler. Each worker owns a run queue with 256
 * priority levels (a higher level runs first, round-robin within a level,
 * a bitmap finds the highest non-empty level) and a timer heap for
 * receive :after and sleep. An idle worker steals from the others, then
 * sleeps until work or its next timer arrives; it never spins.
 *
 * Every Lonala process runs on a worker thread, including the ones the
 * host (CLI, doctest runner) calls into: the host thread only waits.
 */
#ifndef LONA_SCHED_H
#define LONA_SCHED_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct Runtime;
struct Proc;
typedef struct Sched Sched;
typedef struct Worker Worker;

/* The most schedulers a realm runs (more are cut to this many). */
#define SCHED_MAX_THREADS 1024

/* Start nthreads workers (0: one per online core). */
Sched *sched_new(struct Runtime *rt, unsigned nthreads);
/* Stop the workers (processes still queued are dropped, not run). */
/* Stops the workers and drops the processes queued or waiting on timers;
 * sched_free then frees the rest, message block pools last, so it must come
 * after every process is freed. */
void sched_stop(Sched *s);
void sched_free(Sched *s);
unsigned sched_count(const Sched *s);
/* A CPU quota: the workers together use at most `cores` CPU-seconds per
 * second of wall time (0.3: 30% of one core; 2.0: two cores), counted
 * over the whole OS process (CLOCK_PROCESS_CPUTIME_ID) in periods of
 * SCHED_QUOTA_PERIOD_MS. A worker checks between time slices and, once
 * the period's share is spent, sleeps until the period ends; what a slice
 * overran is taken from the next periods. 0 (the default) or a value
 * outside (0, 1024]: no quota. It may be set at any time (a new period
 * starts then). */
#define SCHED_QUOTA_PERIOD_MS 100
void sched_set_cpu_quota(Sched *s, double cores);
/* The quota in cores, 0 when there is none. */
double sched_cpu_quota(const Sched *s);
/* The worker's scratch area for the collector (at least `words`; reused,
 * only valid during one collection on that worker's thread); NULL when
 * the C allocator refuses it. */
uint64_t *sched_gc_scratch(Worker *w, size_t words);
/* The scratch area itself (its size in *words), which the caller now owns
 * and frees: a collection that cannot have a young block keeps its
 * survivors where they are. */
uint64_t *sched_gc_scratch_take(Worker *w, size_t *words);

/* Any thread: make a parked process runnable (no-op if it is queued or
 * running; if running, it will not park). `by` is the process doing the
 * waking, if any, so that the woken one is queued on the same worker. */
void sched_wake(struct Proc *p, struct Proc *by);
/* sched_wake in two steps, for a caller that can keep p alive only for the
 * first: sched_claim_wake does the state change and, when it returns true,
 * has taken the run queue's reference, so that sched_enqueue_claimed may
 * follow at any time after. */
bool sched_claim_wake(struct Proc *p);
void sched_enqueue_claimed(struct Proc *p, struct Proc *by);
/* Queue a process that never ran (spawn). */
void sched_start(struct Proc *p, struct Proc *by);

/* A host thread waiting for a call into a process to finish. */
typedef struct HostLink {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool done;
    int status;   /* VM_DONE or VM_EXIT */
} HostLink;

#endif
