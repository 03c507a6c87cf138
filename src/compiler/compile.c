/*
 * compile.c — expressions and special forms (spec 4.1, 5).
 *
 * cc_expr(form, dst, tail) emits code leaving the value of form in
 * register dst; in tail position it instead ends the function (RETURN, or
 * TAILCALL for a call), so every call in tail position reuses the frame.
 */
#include <stdlib.h>
#include <string.h>

#include "compiler/cc.h"
#include "compiler/compiler.h"
#include "lib/intrinsic.h"
#include "reader/reader.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/coll.h"
#include "term/num.h"
#include "vm/ns.h"

/* ---- helpers ---------------------------------------------------------- */

static uint32_t list_length(Value l) {
    uint32_t n = 0;
    for (; is_cons(l); l = cdr(l)) n++;
    return n;
}

static Value nth_form(Value l, uint32_t i) {
    while (i--) l = cdr(l);
    return car(l);
}

bool cc_is_special(Value sym) {
    if (!is_symbol(sym)) return false;
    sym = sym_strip(sym);
    return sym == S_(def) || sym == S_(fn_star) || sym == S_(match) || sym == S_(do_) ||
           sym == S_(quote) || sym == S_(var) || sym == S_(receive);
}

/* Special-form name of a list head: the bare name, or lona.core/NAME. */
static Value special_of(Compiler *cc, Value head) {
    if (!is_symbol(head)) return LV_NONE;
    head = sym_strip(head);
    if (cc_is_special(head)) return head;
    const AtomEntry *e = atoms_get(&cc->rt->atoms, atom_index(head));
    if (e->ns && e->ns_len == 9 && memcmp(e->ns, "lona.core", 9) == 0) {
        Value bare = mk_symbol(e->unqualified);
        if (cc_is_special(bare)) return bare;
    }
    return LV_NONE;
}

static bool self_evaluating(Value f) {
    return !is_symbol(f) && !is_cons(f) && !is_tuple(f) && !is_vector(f) && !is_map(f) &&
           !is_set(f);
}

/* A form whose value is itself (no symbols, calls or quotes inside). */
static bool literal_form(Proc *p, Value f, int depth) {
    if (self_evaluating(f) || f == LV_EMPTY) return true;
    if (depth > 64 || is_symbol(f) || is_cons(f)) return false;
    if (is_map(f) && box_meta(f) != LV_NIL) return false;
    SeqIter it;
    if (!seq_iter_init(&it, f)) return false;
    Value x;
    while (seq_iter_next(p, &it, &x)) {
        if (is_tuple(x) && is_map(f)) { /* map entries come as [k v] */
            if (!literal_form(p, tuple_elems(x)[0], depth + 1) || !literal_form(p, tuple_elems(x)[1], depth + 1))
                return false;
        } else if (!literal_form(p, x, depth + 1)) {
            return false;
        }
    }
    return true;
}

Value cc_constant_value(Compiler *cc, Value form, bool *is_const) {
    if (is_cons(form) && is_symbol(car(form)) && sym_strip(car(form)) == S_(quote) &&
        list_length(form) == 2) {
        *is_const = true;
        return car(cdr(form));
    }
    *is_const = literal_form(cc->p, form, 0);
    return form;
}

static void emit_move(Compiler *cc, FnState *fs, uint32_t dst, uint32_t src) {
    if (dst == src) return;
    fs_emit(cc, fs, OP_MOVE, dst);
    fs_word(cc, fs, src);
}

static void emit_const(Compiler *cc, FnState *fs, Value v, uint32_t dst) {
    if (is_fix(v) && fix_val(v) >= INT32_MIN && fix_val(v) <= INT32_MAX) {
        fs_emit(cc, fs, OP_LOADI, dst);
        fs_word(cc, fs, (uint32_t)(int32_t)fix_val(v));
        return;
    }
    fs_emit(cc, fs, OP_LOADK, dst);
    fs_word(cc, fs, fs_const(cc, fs, v));
}

static void finish(Compiler *cc, FnState *fs, uint32_t dst, bool tail) {
    if (tail) fs_emit(cc, fs, OP_RETURN, dst);
}

/* ---- symbols ---------------------------------------------------------- */

enum { SYM_NONE, SYM_LOCAL, SYM_SELF, SYM_CAPTURE };

