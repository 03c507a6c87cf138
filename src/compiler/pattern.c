/*
 * pattern.c — compiling patterns (spec 5.4, 5.8) and clause lists.
 *
 * A pattern compiles to a sequence of tests on a subject register, each
 * jumping to the clause's failure label, and to bindings. Locals are never
 * reassigned, so a symbol pattern simply names the register that holds the
 * matched part (no copy). A symbol repeated within one pattern is compared
 * with its first binding (T_EQR).
 *
 * Binary patterns compile to one BINMATCH whose constant spec is a tuple of
 * segments [MARK BITS ENDIAN SIGNEDNESS], MARK being :value (bind into the
 * next output register), the symbol _ (skip) or an integer (must equal),
 * optionally ending with :rest (the remaining bytes, bound as a binary).
 */
#include <stdlib.h>
#include <string.h>

#include "compiler/cc.h"
#include "compiler/compiler.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/coll.h"

static uint32_t list_len(Value l) {
    uint32_t n = 0;
    for (; is_cons(l); l = cdr(l)) n++;
    return n;
}

static bool is_sym(Value v, Value s) { return is_symbol(v) && sym_strip(v) == s; }

static bool is_core_sym(Compiler *cc, Value v, const char *name, Value qualified) {
    if (!is_symbol(v)) return false;
    Value s = sym_strip(v);
    if (s == qualified) return true;
    const AtomEntry *e = atoms_get(&cc->rt->atoms, atom_index(s));
    return !e->ns && strcmp(e->name, name) == 0;
}

/* Symbols bound so far by the pattern being compiled start at this index. */
typedef struct PatCtx {
    uint32_t locals_from;
} PatCtx;

static void pattern(Compiler *cc, FnState *fs, PatCtx *pc, Value pat, uint32_t subj, Label *fail);

static void emit_test(Compiler *cc, FnState *fs, Opcode op, uint32_t reg, int64_t n, Label *fail) {
    fs_emit(cc, fs, op, reg);
    if (n >= 0) fs_word(cc, fs, (uint32_t)n);
    fs_label_ref(cc, fs, fail);
}

static void bind_symbol(Compiler *cc, FnState *fs, PatCtx *pc, Value sym, uint32_t subj, Label *fail) {
    sym = sym_strip(sym);
    if (atoms_get(&cc->rt->atoms, atom_index(sym))->ns)
        cc_fail(cc, K_(syntax_error), sym, "a pattern symbol must be unqualified");
    for (uint32_t i = pc->locals_from; i < fs->nlocals; i++)
        if (fs->locals[i].sym == sym) {
            fs_emit(cc, fs, OP_T_EQR, subj);
            fs_word(cc, fs, fs->locals[i].reg);
            fs_label_ref(cc, fs, fail);
            return;
        }
    fs_bind(cc, fs, sym, subj);
}

static void literal_test(Compiler *cc, FnState *fs, Value lit, uint32_t subj, Label *fail) {
    fs_emit(cc, fs, OP_T_EQK, subj);
    fs_word(cc, fs, fs_const(cc, fs, lit));
    fs_label_ref(cc, fs, fail);
}

/* Sequence patterns: elements, optionally `& rest` at the end. */
static void seq_pattern(Compiler *cc, FnState *fs, PatCtx *pc, Value *elems, uint32_t n,
                        uint32_t subj, Label *fail, Opcode exact, Opcode at_least, Value whole) {
    int32_t amp = -1;
    for (uint32_t i = 0; i < n; i++)
        if (is_sym(elems[i], S_(amp))) {
            if (amp >= 0 || i + 2 != n) cc_fail(cc, K_(syntax_error), whole, "& must come before the last pattern");
            amp = (int32_t)i;
        }
    uint32_t fixed = amp >= 0 ? (uint32_t)amp : n;
    emit_test(cc, fs, amp >= 0 ? at_least : exact, subj, fixed, fail);
    for (uint32_t i = 0; i < fixed; i++) {
        if (is_sym(elems[i], S_(underscore))) continue;
        uint32_t r = fs_reg(cc, fs);
        fs_emit(cc, fs, OP_ELEM, r);
        fs_word(cc, fs, subj);
        fs_word(cc, fs, i);
        pattern(cc, fs, pc, elems[i], r, fail);
    }
    if (amp >= 0 && !is_sym(elems[n - 1], S_(underscore))) {
        uint32_t r = fs_reg(cc, fs);
        fs_emit(cc, fs, OP_REST, r);
        fs_word(cc, fs, subj);
        fs_word(cc, fs, fixed);
        pattern(cc, fs, pc, elems[n - 1], r, fail);
    }
}

static Value *list_to_array(Compiler *cc, Value l, uint32_t *n) {
    *n = list_len(l);
    Value *a = cc_scratch(cc, *n);
    for (uint32_t i = 0; i < *n; i++, l = cdr(l)) a[i] = car(l);
    return a;
}

static Value *vector_to_array(Compiler *cc, Value v, uint32_t *n) {
    *n = (uint32_t)vec_count(v);
    Value *a = cc_scratch(cc, *n);
    for (uint32_t i = 0; i < *n; i++) a[i] = vec_nth(v, i);
    return a;
}

