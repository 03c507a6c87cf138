/*
 * send.c — message sending (see send.h).
 */
#include "proc/send.h"

#include <stdlib.h>

#include "base/mem.h"
#include "base/util.h"
#include "gc/copy.h"
#include "proc/life.h"
#include "sched/sched.h"
#include "vm/runtime.h"

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
    if (proc_deliver(rt, to, s, from)) return SEND_OK;
    heap_frag_release(s->frag); /* a dead pid: dropped */
    return SEND_DEAD;
}
