/*
 * trace.c — stack traces, function names, and pushing host calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/intrinsic.h"
#include "proc/life.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/print.h"
#include "vm/call.h"
#include "vm/ns.h"
#include "vm/proto.h"
#include "vm/vm.h"

const char *vm_fn_name(Runtime *rt, Value fn, char *buf, size_t buflen) {
    if (is_native(fn)) {
        const IntrinsicDef *d = intrinsic_get(native_index(fn));
        return d ? d->name : "anonymous";
    }
    if (!is_closure(fn)) return "anonymous";
    Value name = closure_proto(fn)->name;
    if (!is_symbol(name)) return "anonymous";
    const AtomEntry *e = atoms_get(&rt->atoms, atom_index(name));
    snprintf(buf, buflen, "%s", e->name);
    return buf;
}

/* "ns/name" of a proto for traces. */
static Value trace_name(Proc *p, const Proto *pr) {
    Runtime *rt = p->rt;
    char buf[256];
    const char *ns = is_ns(pr->ns) ? atoms_get(&rt->atoms, atom_index(as_ns(pr->ns)->name))->name : "?";
    const char *name = is_symbol(pr->name) ? atoms_get(&rt->atoms, atom_index(pr->name))->name : "fn";
    snprintf(buf, sizeof buf, "%s/%s", ns, name);
    return mk_cstring(p, buf);
}

/* The machinery of eval and loading is left out of traces. */
static bool is_internal(Runtime *rt, const Proto *pr) {
    if (!is_symbol(pr->name) || !is_ns(pr->ns) || pr->ns != rt->core_ns) return false;
    const char *name = atoms_get(&rt->atoms, atom_index(pr->name))->name;
    return name[0] == '%' || strcmp(name, "eval") == 0 || strcmp(name, "load-file") == 0;
}

Value vm_stack_trace(Proc *p) {
    Value acc = LV_EMPTY;
    uint32_t shown = 0;
    for (uint32_t i = 0; i < p->nframes && shown < 64; i++) {
        Frame *f = &p->frames[i];
        if (f->kind != FRAME_LONA) continue;
        Value fn = p->stack[f->base - 1];
        if (!is_closure(fn)) continue;
        const Proto *pr = closure_proto(fn);
        if (is_internal(p->rt, pr)) continue;
        uint32_t pc = (uint32_t)(f->pc - pr->code);
        uint32_t line = proto_line(pr, pc ? pc - 1 : 0);
        acc = mk_cons(p, mk_tuple3(p, trace_name(p, pr), pr->file, fix(line)), acc);
        shown++;
    }
    return acc; /* innermost first: frames were walked outermost first */
}

bool vm_push_call(Proc *p, Value fn, const Value *args, uint32_t nargs, bool catching) {
    if (!is_closure(fn)) return false;
    uint32_t base = p->sp + 1;
    if (!call_ensure_stack(p, (size_t)base + nargs + 4)) return false;
    uint32_t need = p->nframes + 3;
    if (need > p->frames_cap) proc_grow_frames(p, need + 1);
    p->frames[p->nframes++] = (Frame){NULL, NULL, base, FRAME_HOST, 0, p->sp};
    if (catching) p->frames[p->nframes++] = (Frame){NULL, NULL, base, FRAME_CATCH, 0, p->sp};
    p->stack[base - 1] = fn;
    for (uint32_t i = 0; i < nargs; i++) p->stack[base + i] = args[i];
    p->sp = base + nargs;
    if (call_enter(p, fn, base, nargs, 0, false) == LV_EXC) {
        p->nframes -= catching ? 2 : 1;
        p->sp = base - 1;
        return false;
    }
    return true;
}

void vm_print_trace(Runtime *rt, Buf *b, Value trace) {
    for (Value t = trace; is_cons(t); t = cdr(t)) {
        Value e = car(t);
        if (!is_tuple(e) || tuple_len(e) != 3) continue;
        buf_puts(b, "  at ");
        pr_display(rt, b, tuple_elems(e)[0]);
        if (is_string(tuple_elems(e)[1])) {
            buf_puts(b, " (");
            pr_display(rt, b, tuple_elems(e)[1]);
            buf_printf(b, ":%lld)", (long long)fix_val(tuple_elems(e)[2]));
        }
        buf_putc(b, '\n');
    }
}
