/*
 * seq.c — uniform iteration over everything seqable (spec 4.5), counting,
 * the collection predicates, metadata copies, and the small C-side helpers
 * the intrinsics build on (cursor stacks, value arrays).
 *
 * A CollCur never allocates: maps yield keys and values alternately, so
 * that the printer, the hash and equality can walk them for free; only
 * SeqIter turns map entries into [k v] tuples. Cursors over HAMTs keep the
 * trie path in a separate HamtWalk so a stack of cursors stays small.
 */
#include "term/coll_priv.h"

#include "base/utf8.h"
#include <stdlib.h>

#include "base/util.h"
#include "term/binary.h"

enum {
    CK_EMPTY,
    CK_LIST,
    CK_TUPLE,
    CK_VECTOR,
    CK_SMAP,
    CK_HMAP,
    CK_SSET,
    CK_HSET,
    CK_STRING,
    CK_BINARY,
};

bool coll_cur_init(CollCur *c, Value coll) {
    c->coll = coll;
    c->cur = coll;
    c->items = NULL;
    c->index = 0;
    c->count = 0;
    if (coll == LV_NIL || coll == LV_EMPTY) {
        c->kind = CK_EMPTY;
        return true;
    }
    if (!is_boxed(coll)) return false;
    switch (box_type(coll)) {
    case T_CONS: c->kind = CK_LIST; return true;
    case T_TUPLE: c->kind = CK_TUPLE; c->count = tuple_len(coll); return true;
    case T_VECTOR: c->kind = CK_VECTOR; c->count = vec_count(coll); return true;
    case T_MAP:
        c->kind = CK_SMAP;
        c->count = 2 * hc_count(coll);
        c->items = hc_items(coll);
        return true;
    case T_HMAP: c->kind = CK_HMAP; c->count = 2 * hc_count(coll); return true;
    case T_SET:
        c->kind = CK_SSET;
        c->count = hc_count(coll);
        c->items = hc_items(coll);
        return true;
    case T_HSET: c->kind = CK_HSET; c->count = hc_count(coll); return true;
    case T_STRING: c->kind = CK_STRING; c->count = str_bytelen(coll); return true;
    case T_BIN:
    case T_BINREF: c->kind = CK_BINARY; c->count = binary_size(coll); return true;
    default: return false;
    }
}

bool coll_cur_needs_walk(const CollCur *c) { return c->kind == CK_HMAP || c->kind == CK_HSET; }

void coll_cur_start_walk(CollCur *c, HamtWalk *hw) { hamt_walk_start(hw, hc_root(c->coll)); }

bool coll_cur_next(CollCur *c, HamtWalk *hw, Value *out) {
    switch (c->kind) {
    case CK_LIST:
        if (!is_cons(c->cur)) return false;
        *out = car(c->cur);
        c->cur = cdr(c->cur);
        return true;
    case CK_EMPTY: return false;
    default: break;
    }
    if (c->index >= c->count) return false;
    size_t i = c->index;
    switch (c->kind) {
    case CK_TUPLE: *out = tuple_elems(c->coll)[i]; break;
    case CK_VECTOR:
        if ((i & 31) == 0) c->items = vec_leaf(c->coll, i);
        *out = c->items[i & 31];
        break;
    case CK_SMAP:
    case CK_SSET: *out = c->items[i]; break;
    case CK_HMAP:
        if ((i & 1) == 0) c->items = hamt_walk_next(hw, 2);
        *out = c->items[i & 1];
        break;
    case CK_HSET: *out = hamt_walk_next(hw, 1)[0]; break;
    case CK_STRING: {
        const char *s = str_bytes(c->coll);
        uint32_t cp;
        size_t n = utf8_decode(s + i, c->count - i, &cp);
        if (n == 0) { /* strings hold valid UTF-8; never loop on a bad byte */
            n = 1;
            cp = (uint8_t)s[i];
        }
        *out = mk_char(cp);
        c->index += n;
        return true;
    }
    case CK_BINARY: *out = fix(binary_bytes(c->coll)[i]); break;
    default: return false;
    }
    c->index++;
    return true;
}

/* ---- SeqIter ---- */

bool seq_iter_init(SeqIter *it, Value coll) {
    if (!coll_cur_init(&it->c, coll)) return false;
    if (coll_cur_needs_walk(&it->c)) coll_cur_start_walk(&it->c, &it->hw);
    return true;
}

bool seq_iter_next(Proc *p, SeqIter *it, Value *out) {
    if (it->c.kind == CK_SMAP || it->c.kind == CK_HMAP) {
        Value k, v;
        if (!coll_cur_next(&it->c, &it->hw, &k)) return false;
        coll_cur_next(&it->c, &it->hw, &v);
        *out = mk_tuple2(p, k, v);
        return true;
    }
    return coll_cur_next(&it->c, &it->hw, out);
}

