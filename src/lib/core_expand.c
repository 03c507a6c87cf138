/*
 * core_expand.c — the small C helpers of the macro expander
 * (lib/lona/boot.lona). The walk itself is Lonala, because it calls macros,
 * which are Lonala functions and must run in the VM, never on the C stack.
 */
#include <string.h>

#include "compiler/cc.h"
#include "lib/intrinsic.h"
#include "reader/reader.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/coll.h"
#include "term/equal.h"
#include "vm/error.h"
#include "vm/ns.h"

static Value nat_form_kind(Proc *p, Value *a, uint32_t n) {
    Value f = a[0];
    if (is_cons(f)) return K_(list);
    if (is_tuple(f) || is_vector(f) || is_map(f) || is_set(f)) return K_(coll);
    return LV_NIL;
}

/* The macro function called by form, if it is a list whose head symbol
 * names a macro var not shadowed by `locals`; else nil. */
static Value nat_macro_call(Proc *p, Value *a, uint32_t n) {
    Value form = a[0];
    if (!is_cons(form) || !is_symbol(car(form))) return LV_NIL;
    Value sym = sym_strip(car(form));
    Value locals = a[1];
    if (cc_is_special(sym)) return LV_NIL;
    if (is_set(locals) && set_contains(locals, sym)) return LV_NIL;
    Value var = ns_resolve(p->rt, ns_current(p), sym);
    if (var == LV_NONE || !(atomic_load(&as_var(var)->flags) & VAR_MACRO)) return LV_NIL;
    Value f = var_get(p, var);
    return f == LV_NONE ? LV_NIL : f;
}

static Value list_with_pos(Proc *p, Value head, Value tail, Value pos) {
    Value *o = lv_alloc(p, 4);
    o[0] = mk_header(T_CONS, HF_POS, 3);
    o[1] = head;
    o[2] = tail;
    o[3] = pos;
    return box_val(o);
}

static bool cons_pos(Value form, Value *pos) {
    if (!is_cons(form) || !(box_flags(form) & HF_POS)) return false;
    *pos = box_ptr(form)[3];
    return true;
}

/* (%with-pos new old): new, carrying old's source position if new is a
 * list without one. */
static Value nat_with_pos(Proc *p, Value *a, uint32_t n) {
    Value nw = a[0], pos;
    if (!is_cons(nw) || (box_flags(nw) & HF_POS) || !cons_pos(a[1], &pos)) return nw;
    Value r = list_with_pos(p, car(nw), cdr(nw), pos);
    Value meta = box_meta(nw);
    return meta != LV_NIL ? coll_with_meta(p, r, meta) : r;
}

/* (%form-line form): the line a list read from source starts on, else nil. */
static Value nat_form_line(Proc *p, Value *a, uint32_t n) {
    uint32_t line, col;
    return reader_pos(a[0], &line, &col) ? fix(line) : LV_NIL;
}

/* (%relist old new-list): old itself when every element is identical,
 * else new-list carrying old's position and metadata. */
static Value nat_relist(Proc *p, Value *a, uint32_t n) {
    Value old = a[0], nw = a[1];
    Value x = old, y = nw;
    bool same = true;
    while (is_cons(x) && is_cons(y)) {
        if (car(x) != car(y)) {
            same = false;
            break;
        }
        x = cdr(x);
        y = cdr(y);
    }
    if (same && x == LV_EMPTY && y == LV_EMPTY) return old;
    if (!is_cons(nw)) return nw;
    Value pos, r = nw;
    if (cons_pos(old, &pos)) r = list_with_pos(p, car(nw), cdr(nw), pos);
    Value meta = box_meta(old);
    return meta != LV_NIL ? coll_with_meta(p, r, meta) : r;
}

/* Elements of a collection form as a list (maps: [k v] tuples). */
static Value nat_elements(Proc *p, Value *a, uint32_t n) {
    SeqIter it;
    if (!seq_iter_init(&it, a[0])) return LV_EMPTY;
    Value acc = LV_EMPTY, x;
    while (seq_iter_next(p, &it, &x)) acc = mk_cons(p, x, acc);
    return list_reverse(p, acc);
}

/* (%rebuild old elems): a collection of old's kind and metadata holding
 * elems; old itself if nothing changed. */
