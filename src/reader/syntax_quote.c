/*
 * syntax_quote.c — expansion of `F at read time (spec/lonala.md 2.9).
 *
 * The form after the backquote has been read completely (inner
 * syntax-quotes already expanded, ~x read as (lona.core/unquote x), ~@x as
 * (lona.core/unquote-splicing x)); this turns it into code that rebuilds it:
 *
 *   symbol s        (quote s')   s' resolved against the current namespace
 *   ~x              x
 *   (a ~b c)        (lona.core/list (quote a') b (quote c'))
 *   (a ~@b)         (lona.core/apply lona.core/list
 *                     (lona.core/concat (lona.core/list (quote a')) b))
 *   [..] {..} %{..} #{..}  the same with tuple, vector, hash-map, hash-set
 *   metadata m      (lona.core/with-meta EXPR M) with M the expansion of m
 *   anything else   itself (self-evaluating)
 *
 * Symbols: special-form names, & and _ stay; x# becomes x__N__auto__ (one
 * N per name per syntax-quote); an alias qualifier is replaced by its
 * namespace; an unqualified symbol naming a var is qualified with the var's
 * namespace; any other symbol is left as it is.
 *
 * The walk is post-order over an explicit stack of frames. Children of open
 * frames are flattened onto one LIFO array (kids), finished child
 * expressions onto another (pieces), so no C recursion follows the depth.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader/rd_internal.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/coll.h"
#include "vm/error.h"
#include "vm/ns.h"

typedef enum { SQ_LIST, SQ_TUPLE, SQ_VECTOR, SQ_MAP, SQ_SET, SQ_SYM } SqKind;

typedef struct SqFrame {
    uint8_t kind;
    bool is_meta;        /* builds the metadata of the frame below */
    bool meta_started;
    Value form;
    Value meta;          /* metadata of form, or nil */
    Value meta_expr;     /* expansion of meta, LV_NONE until built */
    size_t kid_base;     /* this frame's children are kids[kid_base..end) */
    size_t next, end;    /* remaining children: kids[next..end) */
    size_t piece_base;   /* this frame's finished children start here */
} SqFrame;

typedef struct SqPiece {
    Value expr;
    bool splice;
} SqPiece;

typedef struct Sq {
    Reader *r;
    Proc *p;
    Value ns;            /* current namespace, or nil when there is none */
    SqFrame *frames;
    size_t nf, capf;
    Value *kids;
    size_t nk, capk;
    SqPiece *pieces;
    size_t np, capp;
    Value result;
} Sq;

static void *grow_array(void *a, size_t *cap, size_t need, size_t elem) {
    if (a && need <= *cap) return a;
    size_t n = *cap ? *cap : 16;
    while (n < need) n *= 2;
    *cap = n;
    return xrealloc(a, n * elem);
}

static void push_kid(Sq *S, Value v) {
    S->kids = grow_array(S->kids, &S->capk, S->nk + 1, sizeof *S->kids);
    S->kids[S->nk++] = v;
}

/* ---- symbols ---- */

static bool sq_keeps(Value sym) {
    return sym == S_(def) || sym == S_(fn_star) || sym == S_(match) || sym == S_(do_) ||
           sym == S_(quote) || sym == S_(var) || sym == S_(receive) || sym == S_(amp) ||
           sym == S_(underscore);
}

static Value intern_qualified(Sq *S, const char *ns, size_t ns_len, const char *name,
                              size_t name_len) {
    uint32_t idx = atoms_intern(&S->p->rt->atoms, ns, ns_len, name, name_len);
    if (idx == UINT32_MAX) return rd_error(S->r, K_(invalid_token), "too many distinct names");
    return mk_symbol(idx);
}

/* sym qualified with the name of namespace nsv. */
static Value qualify(Sq *S, Value nsv, const AtomEntry *e) {
    const AtomEntry *n = atoms_get(&S->p->rt->atoms, atom_index(as_ns(nsv)->name));
    return intern_qualified(S, n->name, n->name_len, e->name, e->name_len);
}

static Value auto_gensym(Sq *S, Value sym, const AtomEntry *e) {
    Reader *r = S->r;
    Proc *p = S->p;
    if (r->gensyms == LV_NIL) r->gensyms = map_empty(p);
    Value g = map_get(r->gensyms, sym);
    if (g != LV_NONE) return g;
    unsigned long long n = atomic_fetch_add(&p->rt->next_gensym, 1);
    size_t cap = e->name_len + 48;
    char *buf = xmalloc(cap);
    int len = snprintf(buf, cap, "%.*s__%llu__auto__", (int)(e->name_len - 1), e->name, n);
    g = intern_qualified(S, NULL, 0, buf, (size_t)len);
    free(buf);
    if (g != LV_EXC) r->gensyms = map_put(p, r->gensyms, sym, g);
    return g;
}

