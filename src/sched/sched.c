/*
 * sched.c — workers, run queues, stealing, timers, sleeping (see sched.h).
 *
 * Locks: each worker's run queue and timer wheel are guarded by its `lock`.
 * A process's timer (proc.h: timer, timer_owner, timer_due) changes only
 * under the lock of the worker whose wheel holds it: the worker firing it
 * and the process cancelling it (perhaps from another worker, if it was
 * stolen) cannot both act on it.
 *
 * The wake-up protocol. Proc.state (proc.h) changes only as follows:
 *
 *   (born) -> QUEUED       proc_create: the creator holds the queue's place
 *                           until sched_start pushes it, so that a waker
 *                           finding the process (its name or pid published
 *                           early) leaves it alone
 *   IDLE -> QUEUED         a waker (sched_claim_wake), who then pushes it
 *   QUEUED -> RUNNING      the worker that popped it (run_one), and nobody else
 *   RUNNING -> NOTIFIED    a waker, while it runs
 *   RUNNING -> IDLE        the running worker parks it (CAS: fails if NOTIFIED)
 *   RUNNING/NOTIFIED -> QUEUED   the running worker re-queues it
 *   RUNNING/NOTIFIED -> EXITED   the running worker ends it
 *   IDLE <-> RUNNING       a host thread takes and gives back a host process
 *                           (vm/host.c), as a worker would
 *
 * Invariants, checked where they are cheap (SCHED_CHECK; LONA_DEBUG builds
 * check more):
 *   1. A process is in at most one run queue, and then its state is QUEUED.
 *   2. Only the thread that moved a process to RUNNING runs it, pops its
 *      signal queue or parks it.
 *   3. No wake-up is lost: a waker pushes its signal (or sets its flag) and
 *      then reads the state; the parker drains while RUNNING and then tries
 *      RUNNING -> IDLE. Either the parker's drain sees the signal, or the
 *      waker sees RUNNING (-> NOTIFIED, the park fails) or IDLE (-> QUEUED).
 *      The waker's read of the state must be an atomic read-modify-write
 *      (sched_claim_wake): a plain load may be done before its push is
 *      visible (a store-load reordering that x86 allows), read a QUEUED
 *      from before the process was popped, and leave a process parked with
 *      a message in its queue. A write, even of the same value, is read by
 *      whoever changes the state next, who then sees the push too. The
 *      waker's write is an or of PS_WAKE, which makes each of its two
 *      moves (and its no-move) in a single step.
 *   4. A worker sleeps only after finding its queue empty under its lock;
 *      an enqueuer pushes and reads `sleeping` under that same lock: the
 *      check and the wait are one step as the enqueuer sees it.
 *
 * The CPU quota (sched_set_cpu_quota). Between time slices a worker looks,
 * at most once a millisecond, at the CPU time the OS process used in the
 * current period; past the period's share it waits on the quota's
 * condition until the period ends (its queue waits with it: the other
 * workers are over the share too). The throttled worker is not `sleeping`
 * in the sense of invariant 4, so enqueuers do not wake it; only the end
 * of the period or sched_stop (which broadcasts under the quota's lock,
 * after setting `stopping`) does. Timers due meanwhile fire when it wakes.
 */
#include "sched/sched.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "gc/fragpool.h"
#include "gc/gc.h"
#include "proc/exit.h"
#include "proc/life.h"
#include "proc/proc.h"
#include "proc/signal.h"
#include "sched/timer.h"
#include "vm/runtime.h"
#include "vm/vm.h"

/* A broken invariant of the protocol above: a bug, never a user error. */
#define SCHED_CHECK(c, ...) \
    do { if (!(c)) lona_panic(__VA_ARGS__); } while (0)

