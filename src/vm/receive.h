/*
 * receive.h — the instructions of the receive construct.
 *
 * The compiler turns (receive clauses... :after t body) into:
 *
 *       RECV_START t, S        ; S: scan state register
 *   top:RECV_NEXT  M, S, wait  ; M = next unexamined message, or go to wait
 *       <clause patterns on M; the matching clause does RECV_ACCEPT S>
 *       RECV_SKIP  S ; JUMP top
 *  wait:RECV_WAIT  S, top      ; new messages -> top; timeout -> fall through
 *       <timeout body>
 *
 * The scan state is the address of the link (Msg **) to the next message to
 * examine, tagged as a fixnum so the collector ignores it. Message nodes are
 * malloc'd and never move, and only the owning thread unlinks them.
 *
 * The request/response fast path: make-ref marks the end of the mailbox.
 * When the compiler sees that every clause can only accept a message
 * holding one of some refs (each clause guarded by (= x r) with x from the
 * pattern and r a ref from outside), it passes those refs as hints; if all
 * of them were made no earlier than the mark, no message older than the
 * mark can hold them, and the scan starts at the mark: a call stays O(1)
 * however long the mailbox is.
 */
#ifndef LONA_RECEIVE_H
#define LONA_RECEIVE_H

#include <stdbool.h>

#include "proc/proc.h"
#include "term/term.h"

Value recv_start(Proc *p, Value timeout, Value *state, const Value *hints, uint32_t nhints);
/* make-ref: remember the end of the mailbox for a receive on this ref. */
void recv_mark(Proc *p, Value ref);
void recv_accept(Proc *p, Value *state);

static inline Msg **recv_state_link(Value s) { return (Msg **)(uintptr_t)(s & ~(Value)1); }
static inline Value recv_link_state(Msg **l) { return (Value)(uintptr_t)l | 1; }

/* The message at the scan position, if any (inline: a selective receive
 * runs this and recv_skip once for every message it passes over). */
static inline bool recv_next(Value state, Value *msg) {
    Msg *m = *recv_state_link(state);
    if (!m) return false;
    *msg = m->value;
    return true;
}

/* RECV_NEXT_TAG: the first message from the scan position on that is a
 * tuple of the size filter[0] whose first element is one of the keywords
 * filter[1..] (the compiler makes such a filter when every clause needs
 * that shape): the scan position moves to it, or, when there is none, to
 * the end, as a RECV_NEXT/RECV_SKIP loop over the others would do. */
static inline bool recv_next_tagged(Value *state, Value filter, Value *msg) {
    const Value *f = tuple_elems(filter);
    size_t nkeys = tuple_len(filter) - 1;
    size_t size = (size_t)fix_val(f[0]);
    Msg **link = recv_state_link(*state);
    for (Msg *m; (m = *link) != NULL; link = &m->mnext) {
        Value v = m->value;
        if (!is_tuple(v) || tuple_len(v) != size) continue;
        Value tag = tuple_elems(v)[0];
        for (size_t i = 1; i <= nkeys; i++) {
            if (tag == f[i]) {
                *state = recv_link_state(link);
                *msg = v;
                return true;
            }
        }
    }
    *state = recv_link_state(link);
    return false;
}

static inline void recv_skip(Value *state) { *state = recv_link_state(&(*recv_state_link(*state))->mnext); }
/* 1: there are new messages to scan; 0: the timeout expired; -1: park. */
int recv_wait(Proc *p, Value *state);

#endif
