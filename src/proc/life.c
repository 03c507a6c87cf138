/*
 * life.c — process creation, references and freeing (see life.h).
 */
#include "proc/life.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "gc/copy.h"
#include "gc/literal.h"
#include "proc/exit.h"
#include "proc/ptable.h"
#include "sched/sched.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/coll.h"
#include "term/equal.h"
#include "term/num.h"
#include "vm/call.h"
#include "vm/ns.h"
#include "vm/vm.h"
#include "vm/rt.h"

#define DEFAULT_HEAP_WORDS 512 /* 4096 bytes, the spec's default */
#define MAX_HEAP_WORDS ((size_t)1 << 40)

Value proc_spawn_opt(Value opts, Value key) {
    Value v = map_get(opts, key);
    return v == LV_NONE ? LV_NIL : v;
}

bool proc_parse_spawn_opts(Value opts, SpawnOpts *o) {
    memset(o, 0, sizeof *o);
    o->priority = 100;
    o->name = LV_NIL;
    if (opts == LV_NIL) return true;
    if (!is_map(opts)) return false;
    int64_t n;
    Value v = proc_spawn_opt(opts, K_(min_heap_size));
    if (v != LV_NIL) {
        if (!num_to_i64(v, &n) || n < 0 || (size_t)n / 8 > MAX_HEAP_WORDS) return false;
        o->min_heap_words = (size_t)n / 8;
    }
    v = proc_spawn_opt(opts, K_(max_heap_size));
    if (v != LV_NIL) {
        if (!num_to_i64(v, &n) || n <= 0) return false;
        o->max_heap_words = (size_t)n / 8 ? (size_t)n / 8 : 1;
    }
    v = proc_spawn_opt(opts, K_(priority));
    if (v != LV_NIL) {
        if (!num_to_i64(v, &n) || n < 0 || n > 255) return false;
        o->priority = (uint8_t)n;
    }
    v = proc_spawn_opt(opts, K_(name));
    if (v != LV_NIL) {
        if (!is_symbol(v)) return false;
        o->name = sym_strip(v);
    }
    return true;
}

static _Thread_local BlockPool *bound_proc_pool;

void proc_pool_bind(BlockPool *pool) { bound_proc_pool = pool; }

Proc *proc_alloc(void) {
    BlockPool *pool = bound_proc_pool;
    Proc *p = pool ? blockpool_alloc(pool) : blockpool_alloc_unpooled(sizeof *p);
    if (!p) lona_panic("out of memory (a process)");
    memset(p, 0, sizeof *p);
    p->stack = p->stack0;
    p->stack_cap = PROC_STACK0;
    p->frames = p->frames0;
    p->frames_cap = PROC_FRAMES0;
    return p;
}

void proc_dealloc(Proc *p) {
    free(p->oom_note);
    if (p->stack != p->stack0) free(p->stack);
    if (p->frames != p->frames0) free(p->frames);
    blockpool_free(p, bound_proc_pool);
}

void proc_grow_stack(Proc *p, uint32_t cap) {
    p->stack = grow_inline(p->stack, p->stack0, p->stack_cap, cap, sizeof(Value));
    p->stack_cap = cap;
}

void proc_grow_frames(Proc *p, uint32_t cap) {
    p->frames = grow_inline(p->frames, p->frames0, p->frames_cap, cap, sizeof(Frame));
    p->frames_cap = cap;
}

/* Most bytes of dicts the literal area takes (inherit_dict). */
#define SHARED_DICTS_MAX ((size_t)16 << 20)

/* A new process starts with a copy of its parent's dict (docs/namespaces.md).
 * A parent spawning again with the same dict (most do: *ns* and *file* of
 * the program that started them) moves its dict into the literal area,
 * where every child then shares it instead of a copy in a block of its
 * own, and where a child's own bindings only add to it in its heap. The
 * hash only decides when to share: what is shared is always the dict of
 * the moment. Dicts that change between every two spawns are copied, and
 * the literal area, never freed, takes at most SHARED_DICTS_MAX of them. */