struct Worker {
    Sched *sched;
    unsigned index;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wakeup;
    bool sleeping;
    /* run queue */
    Proc *head[256], *tail[256];
    uint64_t bits[4];
    uint64_t len;
    FragPool frag_pool;        /* message blocks, see gc/fragpool.h */
    BlockPool proc_pool;       /* process structures, see proc/life.h */
    /* the collector's scratch area for processes run here */
    Value *gc_scratch;
    size_t gc_scratch_cap;
    /* timers of the processes that parked here (receive :after, sleep...) */
    TimerWheel wheel;
    _Atomic uint64_t ntimers;  /* wheel.count, readable without the lock */
    struct Proc **fired;       /* timers fired, to be woken (worker's thread) */
    size_t nfired, capfired;
    int64_t quota_next;        /* monotonic ns: the quota's next look (worker's thread) */
};

/* The CPU quota. `ns` is read by every worker between slices; the rest is
 * under `lock`. */
typedef struct Quota {
    _Atomic int64_t ns;        /* CPU ns allowed per period, 0: no quota */
    pthread_mutex_t lock;
    pthread_cond_t cond;       /* CLOCK_MONOTONIC */
    int64_t period_end;        /* monotonic ns */
    int64_t base;              /* the process CPU time this period's use counts from */
} Quota;

struct Sched {
    struct Runtime *rt;
    unsigned n;
    Worker *workers;
    _Atomic bool stopping;
    _Atomic unsigned sleepers;
    _Atomic unsigned next_start; /* round-robin for processes with no worker */
    Quota quota;
};

/* ---- run queue (caller holds w->lock) ---------------------------------- */

static void rq_push(Worker *w, Proc *p) {
    unsigned lvl = p->priority;
#ifdef LONA_DEBUG
    SCHED_CHECK(!atomic_exchange(&p->in_run_queue, true), "process %llu queued twice", (unsigned long long)p->local_id);
    SCHED_CHECK(atomic_load(&p->state) == PS_QUEUED, "queued process in state %d", atomic_load(&p->state));
#endif
    p->rq_next = NULL;
    if (w->tail[lvl])
        w->tail[lvl]->rq_next = p;
    else
        w->head[lvl] = p;
    w->tail[lvl] = p;
    w->bits[lvl >> 6] |= UINT64_C(1) << (lvl & 63);
    w->len++;
}

static Proc *rq_pop(Worker *w) {
    for (int i = 3; i >= 0; i--) {
        if (!w->bits[i]) continue;
        unsigned lvl = (unsigned)i * 64 + 63 - (unsigned)__builtin_clzll(w->bits[i]);
        Proc *p = w->head[lvl];
        w->head[lvl] = p->rq_next;
        if (!w->head[lvl]) {
            w->tail[lvl] = NULL;
            w->bits[lvl >> 6] &= ~(UINT64_C(1) << (lvl & 63));
        }
        p->rq_next = NULL;
        w->len--;
#ifdef LONA_DEBUG
        atomic_store(&p->in_run_queue, false);
#endif
        return p;
    }
    return NULL;
}

/* ---- waking -------------------------------------------------------------- */

static void worker_enqueue(Worker *w, Proc *p) {
    Sched *s = w->sched;
    pthread_mutex_lock(&w->lock);
    rq_push(w, p);
    bool wake_self = w->sleeping;
    uint64_t len = w->len;
    pthread_mutex_unlock(&w->lock);
    if (wake_self) {
        pthread_cond_signal(&w->wakeup);
        return;
    }
    /* More work here than one worker can do: wake a sleeper to steal. */
    if (len > 1 && atomic_load(&s->sleepers) > 0) {
        for (unsigned i = 0; i < s->n; i++) {
            Worker *o = &s->workers[i];
            if (o == w) continue;
            pthread_mutex_lock(&o->lock);
            bool sl = o->sleeping;
            pthread_mutex_unlock(&o->lock);
            if (sl) {
                pthread_cond_signal(&o->wakeup);
                break;
            }
        }
    }
}

static Worker *pick_worker(Sched *s, Proc *p, Proc *by) {
    if (by && by->home && by->home->sched == s) return by->home;
    if (p->home) return p->home;
    return &s->workers[atomic_fetch_add(&s->next_start, 1) % s->n];
}