static Value sq_resolve(Sq *S, Value sym) {
    if (sq_keeps(sym)) return sym;
    Runtime *rt = S->p->rt;
    const AtomEntry *e = atoms_get(&rt->atoms, atom_index(sym));
    if (!e->ns) {
        if (e->name_len > 1 && e->name[e->name_len - 1] == '#') return auto_gensym(S, sym, e);
        if (!is_ns(S->ns)) return sym;
        Value var = ns_resolve(rt, S->ns, sym);
        if (var == LV_NONE || !is_var(var)) return sym;
        return qualify(S, as_var(var)->ns, e);
    }
    if (!is_ns(S->ns)) return sym;
    Value alias = intern_qualified(S, NULL, 0, e->ns, e->ns_len);
    if (alias == LV_EXC) return alias;
    Value target = ns_alias_target(rt, S->ns, alias);
    if (!is_ns(target)) return sym;
    return qualify(S, target, e);
}

/* ---- building code ---- */

static Value list2(Proc *p, Value a, Value b) { return mk_cons(p, a, mk_cons(p, b, LV_EMPTY)); }

static Value quoted(Proc *p, Value x) { return list2(p, S_(quote), x); }

static Value ctor_of(SqKind k) {
    switch (k) {
    case SQ_TUPLE: return S_(core_tuple);
    case SQ_VECTOR: return S_(core_vector);
    case SQ_MAP: return S_(core_hash_map);
    case SQ_SET: return S_(core_hash_set);
    default: return S_(core_list);
    }
}

/* (ctor e...) from pieces without splices; with splices,
 * (apply ctor (concat (list e...) spliced ...)). */
static Value build_coll(Sq *S, SqKind kind, const SqPiece *ps, size_t n) {
    Proc *p = S->p;
    Value ctor = ctor_of(kind);
    bool any_splice = false;
    for (size_t i = 0; i < n; i++) any_splice |= ps[i].splice;
    if (!any_splice) {
        Value l = LV_EMPTY;
        for (size_t i = n; i > 0; i--) l = mk_cons(p, ps[i - 1].expr, l);
        return mk_cons(p, ctor, l);
    }
    /* Build the concat arguments back to front, grouping runs of plain
     * elements into one (lona.core/list ...). */
    Value args = LV_EMPTY;
    size_t i = n;
    while (i > 0) {
        if (ps[i - 1].splice) {
            args = mk_cons(p, ps[i - 1].expr, args);
            i--;
            continue;
        }
        Value run = LV_EMPTY;
        while (i > 0 && !ps[i - 1].splice) run = mk_cons(p, ps[--i].expr, run);
        args = mk_cons(p, mk_cons(p, S_(core_list), run), args);
    }
    Value cat = mk_cons(p, S_(core_concat), args);
    return mk_cons(p, S_(core_apply), mk_cons(p, ctor, mk_cons(p, cat, LV_EMPTY)));
}

/* ---- the walk ---- */

static Value meta_of(Value x) {
    if (!is_boxed(x)) return LV_NIL;
    if (box_flags(x) & HF_META) return box_meta(x);
    if (is_box_of(x, T_SYMMETA)) return box_ptr(x)[2];
    return LV_NIL;
}

/* (head x) with head the given symbol and exactly one argument? */
static bool is_call1(Value x, Value head) {
    return is_cons(x) && car(x) == head && is_cons(cdr(x)) && cdr(cdr(x)) == LV_EMPTY;
}

static void emit(Sq *S, Value expr, bool splice) {
    if (S->nf == 0) {
        S->result = expr;
        return;
    }
    S->pieces = grow_array(S->pieces, &S->capp, S->np + 1, sizeof *S->pieces);
    S->pieces[S->np++] = (SqPiece){expr, splice};
}