bool seq_count(Value coll, size_t *out) {
    if (coll == LV_NIL || coll == LV_EMPTY) {
        *out = 0;
        return true;
    }
    if (!is_boxed(coll)) return false;
    switch (box_type(coll)) {
    case T_CONS: {
        size_t n = 0;
        for (Value l = coll; is_cons(l); l = cdr(l)) n++;
        *out = n;
        return true;
    }
    case T_TUPLE: *out = tuple_len(coll); return true;
    case T_VECTOR: *out = vec_count(coll); return true;
    case T_MAP:
    case T_HMAP:
    case T_SET:
    case T_HSET: *out = hc_count(coll); return true;
    case T_STRING: *out = str_cplen(coll); return true;
    case T_BIN:
    case T_BINREF: *out = binary_size(coll); return true;
    default: return false;
    }
}

bool is_coll(Value v) {
    return is_list(v) || is_tuple(v) || is_vector(v) || is_map(v) || is_set(v);
}

bool is_seqable(Value v) { return v == LV_NIL || is_coll(v) || is_string(v) || is_binary(v); }

/* ---- metadata ---- */

Value coll_with_meta(Proc *p, Value x, Value m) {
    if (is_symbol(x)) {
        Value s = sym_strip(x);
        if (m == LV_NIL) return s;
        Value r = mk_box(p, T_SYMMETA, HF_META, 2);
        box_payload(r)[0] = s;
        box_payload(r)[1] = m;
        return r;
    }
    if (!is_boxed(x)) return x; /* the empty list cannot carry metadata */
    switch (box_type(x)) {
    case T_CONS:
    case T_TUPLE:
    case T_VECTOR:
    case T_MAP:
    case T_HMAP:
    case T_SET:
    case T_HSET: break;
    default: return x;
    }
    size_t len = box_len(x);
    uint64_t flags = box_flags(x) & ~(HF_META | HF_BYTEBUF);
    bool has = m != LV_NIL;
    Value r = mk_box(p, box_type(x), flags | (has ? HF_META : 0), len + (has ? 1 : 0));
    memcpy(box_payload(r), box_payload(x), len * sizeof(Value));
    if (has) box_payload(r)[len] = m;
    return r;
}

/* ---- cursor stacks ---- */

void nest_init(NestStack *s) {
    s->frames = s->local;
    s->n = 0;
    s->cap = ARRAY_LEN(s->local);
    s->walks = s->local_walk;
    s->nwalks = 0;
    s->walkcap = ARRAY_LEN(s->local_walk);
}

void nest_free(NestStack *s) {
    if (s->frames != s->local) free(s->frames);
    if (s->walks != s->local_walk) free(s->walks);
}

/* Grow an array that starts in local storage. */
static void *grow(void *arr, void *local, size_t *cap, size_t elem) {
    size_t ncap = *cap * 2;
    void *r;
    if (arr == local) {
        r = xmalloc(ncap * elem);
        memcpy(r, arr, *cap * elem);
    } else {
        r = xrealloc(arr, ncap * elem);
    }
    *cap = ncap;
    return r;
}

NestFrame *nest_push(NestStack *s, Value coll) {
    if (s->n == s->cap) s->frames = grow(s->frames, s->local, &s->cap, sizeof(NestFrame));
    NestFrame *f = &s->frames[s->n++];
    bool ok = coll_cur_init(&f->c, coll);
    LONA_ASSERT(ok);
    f->acc = f->aux = 0;
    f->tag = 0;
    f->walk = -1;
    if (coll_cur_needs_walk(&f->c)) {
        if (s->nwalks == s->walkcap)
            s->walks = grow(s->walks, s->local_walk, &s->walkcap, sizeof(HamtWalk));
        f->walk = (int)s->nwalks++;
        coll_cur_start_walk(&f->c, &s->walks[f->walk]);
    }
    return f;
}

bool nest_next(NestStack *s, Value *out) {
    NestFrame *f = nest_top(s);
    return coll_cur_next(&f->c, f->walk >= 0 ? &s->walks[f->walk] : NULL, out);
}

void nest_pop(NestStack *s) {
    if (nest_top(s)->walk >= 0) s->nwalks--;
    s->n--;
}

/* ---- value arrays ---- */

void valarr_init(ValArr *a) {
    a->v = a->local;
    a->n = 0;
    a->cap = ARRAY_LEN(a->local);
}

void valarr_push(ValArr *a, Value x) {
    if (a->n == a->cap) a->v = grow(a->v, a->local, &a->cap, sizeof(Value));
    a->v[a->n++] = x;
}

void valarr_free(ValArr *a) {
    if (a->v != a->local) free(a->v);
}

bool valarr_push_all(Proc *p, ValArr *a, Value coll) {
    SeqIter it;
    if (!seq_iter_init(&it, coll)) return false;
    Value x;
    while (seq_iter_next(p, &it, &x)) valarr_push(a, x);
    return true;
}