static int lookup_local(Compiler *cc, FnState *fs, Value sym, uint32_t *idx) {
    for (uint32_t i = fs->nlocals; i > 0; i--)
        if (fs->locals[i - 1].sym == sym) {
            *idx = fs->locals[i - 1].reg;
            return SYM_LOCAL;
        }
    if (fs->self_name == sym) return SYM_SELF;
    for (uint32_t i = 0; i < fs->ncaptures; i++)
        if (fs->captures[i] == sym) {
            *idx = i;
            return SYM_CAPTURE;
        }
    if (!fs->parent) return SYM_NONE;
    uint32_t pidx;
    if (lookup_local(cc, fs->parent, sym, &pidx) == SYM_NONE) return SYM_NONE;
    if (fs->ncaptures == fs->capcaptures) {
        fs->capcaptures = fs->capcaptures ? fs->capcaptures * 2 : 8;
        fs->captures = xrealloc(fs->captures, fs->capcaptures * sizeof(Value));
    }
    fs->captures[fs->ncaptures] = sym;
    *idx = fs->ncaptures++;
    return SYM_CAPTURE;
}

static bool is_qualified(Compiler *cc, Value sym) {
    return atoms_get(&cc->rt->atoms, atom_index(sym))->ns != NULL;
}

static Value resolve_var(Compiler *cc, Value sym) {
    return ns_resolve(cc->rt, cc->ns, sym);
}

/* Is form a symbol naming a local of this function (a register)? */
static bool local_register(Compiler *cc, FnState *fs, Value form, uint32_t *reg) {
    if (!is_symbol(form)) return false;
    Value sym = sym_strip(form);
    return !is_qualified(cc, sym) && lookup_local(cc, fs, sym, reg) == SYM_LOCAL;
}

static void cc_symbol(Compiler *cc, FnState *fs, Value form, uint32_t dst) {
    Value sym = sym_strip(form);
    if (cc_is_special(sym)) cc_fail(cc, K_(syntax_error), sym, "special form used as a value");
    uint32_t idx = 0;
    int kind = is_qualified(cc, sym) ? SYM_NONE : lookup_local(cc, fs, sym, &idx);
    switch (kind) {
    case SYM_LOCAL:
        emit_move(cc, fs, dst, idx);
        return;
    case SYM_SELF:
        fs_emit(cc, fs, OP_SELF, dst);
        return;
    case SYM_CAPTURE:
        fs_emit(cc, fs, OP_GETUP, dst);
        fs_word(cc, fs, idx);
        return;
    }
    Value var = resolve_var(cc, sym);
    if (var == LV_NONE) cc_fail_undef(cc, sym, "symbol");
    fs_emit(cc, fs, OP_GETVAR, dst);
    fs_word(cc, fs, fs_const(cc, fs, var));
}

/* ---- special forms ---------------------------------------------------- */

static void cc_do(Compiler *cc, FnState *fs, Value body, uint32_t dst, bool tail) {
    if (body == LV_EMPTY) {
        emit_const(cc, fs, LV_NIL, dst);
        finish(cc, fs, dst, tail);
        return;
    }
    for (; is_cons(body); body = cdr(body)) {
        bool last = !is_cons(cdr(body));
        cc_expr(cc, fs, car(body), dst, last && tail);
    }
}

static void cc_quote(Compiler *cc, FnState *fs, Value form, uint32_t dst, bool tail) {
    if (list_length(form) != 2) cc_fail(cc, K_(syntax_error), form, "quote takes exactly one form");
    emit_const(cc, fs, nth_form(form, 1), dst);
    finish(cc, fs, dst, tail);
}

static void cc_var(Compiler *cc, FnState *fs, Value form, uint32_t dst, bool tail) {
    if (list_length(form) != 2 || !is_symbol(nth_form(form, 1)))
        cc_fail(cc, K_(syntax_error), form, "var takes one symbol");
    Value sym = sym_strip(nth_form(form, 1));
    Value var = resolve_var(cc, sym);
    if (var == LV_NONE) cc_fail_undef(cc, sym, "var");
    emit_const(cc, fs, var, dst);
    finish(cc, fs, dst, tail);
}