static Value inherit_dict(Proc *parent, Proc *child) {
    Runtime *rt = parent->rt;
    Value d = parent->dict;
    CopySize sz = term_flat_size(&rt->lit, d);
    if (sz.words == 0) return d; /* shared already */
    if (!sz.has_bytebuf && !sz.has_local_only && !sz.has_offheap) {
        uint64_t h = lv_hash(d);
        size_t bytes = sz.words * sizeof(Value);
        if (h == parent->dict_hash &&
            atomic_fetch_add_explicit(&rt->shared_dict_bytes, bytes, memory_order_relaxed) + bytes <=
                SHARED_DICTS_MAX) {
            parent->dict = lit_copy(rt, d);
            return parent->dict;
        }
        parent->dict_hash = h;
    }
    Value *block = heap_alloc_exact(&child->heap, sz.words);
    return term_copy_flat(&rt->lit, d, block, &child->heap);
}

Proc *proc_create(Runtime *rt, const SpawnOpts *o, Proc *parent) {
    Proc *p = proc_alloc();
    p->rt = rt;
    heap_init(&p->heap, o && o->min_heap_words ? o->min_heap_words : DEFAULT_HEAP_WORDS,
              o ? o->max_heap_words : 0);
    p->exc = LV_NONE;
    p->tc_fn = p->tc_args = p->dict = p->result = p->exit_reason = p->trace = LV_NIL;
    p->resume_value = p->park_ref = p->reg_name = LV_NIL;
    p->priority = o ? o->priority : 100;
    mbox_init(&p->mbox);
    sigq_init(&p->sigq, &p->sigq_tail);
    pthread_mutex_init(&p->info_lock, NULL);
    atomic_init(&p->refs, 1);
    /* Born QUEUED: its place in a run queue is held for sched_start, so a
     * waker that finds it first (through a name registered before the
     * start) leaves it alone instead of queueing it a second time. */
    atomic_init(&p->state, PS_QUEUED);
    p->local_id = atomic_fetch_add(&rt->next_pid, 1);
    p->pid = mk_pid(rt->realm_id, p->local_id);
    if (parent && parent->dict != LV_NIL) p->dict = inherit_dict(parent, p);
    ptable_insert(rt->procs, p->local_id, p);
    atomic_fetch_add_explicit(&rt->nprocs, 1, memory_order_relaxed);
    /* After the insert: a redefinition either finds this process in the
     * table or is seen here (vm/ns.c sets the runtime's flag first). */
    atomic_store(&p->inlining_off, atomic_load(&rt->inlined_redefined));
    return p;
}

/* The closure lona.process/%call-native, (fn* [f] (f)): a process whose
 * function is an intrinsic starts in it (the VM enters only closures). */
static Value call_native_closure(Runtime *rt) {
    static const char name[] = "%call-native";
    Value sym = mk_symbol(atoms_intern_text(&rt->atoms, name, sizeof name - 1));
    Value var = ns_lookup(rt, rt->process_ns, sym);
    return var == LV_NONE ? LV_NONE : atomic_load(&as_var(var)->root);
}

bool proc_set_entry(Proc *p, Value fn, Proc *parent) {
    Runtime *rt = p->rt;
    Value args[1] = {fn};
    uint32_t nargs = 0;
    if (is_native(fn)) {
        fn = call_native_closure(rt);
        nargs = 1;
        if (!is_closure(fn)) return false;
    }
    CopySize sz = term_flat_size(&rt->lit, fn);
    if (sz.has_bytebuf) return false;

    Value *block = sz.words ? heap_alloc_exact(&p->heap, sz.words) : NULL;
    Value f = term_copy_flat(&rt->lit, fn, block, &p->heap);
    (void)parent;
    /* Bottom frame: a host frame with no host; returning into it ends the
     * process normally (see sched.c). A function that cannot be called with
     * no arguments makes the process start and end at once with that
     * error, as a bad fun does on the BEAM. */
    if (!vm_push_call(p, f, args, nargs, false)) {
        p->pending_exit = p->exc != LV_NONE ? p->exc : K_(badarg);
        p->exc = LV_NONE;
    }
    return true;
}

void proc_ref(Proc *p) { atomic_fetch_add_explicit(&p->refs, 1, memory_order_relaxed); }

static void proc_free(Proc *p) {
    exit_answer_late_signals(p);
    pthread_mutex_destroy(&p->info_lock);
    proc_free_bare(p);
}

