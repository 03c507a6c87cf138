/*
 * signal.c — the MPSC signal queue (see signal.h).
 */
#include "proc/signal.h"

#include <stdlib.h>

#include "proc/exit.h"
#include "proc/proc.h"

void sigq_init(SignalQueue *q) {
    atomic_store_explicit(&q->stub.next, NULL, memory_order_relaxed);
    atomic_store_explicit(&q->head, &q->stub, memory_order_relaxed);
    q->tail = &q->stub;
}

bool sigq_push(SignalQueue *q, Signal *s) {
    atomic_store_explicit(&s->next, NULL, memory_order_relaxed);
    Signal *prev = atomic_exchange_explicit(&q->head, s, memory_order_acq_rel);
    atomic_store_explicit(&prev->next, s, memory_order_release);
    return prev == &q->stub || prev == NULL;
}

Signal *sigq_pop(SignalQueue *q) {
    Signal *tail = q->tail;
    Signal *next = atomic_load_explicit(&tail->next, memory_order_acquire);
    if (tail == &q->stub) {
        if (!next) return NULL;
        q->tail = next;
        tail = next;
        next = atomic_load_explicit(&next->next, memory_order_acquire);
    }
    if (next) {
        q->tail = next;
        return tail;
    }
    Signal *head = atomic_load_explicit(&q->head, memory_order_acquire);
    if (tail != head) return NULL; /* a producer is between its two steps */
    sigq_push(q, &q->stub);
    next = atomic_load_explicit(&tail->next, memory_order_acquire);
    if (next) {
        q->tail = next;
        return tail;
    }
    return NULL;
}

void sig_drain(Proc *p) {
    Signal *s;
    while ((s = sigq_pop(&p->sigq)) != NULL) {
        if (s->kind == SIG_MESSAGE) {
            mbox_append(&p->mbox, s->value, s->frag, s->ref, s->from);
            free(s);
        } else {
            exit_handle_signal(p, s);
        }
    }
}