static void hand_to_host(Proc *p, int status) {
    HostLink *h = p->host;
    pthread_mutex_lock(&h->lock);
    h->done = true;
    h->status = status;
    pthread_cond_signal(&h->cond);
    pthread_mutex_unlock(&h->lock);
}

bool sched_claim_wake(Proc *p) {
    /* One read-modify-write (invariant 3), whatever the state: the or of
     * PS_WAKE is IDLE -> QUEUED (ours to queue), RUNNING -> NOTIFIED, and
     * leaves the other states as they are (proc/proc.h). */
    if (atomic_fetch_or(&p->state, PS_WAKE) != PS_IDLE) return false;
    proc_ref(p); /* the run queue's reference */
    return true;
}

void sched_enqueue_claimed(Proc *p, Proc *by) { worker_enqueue(pick_worker(p->rt->sched, p, by), p); }

void sched_wake(Proc *p, Proc *by) {
    if (sched_claim_wake(p)) sched_enqueue_claimed(p, by);
}

void sched_start(Proc *p, Proc *by) {
    SCHED_CHECK(atomic_load(&p->state) == PS_QUEUED, "sched_start: state %d", atomic_load(&p->state));
    proc_ref(p);
    worker_enqueue(pick_worker(p->rt->sched, p, by), p);
}

/* ---- running ------------------------------------------------------------- */

static Proc *proc_of_timer(TimerNode *n) { return (Proc *)((char *)n - offsetof(Proc, timer)); }

/* Called by the wheel, under w->lock: the timer is out of the wheel; the
 * process learns it is due, and goes on the worker's list to be woken
 * after unlock. The list is the worker's own, not a chain through the
 * timer nodes: once timer_owner is cleared the process may run elsewhere
 * and arm its timer again in another wheel, which rewrites its node. */
static void timer_fired(void *ctx, TimerNode *n) {
    Worker *w = ctx;
    Proc *p = proc_of_timer(n);
    n->next = n->prev = NULL;
    atomic_store(&p->timer_due, true);
    atomic_store_explicit(&p->timer_owner, NULL, memory_order_release);
    if (w->nfired == w->capfired) {
        w->capfired = w->capfired ? 2 * w->capfired : 64;
        w->fired = xrealloc(w->fired, w->capfired * sizeof *w->fired);
    }
    w->fired[w->nfired++] = p;
}

/* Wake, after unlock, the processes timer_fired listed; each still holds
 * the timer's reference. */
static void wake_fired(Worker *w) {
    size_t n = w->nfired;
    w->nfired = 0;
    for (size_t i = 0; i < n; i++) {
        sched_wake(w->fired[i], NULL);
        proc_unref(w->fired[i]); /* the timer's reference */
    }
}

static void fire_timers(Worker *w, int64_t now) {
    pthread_mutex_lock(&w->lock);
    wheel_advance(&w->wheel, now / 1000000, timer_fired, w);
    atomic_store_explicit(&w->ntimers, w->wheel.count, memory_order_relaxed);
    pthread_mutex_unlock(&w->lock);
    wake_fired(w);
}

/* A process parking with a deadline: its timer goes into this worker's
 * wheel, unless it is already in one (woken and parked again within the
 * same wait). */
static void arm_timer(Worker *w, Proc *p) {
    if (!p->wait_deadline || atomic_load_explicit(&p->timer_owner, memory_order_relaxed)) return;
    proc_ref(p);
    pthread_mutex_lock(&w->lock);
    wheel_insert(&w->wheel, &p->timer, timer_tick_of(p->wait_deadline));
    atomic_store_explicit(&w->ntimers, w->wheel.count, memory_order_relaxed);
    atomic_store_explicit(&p->timer_owner, w, memory_order_release);
    pthread_mutex_unlock(&w->lock);
}