void proc_unref(Proc *p) {
    if (atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel) == 1) proc_free(p);
}

bool proc_is_local(Runtime *rt, Value pid) { return is_pid(pid) && pid_realm(pid) == rt->realm_id; }

Proc *proc_lookup(Runtime *rt, Value pid) {
    if (!proc_is_local(rt, pid)) return NULL;
    return ptable_lookup_ref(rt->procs, pid_local(pid));
}

typedef struct Delivery {
    Signal *signal;
    Proc *claimed;  /* woken: to be queued once the table is unlocked */
    Proc *by;
} Delivery;

/* Backpressure. A sender that finds more than this many of its messages'
 * kind waiting for the receiver ends its time slice, so that on a busy
 * machine the receiver gets the cores it needs to catch up: a producer
 * faster than its consumer otherwise fills the consumer's mailbox without
 * bound, and every message then costs more memory and more collection. */
#define BACKLOG_YIELD 4096

/* Before the push, which gives s away (the receiver may take and free
 * it at once): whether it is a message, marked as counted. */
static bool mark_counted(Signal *s) {
    if (s->kind != SIG_MESSAGE) return false;
    s->flags |= SF_COUNTED;
    return true;
}

/* After the push, if it was. */
static void count_message(Proc *p, Proc *by) {
    uint64_t in = atomic_fetch_add_explicit(&p->msgs_in, 1, memory_order_relaxed) + 1;
    /* The owner's count is on another line, that it writes once a slice:
     * looked at now and then. */
    if (!by || in % 16) return;
    uint64_t taken = atomic_load_explicit(&p->msgs_taken, memory_order_relaxed);
    /* Signed: the owner may take a message before its sender counts it. */
    if ((int64_t)(in - taken) > BACKLOG_YIELD) by->reductions = 0;
}

static void deliver_locked(void *ctx, Proc *p) {
    Delivery *d = ctx;
    bool counted = mark_counted(d->signal);
    sigq_push(&p->sigq, d->signal);
    if (counted) count_message(p, d->by);
    if (sched_claim_wake(p)) d->claimed = p;
}

bool proc_deliver(Runtime *rt, Value pid, Signal *s, Proc *by) {
    if (!proc_is_local(rt, pid)) return false;
    Delivery d = {s, NULL, by};
    if (!ptable_with(rt->procs, pid_local(pid), deliver_locked, &d)) return false;
    if (d.claimed) sched_enqueue_claimed(d.claimed, by); /* the queue holds a reference now */
    return true;
}

bool proc_deliver_held(Proc *p, Signal *s, Proc *by) {
    bool counted = mark_counted(s);
    sigq_push(&p->sigq, s);
    if (counted) count_message(p, by);
    if (sched_claim_wake(p)) sched_enqueue_claimed(p, by);
    return atomic_load_explicit(&p->state, memory_order_relaxed) != PS_EXITED;
}

void proc_publish_stats(Proc *p) {
    Heap *h = &p->heap;
    /* The young block and the fragments, as :heap-used counts them both: a
     * process that has not needed its block yet (one that only waits) holds
     * its first words in a fragment (heap_alloc_exact). */
    atomic_store_explicit(&p->stat_heap_size, heap_young_size_words(h), memory_order_relaxed);
    atomic_store_explicit(&p->stat_heap_used, (uint64_t)(h->top - h->start) + h->frag_words, memory_order_relaxed);
    atomic_store_explicit(&p->stat_old_size, (uint64_t)(h->old_end - h->old_start), memory_order_relaxed);
    atomic_store_explicit(&p->stat_old_used, (uint64_t)(h->old_top - h->old_start), memory_order_relaxed);
    atomic_store_explicit(&p->stat_stack, p->sp, memory_order_relaxed);
    atomic_store_explicit(&p->stat_minor, h->minor_count, memory_order_relaxed);
    atomic_store_explicit(&p->stat_major, h->major_count, memory_order_relaxed);
    atomic_store_explicit(&p->stat_reclaimed, h->reclaimed_words, memory_order_relaxed);
    atomic_store_explicit(&p->stat_mailbox, p->mbox.len, memory_order_relaxed);
    atomic_store_explicit(&p->msgs_taken, p->mbox.taken, memory_order_relaxed);
}
