/*
 * call.c — frames and data callables (see call.h).
 */
#include "vm/call.h"

#include <stdlib.h>

#include "base/util.h"
#include "proc/life.h"
#include "term/alloc.h"
#include "term/coll.h"
#include "term/num.h"
#include "vm/error.h"
#include "vm/vm.h"

#define STACK_MAX_WORDS ((size_t)64 << 20)

bool call_ensure_stack(Proc *p, size_t need) {
    if (need <= p->stack_cap) return true;
    if (need > STACK_MAX_WORDS) return false;
    size_t cap = p->stack_cap ? p->stack_cap : 16;
    while (cap < need) cap *= 2;
    proc_grow_stack(p, (uint32_t)cap);
    return true;
}

static bool push_frame_slot(Proc *p) {
    if (p->nframes < p->frames_cap) return true;
    if (p->nframes >= VM_MAX_FRAMES) return false;
    proc_grow_frames(p, p->frames_cap ? p->frames_cap * 2 : 4);
    return true;
}

static Value stack_overflow(Proc *p) {
    return err_raise(p, K_(stack_overflow), LV_NONE);
}

Value call_enter(Proc *p, Value fn, uint32_t base, uint32_t nargs, uint32_t ret_reg, bool reuse) {
    Proto *pr = closure_proto(fn);
    if (pr->variadic ? nargs < pr->nparams : nargs != pr->nparams) return err_arity(p, fn, nargs);
    if (!call_ensure_stack(p, (size_t)base + pr->nregs + nargs + CALL_CLEAR_SLACK)) return stack_overflow(p);
    Value *regs = p->stack + base;
    uint32_t filled = nargs;
    if (pr->variadic) {
        uint32_t nrest = nargs - pr->nparams;
        Value rest = mk_tuple(p, nrest);
        for (uint32_t i = 0; i < nrest; i++) tuple_elems(rest)[i] = regs[pr->nparams + i];
        regs[pr->nparams] = rest;
        filled = pr->nparams + 1;
    }
    for (uint32_t i = filled; i < pr->nregs; i++) regs[i] = LV_NIL;
    if (reuse) {
        Frame *f = &p->frames[p->nframes - 1];
        f->pc = pr->code;
        f->k = pr->consts;
        p->sp = base + pr->nregs;
    } else {
        if (!push_frame_slot(p)) return stack_overflow(p);
        call_push_frame(p, &p->frames[p->nframes], pr, base, ret_reg);
    }
    return LV_NONE;
}

static Value index_lookup(Proc *p, Value coll, size_t count, Value idx, const Value *dflt,
                          Value (*nth)(Value, size_t)) {
    int64_t i;
    if (!num_to_i64(idx, &i)) return err_type(p, "nth", idx, "integer index");
    if (i < 0 || (uint64_t)i >= count) {
        if (dflt) return *dflt;
        Value kvs[4] = {K_(index), idx, K_(count), fix((int64_t)count)};
        return err_raise(p, K_(index_out_of_bounds), map_from_kvs(p, kvs, 4));
    }
    return nth(coll, (size_t)i);
}

static Value tuple_nth(Value t, size_t i) { return tuple_elems(t)[i]; }

Value call_data(Proc *p, Value f, const Value *args, uint32_t nargs) {
    if (nargs < 1 || nargs > 2) return err_arity(p, f, nargs);
    const Value *dflt = nargs == 2 ? &args[1] : NULL;
    if (is_keyword(f)) {
        Value m = args[0];
        if (m == LV_NIL) return dflt ? *dflt : LV_NIL;
        if (!is_map(m)) return err_type(p, "keyword lookup", m, "map");
        Value v = map_get(m, f);
        return v != LV_NONE ? v : (dflt ? *dflt : LV_NIL);
    }
    if (is_map(f)) {
        Value v = map_get(f, args[0]);
        return v != LV_NONE ? v : (dflt ? *dflt : LV_NIL);
    }
    if (is_tuple(f)) return index_lookup(p, f, tuple_len(f), args[0], dflt, tuple_nth);
    if (is_vector(f)) return index_lookup(p, f, vec_count(f), args[0], dflt, vec_nth);
    Value kvs[2] = {K_(value), f};
    return err_raise(p, K_(not_callable), map_from_kvs(p, kvs, 2));
}
