/*
 * send.c — message sending (see send.h).
 */
#include "proc/send.h"

#include <stdlib.h>

#include "base/mem.h"
#include "base/util.h"
#include "gc/copy.h"
#include "proc/life.h"
#include "proc/ptable.h"
#include "proc/signal.h"
#include "sched/sched.h"
#include "vm/runtime.h"

/* The send cache. A process sending to the same pid twice in a row keeps
 * a reference to that process and, from then on, skips the table: no
 * lookup, and no lock shared with every other sender to that stripe (on
 * a fan-in, all of them). The reference keeps the struct alive, not the
 * process: a message pushed to a cached process that has ended waits in
 * its queue until the struct is freed (proc_free answers late signals),
 * and the sender, seeing it ended, lets go of it at once. Only plain
 * messages take this path: a send-sync to a dead process must be answered
 * at once, which the table's path does. */
static Proc *cached_target(Proc *from, Value to) {
    Proc *t = from->send_target;
    if (t && t->pid == to) return t;
    if (from->send_last != to) {
        from->send_last = to;
        return NULL;
    }
    t = proc_lookup(from->rt, to);
    if (!t) return NULL;
    send_cache_drop(from);
    from->send_target = t;
    return t;
}

void send_cache_drop(Proc *p) {
    Proc *t = p->send_target;
    p->send_target = NULL;
    p->send_last = LV_NONE;
    if (t) proc_unref(t);
}

typedef struct Dropped {
    Proc **targets;
    size_t n, cap;
} Dropped;

static void take_cache(void *ctx, Proc *p) {
    Dropped *d = ctx;
    if (!p->send_target) return;
    if (d->n == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 64;
        d->targets = xrealloc(d->targets, d->cap * sizeof *d->targets);
    }
    d->targets[d->n++] = p->send_target;
    p->send_target = NULL;
}

void send_caches_drop_all(Runtime *rt) {
    Dropped d = {NULL, 0, 0};
    ptable_each(rt->procs, take_cache, &d);
    /* Outside the table's locks: freeing an ended process looks pids up. */
    for (size_t i = 0; i < d.n; i++) proc_unref(d.targets[i]);
    free(d.targets);
}

SendResult send_message(Proc *from, Value to, Value msg, Value sync_ref, size_t *oom_bytes) {
    Runtime *rt = from->rt;
    CopySize sz = term_flat_size(&rt->lit, msg);
    if (sz.has_bytebuf) return SEND_BYTEBUF;
    if (to == from->pid && sync_ref == LV_NONE) {
        mbox_append_local(&from->mbox, msg);
        return SEND_OK;
    }
    if (!proc_is_local(rt, to)) return SEND_DEAD;
    size_t bytes = sizeof(HeapFrag) + sz.words * sizeof(Value) + sizeof(Signal);
    /* Over the budget, small messages may use the headroom (base/mem.h),
     * so that a server's reply gets through while a flood is ended. */
    if (UNLIKELY(mem_refuses(bytes))) {
        *oom_bytes = bytes;
        return SEND_OOM;
    }
    Signal *s = signal_try_alloc(sz.words);
    if (UNLIKELY(!s)) {
        *oom_bytes = bytes;
        return SEND_OOM;
    }
    s->kind = SIG_MESSAGE;
    s->from = from->pid;
    s->ref = sync_ref;
    s->frag->offheap = sz.has_offheap;
    s->value = term_copy_flat(&rt->lit, msg, s->frag->words, NULL);
    from->reductions -= (int32_t)(sz.words / 64);
    Proc *target = sync_ref == LV_NONE ? cached_target(from, to) : NULL;
    if (target) {
        if (proc_deliver_held(target, s, from)) return SEND_OK;
        send_cache_drop(from); /* frees the message with the ended process */
        return SEND_DEAD;
    }
    if (proc_deliver(rt, to, s, from)) return SEND_OK;
    heap_frag_release(s->frag); /* a dead pid: dropped */
    return SEND_DEAD;
}