static void cc_fn(Compiler *cc, FnState *fs, Value form, uint32_t dst, bool tail) {
    Value rest = cdr(form);
    Value name = LV_NIL;
    if (is_cons(rest) && is_symbol(car(rest))) {
        name = sym_strip(car(rest));
        rest = cdr(rest);
    }
    if (!is_cons(rest) || !is_tuple(car(rest)))
        cc_fail(cc, K_(syntax_error), form, "fn* needs a parameter tuple");
    Value params = car(rest);
    Value body = cdr(rest);

    FnState child;
    fs_begin(cc, &child, fs);
    child.name = name;
    if (name != LV_NIL) child.self_name = name;
    fs_note_line(cc, &child, form);
    uint64_t np = tuple_len(params);
    Value *ps = tuple_elems(params);
    for (uint64_t i = 0; i < np; i++) {
        Value s = ps[i];
        if (!is_symbol(s) || is_qualified(cc, sym_strip(s)))
            cc_fail(cc, K_(syntax_error), form, "parameters must be plain symbols");
        s = sym_strip(s);
        if (s == S_(amp)) {
            if (i + 2 != np || !is_symbol(ps[i + 1]) || sym_strip(ps[i + 1]) == S_(amp))
                cc_fail(cc, K_(syntax_error), form, "& must be followed by exactly one symbol");
            child.variadic = true;
            uint32_t r = fs_reg(cc, &child);
            Value rs = sym_strip(ps[i + 1]);
            for (uint32_t j = 0; j < child.nlocals; j++)
                if (child.locals[j].sym == rs && rs != S_(underscore))
                    cc_fail(cc, K_(syntax_error), form, "duplicate parameter");
            if (rs != S_(underscore)) fs_bind(cc, &child, rs, r);
            break;
        }
        for (uint32_t j = 0; j < child.nlocals; j++)
            if (child.locals[j].sym == s && s != S_(underscore))
                cc_fail(cc, K_(syntax_error), form, "duplicate parameter");
        uint32_t r = fs_reg(cc, &child);
        child.nparams++;
        if (s != S_(underscore)) fs_bind(cc, &child, s, r);
    }
    uint32_t res = fs_reg(cc, &child);
    cc_do(cc, &child, body, res, true);

    uint32_t ncap = child.ncaptures;
    Value *caps = NULL;
    if (ncap) {
        caps = cc_scratch(cc, ncap);
        memcpy(caps, child.captures, ncap * sizeof(Value));
    }
    Value proto = fs_finish(cc, &child);
    uint32_t first = fs_regs(cc, fs, ncap);
    for (uint32_t i = 0; i < ncap; i++) cc_symbol(cc, fs, caps[i], first + i);
    fs_emit(cc, fs, OP_CLOSURE, dst);
    fs_word(cc, fs, fs_const(cc, fs, proto));
    fs_word(cc, fs, first);
    fs_word(cc, fs, ncap);
    fs->nactive = first;
    finish(cc, fs, dst, tail);
}

/* Metadata map form for a def: the name's metadata plus :name :ns :file :line. */
static Value def_meta_form(Compiler *cc, FnState *fs, Value name, Value var, Value form) {
    Proc *p = cc->p;
    Value m = is_box_of(name, T_SYMMETA) ? box_meta(name) : LV_NIL;
    if (!is_map(m)) m = map_empty(p);
    m = map_put(p, m, K_(name), mk_list_from(p, (Value[]){S_(quote), sym_strip(name)}, 2));
    m = map_put(p, m, K_(ns), as_var(var)->ns);
    uint32_t line, col;
    if (is_cons(form) && reader_pos(form, &line, &col)) m = map_put(p, m, K_(line), fix(line));
    if (cc->file != LV_NIL) m = map_put(p, m, K_(file), cc->file);
    (void)fs;
    return m;
}

