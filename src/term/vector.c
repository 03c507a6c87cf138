/*
 * vector.c — persistent vectors: a 32-way trie of leaves plus a tail, as in
 * Clojure's PersistentVector.
 *
 *   T_VECTOR {count, shift, root, tail [, meta]}   count, shift: fixnums
 *   T_VNODE  {items...}                            1..32 Values
 *
 * Elements [0, tailoff) live in the trie, the last 1..32 (all of them when
 * count <= 32) in the tail, a T_VNODE sized exactly to its length. Leaves
 * are full (32 elements); inner nodes hold as many children as they use.
 * `shift` is 5 times the number of inner levels above the leaves (at least
 * 5, so the root is always an inner node, possibly empty).
 *
 * Recursion follows the trie depth (at most 13 levels), never the data.
 */
#include "term/coll_priv.h"

#include <stdlib.h>

#include "base/util.h"

#define VBITS 5
#define VWIDTH 32
#define VMASK 31

enum { V_COUNT, V_SHIFT, V_ROOT, V_TAIL, V_LEN };

static inline size_t vcount(Value v) { return (size_t)fix_val(box_payload(v)[V_COUNT]); }
static inline unsigned vshift(Value v) { return (unsigned)fix_val(box_payload(v)[V_SHIFT]); }
static inline Value vroot(Value v) { return box_payload(v)[V_ROOT]; }
static inline Value vtail(Value v) { return box_payload(v)[V_TAIL]; }
static inline Value *items(Value node) { return box_payload(node); }
static inline size_t node_len(Value node) { return box_size(node); }

static inline size_t tailoff(size_t cnt) {
    return cnt < VWIDTH ? 0 : ((cnt - 1) >> VBITS) << VBITS;
}

static Value node_new(Proc *p, size_t n) { return mk_box(p, T_VNODE, 0, n); }

/* Copy of node resized to len (extra slots nil). */
static Value node_copy(Proc *p, Value node, size_t len) {
    Value c = node_new(p, len);
    size_t old = node_len(node), keep = old < len ? old : len;
    memcpy(items(c), items(node), keep * sizeof(Value));
    for (size_t i = keep; i < len; i++) items(c)[i] = LV_NIL;
    return c;
}

static Value vec_make(Proc *p, size_t cnt, unsigned shift, Value root, Value tail, Value meta) {
    Value v = coll_alloc(p, T_VECTOR, V_LEN, meta);
    Value *o = box_payload(v);
    o[V_COUNT] = fix((int64_t)cnt);
    o[V_SHIFT] = fix(shift);
    o[V_ROOT] = root;
    o[V_TAIL] = tail;
    return v;
}

static Value vec_empty_meta(Proc *p, Value meta) {
    return vec_make(p, 0, VBITS, node_new(p, 0), node_new(p, 0), meta);
}

Value vec_empty(Proc *p) { return vec_empty_meta(p, LV_NIL); }
size_t vec_count(Value v) { return vcount(v); }

/* The leaf node (or tail) holding element i. */
static Value leaf_node(Value v, size_t i) {
    if (i >= tailoff(vcount(v))) return vtail(v);
    Value node = vroot(v);
    for (unsigned level = vshift(v); level > 0; level -= VBITS)
        node = items(node)[(i >> level) & VMASK];
    return node;
}

const Value *vec_leaf(Value v, size_t i) { return items(leaf_node(v, i)); }
Value vec_nth(Value v, size_t i) { return vec_leaf(v, i)[i & VMASK]; }

/* ---- building from an array, bottom up ---- */

Value vec_from(Proc *p, const Value *xs, size_t n) {
    size_t toff = tailoff(n);
    Value tail = node_new(p, n - toff);
    if (n > toff) memcpy(items(tail), xs + toff, (n - toff) * sizeof(Value)); /* xs may be NULL when n is 0 */
    size_t nodes = toff / VWIDTH;
    if (nodes == 0) return vec_make(p, n, VBITS, node_new(p, 0), tail, LV_NIL);
    Value local[64];
    Value *level = nodes <= 64 ? local : xmalloc(nodes * sizeof(Value));
    for (size_t i = 0; i < nodes; i++) {
        level[i] = node_new(p, VWIDTH);
        memcpy(items(level[i]), xs + i * VWIDTH, VWIDTH * sizeof(Value));
    }
    unsigned shift = VBITS;
    for (;;) {
        /* Group the current level into parents of up to 32 children. */
        size_t parents = (nodes + VWIDTH - 1) / VWIDTH;
        for (size_t i = 0; i < parents; i++) {
            size_t k = nodes - i * VWIDTH < VWIDTH ? nodes - i * VWIDTH : VWIDTH;
            Value parent = node_new(p, k);
            memcpy(items(parent), level + i * VWIDTH, k * sizeof(Value));
            level[i] = parent;
        }
        nodes = parents;
        if (nodes == 1) break;
        shift += VBITS;
    }
    Value root = level[0];
    if (level != local) free(level);
    return vec_make(p, n, shift, root, tail, LV_NIL);
}