void timer_cancel(Proc *p) {
    p->wait_deadline = 0;
    Worker *w = atomic_load_explicit(&p->timer_owner, memory_order_acquire);
    if (!w) {
        /* Not armed, or fired already (timer_due was set before the owner
         * was cleared): only the flag is left to reset. */
        if (atomic_load_explicit(&p->timer_due, memory_order_relaxed)) atomic_store(&p->timer_due, false);
        return;
    }
    bool removed = false;
    pthread_mutex_lock(&w->lock);
    if (atomic_load_explicit(&p->timer_owner, memory_order_relaxed) == w) {
        wheel_remove(&w->wheel, &p->timer);
        atomic_store_explicit(&w->ntimers, w->wheel.count, memory_order_relaxed);
        atomic_store_explicit(&p->timer_owner, NULL, memory_order_relaxed);
        removed = true;
    }
    atomic_store(&p->timer_due, false);
    pthread_mutex_unlock(&w->lock);
    if (removed) proc_unref(p); /* the timer's reference; the caller holds another */
}

static Proc *steal(Worker *self) {
    Sched *s = self->sched;
    for (unsigned k = 1; k < s->n; k++) {
        Worker *v = &s->workers[(self->index + k) % s->n];
        pthread_mutex_lock(&v->lock);
        Proc *p = v->len > 0 ? rq_pop(v) : NULL;
        pthread_mutex_unlock(&v->lock);
        if (p) return p;
    }
    return NULL;
}

/* RUNNING -> IDLE, true; or, woken while running (NOTIFIED), back into
 * the queue to look again, keeping the queue's reference, false. */
static bool park(Worker *w, Proc *p) {
    int expect = PS_RUNNING;
    if (atomic_compare_exchange_strong(&p->state, &expect, PS_IDLE)) return true;
    SCHED_CHECK(expect == PS_NOTIFIED, "park: process %llu in state %d", (unsigned long long)p->local_id, expect);
    atomic_store(&p->state, PS_QUEUED);
    worker_enqueue(w, p);
    return false;
}

static void run_one(Worker *w, Proc *p) {
    int was = PS_QUEUED;
    SCHED_CHECK(atomic_compare_exchange_strong(&p->state, &was, PS_RUNNING), "run_one: process %llu in state %d",
                (unsigned long long)p->local_id, was);
    p->home = w;
    p->reductions = VM_BUDGET;
    int32_t budget = p->reductions;
    sig_drain(p);
    VmStatus st;
    if (p->pending_exit != LV_NONE) {
        p->exit_reason = p->pending_exit;
        st = VM_EXIT;
    } else if (p->nframes == 0) {
        st = VM_WAIT; /* a host process between calls: nothing to run */
    } else {
        st = vm_run(p);
    }
    atomic_fetch_add_explicit(&p->stat_reductions, (uint64_t)(budget - p->reductions), memory_order_relaxed);
    proc_publish_stats(p);
    switch (st) {
    case VM_YIELD:
        atomic_store(&p->state, PS_QUEUED);
        worker_enqueue(w, p); /* keeps the queue's reference */
        return;
    case VM_WAIT: {
        if (p->park == PARK_YIELD) {
            p->park = PARK_NONE;
            atomic_store(&p->state, PS_QUEUED);
            worker_enqueue(w, p);
            return;
        }
        arm_timer(w, p);
        if (park(w, p)) proc_unref(p); /* the queue's reference */
        return;
    }
    case VM_DONE:
        if (p->host) {
            /* Between calls the host process parks as any other, so that a
             * signal that came while it ran is acted on now. */
            bool parked = park(w, p);
            hand_to_host(p, VM_DONE);
            if (parked) proc_unref(p);
            return;
        }
        p->exit_reason = K_(normal);
        /* fall through */
    case VM_EXIT:
        exit_process(p, p->exit_reason);
        if (p->host) hand_to_host(p, VM_EXIT);
        proc_unref(p);
        return;
    }
}

/* ---- the CPU quota --------------------------------------------------------- */

#define QUOTA_PERIOD_NS ((int64_t)SCHED_QUOTA_PERIOD_MS * 1000000)
#define QUOTA_LOOK_NS 1000000 /* a worker looks at most once a millisecond */