static void cc_def(Compiler *cc, FnState *fs, Value form, uint32_t dst, bool tail) {
    uint32_t n = list_length(form);
    if (n < 2 || n > 3) cc_fail(cc, K_(syntax_error), form, "def takes a name and at most one value");
    Value name = nth_form(form, 1);
    if (!is_symbol(name)) cc_fail(cc, K_(syntax_error), form, "def needs a symbol name");
    Value sym = sym_strip(name);
    Runtime *rt = cc->rt;
    const AtomEntry *e = atoms_get(&rt->atoms, atom_index(sym));
    Value var;
    bool creating = false, set_meta = true;
    if (e->ns) {
        var = resolve_var(cc, sym);
        Value nsname = as_ns(cc->ns)->name;
        bool own_ns = atoms_get(&rt->atoms, atom_index(nsname))->name_len == e->ns_len &&
                      memcmp(atoms_get(&rt->atoms, atom_index(nsname))->name, e->ns, e->ns_len) == 0;
        if (var == LV_NONE && own_ns) {
            var = ns_intern(rt, cc->ns, mk_symbol(e->unqualified));
            creating = true;
        }
        if (var == LV_NONE) cc_fail(cc, K_(syntax_error), form, "cannot def a qualified name of another namespace");
    } else {
        Value mapped = ns_lookup(rt, cc->ns, sym);
        if (mapped != LV_NONE && as_var(mapped)->ns == cc->ns) {
            var = mapped;
        } else {
            Value found = mapped != LV_NONE ? mapped : resolve_var(cc, sym);
            if (found != LV_NONE && (atomic_load(&as_var(found)->flags) & VAR_PROCESS_BOUND)) {
                var = found;
                set_meta = false;
            } else {
                var = ns_intern(rt, cc->ns, sym);
                creating = true;
            }
        }
    }
    Value meta_form = def_meta_form(cc, fs, name, var, form);
    Value native_flag = map_get(meta_form, K_(native));
    bool native = native_flag != LV_NONE && truthy(native_flag);
    uint32_t mark = fs->nactive;
    if (set_meta) {
        uint32_t mr = fs_reg(cc, fs);
        cc_expr(cc, fs, meta_form, mr, false);
        fs_emit(cc, fs, OP_DEFMETA, fs_const(cc, fs, var));
        fs_word(cc, fs, mr);
    }
    uint32_t vr = NO_REG;
    if (native) {
        const AtomEntry *nse = atoms_get(&rt->atoms, atom_index(as_ns(as_var(var)->ns)->name));
        const AtomEntry *ne = atoms_get(&rt->atoms, atom_index(as_var(var)->sym));
        uint32_t idx = intrinsic_find(nse->name, ne->name);
        if (idx == UINT32_MAX) cc_fail(cc, K_(unknown_intrinsic), sym, "no intrinsic of that name");
        vr = fs_reg(cc, fs);
        emit_const(cc, fs, mk_native(idx), vr);
    } else if (n == 3) {
        vr = fs_reg(cc, fs);
        cc_expr(cc, fs, nth_form(form, 2), vr, false);
    }
    fs_emit(cc, fs, OP_DEF, dst);
    fs_word(cc, fs, fs_const(cc, fs, var));
    fs_word(cc, fs, (vr & NO_REG) | ((uint32_t)creating << 24));
    fs->nactive = mark;
    finish(cc, fs, dst, tail);
}

/* A guard testing register g that a comparison has just computed (an
 * `if` on (< a b)): the comparison takes the branch itself on its fast path
 * (see the _BR opcodes). */
static void fuse_compare_branch(FnState *fs, uint32_t g) {
    if (fs->last_op == NO_LAST_OP || fs->last_op + 4 != fs->ncode) return;
    uint32_t ins = fs->code[fs->last_op];
    Opcode op = (Opcode)(ins & 0xff);
    if (OP_IS_COMPARE(op) && ins >> 8 == g) fs->code[fs->last_op] = (uint32_t)OP_BRANCH_OF(op) | (g << 8);
}

static void cc_clauses(Compiler *cc, FnState *fs, Value form, Clause *cl, uint32_t n,
                       uint32_t subject, uint32_t dst, bool tail, Label *end, uint32_t recv_state) {
    for (uint32_t i = 0; i < n; i++) {
        uint32_t reg_mark = fs->nactive, local_mark = fs->nlocals;
        Label *fail = fs_label(cc, fs);
        cc_pattern(cc, fs, cl[i].pattern, subject, fail);
        if (cl[i].guard != LV_NONE) {
            uint32_t g;
            if (!local_register(cc, fs, cl[i].guard, &g)) {
                g = fs_reg(cc, fs);
                cc_expr(cc, fs, cl[i].guard, g, false);
            }
            fuse_compare_branch(fs, g);
            fs_emit(cc, fs, OP_T_TRUTHY, g);
            fs_label_ref(cc, fs, fail);
        }
        if (recv_state != NO_REG) fs_emit(cc, fs, OP_RECV_ACCEPT, recv_state);
        cc_expr(cc, fs, cl[i].body, dst, tail);
        if (!tail) {
            fs_emit(cc, fs, OP_JUMP, 0);
            fs_label_ref(cc, fs, end);
        }
        fs_place(cc, fs, fail);
        fs->nactive = reg_mark;
        fs->nlocals = local_mark;
    }
    (void)form;
}

static void cc_match(Compiler *cc, FnState *fs, Value form, uint32_t dst, bool tail) {
    if (list_length(form) < 2) cc_fail(cc, K_(syntax_error), form, "match needs an expression");
    Value expr = nth_form(form, 1);
    uint32_t mark = fs->nactive;
    uint32_t subject;
    uint32_t idx;
    if (is_symbol(expr) && !is_qualified(cc, sym_strip(expr)) &&
        lookup_local(cc, fs, sym_strip(expr), &idx) == SYM_LOCAL) {
        subject = idx;
    } else {
        subject = fs_reg(cc, fs);
        cc_expr(cc, fs, expr, subject, false);
    }
    uint32_t n;
    Value after;
    Clause *cl = cc_parse_clauses(cc, form, cdr(cdr(form)), false, &n, &after);
    Label *end = fs_label(cc, fs);
    cc_clauses(cc, fs, form, cl, n, subject, dst, tail, end, NO_REG);
    fs_emit(cc, fs, OP_BADMATCH, subject);
    fs_place(cc, fs, end);
    fs->nactive = mark;
}

