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
 * The queue is Vyukov's intrusive MPSC queue: push is one atomic exchange,
 * pop never blocks producers.
 */
#ifndef LONA_SIGNAL_H
#define LONA_SIGNAL_H

#include <stdatomic.h>
#include <stdint.h>

#include "gc/heap.h"
#include "term/term.h"

typedef enum {
    SIG_MESSAGE,
    SIG_EXIT,        /* exit signal from a link or exit/2: from, value = reason */
    SIG_LINK,
    SIG_UNLINK,
    SIG_MONITOR,     /* value = ref */
    SIG_DEMONITOR,   /* value = ref */
    SIG_DOWN,        /* monitor fired: value = [ref reason] */
    SIG_SYNC_ACK,    /* send-sync acknowledgement: value = ref */
} SignalKind;

enum { SF_LINK = 1 };    /* SIG_EXIT caused by a link (else exit/2) */

typedef struct Signal {
    struct Signal *_Atomic next;
    SignalKind kind;
    uint32_t flags;
    Value from;          /* sender pid */
    Value value;         /* lives in frag, or an immediate */
    HeapFrag *frag;
    Value ref;           /* monitor ref; send-sync ref (ack wanted when taken); else LV_NONE */
} Signal;

typedef struct SignalQueue {
    Signal *_Atomic head;   /* producers push here */
    Signal *tail;           /* consumer pops here */
    Signal stub;
} SignalQueue;

struct Proc;

void sigq_init(SignalQueue *q);
/* Any thread. Returns true if the queue was empty before (wake the owner). */
bool sigq_push(SignalQueue *q, Signal *s);
/* Owner only; NULL when empty (or when a push is half done: try later). */
Signal *sigq_pop(SignalQueue *q);

/* Owner only: move pending signals into the mailbox / act on them. */
void sig_drain(struct Proc *p);

#endif