static int64_t process_cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static struct timespec monotonic_ts(int64_t ns) {
    return (struct timespec){.tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000};
}

/* Between slices, with a quota set: wait while the period's share is spent. */
static void quota_check(Worker *w) {
    Sched *s = w->sched;
    Quota *q = &s->quota;
    int64_t now = timer_now_ns();
    if (now < w->quota_next) return;
    w->quota_next = now + QUOTA_LOOK_NS;
    int64_t allowed = atomic_load_explicit(&q->ns, memory_order_relaxed);
    pthread_mutex_lock(&q->lock);
    while (!atomic_load(&s->stopping)) {
        int64_t cpu = process_cpu_ns();
        if (now >= q->period_end) {
            /* A new period: what the last ones overran stays spent (a slice
             * is not cut short, so a period may end over its share); what
             * they left unused is not carried over. */
            int64_t k = (now - q->period_end) / QUOTA_PERIOD_NS + 1;
            int64_t owed = k > 16 ? cpu : q->base + k * allowed;
            q->base = cpu < owed ? cpu : owed;
            q->period_end += k * QUOTA_PERIOD_NS;
        }
        if (cpu - q->base < allowed) break;
        struct timespec until = monotonic_ts(q->period_end);
        pthread_cond_timedwait(&q->cond, &q->lock, &until);
        now = timer_now_ns();
    }
    pthread_mutex_unlock(&q->lock);
}

void sched_set_cpu_quota(Sched *s, double cores) {
    Quota *q = &s->quota;
    int64_t ns = cores > 0 && cores <= 1024 ? (int64_t)(cores * (double)QUOTA_PERIOD_NS + 0.5) : 0;
    pthread_mutex_lock(&q->lock);
    q->period_end = timer_now_ns() + QUOTA_PERIOD_NS;
    q->base = process_cpu_ns();
    atomic_store(&q->ns, ns > 0 ? ns : 0);
    pthread_mutex_unlock(&q->lock);
}

double sched_cpu_quota(const Sched *s) {
    return (double)atomic_load_explicit(&s->quota.ns, memory_order_relaxed) / (double)QUOTA_PERIOD_NS;
}

static void *worker_main(void *arg) {
    Worker *w = arg;
    Sched *s = w->sched;
    fragpool_bind(&w->frag_pool);
    proc_pool_bind(&w->proc_pool);
    while (!atomic_load(&s->stopping)) {
        if (__builtin_expect(atomic_load_explicit(&s->quota.ns, memory_order_relaxed) != 0, 0)) quota_check(w);
        if (atomic_load_explicit(&w->ntimers, memory_order_relaxed)) fire_timers(w, timer_now_ns());
        pthread_mutex_lock(&w->lock);
        Proc *p = rq_pop(w);
        pthread_mutex_unlock(&w->lock);
        if (!p) p = steal(w);
        if (p) {
            run_one(w, p);
            continue;
        }
        /* Nothing to do: sleep until woken or the next timer is due. */
        pthread_mutex_lock(&w->lock);
        if (w->len == 0 && !atomic_load(&s->stopping)) {
            w->sleeping = true;
            atomic_fetch_add(&s->sleepers, 1);
            if (w->wheel.count) {
                int64_t tick = wheel_next_tick(&w->wheel);
                int64_t d = tick > INT64_MAX / 1000000 ? INT64_MAX : tick * 1000000;
                struct timespec ts;
                clock_gettime(CLOCK_MONOTONIC, &ts);
                int64_t wait = d - timer_now_ns();
                if (wait > 0) {
                    int64_t t = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec + wait;
                    ts.tv_sec = t / 1000000000;
                    ts.tv_nsec = t % 1000000000;
                    pthread_cond_timedwait(&w->wakeup, &w->lock, &ts);
                }
            } else {
                pthread_cond_wait(&w->wakeup, &w->lock);
            }
            w->sleeping = false;
            atomic_fetch_sub(&s->sleepers, 1);
        }
        pthread_mutex_unlock(&w->lock);
    }
    return NULL;
}