/* Does pattern pat bind sym? (A bounded walk; patterns are small.) */
static bool pattern_binds(Proc *p, Value pat, Value sym, int depth) {
    if (depth > 32) return true; /* too deep to tell: assume it does */
    if (is_symbol(pat)) return sym_strip(pat) == sym;
    if (is_cons(pat) && is_symbol(car(pat)) && sym_strip(car(pat)) == S_(quote)) return false;
    if (!is_coll(pat)) return false;
    SeqIter it;
    seq_iter_init(&it, pat);
    Value x;
    while (seq_iter_next(p, &it, &x))
        if (pattern_binds(p, x, sym, depth + 1)) return true;
    return false;
}

/* For the receive fast path (vm/receive.h): the outer local that clause c
 * requires a pattern variable to equal, as in `[:reply r v] when (= r ref)`;
 * LV_NONE if the clause is not of that shape. */
static Value clause_ref_local(Compiler *cc, FnState *fs, const Clause *c) {
    Value g = c->guard;
    if (g == LV_NONE || !is_cons(g) || list_length(g) != 3 || !is_symbol(car(g))) return LV_NONE;
    Value var = resolve_var(cc, sym_strip(car(g)));
    if (var == LV_NONE || as_var(var)->ns != cc->rt->core_ns) return LV_NONE;
    Value name = as_var(var)->sym;
    const AtomEntry *e = atoms_get(&cc->rt->atoms, atom_index(name));
    if (name != S_(op_eq) && strcmp(e->name, "identical?") != 0) return LV_NONE;
    Value a = nth_form(g, 1), b = nth_form(g, 2);
    for (int side = 0; side < 2; side++) {
        Value bound = side ? b : a, outer = side ? a : b;
        if (!is_symbol(bound) || !is_symbol(outer)) continue;
        uint32_t reg;
        if (pattern_binds(cc->p, c->pattern, sym_strip(bound), 0) &&
            !pattern_binds(cc->p, c->pattern, sym_strip(outer), 0) &&
            local_register(cc, fs, outer, &reg))
            return sym_strip(outer);
    }
    return LV_NONE;
}

/* Keywords a tag filter holds at most (vm/receive.h). */
#define TAG_FILTER_MAX 8

/* The tag filter of a receive (RECV_NEXT_TAG): when every clause's pattern
 * is a tuple of one fixed size whose first element is a keyword, the
 * tuple [size keyword...]; else LV_NONE. Guards do not matter: the filter
 * only passes over messages no clause could take. */
static Value receive_tag_filter(Compiler *cc, const Clause *cl, uint32_t n) {
    Value keys[TAG_FILTER_MAX];
    uint32_t nkeys = 0;
    size_t size = 0;
    for (uint32_t i = 0; i < n; i++) {
        Value pat = cl[i].pattern;
        if (!is_tuple(pat) || tuple_len(pat) == 0 || !is_keyword(tuple_elems(pat)[0])) return LV_NONE;
        for (size_t j = 0; j < tuple_len(pat); j++) {
            Value e = tuple_elems(pat)[j];
            if (is_symbol(e) && sym_strip(e) == S_(amp)) return LV_NONE; /* a rest: any size */
        }
        if (i > 0 && tuple_len(pat) != size) return LV_NONE;
        size = tuple_len(pat);
        bool seen = false;
        for (uint32_t j = 0; j < nkeys; j++) seen |= keys[j] == tuple_elems(pat)[0];
        if (seen) continue;
        if (nkeys == TAG_FILTER_MAX) return LV_NONE;
        keys[nkeys++] = tuple_elems(pat)[0];
    }
    if (n == 0) return LV_NONE;
    Value f = mk_tuple(cc->p, 1 + nkeys);
    tuple_elems(f)[0] = fix((int64_t)size);
    for (uint32_t j = 0; j < nkeys; j++) tuple_elems(f)[1 + j] = keys[j];
    return f;
}

