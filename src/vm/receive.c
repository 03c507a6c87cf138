/*
 * receive.c — the receive instructions (see receive.h).
 */
#include "vm/receive.h"

#include <stddef.h>

#include "proc/mailbox.h"
#include "proc/exit.h"
#include "proc/signal.h"
#include "sched/timer.h"
#include "term/atoms.h"
#include "term/num.h"
#include "vm/error.h"
#include "vm/runtime.h"


void recv_mark(Proc *p, Value ref) {
    Mailbox *m = &p->mbox;
    sig_drain(p);
    m->mark_last = m->last_next == &m->first ? NULL : (Msg *)((char *)m->last_next - offsetof(Msg, mnext));
    m->mark_refnum = ref_number(ref);
    m->mark_set = true;
}

/* Where the scan may start: after the mark when every hint is a ref of
 * this realm made no earlier than the mark. */
static Msg **scan_start(Proc *p, const Value *hints, uint32_t n) {
    Mailbox *m = &p->mbox;
    if (n == 0 || !m->mark_set) return &m->first;
    for (uint32_t i = 0; i < n; i++) {
        Value r = hints[i];
        if (!is_ref(r) || pid_realm(r) != p->rt->realm_id || ref_number(r) < m->mark_refnum) return &m->first;
    }
    return m->mark_last ? &m->mark_last->mnext : &m->first;
}

Value recv_start(Proc *p, Value timeout, Value *state, const Value *hints, uint32_t nhints) {
    int64_t ms = -1;
    if (timeout != LV_NONE && timeout != K_(infinity)) {
        if (!is_integer(timeout) || !num_to_i64(timeout, &ms) || ms < 0)
            return err_badarg(p, "receive", &timeout, 1);
    }
    p->recv_timeout_ms = timeout == LV_NONE ? -2 : ms; /* -2: no :after; -1: infinity */
    timer_cancel(p);
    p->wait_deadline = ms > 0 ? timer_deadline_ms(ms) : 0;
    sig_drain(p);
    *state = recv_link_state(scan_start(p, hints, nhints));
    return LV_NONE;
}

void recv_accept(Proc *p, Value *state) {
    Msg *m = *recv_state_link(*state);
    if (m->ref != LV_NONE) signal_send(p, m->from, SIG_SYNC_ACK, LV_NONE, m->ref, 0);
    mbox_remove(&p->mbox, recv_state_link(*state), &p->heap);
    timer_cancel(p);
}

int recv_wait(Proc *p, Value *state) {
    sig_drain(p);
    if (*recv_state_link(*state)) return 1;
    if (p->recv_timeout_ms == 0) return 0;
    if (p->recv_timeout_ms > 0 && (atomic_load(&p->timer_due) || timer_now_ns() >= p->wait_deadline)) {
        timer_cancel(p);
        return 0;
    }
    return -1;
}
