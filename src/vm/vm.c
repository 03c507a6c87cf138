/*
 * vm.c — the interpreter loop.
 *
 * State kept in C locals while running: the current frame F, its registers
 * regs (= p->stack + F->base) and the program counter pc; its constants K
 * are F->k, which every Lonala frame has from its start.
 * They are written back (F->pc = pc) before anything that may leave the
 * loop or look at the frames (calls, errors, yields), and reloaded after
 * anything that may move the stack or the frame array (RELOAD()).
 *
 * Safe points, where the collector may run (MAY_GC): function entry (call
 * and tail call) and the receive loop. Reductions are charged at every call;
 * when the budget is spent the process yields at the next safe point.
 */
#include "vm/vm.h"

#include "base/util.h"
#include "gc/gc.h"
#include "lib/intrinsic.h"
#include "term/alloc.h"
#include "term/coll.h"
#include "term/equal.h"
#include "term/num.h"
#include "vm/call.h"
#include "vm/error.h"
#include "vm/ns.h"
#include "vm/opcodes.h"
#include "vm/proto.h"
#include "vm/receive.h"
#include "vm/vm_ops.h"
#include "proc/life.h"
#include "proc/input.h"
#include "proc/signal.h"
#include "sched/timer.h"

const unsigned char op_words[OP__COUNT] = {
#define X(name, words) [OP_##name] = words,
    LONA_OPCODES(X)
#undef X
};

const char *const op_names[OP__COUNT] = {
#define X(name, words) [OP_##name] = #name,
    LONA_OPCODES(X)
#undef X
};

/* LV_EXC, LV_TAILCALL, LV_SUSPEND */
static inline bool is_control(Value r) {
    return (r & 0xff) == LV_TAG_IMM && (r >> 8) - 4 <= 2;
}

/* Deliver the result of the top frame to whoever waits for it. Pops the
 * frame; returns true when the process returned into a host frame. */
static bool vm_deliver(Proc *p, Value v) {
    for (;;) {
        Frame cur = p->frames[--p->nframes];
        p->sp = cur.saved_sp;
        Frame *below = &p->frames[p->nframes - 1];
        if (below->kind == FRAME_LONA) {
            p->stack[below->base + cur.ret_reg] = v;
            return false;
        }
        if (below->kind == FRAME_HOST) {
            p->result = v;
            p->nframes--;
            p->sp = below->saved_sp;
            return true;
        }
        /* FRAME_CATCH: the protected call returned normally. */
        v = mk_tuple2(p, K_(ok), v);
    }
}

/* Unwind to the innermost catch frame, delivering [:exit reason] past it.
 * Returns 0 if there is none (the process exits), 1 if the catch handed the
 * value to a Lonala frame, 2 if it handed it to the host. */
static int vm_unwind(Proc *p) {
    Value reason = p->exc;
    uint32_t i = p->nframes;
    while (i > 0 && p->frames[i - 1].kind != FRAME_CATCH) i--;
    if (i == 0) return 0;
    p->nframes = i; /* the catch frame is now on top */
    p->exc = LV_NONE;
    Value v = mk_tuple2(p, K_(exit), reason);
    /* Deliver as if the catch frame had returned v (minus the [:ok] wrap). */
    Frame cur = p->frames[--p->nframes];
    p->sp = cur.saved_sp;
    Frame *below = &p->frames[p->nframes - 1];
    if (below->kind == FRAME_HOST) {
        p->result = v;
        p->nframes--;
        p->sp = below->saved_sp;
        return 2;
    }
    if (below->kind == FRAME_LONA) {
        p->stack[below->base + cur.ret_reg] = v;
        return 1;
    }
    /* nested catch: deliver [:ok [:exit r]] to it via the normal path */
    p->frames[p->nframes++] = cur;
    return vm_deliver(p, v) ? 2 : 1;
}

/* Should a return collect (RETURNED in vm_run)? */
static inline bool return_gc_due(const Proc *p) {
    const Heap *h = &p->heap;
    size_t scanned = (size_t)(h->end - h->start) + (size_t)(h->old_top - h->old_start) + p->sp;
    return h->frag_words > 4 * scanned || h->oom_bytes;
}

/* Is the process parked in an intrinsic ready to go on? Sets
 * p->resume_value when it is. */