static void cc_receive(Compiler *cc, FnState *fs, Value form, uint32_t dst, bool tail) {
    uint32_t n;
    Value after;
    Clause *cl = cc_parse_clauses(cc, form, cdr(form), true, &n, &after);
    if (n == 0 && after == LV_NONE) {
        cc_fail(cc, K_(syntax_error), form, "receive needs clauses or :after");
    }
    if (after != LV_NONE && list_length(after) != 2) {
        cc_fail(cc, K_(syntax_error), form, ":after needs a timeout and a body, last");
    }
    uint32_t mark = fs->nactive;
    uint32_t timeout = NO_REG;
    if (after != LV_NONE) {
        timeout = fs_reg(cc, fs);
        cc_expr(cc, fs, car(after), timeout, false);
    }
    uint32_t state = fs_reg(cc, fs), msg = fs_reg(cc, fs);
    /* Ref hints: only when every clause is guarded by a ref comparison. */
    Value hints[8];
    uint32_t nhints = 0;
    for (uint32_t i = 0; i < n; i++) {
        Value h = clause_ref_local(cc, fs, &cl[i]);
        if (h == LV_NONE || nhints == 8) {
            nhints = 0;
            break;
        }
        bool seen = false;
        for (uint32_t j = 0; j < nhints; j++) seen |= hints[j] == h;
        if (!seen) hints[nhints++] = h;
    }
    uint32_t hint_base = fs_regs(cc, fs, nhints);
    for (uint32_t i = 0; i < nhints; i++) cc_symbol(cc, fs, hints[i], hint_base + i);
    fs_emit(cc, fs, OP_RECV_START, timeout);
    fs_word(cc, fs, state);
    fs_word(cc, fs, hint_base);
    fs_word(cc, fs, nhints);
    Label *top = fs_label(cc, fs), *wait = fs_label(cc, fs), *end = fs_label(cc, fs);
    Value filter = receive_tag_filter(cc, cl, n);
    fs_place(cc, fs, top);
    fs_emit(cc, fs, filter == LV_NONE ? OP_RECV_NEXT : OP_RECV_NEXT_TAG, msg);
    fs_word(cc, fs, state);
    fs_label_ref(cc, fs, wait);
    if (filter != LV_NONE) fs_word(cc, fs, fs_const(cc, fs, filter));
    cc_clauses(cc, fs, form, cl, n, msg, dst, tail, end, state);
    fs_emit(cc, fs, OP_RECV_SKIP, state);
    fs_emit(cc, fs, OP_JUMP, 0);
    fs_label_ref(cc, fs, top);
    fs_place(cc, fs, wait);
    fs_emit(cc, fs, OP_RECV_WAIT, state);
    fs_label_ref(cc, fs, top);
    fs->nactive = mark;
    if (after != LV_NONE) {
        cc_expr(cc, fs, car(cdr(after)), dst, tail);
    } else {
        emit_const(cc, fs, LV_NIL, dst); /* not reached: waits forever */
        finish(cc, fs, dst, tail);
    }
    fs_place(cc, fs, end);
}

/* ---- calls -------------------------------------------------------------- */

static Opcode arith_op(Compiler *cc, FnState *fs, Value head, Value *var_out) {
    if (!is_symbol(head)) return OP__COUNT;
    Value sym = sym_strip(head);
    uint32_t idx;
    if (!is_qualified(cc, sym) && lookup_local(cc, fs, sym, &idx) != SYM_NONE) return OP__COUNT;
    Value var = resolve_var(cc, sym);
    if (var == LV_NONE || as_var(var)->ns != cc->rt->core_ns) return OP__COUNT;
    Value name = as_var(var)->sym;
    *var_out = var;
    if (name == S_(op_add)) return OP_ADD;
    if (name == S_(op_sub)) return OP_SUB;
    if (name == S_(op_lt)) return OP_LT;
    if (name == S_(op_le)) return OP_LE;
    if (name == S_(op_gt)) return OP_GT;
    if (name == S_(op_ge)) return OP_GE;
    if (name == S_(op_eq)) return OP_NUMEQ;
    if (name == S_(op_inc)) return OP_INC;
    if (name == S_(op_dec)) return OP_DEC;
    return OP__COUNT;
}

/* Binary constructors: `& x` at the end becomes :rest x. */
static bool is_binary_ctor(Compiler *cc, Value head) {
    if (!is_symbol(head)) return false;
    Value s = sym_strip(head);
    return (s == S_(core_bytes) || s == S_(core_bits)) && cc;
}

/* An arithmetic operand: a local's register or a temporary holding the
 * value. With imm, a small integer is not put in a register: it becomes
 * *imm, the low 32 bits of the fixnum, and the result is NO_REG. */
static uint32_t arith_operand(Compiler *cc, FnState *fs, Value x, uint32_t *imm) {
    uint32_t reg;
    if (local_register(cc, fs, x, &reg)) return reg;
    if (imm && is_fix(x) && fix_val(x) >= OPND_IMM_MIN && fix_val(x) <= OPND_IMM_MAX) {
        *imm = (uint32_t)fix(fix_val(x));
        return NO_REG;
    }
    reg = fs_reg(cc, fs);
    cc_expr(cc, fs, x, reg, false);
    return reg;
}