Sched *sched_new(struct Runtime *rt, unsigned nthreads) {
    if (nthreads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        nthreads = n > 0 ? (unsigned)n : 1;
    }
    if (nthreads > SCHED_MAX_THREADS) nthreads = SCHED_MAX_THREADS;
    Sched *s = xcalloc(1, sizeof *s);
    s->rt = rt;
    s->n = nthreads;
    s->workers = xcalloc(nthreads, sizeof(Worker));
    pthread_mutex_init(&s->quota.lock, NULL);
    {
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&s->quota.cond, &ca);
        pthread_condattr_destroy(&ca);
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    /* The compiler and reader recurse on the C stack (bounded by their
     * depth limits); give them room. */
    pthread_attr_setstacksize(&attr, (size_t)64 << 20);
    for (unsigned i = 0; i < nthreads; i++) {
        Worker *w = &s->workers[i];
        w->sched = s;
        w->index = i;
        pthread_mutex_init(&w->lock, NULL);
        fragpool_init(&w->frag_pool);
        blockpool_init(&w->proc_pool, sizeof(Proc));
        wheel_init(&w->wheel, timer_now_ns() / 1000000);
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&w->wakeup, &ca);
        pthread_condattr_destroy(&ca);
    }
    for (unsigned i = 0; i < nthreads; i++)
        if (pthread_create(&s->workers[i].thread, &attr, worker_main, &s->workers[i]) != 0)
            lona_panic("cannot start scheduler thread");
    pthread_attr_destroy(&attr);
    return s;
}

unsigned sched_count(const Sched *s) { return s->n; }

uint64_t *sched_gc_scratch(Worker *w, size_t words) {
    if (words > w->gc_scratch_cap) {
        free(w->gc_scratch);
        /* Some room to grow, or else just what is asked. */
        size_t cap = words + words / 2 + 1024;
        w->gc_scratch = malloc(cap * sizeof(Value));
        if (!w->gc_scratch) w->gc_scratch = malloc((cap = words + 1) * sizeof(Value));
        w->gc_scratch_cap = w->gc_scratch ? cap : 0;
    }
    return w->gc_scratch;
}

uint64_t *sched_gc_scratch_take(Worker *w, size_t *words) {
    uint64_t *s = w->gc_scratch;
    *words = w->gc_scratch_cap;
    w->gc_scratch = NULL;
    w->gc_scratch_cap = 0;
    return s;
}

void sched_stop(Sched *s) {
    if (!s || atomic_load(&s->stopping)) return;
    atomic_store(&s->stopping, true);
    for (unsigned i = 0; i < s->n; i++) {
        Worker *w = &s->workers[i];
        pthread_mutex_lock(&w->lock);
        pthread_cond_signal(&w->wakeup);
        pthread_mutex_unlock(&w->lock);
    }
    pthread_mutex_lock(&s->quota.lock); /* a worker throttled by the quota */
    pthread_cond_broadcast(&s->quota.cond);
    pthread_mutex_unlock(&s->quota.lock);
    for (unsigned i = 0; i < s->n; i++) pthread_join(s->workers[i].thread, NULL);
    for (unsigned i = 0; i < s->n; i++) {
        Worker *w = &s->workers[i];
        Proc *p;
        while ((p = rq_pop(w)) != NULL) proc_unref(p);
        wheel_drain(&w->wheel, timer_fired, w);
        for (size_t k = 0; k < w->nfired; k++) proc_unref(w->fired[k]);
        w->nfired = 0;
    }
}

void sched_free(Sched *s) {
    if (!s) return;
    sched_stop(s);
    for (unsigned i = 0; i < s->n; i++) {
        Worker *w = &s->workers[i];
        fragpool_destroy(&w->frag_pool);
        blockpool_destroy(&w->proc_pool);
        free(w->gc_scratch);
        free(w->fired);
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->wakeup);
    }
    free(s->workers);
    pthread_mutex_destroy(&s->quota.lock);
    pthread_cond_destroy(&s->quota.cond);
    free(s);
}