static void map_pattern(Compiler *cc, FnState *fs, PatCtx *pc, Value pat, uint32_t subj, Label *fail) {
    emit_test(cc, fs, OP_T_MAP, subj, -1, fail);
    SeqIter it;
    seq_iter_init(&it, pat);
    Value kv;
    while (seq_iter_next(cc->p, &it, &kv)) {
        bool is_const;
        Value key = cc_constant_value(cc, tuple_elems(kv)[0], &is_const);
        if (!is_const) cc_fail(cc, K_(syntax_error), pat, "map pattern keys must be literals");
        uint32_t r = fs_reg(cc, fs);
        fs_emit(cc, fs, OP_MAPGET, r);
        fs_word(cc, fs, subj);
        fs_word(cc, fs, fs_const(cc, fs, key));
        fs_label_ref(cc, fs, fail);
        pattern(cc, fs, pc, tuple_elems(kv)[1], r, fail);
    }
}

static void set_pattern(Compiler *cc, FnState *fs, PatCtx *pc, Value pat, uint32_t subj, Label *fail) {
    Proc *p = cc->p;
    uint32_t n = (uint32_t)set_count(pat);
    emit_test(cc, fs, OP_T_SET, subj, n, fail);
    Value lits = LV_EMPTY;
    uint32_t nlits = 0;
    Value syms[64];
    uint32_t nsyms = 0;
    SeqIter it;
    seq_iter_init(&it, pat);
    Value x;
    while (seq_iter_next(p, &it, &x)) {
        if (is_symbol(x)) {
            if (nsyms == 64) cc_fail(cc, K_(syntax_error), pat, "too many symbols in a set pattern");
            syms[nsyms++] = x;
            continue;
        }
        bool is_const;
        Value lit = cc_constant_value(cc, x, &is_const);
        if (!is_const) cc_fail(cc, K_(syntax_error), pat, "set patterns hold literals and symbols");
        fs_emit(cc, fs, OP_T_SETHAS, subj);
        fs_word(cc, fs, fs_const(cc, fs, lit));
        fs_label_ref(cc, fs, fail);
        lits = mk_cons(p, lit, lits);
        nlits++;
    }
    if (nsyms == 0) return;
    Value tup = mk_tuple(p, nlits);
    for (uint32_t i = 0; i < nlits; i++, lits = cdr(lits)) tuple_elems(tup)[i] = car(lits);
    uint32_t first = fs_regs(cc, fs, nsyms);
    fs_emit(cc, fs, OP_SETREST, first);
    fs_word(cc, fs, subj);
    fs_word(cc, fs, fs_const(cc, fs, tup));
    fs_word(cc, fs, nsyms);
    for (uint32_t i = 0; i < nsyms; i++)
        if (!is_sym(syms[i], S_(underscore))) bind_symbol(cc, fs, pc, syms[i], first + i, fail);
}

/* (lona.core/bytes e ... [& r]) and (lona.core/bits [V B E S] ... [& r]) */
static void binary_pattern(Compiler *cc, FnState *fs, PatCtx *pc, Value pat, bool bits, uint32_t subj,
                           Label *fail) {
    Proc *p = cc->p;
    uint32_t n;
    Value *el = list_to_array(cc, cdr(pat), &n);
    Value spec = mk_tuple(p, n);
    uint32_t nspec = 0, nout = 0;
    Value binders[256];
    for (uint32_t i = 0; i < n; i++) {
        Value e = el[i];
        if (is_sym(e, S_(amp))) {
            if (i + 2 != n || nout >= 256) {
                cc_fail(cc, K_(syntax_error), pat, "& must come before the last name");
            }
            tuple_elems(spec)[nspec++] = K_(rest);
            binders[nout++] = el[i + 1];
            break;
        }
        Value mark, nbits = fix(8), endian = K_(be), sign = K_(unsigned_);
        Value v = e;
        if (bits) {
            if (!is_tuple(e) || tuple_len(e) != 4) {
                cc_fail(cc, K_(invalid_bits), pat, "malformed bit segment");
            }
            v = tuple_elems(e)[0];
            nbits = tuple_elems(e)[1];
            endian = tuple_elems(e)[2];
            sign = tuple_elems(e)[3];
        }
        if (is_sym(v, S_(underscore))) {
            mark = S_(underscore);
        } else if (is_symbol(v)) {
            if (nout >= 255) {
                cc_fail(cc, K_(syntax_error), pat, "too many bindings in a binary pattern");
            }
            mark = K_(value);
            binders[nout++] = v;
        } else if (is_integer(v)) {
            mark = v;
        } else {
            cc_fail(cc, bits ? K_(invalid_bits) : K_(invalid_bytes), pat, "bad binary pattern element");
        }
        Value seg = mk_tuple(p, 4);
        tuple_elems(seg)[0] = mark;
        tuple_elems(seg)[1] = nbits;
        tuple_elems(seg)[2] = endian;
        tuple_elems(seg)[3] = sign;
        tuple_elems(spec)[nspec++] = seg;
    }
    if (nspec != tuple_len(spec)) {
        Value s2 = mk_tuple(p, nspec);
        memcpy(tuple_elems(s2), tuple_elems(spec), nspec * sizeof(Value));
        spec = s2;
    }
    uint32_t first = fs_regs(cc, fs, nout ? nout : 1);
    fs_emit(cc, fs, OP_BINMATCH, first);
    fs_word(cc, fs, subj);
    fs_word(cc, fs, fs_const(cc, fs, spec));
    fs_label_ref(cc, fs, fail);
    for (uint32_t i = 0; i < nout; i++)
        if (!is_sym(binders[i], S_(underscore))) bind_symbol(cc, fs, pc, binders[i], first + i, fail);
}