/* The variant of arithmetic opcode op that returns its result on the fast
 * path, if it has one (the RETURN that follows it stays, for the slow path). */
static Opcode returning_arith_op(Opcode op) {
    switch (op) {
    case OP_ADD: return OP_ADD_RET;
    case OP_SUB: return OP_SUB_RET;
    case OP_ADD_I: return OP_ADD_I_RET;
    case OP_SUB_I: return OP_SUB_I_RET;
    default: return op;
    }
}

/* Is head the function's own name, called with its own fixed arity? */
static bool is_self_call(Compiler *cc, FnState *fs, Value head, uint32_t nargs) {
    uint32_t idx;
    if (!is_symbol(head) || fs->variadic || nargs != fs->nparams) return false;
    Value sym = sym_strip(head);
    return !is_qualified(cc, sym) && lookup_local(cc, fs, sym, &idx) == SYM_SELF;
}

/* A loop: the arguments are computed above every live register, then
 * moved into the parameters, and the function starts again. */
static void cc_self_tail_call(Compiler *cc, FnState *fs, Value form, uint32_t nargs) {
    uint32_t first = fs_regs(cc, fs, nargs ? nargs : 1);
    uint32_t i = 0;
    for (Value a = cdr(form); is_cons(a); a = cdr(a), i++) cc_expr(cc, fs, car(a), first + i, false);
    Label *start = fs_label(cc, fs);
    start->at = 0;
    fs_emit(cc, fs, OP_TAILSELF, first);
    fs_word(cc, fs, nargs);
    fs_label_ref(cc, fs, start);
    fs->nactive = first;
}

static void cc_call(Compiler *cc, FnState *fs, Value form, uint32_t dst, bool tail) {
    Value head = car(form);
    if (is_symbol(head) && (sym_strip(head) == S_(core_unquote) || sym_strip(head) == S_(core_unquote_splicing)))
        cc_fail(cc, K_(syntax_error), form, "unquote outside a syntax-quote");
    uint32_t nargs = list_length(form) - 1;
    Value var = LV_NONE;
    Opcode aop = nargs == 1 || nargs == 2 ? arith_op(cc, fs, head, &var) : OP__COUNT;
    if (aop == OP_INC || aop == OP_DEC ? nargs != 1 : nargs != 2) aop = OP__COUNT;
    if (aop == OP_INC || aop == OP_DEC) {
        uint32_t mark = fs->nactive;
        uint32_t x;
        if (!local_register(cc, fs, car(cdr(form)), &x)) {
            x = fs_reg(cc, fs);
            cc_expr(cc, fs, car(cdr(form)), x, false);
        }
        fs_emit(cc, fs, aop, dst);
        fs_word(cc, fs, x);
        fs_word(cc, fs, 0);
        fs_word(cc, fs, fs_const(cc, fs, var));
        fs->nactive = mark;
        finish(cc, fs, dst, tail);
        return;
    }
    if (aop != OP__COUNT) {
        uint32_t mark = fs->nactive;
        uint32_t x = arith_operand(cc, fs, car(cdr(form)), NULL);
        uint32_t imm = 0, y = arith_operand(cc, fs, car(cdr(cdr(form))), &imm);
        if (y == NO_REG) {
            /* a small integer: the immediate variant, which takes it as a
             * ready fixnum */
            aop = OP_IMM_OF(aop);
            y = imm;
        }
        fs_emit(cc, fs, tail ? returning_arith_op(aop) : aop, dst);
        fs_word(cc, fs, x);
        fs_word(cc, fs, y);
        fs_word(cc, fs, fs_const(cc, fs, var));
        fs->nactive = mark;
        finish(cc, fs, dst, tail);
        return;
    }
    if (tail && is_self_call(cc, fs, head, nargs)) {
        cc_self_tail_call(cc, fs, form, nargs);
        return;
    }
    uint32_t base = fs_regs(cc, fs, nargs + 1);
    bool binctor = is_binary_ctor(cc, head);
    uint32_t i = 1;
    for (Value a = cdr(form); is_cons(a); a = cdr(a), i++) {
        Value x = car(a);
        if (binctor && is_symbol(x) && sym_strip(x) == S_(amp)) x = K_(rest);
        cc_expr(cc, fs, x, base + i, false);
    }
    if (is_self_call(cc, fs, head, nargs)) { /* not in tail position, see above */
        fs_emit(cc, fs, OP_CALL_SELF, base);
        fs_word(cc, fs, nargs);
        fs_word(cc, fs, dst);
        fs->nactive = base;
        return;
    }
    cc_expr(cc, fs, head, base, false);
    if (tail) {
        fs_emit(cc, fs, OP_TAILCALL, base);
        fs_word(cc, fs, nargs);
    } else {
        fs_emit(cc, fs, OP_CALL, base);
        fs_word(cc, fs, nargs);
        fs_word(cc, fs, dst);
    }
    fs->nactive = base;
}

