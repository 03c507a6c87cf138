/*
 * mailbox.h — a process's message queue.
 *
 * Messages reach a process through its signal queue (proc/signal.h); the
 * owner moves them, in order, into this private queue, which only the
 * owning thread touches. Each message's value was copied by the sender into
 * a heap fragment of its own (msg->frag); the receiver's collector treats
 * queued values as roots, copies them into the heap and frees the
 * fragments.
 *
 * receive scans from p->mbox.first (or from the saved position of a
 * receive that is waiting) and unlinks the message it accepts.
 */
#ifndef LONA_MAILBOX_H
#define LONA_MAILBOX_H

#include <stdint.h>

#include "gc/heap.h"
#include "term/term.h"

typedef struct Msg {
    struct Msg *next;
    Value value;
    HeapFrag *frag;      /* fragment holding value, or NULL once absorbed */
    uint64_t seq;        /* arrival number, for the receive-after-ref optimisation */
    Value sync_ref;      /* send-sync: acknowledge to the sender when taken, else LV_NONE */
    Value sync_from;     /* send-sync: the sender */
} Msg;

typedef struct Mailbox {
    Msg *first;
    Msg **last_next;     /* &last->next, or &first when empty */
    uint64_t len;
    uint64_t next_seq;
} Mailbox;

struct Proc;

void mbox_init(Mailbox *m);
void mbox_release(Mailbox *m);
/* Append a message whose value lives in frag (may be NULL for immediates). */
void mbox_append(Mailbox *m, Value v, HeapFrag *frag, Value sync_ref, Value sync_from);
/* Unlink the message *link; its fragment joins heap h. */
void mbox_remove(Mailbox *m, Msg **link, Heap *h);
/* Collector hooks: first make every queued message's fragment part of the
 * heap (from-space), then forward the queued values as roots. */
void mbox_absorb_frags(struct Proc *p);
void mbox_forward_roots(struct Proc *p, Value (*fwd)(void *ctx, Value v), void *ctx);

#endif