static bool park_ready(Proc *p) {
    sig_drain(p); /* a send-sync acknowledgement clears p->park */
    bool due = p->wait_deadline && (atomic_load(&p->timer_due) || timer_now_ns() >= p->wait_deadline);
    switch (p->park) {
    case PARK_NONE:
        return true;
    case PARK_SLEEP:
        if (!due) return false;
        break;
    case PARK_SYNC:
        if (!due) return false;
        p->resume_value = K_(timeout);
        break;
    case PARK_NOTIF: {
        uint64_t w = atomic_exchange(&p->notif_word, 0);
        if (!w) return false;
        p->resume_value = num_from_u64(p, w);
        break;
    }
    case PARK_YIELD:
        break;
    case PARK_INPUT: {
        Value line;
        if (!input_read_line(p->rt->input, p, &line)) return false;
        p->resume_value = line;
        break;
    }
    }
    p->park = PARK_NONE;
    timer_cancel(p);
    return true;
}

/* Finish the intrinsic call that parked the process: its value is in
 * p->resume_value. Returns true if that completed a host call. */
static bool vm_resume(Proc *p) {
    Value v = p->resume_value;
    int kind = p->resume_kind;
    p->resume_kind = RESUME_NONE;
    p->resume_value = LV_NIL;
    if (kind == RESUME_REG) {
        p->stack[p->frames[p->nframes - 1].base + p->resume_reg] = v;
        return false;
    }
    return vm_deliver(p, v);
}

/* Push a catch frame above the current Lonala frame; the protected call's
 * result goes to register dst of that frame. */
static bool vm_push_catch(Proc *p, uint32_t dst) {
    if (p->nframes >= p->frames_cap) {
        if (p->nframes >= VM_MAX_FRAMES) return false;
        proc_grow_frames(p, p->frames_cap * 2 + 16);
    }
    Frame *top = &p->frames[p->nframes - 1];
    p->frames[p->nframes] = (Frame){top->pc, NULL, top->base, FRAME_CATCH, dst, p->sp};
    p->nframes++;
    return true;
}

/* Spread p->tc_args (a tuple) into stack[at..]; false on stack overflow. */
static bool spread_tailcall_args(Proc *p, uint32_t at, uint32_t *nargs) {
    Value args = p->tc_args;
    uint32_t n = (uint32_t)tuple_len(args);
    if (!call_ensure_stack(p, (size_t)at + n + 1)) return false;
    for (uint32_t i = 0; i < n; i++) p->stack[at + i] = tuple_elems(args)[i];
    *nargs = n;
    p->tc_args = LV_NIL;
    return true;
}

/* The fast path of a call of a closure with proto pr whose registers would
 * start at stack[base] (its arguments being there already) needs room on
 * both stacks, with the slack that clearing its registers may write into. */
static inline bool vm_call_room(const Proc *p, uint32_t base, const Proto *pr) {
    return p->nframes < p->frames_cap && (size_t)base + pr->nregs + CALL_CLEAR_SLACK <= p->stack_cap;
}

/* Set by vm_keep_trace_once: the error being raised on this thread is one
 * raised again, whose trace the process still holds. */
static _Thread_local bool keep_trace;

void vm_keep_trace_once(void) { keep_trace = true; }