/* ---- collections ---------------------------------------------------------- */

static void cc_collection(Compiler *cc, FnState *fs, Value form, uint32_t dst, bool tail) {
    bool is_const;
    cc_constant_value(cc, form, &is_const);
    if (is_const) {
        emit_const(cc, fs, form, dst);
        finish(cc, fs, dst, tail);
        return;
    }
    size_t n = 0;
    Opcode op;
    if (is_tuple(form)) {
        n = tuple_len(form);
        op = OP_MKTUPLE;
    } else if (is_vector(form)) {
        n = vec_count(form);
        op = OP_MKVECTOR;
    } else if (is_map(form)) {
        n = map_count(form) * 2;
        op = OP_MKMAP;
    } else {
        n = set_count(form);
        op = OP_MKSET;
    }
    uint32_t base = fs_regs(cc, fs, (uint32_t)n);
    SeqIter it;
    seq_iter_init(&it, form);
    Value x;
    uint32_t i = 0;
    while (seq_iter_next(cc->p, &it, &x)) {
        if (op == OP_MKMAP) {
            cc_expr(cc, fs, tuple_elems(x)[0], base + i++, false);
            cc_expr(cc, fs, tuple_elems(x)[1], base + i++, false);
        } else {
            cc_expr(cc, fs, x, base + i++, false);
        }
    }
    fs_emit(cc, fs, op, dst);
    fs_word(cc, fs, base);
    fs_word(cc, fs, (uint32_t)n);
    fs->nactive = base;
    Value meta = box_meta(form);
    if (meta != LV_NIL) {
        fs_emit(cc, fs, OP_WITHMETA, dst);
        fs_word(cc, fs, fs_const(cc, fs, meta));
    }
    finish(cc, fs, dst, tail);
}

/* ---- dispatch -------------------------------------------------------------- */

void cc_expr(Compiler *cc, FnState *fs, Value form, uint32_t dst, bool tail) {
    if (++cc->depth > CC_MAX_DEPTH) cc_fail(cc, K_(syntax_error), LV_NONE, "code nested too deeply");
    uint32_t local;
    if (is_symbol(form) && local_register(cc, fs, form, &local)) {
        /* A local needs no copy to be returned. */
        if (tail)
            fs_emit(cc, fs, OP_RETURN, local);
        else
            emit_move(cc, fs, dst, local);
    } else if (is_symbol(form)) {
        cc_symbol(cc, fs, form, dst);
        finish(cc, fs, dst, tail);
    } else if (is_cons(form)) {
        uint32_t saved_line = fs->line;
        fs_note_line(cc, fs, form);
        Value sf = special_of(cc, car(form));
        if (sf == S_(quote)) cc_quote(cc, fs, form, dst, tail);
        else if (sf == S_(do_)) cc_do(cc, fs, cdr(form), dst, tail);
        else if (sf == S_(fn_star)) cc_fn(cc, fs, form, dst, tail);
        else if (sf == S_(match)) cc_match(cc, fs, form, dst, tail);
        else if (sf == S_(def)) cc_def(cc, fs, form, dst, tail);
        else if (sf == S_(var)) cc_var(cc, fs, form, dst, tail);
        else if (sf == S_(receive)) cc_receive(cc, fs, form, dst, tail);
        else cc_call(cc, fs, form, dst, tail);
        fs->line = saved_line;
    } else if (is_tuple(form) || is_vector(form) || is_map(form) || is_set(form)) {
        cc_collection(cc, fs, form, dst, tail);
    } else {
        emit_const(cc, fs, form, dst);
        finish(cc, fs, dst, tail);
    }
    cc->depth--;
}

Value cc_compile(Proc *p, Value form, Value ns, Value file) {
    Compiler cc = {.p = p, .rt = p->rt, .ns = ns, .file = file, .depth = 0, .open = NULL};
    if (setjmp(cc.on_error)) return LV_EXC; /* cc_fail freed the open FnStates */
    FnState fs;
    fs_begin(&cc, &fs, NULL);
    fs_note_line(&cc, &fs, form);
    uint32_t r = fs_reg(&cc, &fs);
    cc_expr(&cc, &fs, form, r, true);
    Value proto = fs_finish(&cc, &fs);
    return as_proto(proto)->shared_closure;
}