/* ---- conj ---- */

static Value new_path(Proc *p, unsigned level, Value node) {
    if (level == 0) return node;
    Value r = node_new(p, 1);
    items(r)[0] = new_path(p, level - VBITS, node);
    return r;
}

static Value push_tail(Proc *p, size_t cnt, unsigned level, Value parent, Value tailnode) {
    size_t sub = ((cnt - 1) >> level) & VMASK;
    size_t len = node_len(parent);
    Value r = node_copy(p, parent, sub + 1 > len ? sub + 1 : len);
    Value insert;
    if (level == VBITS)
        insert = tailnode;
    else if (sub < len)
        insert = push_tail(p, cnt, level - VBITS, items(parent)[sub], tailnode);
    else
        insert = new_path(p, level - VBITS, tailnode);
    items(r)[sub] = insert;
    return r;
}

Value vec_conj(Proc *p, Value v, Value x) {
    size_t cnt = vcount(v);
    unsigned shift = vshift(v);
    Value root = vroot(v), tail = vtail(v), meta = box_meta(v);
    size_t tlen = node_len(tail);
    if (tlen < VWIDTH) {
        Value nt = node_copy(p, tail, tlen + 1);
        items(nt)[tlen] = x;
        return vec_make(p, cnt + 1, shift, root, nt, meta);
    }
    Value nroot;
    if ((cnt >> VBITS) > ((size_t)1 << shift)) {
        nroot = node_new(p, 2);
        items(nroot)[0] = root;
        items(nroot)[1] = new_path(p, shift, tail);
        shift += VBITS;
    } else {
        nroot = push_tail(p, cnt, shift, root, tail);
    }
    Value nt = node_new(p, 1);
    items(nt)[0] = x;
    return vec_make(p, cnt + 1, shift, nroot, nt, meta);
}

/* ---- assoc ---- */

static Value do_assoc(Proc *p, unsigned level, Value node, size_t i, Value x) {
    Value r = node_copy(p, node, node_len(node));
    if (level == 0) {
        items(r)[i & VMASK] = x;
    } else {
        size_t sub = (i >> level) & VMASK;
        items(r)[sub] = do_assoc(p, level - VBITS, items(node)[sub], i, x);
    }
    return r;
}

Value vec_assoc(Proc *p, Value v, size_t i, Value x) {
    size_t cnt = vcount(v);
    LONA_ASSERT(i < cnt);
    if (vec_nth(v, i) == x) return v;
    Value root = vroot(v), tail = vtail(v);
    if (i >= tailoff(cnt)) {
        tail = node_copy(p, tail, node_len(tail));
        items(tail)[i & VMASK] = x;
    } else {
        root = do_assoc(p, vshift(v), root, i, x);
    }
    return vec_make(p, cnt, vshift(v), root, tail, box_meta(v));
}

/* ---- pop ---- */

/* The trie without its last leaf, or LV_NONE when that empties the node. */
static Value pop_tail(Proc *p, size_t cnt, unsigned level, Value node) {
    size_t sub = ((cnt - 2) >> level) & VMASK;
    if (level > VBITS) {
        Value child = pop_tail(p, cnt, level - VBITS, items(node)[sub]);
        if (child == LV_NONE && sub == 0) return LV_NONE;
        Value r = node_copy(p, node, child == LV_NONE ? sub : node_len(node));
        if (child != LV_NONE) items(r)[sub] = child;
        return r;
    }
    if (sub == 0) return LV_NONE;
    return node_copy(p, node, sub);
}

Value vec_pop(Proc *p, Value v) {
    size_t cnt = vcount(v);
    LONA_ASSERT(cnt > 0);
    Value meta = box_meta(v);
    if (cnt == 1) return vec_empty_meta(p, meta);
    unsigned shift = vshift(v);
    Value root = vroot(v), tail = vtail(v);
    if (cnt - tailoff(cnt) > 1) {
        Value nt = node_copy(p, tail, node_len(tail) - 1);
        return vec_make(p, cnt - 1, shift, root, nt, meta);
    }
    Value nt = leaf_node(v, cnt - 2);
    Value nroot = pop_tail(p, cnt, shift, root);
    if (nroot == LV_NONE) nroot = node_new(p, 0);
    if (shift > VBITS && node_len(nroot) == 1) {
        nroot = items(nroot)[0];
        shift -= VBITS;
    }
    return vec_make(p, cnt - 1, shift, nroot, nt, meta);
}