VmStatus vm_run(Proc *p) {
    Frame *F;
    const uint32_t *pc;
    Value *regs;
#define K (F->k)

    /* The dispatch table: labels, or labels_calls once one of the inlined
     * vars was redefined (see ARITH_OP). p->inlining_off is read again
     * after anything of this process that may redefine a var (a def, a call
     * out of this loop), when a message is taken (it may have been sent
     * after a redefinition) and when vm_run starts (so at least once a time
     * slice). */
    static const void *const labels[OP__COUNT] = {
#define X(name, words) [OP_##name] = &&L_##name,
        LONA_OPCODES(X)
#undef X
    };
    static const void *const labels_calls[OP__COUNT] = {
#define X(name, words) [OP_##name] = OP_IS_ARITH(OP_##name) ? &&arith_call : &&L_##name,
        LONA_OPCODES(X)
#undef X
    };
    const void *const *dispatch = labels;
#define CHECK_INLINING()                                                     \
    do {                                                                     \
        if (UNLIKELY(atomic_load_explicit(&p->inlining_off, memory_order_relaxed))) \
            dispatch = labels_calls;                                         \
    } while (0)
/* r = the result of intrinsic d on nargs arguments from args: it costs a
 * reduction, and it may have redefined a var. */
#define CALL_NATIVE(r, d, args, nargs)                    \
    do {                                                  \
        r = (d)->fn(p, (args), (nargs));                  \
        p->reductions--;                                  \
        CHECK_INLINING();                                 \
    } while (0)
#define RELOAD()                                          \
    do {                                                  \
        F = &p->frames[p->nframes - 1];                   \
        regs = p->stack + F->base;                        \
        F->k = closure_proto(regs[-1])->consts;           \
        CHECK_INLINING();                                 \
    } while (0)

    if (p->resume_kind != RESUME_NONE) {
        if (p->park != PARK_NONE && !park_ready(p)) return VM_WAIT;
        if (vm_resume(p)) return VM_DONE;
    }
    RELOAD();
    pc = F->pc;

    uint32_t ins, A;
    Value slow_x, slow_y; /* operands of an arithmetic instruction for arith_slow, */
    uint32_t slow_n;      /* how many: 1 (inc, dec) or 2 */
    Value ret_v;          /* for return_value: the value returned */
    Value call_fn;        /* for call_general: the closure, */
    uint32_t call_nargs, call_dst; /* its argument count and result register */
#define NEXT()                           \
    do {                                 \
        ins = *pc++;                     \
        A = ins >> 8;                    \
        goto *dispatch[ins & 0xff];      \
    } while (0)
#define CASE(name) L_##name:
/* Continue at the target of the label operand pc[k] (an offset from that
 * operand word, see opcodes.h). */
#define JUMP_VIA(k)                             \
    do {                                        \
        pc += (k) + (int64_t)(int32_t)pc[k];    \
        NEXT();                                 \
    } while (0)
#define RAISE() goto raise

    NEXT();

    CASE(MOVE) {
        regs[A] = regs[pc[0]];
        pc += 1;
        NEXT();
    }
    CASE(LOADK) {
        regs[A] = K[pc[0]];
        pc += 1;
        NEXT();
    }
    CASE(LOADI) {
        regs[A] = fix((int32_t)pc[0]);
        pc += 1;
        NEXT();
    }
    CASE(GETVAR) {
        Value var = K[pc[0]];
        Var *v = as_var(var);
        Value x = atomic_load_explicit(&v->flags, memory_order_relaxed) & VAR_PROCESS_BOUND
                      ? var_get(p, var)
                      : atomic_load_explicit(&v->root, memory_order_acquire);
        if (UNLIKELY(x == LV_NONE)) {
            F->pc = pc - 1;
            Value kvs[2] = {K_(var), var};
            err_raise(p, K_(unbound), map_from_kvs(p, kvs, 2));
            RAISE();
        }
        regs[A] = x;
        pc += 1;
        NEXT();
    }
    CASE(GETUP) {
        regs[A] = closure_captured(regs[-1])[pc[0]];
        pc += 1;
        NEXT();
    }
    CASE(SELF) {
        regs[A] = regs[-1];
        NEXT();
    }
    CASE(CLOSURE) {
        Proto *pr = as_proto(K[pc[0]]);
        uint32_t first = pc[1], n = pc[2];
        pc += 3;
        if (n == 0) {
            regs[A] = pr->shared_closure;
        } else {
            Value c = mk_box(p, T_CLOSURE, 0, 1 + n);
            box_ptr(c)[1] = K[pc[-3]];
            for (uint32_t i = 0; i < n; i++) box_ptr(c)[2 + i] = regs[first + i];
            regs[A] = c;
        }
        NEXT();
    }

/* The fast path of a call of pr (its fixed arity: nargs) from register A,
 * when vm_call_room says yes: clears the callee's registers past its
 * arguments, pushes its frame and goes on there (the function's first
 * instruction is a safe point). pc is past the call instruction. */
/* Back in the caller after a return: a safe point for the collector (not
 * for the reductions), or a deep recursion that builds its value on the
 * way back up (calling intrinsics only) would collect nothing of what
 * each level leaves behind until it is done: memory in the square of the
 * depth, past any :max-heap-size. A collection there scans the whole
 * stack, deep by then: it is made only once the allocation since the last
 * one outweighs four times what it scans (stack, young block, old
 * generation), so that its cost is spread over the allocation, or when
 * the memory budget is spent. */
#define RETURNED()                                                     \
    do {                                                               \
        if (UNLIKELY(p->heap.gc_wanted) && return_gc_due(p)) goto collect; \
        NEXT();                                                        \
    } while (0)

#define CALL_FAST(pr, base, nargs, dst)                          \
    do {                                                         \
        F->pc = pc;                                              \
        regs += A + 1;                                           \
        call_clear_regs(regs, (nargs), (pr)->nregs);             \
        F = call_push_frame(p, F + 1, (pr), (base), (dst));      \
        pc = (pr)->code;                                         \
        goto safepoint;                                          \
    } while (0)

    CASE(CALL_SELF) {
        /* A call of the running function (its fn* name) with its own fixed
         * arity (the compiler emits it only then): no type or arity test. */
        Value fn = regs[A] = regs[-1];
        const Proto *pr = closure_proto(fn);
        uint32_t nargs = pc[0], dst = pc[1], base = F->base + A + 1;
        pc += 2;
        if (LIKELY(vm_call_room(p, base, pr))) CALL_FAST(pr, base, nargs, dst);
        call_fn = fn;
        call_nargs = nargs;
        call_dst = dst;
        goto call_general;
    }

    CASE(CALL) {
        uint32_t nargs = pc[0], dst = pc[1];
        pc += 2;
        Value f = regs[A];
    call_again:
        if (LIKELY(is_closure(f))) {
            const Proto *pr = closure_proto(f);
            uint32_t base = F->base + A + 1;
            if (LIKELY(nargs == pr->fixed_arity && vm_call_room(p, base, pr))) CALL_FAST(pr, base, nargs, dst);
            call_fn = f;
            call_nargs = nargs;
            call_dst = dst;
            goto call_general;
        }
        if (is_native(f)) {
            const IntrinsicDef *d = intrinsic_get(native_index(f));
            if (UNLIKELY(nargs < d->min_arity || (nargs > d->max_arity && d->max_arity != ARITY_VARIADIC))) {
                F->pc = pc;
                err_arity(p, f, nargs);
                RAISE();
            }
            F->pc = pc;
            Value r;
            CALL_NATIVE(r, d, &regs[A + 1], nargs);
            if (UNLIKELY(is_control(r))) {
                if (r == LV_EXC) RAISE();
                if (r == LV_TAILCALL) {
                    if (!spread_tailcall_args(p, F->base + A + 1, &nargs)) {
                        err_raise(p, K_(stack_overflow), LV_NONE);
                        RAISE();
                    }
                    if (p->push_catch) {
                        /* %catch: a catch frame between caller and callee,
                         * delivering to the caller's dst. */
                        p->push_catch = false;
                        if (!vm_push_catch(p, dst)) {
                            err_raise(p, K_(stack_overflow), LV_NONE);
                            RAISE();
                        }
                    }
                    RELOAD();
                    f = regs[A] = p->tc_fn;
                    p->tc_fn = LV_NIL;
                    goto call_again;
                }
                /* LV_SUSPEND: the intrinsic parked the process; whoever
                 * wakes it sets p->resume_value, stored into dst then. */
                p->resume_kind = RESUME_REG;
                p->resume_reg = dst;
                return VM_WAIT;
            }
            regs[dst] = r;
            NEXT();
        }
        F->pc = pc;
        Value r = call_data(p, f, &regs[A + 1], nargs);
        if (r == LV_EXC) RAISE();
        regs[dst] = r;
        NEXT();
    }

call_general:
    /* Call closure call_fn, whose arguments are in the registers above A,
     * from the instruction before pc, in the general way. */
    F->pc = pc;
    if (call_enter(p, call_fn, F->base + A + 1, call_nargs, call_dst, false) == LV_EXC) RAISE();
    RELOAD();
    pc = F->pc;
    goto safepoint;

    CASE(TAILCALL) {
        uint32_t nargs = pc[0];
        pc += 1;
        Value f = regs[A];
    tailcall_again:
        if (LIKELY(is_closure(f))) {
            uint32_t base = F->base;
            Value *dst = p->stack + base - 1;
            for (uint32_t i = 0; i <= nargs; i++) dst[i] = regs[A + i];
            const Proto *pr = closure_proto(f);
            /* Fast path: exact arity and room: the frame is reused as is. */
            if (LIKELY(nargs == pr->fixed_arity && (size_t)base + pr->nregs + CALL_CLEAR_SLACK <= p->stack_cap)) {
                call_clear_regs(regs, nargs, pr->nregs);
                p->sp = base + pr->nregs;
                F->k = pr->consts;
                pc = pr->code;
                goto safepoint;
            }
            if (call_enter(p, f, base, nargs, 0, true) == LV_EXC) RAISE();
            RELOAD();
            pc = F->pc;
            goto safepoint;
        }
        Value r;
        F->pc = pc;
        if (is_native(f)) {
            const IntrinsicDef *d = intrinsic_get(native_index(f));
            if (UNLIKELY(nargs < d->min_arity || (nargs > d->max_arity && d->max_arity != ARITY_VARIADIC))) {
                err_arity(p, f, nargs);
                RAISE();
            }
            CALL_NATIVE(r, d, &regs[A + 1], nargs);
            if (UNLIKELY(is_control(r))) {
                if (r == LV_EXC) RAISE();
                if (r == LV_TAILCALL) {
                    if (p->push_catch) {
                        /* %catch needs a frame to return into: never a tail call */
                        p->push_catch = false;
                        err_raisef(p, K_(syntax_error), "%%catch cannot be called in tail position");
                        RAISE();
                    }
                    if (!spread_tailcall_args(p, F->base + A + 1, &nargs)) {
                        err_raise(p, K_(stack_overflow), LV_NONE);
                        RAISE();
                    }
                    RELOAD();
                    f = regs[A] = p->tc_fn;
                    p->tc_fn = LV_NIL;
                    goto tailcall_again;
                }
                /* Parked inside a tail call: on wake-up the value is
                 * returned from this frame. */
                p->resume_kind = RESUME_RETURN;
                return VM_WAIT;
            }
        } else {
            r = call_data(p, f, &regs[A + 1], nargs);
            if (r == LV_EXC) RAISE();
        }
        if (vm_deliver(p, r)) return VM_DONE;
        RELOAD();
        pc = F->pc;
        RETURNED();
    }

    CASE(TAILSELF) {
        /* The function calls itself in tail position with its own arity:
         * the arguments move into the parameters and the other registers
         * are cleared, so that what the last round held (a message, say)
         * is garbage by the next collection. */
        uint32_t nargs = pc[0];
        /* The first four moves are made whatever nargs (so that the usual
         * loop needs no loop): those past nargs write registers that the
         * clearing then sets to nil, and read no further than the room
         * every frame has above its registers (CALL_CLEAR_SLACK). */
        const Value *args = regs + A;
        regs[0] = args[0];
        regs[1] = args[1];
        regs[2] = args[2];
        regs[3] = args[3];
        for (uint32_t i = 4; i < nargs; i++) regs[i] = args[i];
        call_clear_regs(regs, nargs, p->sp - F->base);
        pc += 1 + (int32_t)pc[1];
        goto safepoint;
    }

    CASE(RETURN) {
        ret_v = regs[A];
    return_value: ;
        Value v = ret_v;
        Frame *below = F - 1;
        if (LIKELY(below->kind == FRAME_LONA)) {
            /* Fast path: back into a Lonala frame. */
            p->sp = F->saved_sp;
            p->nframes--;
            regs = p->stack + below->base;
            regs[F->ret_reg] = v;
            F = below;
            pc = F->pc;
            RETURNED();
        }
        if (vm_deliver(p, v)) return VM_DONE;
        RELOAD();
        pc = F->pc;
        RETURNED();
    }

    CASE(JUMP) {
        JUMP_VIA(0);
    }

    CASE(DEF) {
        uint32_t reg = pc[1] & NO_REG;
        if (UNLIKELY(!vmop_def(p, K[pc[0]], reg == NO_REG ? LV_NONE : regs[reg], (pc[1] >> 24) & 1))) {
            F->pc = pc - 1;
            RAISE();
        }
        CHECK_INLINING();
        regs[A] = K[pc[0]];
        pc += 2;
        NEXT();
    }
    CASE(DEFMETA) {
        Value m = regs[pc[0]];
        /* The process-bound property, once set, stays (spec 5.1). */
        if ((atomic_load(&as_var(K[A])->flags) & VAR_PROCESS_BOUND) && is_map(m) &&
            map_get(m, K_(process_bound)) == LV_NONE)
            m = map_put(p, m, K_(process_bound), LV_TRUE);
        var_set_meta(p->rt, K[A], m);
        CHECK_INLINING();
        pc += 1;
        NEXT();
    }
    CASE(MKTUPLE) {
        uint32_t first = pc[0], n = pc[1];
        Value t = mk_tuple(p, n);
        for (uint32_t i = 0; i < n; i++) tuple_elems(t)[i] = regs[first + i];
        regs[A] = t;
        pc += 2;
        NEXT();
    }
    CASE(MKVECTOR) {
        regs[A] = vec_from(p, &regs[pc[0]], pc[1]);
        pc += 2;
        NEXT();
    }
    CASE(MKMAP) {
        regs[A] = map_from_kvs(p, &regs[pc[0]], pc[1]);
        pc += 2;
        NEXT();
    }
    CASE(MKSET) {
        regs[A] = set_from(p, &regs[pc[0]], pc[1]);
        pc += 2;
        NEXT();
    }
    CASE(WITHMETA) {
        regs[A] = coll_with_meta(p, regs[A], K[pc[0]]);
        pc += 1;
        NEXT();
    }
    CASE(BADMATCH) {
        F->pc = pc - 1;
        Value kvs[2] = {K_(value), regs[A]};
        err_raise(p, K_(badmatch), map_from_kvs(p, kvs, 2));
        RAISE();
    }


    CASE(T_EQK) {
        Value x = regs[A], k = K[pc[0]];
        if (x == k || (is_boxed(k) || is_number(k) ? lv_equal(x, k) : false)) {
            pc += 2;
            NEXT();
        }
        JUMP_VIA(1);
    }
    CASE(T_EQR) {
        if (lv_equal(regs[A], regs[pc[0]])) {
            pc += 2;
            NEXT();
        }
        JUMP_VIA(1);
    }
    CASE(T_TUPLE) {
        Value x = regs[A];
        if (is_tuple(x) && tuple_len(x) == pc[0]) { pc += 2; NEXT(); }
        JUMP_VIA(1);
    }
    CASE(T_TUPLE_MIN) {
        Value x = regs[A];
        if (is_tuple(x) && tuple_len(x) >= pc[0]) { pc += 2; NEXT(); }
        JUMP_VIA(1);
    }
    CASE(T_VECTOR) {
        Value x = regs[A];
        if (is_vector(x) && vec_count(x) == pc[0]) { pc += 2; NEXT(); }
        JUMP_VIA(1);
    }
    CASE(T_VECTOR_MIN) {
        Value x = regs[A];
        if (is_vector(x) && vec_count(x) >= pc[0]) { pc += 2; NEXT(); }
        JUMP_VIA(1);
    }
    CASE(T_LIST) {
        if (vmop_list_len_is(regs[A], pc[0], false)) { pc += 2; NEXT(); }
        JUMP_VIA(1);
    }
    CASE(T_LIST_MIN) {
        if (vmop_list_len_is(regs[A], pc[0], true)) { pc += 2; NEXT(); }
        JUMP_VIA(1);
    }
    CASE(T_MAP) {
        if (is_map(regs[A])) { pc += 1; NEXT(); }
        JUMP_VIA(0);
    }
    CASE(T_SET) {
        Value x = regs[A];
        if (is_set(x) && set_count(x) == pc[0]) { pc += 2; NEXT(); }
        JUMP_VIA(1);
    }
    CASE(T_SETHAS) {
        if (set_contains(regs[A], K[pc[0]])) { pc += 2; NEXT(); }
        JUMP_VIA(1);
    }
    CASE(T_PID) {
        if (is_pid(regs[A])) { pc += 1; NEXT(); }
        JUMP_VIA(0);
    }
    CASE(T_TRUTHY) {
        if (truthy(regs[A])) { pc += 1; NEXT(); }
        JUMP_VIA(0);
    }
    CASE(ELEM) {
        regs[A] = vmop_elem(regs[pc[0]], pc[1]);
        pc += 2;
        NEXT();
    }
    CASE(REST) {
        regs[A] = vmop_rest(p, regs[pc[0]], pc[1]);
        pc += 2;
        NEXT();
    }
    CASE(MAPGET) {
        Value v = map_get(regs[pc[0]], K[pc[1]]);
        if (v != LV_NONE) {
            regs[A] = v;
            pc += 3;
            NEXT();
        }
        JUMP_VIA(2);
    }
    CASE(SETREST) {
        vmop_set_rest(regs[pc[0]], K[pc[1]], &regs[A], pc[2]);
        pc += 3;
        NEXT();
    }
    CASE(PIDPART) {
        Value pid = regs[pc[0]];
        regs[A] = pc[1] == 0 ? IMM(IMM_REALM, pid_realm(pid)) : fix((int64_t)pid_local(pid));
        pc += 2;
        NEXT();
    }
    CASE(BINMATCH) {
        int r = vmop_binmatch(p, regs[pc[0]], K[pc[1]], &regs[A]);
        if (r > 0) {
            pc += 3;
            NEXT();
        }
        JUMP_VIA(2);
    }

    /* Arithmetic: fast path when the operands are fixnums; otherwise an
     * ordinary call of the var's value, with the operands in slow_x, slow_y.
     * Once an inlined var is redefined, labels_calls sends every arithmetic
     * instruction to that call (arith_call), so that redefining
     * lona.core/+ is seen, as for any var. Fixnums are added and compared in their tagged form:
     * (2x+1) + 2y = 2(x+y)+1, and the order of tagged values is theirs, so
     * an overflow of the 64-bit operation is exactly a fixnum overflow. */
/* OPERANDS(a, b) loads both operands and says whether both are fixnums
 * (an immediate always is). */
#define OPND_REG_IMM(a, b) Value a = regs[pc[0]], b = (Value)(int64_t)(int32_t)pc[1]; bool fixnums = is_fix(a)
#define OPND_ANY(a, b) Value a = regs[pc[0]], b = regs[pc[1]]; bool fixnums = is_fix(a) && is_fix(b)
/* RET: the instruction is followed by RETURN A, done here too. */
#define ARITH_OP(NAME, OPERANDS, BUILTIN, NARGS, RET)                                   \
    CASE(NAME) {                                                                        \
        OPERANDS(a, b);                                                                 \
        int64_t r;                                                                      \
        if (LIKELY(fixnums) && !BUILTIN((int64_t)a, (int64_t)(b - 1), &r)) {              \
            if (RET) {                                                                  \
                ret_v = (Value)r;                                                       \
                goto return_value;                                                      \
            }                                                                           \
            regs[A] = (Value)r;                                                         \
            pc += 3;                                                                    \
            NEXT();                                                                     \
        }                                                                               \
        slow_x = a, slow_y = b, slow_n = NARGS;                                         \
        goto arith_slow;                                                                \
    }
    ARITH_OP(ADD, OPND_ANY, __builtin_add_overflow, 2, false)
    ARITH_OP(SUB, OPND_ANY, __builtin_sub_overflow, 2, false)
    ARITH_OP(ADD_I, OPND_REG_IMM, __builtin_add_overflow, 2, false)
    ARITH_OP(SUB_I, OPND_REG_IMM, __builtin_sub_overflow, 2, false)
    ARITH_OP(ADD_RET, OPND_ANY, __builtin_add_overflow, 2, true)
    ARITH_OP(SUB_RET, OPND_ANY, __builtin_sub_overflow, 2, true)
    ARITH_OP(ADD_I_RET, OPND_REG_IMM, __builtin_add_overflow, 2, true)
    ARITH_OP(SUB_I_RET, OPND_REG_IMM, __builtin_sub_overflow, 2, true)
#define OPND_ONE(a, b) Value a = regs[pc[0]], b = fix(1); bool fixnums = is_fix(a)
    ARITH_OP(INC, OPND_ONE, __builtin_add_overflow, 1, false)
    ARITH_OP(DEC, OPND_ONE, __builtin_sub_overflow, 1, false)

    /* BRANCH: the next instruction is T_TRUTHY A L, decided here too (A
     * still receives the boolean: it may be a local the code reads).
     * WORDS: the operands compare as words, not only when both are fixnums:
     * for `=`, also when either is an immediate equal only to itself (a
     * pid, keyword, nil...; see lv_is_word_eq). */
#define COMPARE_OP(NAME, OPER, OPERANDS, BRANCH, WORDS)                       \
    CASE(NAME) {                                                              \
        OPERANDS(a, b);                                                       \
        if (LIKELY(fixnums || (WORDS && (lv_is_word_eq(a) || lv_is_word_eq(b))))) { \
            bool t = (int64_t)a OPER (int64_t)b;                      \
            pc += 3;                                                  \
            if (!BRANCH) {                                            \
                regs[A] = lv_bool(t);                                 \
            } else if (t) {                                           \
                regs[A] = LV_TRUE;                                    \
                pc += 2;                                              \
            } else {                                                  \
                regs[A] = LV_FALSE;                                   \
                JUMP_VIA(1);                                          \
            }                                                         \
            NEXT();                                                   \
        }                                                             \
        slow_x = a, slow_y = b, slow_n = 2;                           \
        goto arith_slow;                                              \
    }
#define COMPARE_VARIANTS(NAME, OPER, WORDS)                    \
    COMPARE_OP(NAME, OPER, OPND_ANY, false, WORDS)             \
    COMPARE_OP(NAME##_I, OPER, OPND_REG_IMM, false, false)     \
    COMPARE_OP(NAME##_BR, OPER, OPND_ANY, true, WORDS)         \
    COMPARE_OP(NAME##_I_BR, OPER, OPND_REG_IMM, true, false)
    COMPARE_VARIANTS(LT, <, false)
    COMPARE_VARIANTS(LE, <=, false)
    COMPARE_VARIANTS(GT, >, false)
    COMPARE_VARIANTS(GE, >=, false)
    COMPARE_VARIANTS(NUMEQ, ==, true)

arith_call: {
        /* Any arithmetic instruction once inlining is off (labels_calls):
         * its operands, read as its fast path reads them, go to its var. */
        Opcode op = (Opcode)(pc[-1] & 0xff);
        slow_x = regs[pc[0]];
        slow_n = op == OP_INC || op == OP_DEC ? 1 : 2;
        if (slow_n == 1) slow_y = fix(1);
        else if (OP_HAS_IMM(op)) slow_y = (Value)(int64_t)(int32_t)pc[1];
        else slow_y = regs[pc[1]];
        goto arith_slow;
    }

arith_slow: {
        /* An ordinary call of the var's value, in a call block placed
         * above this frame's registers. */
        Value fv = var_get(p, K[pc[2]]);
        Value x = slow_x, y = slow_y;
        uint32_t n = slow_n, dst = A;
        pc += 3;
        F->pc = pc;
        if (fv == LV_NONE) {
            Value kvs[2] = {K_(var), K[pc[-1]]};
            err_raise(p, K_(unbound), map_from_kvs(p, kvs, 2));
            RAISE();
        }
        uint32_t blk = p->sp - F->base;
        if (!call_ensure_stack(p, (size_t)p->sp + 4)) {
            err_raise(p, K_(stack_overflow), LV_NONE);
            RAISE();
        }
        regs = p->stack + F->base;
        regs[blk] = fv;
        regs[blk + 1] = x;
        regs[blk + 2] = y;
        if (is_native(fv)) {
            const IntrinsicDef *d = intrinsic_get(native_index(fv));
            if (n >= d->min_arity && n <= d->max_arity) {
                Value r;
                CALL_NATIVE(r, d, &regs[blk + 1], n);
                if (r == LV_EXC) RAISE();
                if (!is_control(r)) {
                    regs[dst] = r;
                    NEXT();
                }
            }
            err_arity(p, fv, n);
            RAISE();
        }
        if (is_closure(fv)) {
            if (call_enter(p, fv, F->base + blk + 1, n, dst, false) == LV_EXC) RAISE();
            RELOAD();
            pc = F->pc;
            goto safepoint;
        }
        Value r = call_data(p, fv, &regs[blk + 1], n);
        if (r == LV_EXC) RAISE();
        regs[dst] = r;
        NEXT();
    }

    /* ---- receive ---- */
    CASE(RECV_START) {
        F->pc = pc - 1;
        if (recv_start(p, A == NO_REG ? LV_NONE : regs[A], &regs[pc[0]], &regs[pc[1]], pc[2]) == LV_EXC)
            RAISE();
        if (UNLIKELY(p->pending_exit != LV_NONE)) goto killed;
        pc += 3;
        NEXT();
    }
    CASE(RECV_NEXT) {
        Value m;
        if (recv_next(regs[pc[0]], &m)) {
            regs[A] = m;
            pc += 2;
            NEXT();
        }
        JUMP_VIA(1);
    }
    CASE(RECV_NEXT_TAG) {
        Value m;
        if (recv_next_tagged(&regs[pc[0]], K[pc[2]], &m)) {
            regs[A] = m;
            pc += 3;
            NEXT();
        }
        JUMP_VIA(1);
    }
    CASE(RECV_ACCEPT) {
        recv_accept(p, &regs[A]);
        CHECK_INLINING(); /* the message may come after a redefinition */
        NEXT();
    }
    CASE(RECV_SKIP) {
        recv_skip(&regs[A]);
        NEXT();
    }
    CASE(RECV_WAIT) {
        /* Returns 1: new messages, rescan; 0: timed out, fall through;
         * -1: block (the scheduler resumes this instruction). */
        int r = recv_wait(p, &regs[A]);
        if (UNLIKELY(p->pending_exit != LV_NONE)) goto killed;
        if (r > 0) JUMP_VIA(0);
        if (r == 0) {
            pc += 1;
            NEXT();
        }
        F->pc = pc - 1;
        if (p->heap.gc_wanted && !gc_collect(p, false)) goto oom;
        return VM_WAIT;
    }

    CASE(HALT) {
        F->pc = pc - 1;
        return VM_EXIT;
    }

safepoint:
    if (UNLIKELY(p->heap.gc_wanted)) {
        F->pc = pc;
        if (!gc_collect(p, false)) goto oom;
    }
    if (UNLIKELY(--p->reductions <= 0)) {
        F->pc = pc;
        return VM_YIELD;
    }
    NEXT();

collect:
    F->pc = pc;
    if (!gc_collect(p, false)) goto oom;
    NEXT();

oom:
    /* Over the memory budget (the heap says how much it wanted), else
     * over :max-heap-size. */
    if (p->heap.oom_bytes) err_oom(p, "heap", p->heap.oom_bytes);
    else err_oomf(p, "heap: over its :max-heap-size of %zu bytes", p->heap.max_words * sizeof(Value));
    goto raise_no_trace;

killed:
    /* An exit signal ends the process: catch frames do not stop it. */
    F->pc = pc;
    p->exit_reason = p->pending_exit;
    return VM_EXIT;

raise:
    if (UNLIKELY(keep_trace))
        keep_trace = false;
    else
        p->trace = vm_stack_trace(p);
raise_no_trace:
    switch (vm_unwind(p)) {
    case 0:
        p->exit_reason = p->exc;
        p->exc = LV_NONE;
        return VM_EXIT;
    case 2:
        return VM_DONE;
    default:
        RELOAD();
        pc = F->pc;
        NEXT();
    }
}
