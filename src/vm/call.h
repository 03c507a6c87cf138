/*
 * call.h — frames: entering functions, returning, and calling the values
 * that act as functions (keywords, maps, tuples, vectors).
 */
#ifndef LONA_CALL_H
#define LONA_CALL_H

#include <stdbool.h>

#include "base/util.h"
#include "proc/proc.h"
#include "vm/proto.h"

/* Make room for `need` registers from index 0; false if over the limit. */
bool call_ensure_stack(Proc *p, size_t need);

/* A new frame's registers past its arguments must hold valid values before
 * the collector can see them (the stack above sp may hold stale pointers).
 * The VM's fast calls clear eight at once, writing up to CALL_CLEAR_SLACK
 * words past the frame, above sp, where nothing is kept; call_enter leaves
 * that much room. */
#define CALL_CLEAR_SLACK 8

static inline void call_clear_regs(Value *regs, uint32_t from, uint32_t nregs) {
    Value *q = regs + from, *end = regs + nregs;
    do {
        for (int i = 0; i < 8; i++) q[i] = LV_NIL;
        q += 8;
    } while (UNLIKELY(q < end));
}

/* Push frame f, the one above the top frame (&p->frames[p->nframes]), for
 * a call of pr whose registers start at stack[base] and whose result goes
 * to register ret_reg of the current frame; the caller has checked that
 * there is room for it and for its registers. */
static inline Frame *call_push_frame(Proc *p, Frame *f, const Proto *pr, uint32_t base, uint32_t ret_reg) {
    p->nframes++;
    f->pc = pr->code;
    f->k = pr->consts;
    f->base = base;
    f->kind = FRAME_LONA;
    f->ret_reg = ret_reg;
    f->saved_sp = p->sp;
    p->sp = base + pr->nregs;
    return f;
}

/* Enter closure fn whose arguments are at stack[base .. base+nargs) and
 * which sits at stack[base-1]: checks arity, packs the rest tuple, clears
 * the other registers. With `reuse` the current top frame becomes the
 * callee (tail call); otherwise a frame is pushed that returns into
 * register ret_reg of the current one. Returns LV_NONE on success or
 * LV_EXC with p->exc set. */
Value call_enter(Proc *p, Value fn, uint32_t base, uint32_t nargs, uint32_t ret_reg, bool reuse);

/* (:k m), (m k), (t i) with 1 or 2 arguments. LV_EXC on error. */
Value call_data(Proc *p, Value f, const Value *args, uint32_t nargs);

#endif