static void push_frame(Sq *S, SqKind kind, Value form, bool is_meta) {
    Proc *p = S->p;
    S->frames = grow_array(S->frames, &S->capf, S->nf + 1, sizeof *S->frames);
    SqFrame *f = &S->frames[S->nf++];
    *f = (SqFrame){.kind = (uint8_t)kind, .is_meta = is_meta, .form = form,
                   .meta = meta_of(form), .meta_expr = LV_NONE, .kid_base = S->nk, .next = S->nk,
                   .piece_base = S->np};
    switch (kind) {
    case SQ_LIST:
        for (Value l = form; is_cons(l); l = cdr(l)) push_kid(S, car(l));
        break;
    case SQ_TUPLE:
        for (size_t i = 0; i < tuple_len(form); i++) push_kid(S, tuple_elems(form)[i]);
        break;
    case SQ_VECTOR: {
        size_t n = vec_count(form);
        for (size_t i = 0; i < n; i++) push_kid(S, vec_nth(form, i));
        break;
    }
    case SQ_MAP:
    case SQ_SET: {
        SeqIter it;
        Value x;
        if (seq_iter_init(&it, form)) {
            while (seq_iter_next(p, &it, &x)) {
                if (kind == SQ_MAP) {
                    push_kid(S, tuple_elems(x)[0]);
                    push_kid(S, tuple_elems(x)[1]);
                } else {
                    push_kid(S, x);
                }
            }
        }
        break;
    }
    case SQ_SYM:
        break;
    }
    S->frames[S->nf - 1].end = S->nk;
}

/* Handle one child (or the root): emit a piece or open a frame. */
static Value child(Sq *S, Value c) {
    if (is_call1(c, S_(core_unquote))) {
        emit(S, car(cdr(c)), false);
        return LV_NIL;
    }
    if (is_call1(c, S_(core_unquote_splicing))) {
        if (S->nf == 0)
            return rd_error(S->r, K_(syntax_error), "~@ directly inside ` has nothing to splice into");
        emit(S, car(cdr(c)), true);
        return LV_NIL;
    }
    if (is_cons(c)) push_frame(S, SQ_LIST, c, false);
    else if (is_tuple(c)) push_frame(S, SQ_TUPLE, c, false);
    else if (is_vector(c)) push_frame(S, SQ_VECTOR, c, false);
    else if (is_map(c)) push_frame(S, SQ_MAP, c, false);
    else if (is_set(c)) push_frame(S, SQ_SET, c, false);
    else if (is_box_of(c, T_SYMMETA)) push_frame(S, SQ_SYM, c, false);
    else if (is_symbol_imm(c)) {
        Value s = sq_resolve(S, c);
        if (s == LV_EXC) return s;
        emit(S, quoted(S->p, s), false);
    } else {
        emit(S, c, false);
    }
    return LV_NIL;
}

/* The top frame has no children left: build its expression. */
static Value finish_frame(Sq *S) {
    Proc *p = S->p;
    SqFrame f = S->frames[S->nf - 1];
    Value expr;
    if (f.kind == SQ_SYM) {
        Value s = sq_resolve(S, sym_strip(f.form));
        if (s == LV_EXC) return s;
        expr = quoted(p, s);
    } else {
        expr = build_coll(S, (SqKind)f.kind, S->pieces + f.piece_base, S->np - f.piece_base);
    }
    if (f.meta_expr != LV_NONE)
        expr = mk_cons(p, S_(core_with_meta), list2(p, expr, f.meta_expr));
    S->np = f.piece_base;
    S->nk = f.kid_base;
    S->nf--;
    if (f.is_meta)
        S->frames[S->nf - 1].meta_expr = expr;
    else
        emit(S, expr, false);
    return LV_NIL;
}

static Value sq_walk(Sq *S, Value form) {
    if (child(S, form) == LV_EXC) return LV_EXC;
    while (S->nf > 0) {
        SqFrame *f = &S->frames[S->nf - 1];
        if (f->next < f->end) {
            Value c = S->kids[f->next++];
            if (child(S, c) == LV_EXC) return LV_EXC;
            continue;
        }
        if (is_map(f->meta) && !f->meta_started) {
            f->meta_started = true;
            push_frame(S, SQ_MAP, f->meta, true);
            continue;
        }
        if (finish_frame(S) == LV_EXC) return LV_EXC;
    }
    return S->result;
}

Value rd_syntax_quote(Reader *r, Value form, uint32_t line, uint32_t col) {
    Proc *p = r->p;
    Sq S = {.r = r, .p = p, .result = LV_NONE};
    /* Start with room everywhere, so no array pointer is ever NULL. */
    S.frames = grow_array(NULL, &S.capf, 16, sizeof *S.frames);
    S.kids = grow_array(NULL, &S.capk, 16, sizeof *S.kids);
    S.pieces = grow_array(NULL, &S.capp, 16, sizeof *S.pieces);
    S.ns = ns_current(p);
    if (!is_ns(S.ns)) S.ns = LV_NIL;
    r->gensyms = LV_NIL;
    Value v = sq_walk(&S, form);
    r->gensyms = LV_NIL;
    free(S.frames);
    free(S.kids);
    free(S.pieces);
    if (v == LV_EXC) return v;
    if (is_cons(v) && !(box_flags(v) & HF_POS)) v = rd_cons_pos(p, car(v), cdr(v), line, col);
    return v;
}