static void list_pattern(Compiler *cc, FnState *fs, PatCtx *pc, Value pat, uint32_t subj, Label *fail) {
    Value head = car(pat);
    uint32_t n = list_len(pat);
    if (is_sym(head, S_(quote))) {
        if (n != 2) cc_fail(cc, K_(syntax_error), pat, "quote takes one form");
        literal_test(cc, fs, car(cdr(pat)), subj, fail);
        return;
    }
    if (is_core_sym(cc, head, "pid", S_(core_pid)) && n == 3) {
        emit_test(cc, fs, OP_T_PID, subj, -1, fail);
        for (uint32_t part = 0; part < 2; part++) {
            Value sub = part == 0 ? car(cdr(pat)) : car(cdr(cdr(pat)));
            if (is_sym(sub, S_(underscore))) continue;
            uint32_t r = fs_reg(cc, fs);
            fs_emit(cc, fs, OP_PIDPART, r);
            fs_word(cc, fs, subj);
            fs_word(cc, fs, part);
            pattern(cc, fs, pc, sub, r, fail);
        }
        return;
    }
    if (is_sym(head, S_(core_bytes))) {
        binary_pattern(cc, fs, pc, pat, false, subj, fail);
        return;
    }
    if (is_sym(head, S_(core_bits))) {
        binary_pattern(cc, fs, pc, pat, true, subj, fail);
        return;
    }
    Value *el = list_to_array(cc, pat, &n);
    seq_pattern(cc, fs, pc, el, n, subj, fail, OP_T_LIST, OP_T_LIST_MIN, pat);
}

static void pattern(Compiler *cc, FnState *fs, PatCtx *pc, Value pat, uint32_t subj, Label *fail) {
    if (++cc->depth > CC_MAX_DEPTH) cc_fail(cc, K_(syntax_error), LV_NONE, "pattern nested too deeply");
    if (is_symbol(pat)) {
        if (!is_sym(pat, S_(underscore))) bind_symbol(cc, fs, pc, pat, subj, fail);
    } else if (is_cons(pat)) {
        list_pattern(cc, fs, pc, pat, subj, fail);
    } else if (pat == LV_EMPTY) {
        emit_test(cc, fs, OP_T_LIST, subj, 0, fail);
    } else if (is_tuple(pat)) {
        seq_pattern(cc, fs, pc, tuple_elems(pat), (uint32_t)tuple_len(pat), subj, fail, OP_T_TUPLE,
                    OP_T_TUPLE_MIN, pat);
    } else if (is_vector(pat)) {
        uint32_t n;
        Value *el = vector_to_array(cc, pat, &n);
        seq_pattern(cc, fs, pc, el, n, subj, fail, OP_T_VECTOR, OP_T_VECTOR_MIN, pat);
    } else if (is_map(pat)) {
        map_pattern(cc, fs, pc, pat, subj, fail);
    } else if (is_set(pat)) {
        set_pattern(cc, fs, pc, pat, subj, fail);
    } else {
        literal_test(cc, fs, pat, subj, fail);
    }
    cc->depth--;
}

void cc_pattern(Compiler *cc, FnState *fs, Value pat, uint32_t subject, Label *fail) {
    PatCtx pc = {fs->nlocals};
    pattern(cc, fs, &pc, pat, subject, fail);
}

Clause *cc_parse_clauses(Compiler *cc, Value form, Value l, bool allow_after, uint32_t *n,
                         Value *after) {
    uint32_t cap = list_len(l) / 2 + 1;
    Clause *cl = (Clause *)cc_scratch(cc, (size_t)cap * 3);
    *n = 0;
    *after = LV_NONE;
    while (is_cons(l)) {
        Value pat = car(l);
        if (allow_after && pat == K_(after)) {
            *after = cdr(l);
            return cl;
        }
        l = cdr(l);
        if (!is_cons(l)) {
            cc_fail(cc, K_(syntax_error), form, "pattern without a body");
        }
        Value guard = LV_NONE;
        if (is_sym(car(l), S_(when)) || is_sym(car(l), S_(core_when))) {
            l = cdr(l);
            if (!is_cons(l) || !is_cons(cdr(l))) {
                cc_fail(cc, K_(syntax_error), form, "when needs a guard and a body");
            }
            guard = car(l);
            l = cdr(l);
        }
        cl[(*n)++] = (Clause){pat, guard, car(l)};
        l = cdr(l);
    }
    return cl;
}
