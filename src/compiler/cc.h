/*
 * cc.h — compiler internals shared by its files: the per-function state,
 * registers, constants, labels and code emission.
 *
 * Registers are allocated as a stack: fs->nactive is the first free one;
 * locals and temporaries are both taken from the top and released by
 * resetting nactive to a mark, so a call's function and arguments are
 * always the topmost registers and the callee's frame may start right
 * above them.
 *
 * Errors longjmp to cc->on_error; every FnState is on cc->open list so its
 * buffers are freed on that path too.
 */
#ifndef LONA_CC_H
#define LONA_CC_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/util.h"
#include "proc/proc.h"
#include "vm/opcodes.h"
#include "vm/proto.h"
#include "vm/runtime.h"

typedef struct Local {
    Value sym;
    uint32_t reg;
} Local;

typedef struct Label {
    int32_t at;            /* code offset once placed, -1 before */
    uint32_t *patches;     /* offsets of operand words to fill */
    uint32_t npatches, cap;
} Label;

#define NO_LAST_OP UINT32_MAX

typedef struct FnState {
    struct FnState *parent;
    struct FnState *next_open;
    uint32_t *code;
    uint32_t ncode, capcode;
    Value *consts;
    uint32_t nconsts, capconsts;
    LineEntry *lines;
    uint32_t nlines, caplines;
    Local *locals;
    uint32_t nlocals, caplocals;
    Value *captures;       /* symbols captured from enclosing functions */
    uint32_t ncaptures, capcaptures;
    Label **labels;        /* owned labels, freed with the function */
    uint32_t nlabels, caplabels;
    uint32_t nactive, maxregs;
    uint32_t last_op;      /* code offset of the last instruction emitted */
    Value self_name;       /* fn* self-name symbol, or LV_NONE */
    Value name;            /* for printing: symbol or nil */
    uint32_t nparams;
    bool variadic;
    uint32_t line;         /* current source line */
} FnState;

typedef struct Compiler {
    Proc *p;
    Runtime *rt;
    Value ns;
    Value file;
    jmp_buf on_error;
    int depth;
    FnState *open;
} Compiler;

_Noreturn void cc_fail(Compiler *cc, Value reason, Value form, const char *msg);
/* The same with the message as a string Value and, unless key is LV_NONE,
 * one more entry key val in the error's info map. */
_Noreturn void cc_fail_info(Compiler *cc, Value reason, Value form, Value msg, Value key, Value val);

/* suggest.c: the names to suggest for sym, which does not resolve (a
 * list, maybe empty), and the :undef error that suggests them; what is
 * "symbol" or "var". */
Value cc_suggest(Compiler *cc, Value sym);
_Noreturn void cc_fail_undef(Compiler *cc, Value sym, const char *what);
/* Temporary Values for the compiler's own bookkeeping, on the process heap
 * (a tuple nobody references): nothing to free, even when an error
 * abandons the compilation. */
Value *cc_scratch(Compiler *cc, size_t n);

void fs_begin(Compiler *cc, FnState *fs, FnState *parent);
Value fs_finish(Compiler *cc, FnState *fs);   /* -> proto Value (literal) */
void fs_discard(Compiler *cc, FnState *fs);

uint32_t fs_reg(Compiler *cc, FnState *fs);   /* allocate one register */
uint32_t fs_regs(Compiler *cc, FnState *fs, uint32_t n);
uint32_t fs_const(Compiler *cc, FnState *fs, Value v);
void fs_emit(Compiler *cc, FnState *fs, Opcode op, uint32_t a);
void fs_word(Compiler *cc, FnState *fs, uint32_t w);
Label *fs_label(Compiler *cc, FnState *fs);
void fs_label_ref(Compiler *cc, FnState *fs, Label *l);  /* emit an operand word for l */
void fs_place(Compiler *cc, FnState *fs, Label *l);
void fs_bind(Compiler *cc, FnState *fs, Value sym, uint32_t reg);
/* Line of form (if it carries one) becomes the current line. */
void fs_note_line(Compiler *cc, FnState *fs, Value form);

/* compile.c */
void cc_expr(Compiler *cc, FnState *fs, Value form, uint32_t dst, bool tail);
bool cc_is_special(Value sym);
Value cc_constant_value(Compiler *cc, Value form, bool *is_const);

/* pattern.c: test `subject` against pattern, jumping to `fail` if it does
 * not match; binds the pattern's symbols as locals. */
void cc_pattern(Compiler *cc, FnState *fs, Value pat, uint32_t subject, Label *fail);
/* clauses of match/receive: (pattern [when guard] body)... starting at
 * list cell `clauses`. Calls back for each body. */
typedef struct Clause {
    Value pattern, guard, body;   /* guard LV_NONE if absent */
} Clause;
/* Parse clauses into an array (compiler scratch); *n gets the count.
 * Stops at a pattern :after when allow_after (receive) and returns the
 * rest of the list in *after. */
Clause *cc_parse_clauses(Compiler *cc, Value form, Value clauses, bool allow_after, uint32_t *n,
                         Value *after);

#endif
