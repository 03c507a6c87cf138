/*
 * disasm.c — (lona.core/%disasm f): the bytecode of a function, as text,
 * for people working on the compiler and the VM.
 */
#include <stdio.h>

#include "lib/intrinsic.h"
#include "term/alloc.h"
#include "term/print.h"
#include "vm/error.h"
#include "vm/opcodes.h"
#include "vm/proto.h"
#include "vm/runtime.h"

static void disasm_proto(Runtime *rt, Buf *b, const Proto *pr) {
    buf_printf(b, "fn %s: params %u%s regs %u captured %u\n",
               is_symbol(pr->name) ? atoms_get(&rt->atoms, atom_index(pr->name))->name : "anonymous",
               pr->nparams, pr->variadic ? "+rest" : "", pr->nregs, pr->ncaptured);
    for (uint32_t pc = 0; pc < pr->ncode;) {
        uint32_t ins = pr->code[pc];
        unsigned op = ins & 0xff;
        if (op >= OP__COUNT) {
            buf_printf(b, "%5u  ??? %u\n", pc, op);
            break;
        }
        buf_printf(b, "%5u  %-12s %u", pc, op_names[op], ins >> 8);
        for (unsigned i = 1; i < op_words[op] && pc + i < pr->ncode; i++) buf_printf(b, " %u", pr->code[pc + i]);
        if (op == OP_LOADK || op == OP_GETVAR) {
            buf_puts(b, "    ; ");
            pr_value(rt, b, pr->consts[pr->code[pc + 1]]);
        }
        buf_putc(b, '\n');
        pc += op_words[op] ? op_words[op] : 1;
    }
    for (uint32_t i = 0; i < pr->nconsts; i++)
        if (is_box_of(pr->consts[i], T_PROTO)) disasm_proto(rt, b, as_proto(pr->consts[i]));
}

static Value nat_disasm(Proc *p, Value *a, uint32_t n) {
    if (!is_closure(a[0])) return err_type(p, "%disasm", a[0], "Lonala function");
    Buf b;
    buf_init(&b);
    disasm_proto(p->rt, &b, closure_proto(a[0]));
    Value s = mk_string(p, b.data, b.len);
    buf_free(&b);
    return s;
}

LONA_INTRINSICS(disasm) = {
    {"lona.core", "%disasm", 1, 1, nat_disasm, "([f])", NULL},
};
LONA_INTRINSICS_COUNT(disasm);
