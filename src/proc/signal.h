/*
 * signal.h — the one queue through which other threads reach a process.
 *
 * Messages, exit signals, link/unlink, monitor/demonitor and DOWN
 * notifications all travel through one multi-producer single-consumer
 * queue per receiver, so the order between one sender and one receiver
 * holds for all of them (the BEAM guarantee). Any thread may push; only the
 * thread running the receiver pops (sig_drain), which files messages into
 * the mailbox and acts on the other signals.
 *
 * One malloc'd block per signal: a HeapFrag holding the copied value's
 * words, with the Signal record after them. A message's record then serves
 * as its mailbox entry, so sending costs one allocation (signal_alloc) and
 * the block is freed once the value has been copied out of it by the
 * receiver's collector (see mailbox.h for who frees what).
 *
 * The queue is Vyukov's intrusive MPSC queue: push is one atomic exchange,
 * pop never blocks producers.
 */
#ifndef LONA_SIGNAL_H
#define LONA_SIGNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "gc/heap.h"
#include "term/term.h"

typedef enum {
    SIG_MESSAGE,
    SIG_EXIT,        /* exit signal from a link or exit/2: from, value = reason */
    SIG_LINK,
    SIG_UNLINK,
    SIG_MONITOR,     /* ref */
    SIG_DEMONITOR,   /* ref */
    SIG_DOWN,        /* monitor fired: ref, value = reason */
    SIG_SYNC_ACK,    /* send-sync acknowledgement: ref */
} SignalKind;

enum {
    SF_LINK = 1,        /* SIG_EXIT caused by a link (else exit/2) */
    SF_COUNTED = 2,     /* SIG_MESSAGE counted in the receiver's msgs_in */
};

/* A link of the signal queue: the first field of every Signal, and all
 * of the queue's stub. */
typedef struct SigLink {
    struct SigLink *_Atomic next;
} SigLink;

typedef struct Signal {
    SigLink link;                 /* signal queue link (first field) */
    struct Signal *mnext;         /* mailbox link */
    HeapFrag *frag;               /* the block this record lives in */
    Value value;                  /* in frag's words, or an immediate */
    Value from;                   /* sender pid */
    Value ref;                    /* monitor ref; send-sync ref (ack when taken); else LV_NONE */
    uint64_t seq;                 /* mailbox arrival number */
    uint32_t kind, flags;
    bool absorbed;                /* the collector took the value into the heap */
} Signal;

/* An intrusive MPSC queue with a stub (Vyukov's): its producers' end.
 * The consumer's end, the tail, is kept apart by the consumer (on another
 * cache line: every producer writes head and stub, the consumer writes its
 * tail at every pop). */
typedef struct SignalQueue {
    SigLink *_Atomic head;  /* producers push here */
    SigLink stub;
} SignalQueue;

struct Proc;

/* A signal record with room for `words` words of value (frag->words). */
Signal *signal_alloc(size_t words);
/* The same, NULL when the system refuses the memory. */
Signal *signal_try_alloc(size_t words);
void signal_free(Signal *s);   /* the whole block, value words included */

void sigq_init(SignalQueue *q, SigLink **tail);
/* Any thread. */
void sigq_push(SignalQueue *q, Signal *s);
/* Owner only; NULL when empty (or when a push is half done: try later). */
Signal *sigq_pop(SignalQueue *q, SigLink **tail);

/* Owner only: move pending signals into the mailbox / act on them. */
void sig_drain(struct Proc *p);

#endif
