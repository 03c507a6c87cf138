/*
 * signal.c — signal records and the MPSC signal queue (see signal.h).
 */
#include "proc/signal.h"

#include <stdlib.h>

#include "base/util.h"
#include "gc/fragpool.h"
#include "proc/exit.h"
#include "proc/proc.h"

Signal *signal_alloc(size_t words) {
    Signal *s = signal_try_alloc(words);
    if (!s) lona_panic("out of memory (a signal of %zu words)", words);
    return s;
}

Signal *signal_try_alloc(size_t words) {
    size_t head = sizeof(HeapFrag) + words * sizeof(Value);
    HeapFrag *f = frag_block_try_alloc(head + sizeof(Signal));
    if (!f) return NULL;
    f->next = NULL;
    f->cap = f->used = words;
    f->offheap = words != 0; /* the sender may know better */
    Signal *s = (Signal *)((char *)f + head);
    s->frag = f;
    s->absorbed = false;
    s->flags = 0;
    s->ref = LV_NONE;
    return s;
}

void signal_free(Signal *s) { frag_block_free(s->frag); }

/* Every Signal begins with its SigLink: the queue links SigLinks, and a
 * link other than the stub is the Signal it begins. */
static Signal *signal_of(SigLink *l) { return (Signal *)(void *)l; }

void sigq_init(SignalQueue *q, SigLink **tail) {
    atomic_store_explicit(&q->stub.next, NULL, memory_order_relaxed);
    atomic_store_explicit(&q->head, &q->stub, memory_order_relaxed);
    *tail = &q->stub;
}

static void push_link(SignalQueue *q, SigLink *l) {
    atomic_store_explicit(&l->next, NULL, memory_order_relaxed);
    SigLink *prev = atomic_exchange_explicit(&q->head, l, memory_order_acq_rel);
    atomic_store_explicit(&prev->next, l, memory_order_release);
}

void sigq_push(SignalQueue *q, Signal *s) { push_link(q, &s->link); }

Signal *sigq_pop(SignalQueue *q, SigLink **end) {
    SigLink *tail = *end;
    SigLink *next = atomic_load_explicit(&tail->next, memory_order_acquire);
    if (tail == &q->stub) {
        if (!next) return NULL;
        *end = next;
        tail = next;
        next = atomic_load_explicit(&next->next, memory_order_acquire);
    }
    if (next) {
        *end = next;
        return signal_of(tail);
    }
    SigLink *head = atomic_load_explicit(&q->head, memory_order_acquire);
    if (tail != head) return NULL; /* a producer is between its two steps */
    push_link(q, &q->stub);
    next = atomic_load_explicit(&tail->next, memory_order_acquire);
    if (next) {
        *end = next;
        return signal_of(tail);
    }
    return NULL;
}

void sig_drain(Proc *p) {
    Signal *s;
    while ((s = sigq_pop(&p->sigq, &p->sigq_tail)) != NULL) {
        if (s->kind == SIG_MESSAGE)
            mbox_append(&p->mbox, s);
        else
            exit_handle_signal(p, s);
    }
}
