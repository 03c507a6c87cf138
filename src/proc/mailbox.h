/*
 * mailbox.h — a process's message queue.
 *
 * Messages reach a process through its signal queue (proc/signal.h); the
 * owner moves them, in order, into this private list, which only the owning
 * thread touches. Each entry is the Signal record the sender allocated, in
 * the same block as the copied value.
 *
 * Who frees a block: while the message waits, the block belongs to the
 * mailbox. At a collection the queued values are roots: their off-heap
 * objects join the heap's lists and the values are copied into the heap
 * (the entry is marked `absorbed`; the block stays, as the entry still
 * lives in it). When receive takes a message, a block that was not
 * absorbed joins the heap's fragments (the value bound by the pattern
 * still lives there) and is freed by the next collection; an absorbed one
 * is freed at once.
 */
#ifndef LONA_MAILBOX_H
#define LONA_MAILBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gc/heap.h"
#include "proc/signal.h"
#include "term/term.h"

typedef Signal Msg;

typedef struct Mailbox {
    Msg *first;
    Msg **last_next;     /* &last->mnext, or &first when empty */
    uint64_t len;
    uint64_t taken;      /* messages counted by their senders (SF_COUNTED) taken out */
    uint64_t next_seq;
    /* receive mark (vm/receive.h): the last message when make-ref ran */
    Msg *mark_last;      /* NULL: the mailbox was empty */
    uint64_t mark_refnum;
    bool mark_set;
} Mailbox;

struct Proc;

void mbox_init(Mailbox *m);
void mbox_release(Mailbox *m);
/* Append a message record (from the signal queue). */
void mbox_append(Mailbox *m, Msg *x);
/* Append a value already on the owner's heap (send to self, [:EXIT ...]). */
void mbox_append_local(Mailbox *m, Value v);
/* Unlink the message *link; its block joins heap h or is freed. */
void mbox_remove(Mailbox *m, Msg **link, Heap *h);
/* Collector hooks: make the queued values' off-heap objects tracked by the
 * heap, then forward the queued values as roots. */
size_t mbox_absorb_frags(struct Proc *p);   /* returns the words absorbed */
void mbox_forward_roots(struct Proc *p, Value (*fwd)(void *ctx, Value v), void *ctx);

#endif