static Value nat_rebuild(Proc *p, Value *a, uint32_t n) {
    Value old = a[0], elems = a[1];
    size_t cnt = 0;
    for (Value l = elems; is_cons(l); l = cdr(l)) cnt++;
    Value *xs = lv_alloc(p, cnt ? cnt : 1);
    size_t i = 0;
    for (Value l = elems; is_cons(l); l = cdr(l)) xs[i++] = car(l);
    /* unchanged? */
    SeqIter it;
    seq_iter_init(&it, old);
    Value x;
    bool same = true;
    i = 0;
    while (seq_iter_next(p, &it, &x)) {
        if (i >= cnt || !(x == xs[i] || (is_map(old) && lv_equal(x, xs[i])))) {
            same = false;
            break;
        }
        i++;
    }
    if (same && i == cnt) return old;
    Value r;
    if (is_tuple(old)) {
        r = mk_tuple(p, cnt);
        memcpy(tuple_elems(r), xs, cnt * sizeof(Value));
    } else if (is_vector(old)) {
        r = vec_from(p, xs, cnt);
    } else if (is_set(old)) {
        r = set_from(p, xs, cnt);
    } else {
        r = map_empty(p);
        for (size_t k = 0; k < cnt; k++)
            if (is_tuple(xs[k]) && tuple_len(xs[k]) == 2)
                r = map_put(p, r, tuple_elems(xs[k])[0], tuple_elems(xs[k])[1]);
    }
    Value meta = box_meta(old);
    return meta != LV_NIL ? coll_with_meta(p, r, meta) : r;
}

/* (%special-name form): :def :fn* :match :do :quote :var :receive for a
 * special form (bare or lona.core-qualified head), else nil. */
static Value nat_special_name(Proc *p, Value *a, uint32_t n) {
    Value form = a[0];
    if (!is_cons(form) || !is_symbol(car(form))) return LV_NIL;
    Value s = sym_strip(car(form));
    const AtomEntry *e = atoms_get(&p->rt->atoms, atom_index(s));
    if (e->ns) {
        if (strcmp(e->ns, "lona.core") != 0) return LV_NIL;
        s = mk_symbol(e->unqualified);
    }
    if (!cc_is_special(s)) return LV_NIL;
    return mk_keyword(atom_index(s));
}

static bool is_sym_named(Value v, Value s) { return is_symbol(v) && sym_strip(v) == s; }

static Value nat_when_p(Proc *p, Value *a, uint32_t n) {
    return lv_bool(is_sym_named(a[0], S_(when)) || is_sym_named(a[0], S_(core_when)));
}

/* Add the symbols a pattern binds to the set acc (explicit stack). */
static Value pattern_syms(Proc *p, Value pat, Value acc) {
    Value stack[256];
    int sp = 0;
    stack[sp++] = pat;
    while (sp > 0) {
        Value x = stack[--sp];
        if (is_symbol(x)) {
            Value s = sym_strip(x);
            if (s != S_(underscore) && s != S_(amp)) acc = set_add(p, acc, s);
            continue;
        }
        if (is_cons(x) && is_sym_named(car(x), S_(quote))) continue;
        if (is_cons(x) && (is_sym_named(car(x), S_(core_pid)) || is_sym_named(car(x), S_(pid)) ||
                           is_sym_named(car(x), S_(core_bytes)) || is_sym_named(car(x), S_(core_bits))))
            x = cdr(x);
        SeqIter it;
        if (!is_coll(x) || !seq_iter_init(&it, x)) continue;
        Value e;
        bool is_m = is_map(x);
        while (seq_iter_next(p, &it, &e)) {
            if (is_m) e = tuple_elems(e)[1]; /* keys are literals */
            if (sp < 256) stack[sp++] = e;
        }
    }
    return acc;
}

static Value nat_pattern_syms(Proc *p, Value *a, uint32_t n) {
    Value acc = is_set(a[1]) ? a[1] : set_empty(p);
    return pattern_syms(p, a[0], acc);
}

/* (%do-forms form): [:do forms] if form is (do ...), else [:form form]. */
static Value nat_do_forms(Proc *p, Value *a, uint32_t n) {
    Value f = a[0];
    if (is_cons(f) && nat_special_name(p, a, 1) == mk_keyword(ATOM_do_)) return mk_tuple2(p, K_(ok), cdr(f));
    return mk_tuple2(p, K_(form), f);
}

LONA_INTRINSICS(core_expand) = {
    {"lona.core", "%form-kind", 1, 1, nat_form_kind, NULL, NULL},
    {"lona.core", "%macro-call", 2, 2, nat_macro_call, NULL, NULL},
    {"lona.core", "%form-line", 1, 1, nat_form_line, NULL, NULL},
    {"lona.core", "%with-pos", 2, 2, nat_with_pos, NULL, NULL},
    {"lona.core", "%relist", 2, 2, nat_relist, NULL, NULL},
    {"lona.core", "%elements", 1, 1, nat_elements, NULL, NULL},
    {"lona.core", "%rebuild", 2, 2, nat_rebuild, NULL, NULL},
    {"lona.core", "%special-name", 1, 1, nat_special_name, NULL, NULL},
    {"lona.core", "%when?", 1, 1, nat_when_p, NULL, NULL},
    {"lona.core", "%pattern-syms", 2, 2, nat_pattern_syms, NULL, NULL},
    {"lona.core", "%do-forms", 1, 1, nat_do_forms, NULL, NULL},
};
LONA_INTRINSICS_COUNT(core_expand);
