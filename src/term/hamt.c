/*
 * hamt.c — the trie nodes under large maps and sets (layout and invariants
 * in term/coll_priv.h). Every operation copies the path it changes and
 * shares the rest; nothing here ever mutates a node that was published.
 *
 * Recursion follows the trie, which is at most 14 levels deep (13 levels of
 * hash chunks and a collision node), so the C stack stays bounded.
 */
#include "term/coll_priv.h"

#include "base/util.h"

static inline int popc(uint32_t x) { return __builtin_popcount(x); }

static Value hn_alloc(Proc *p, uint32_t dm, uint32_t nm, int w) {
    Value n = mk_box(p, T_HNODE, 0, 2 + (size_t)w * (size_t)popc(dm) + (size_t)popc(nm));
    box_payload(n)[0] = fix(dm);
    box_payload(n)[1] = fix(nm);
    return n;
}

Value hamt_empty_node(Proc *p) { return hn_alloc(p, 0, 0, 1); }

static inline void copy_entry(Value *dst, const Value *src, int w) {
    dst[0] = src[0];
    if (w == 2) dst[1] = src[1];
}

/* A node holding two entries whose keys differ, placed below `shift`. */
static Value merge_two(Proc *p, unsigned shift, const Value *e1, uint64_t h1, const Value *e2,
                       uint64_t h2, int w) {
    if (shift > HAMT_MAX_SHIFT) {
        Value c = mk_box(p, T_HCOLL, 0, 2 * (size_t)w);
        copy_entry(box_payload(c), e1, w);
        copy_entry(box_payload(c) + w, e2, w);
        return c;
    }
    unsigned c1 = hamt_chunk(h1, shift), c2 = hamt_chunk(h2, shift);
    if (c1 == c2) {
        Value sub = merge_two(p, shift + HAMT_BITS, e1, h1, e2, h2, w);
        Value n = hn_alloc(p, 0, 1u << c1, w);
        hn_children(n, w)[0] = sub;
        return n;
    }
    Value n = hn_alloc(p, (1u << c1) | (1u << c2), 0, w);
    if (c1 > c2) {
        const Value *t = e1;
        e1 = e2;
        e2 = t;
    }
    copy_entry(hn_data(n), e1, w);
    copy_entry(hn_data(n) + w, e2, w);
    return n;
}

const Value *hamt_find(Value node, uint64_t h, Value key, int w) {
    unsigned shift = 0;
    for (;;) {
        if (box_type(node) == T_HCOLL) {
            size_t n = box_size(node) / (size_t)w;
            Value *e = box_payload(node);
            for (size_t i = 0; i < n; i++, e += w)
                if (lv_equal_inline(key, e[0])) return e;
            return NULL;
        }
        uint32_t bit = 1u << hamt_chunk(h, shift);
        uint32_t dm = hn_datamap(node);
        if (dm & bit) {
            const Value *e = hn_data(node) + (size_t)w * (size_t)popc(dm & (bit - 1));
            return lv_equal_inline(key, e[0]) ? e : NULL;
        }
        uint32_t nm = hn_nodemap(node);
        if (!(nm & bit)) return NULL;
        node = hn_children(node, w)[popc(nm & (bit - 1))];
        shift += HAMT_BITS;
    }
}

const Value *hamt_bucket(Value node, uint64_t h, int w, size_t *n) {
    unsigned shift = 0;
    for (;;) {
        if (box_type(node) == T_HCOLL) {
            *n = box_size(node) / (size_t)w;
            return box_payload(node);
        }
        uint32_t bit = 1u << hamt_chunk(h, shift);
        uint32_t dm = hn_datamap(node);
        if (dm & bit) {
            *n = 1;
            return hn_data(node) + (size_t)w * (size_t)popc(dm & (bit - 1));
        }
        uint32_t nm = hn_nodemap(node);
        if (!(nm & bit)) {
            *n = 0;
            return NULL;
        }
        node = hn_children(node, w)[popc(nm & (bit - 1))];
        shift += HAMT_BITS;
    }
}

/* ---- node rebuilding: one copy per change, everything else shared ---- */

static Value node_clone(Proc *p, Value node) {
    size_t len = box_size(node);
    Value c = mk_box(p, box_type(node), 0, len);
    memcpy(box_payload(c), box_payload(node), len * sizeof(Value));
    return c;
}

/* node with an entry inserted for chunk bit (which is free). */
static Value node_insert_data(Proc *p, Value node, uint32_t bit, const Value *entry, int w) {
    uint32_t dm = hn_datamap(node), nm = hn_nodemap(node);
    size_t idx = (size_t)w * (size_t)popc(dm & (bit - 1));
    size_t ndata = (size_t)w * (size_t)popc(dm), nkids = (size_t)popc(nm);
    Value n = hn_alloc(p, dm | bit, nm, w);
    Value *src = hn_data(node), *dst = hn_data(n);
    memcpy(dst, src, idx * sizeof(Value));
    copy_entry(dst + idx, entry, w);
    memcpy(dst + idx + w, src + idx, (ndata - idx + nkids) * sizeof(Value));
    return n;
}

/* node with its inline entry at bit replaced by child sub. */
static Value node_data_to_child(Proc *p, Value node, uint32_t bit, Value sub, int w) {
    uint32_t dm = hn_datamap(node), nm = hn_nodemap(node);
    size_t idx = (size_t)w * (size_t)popc(dm & (bit - 1));
    size_t ndata = (size_t)w * (size_t)popc(dm);
    size_t ci = (size_t)popc(nm & (bit - 1)), nkids = (size_t)popc(nm);
    Value n = hn_alloc(p, dm & ~bit, nm | bit, w);
    Value *src = hn_data(node), *dst = hn_data(n);
    memcpy(dst, src, idx * sizeof(Value));
    memcpy(dst + idx, src + idx + w, (ndata - idx - w) * sizeof(Value));
    Value *skids = src + ndata, *dkids = dst + ndata - w;
    memcpy(dkids, skids, ci * sizeof(Value));
    dkids[ci] = sub;
    memcpy(dkids + ci + 1, skids + ci, (nkids - ci) * sizeof(Value));
    return n;
}

/* node with its child at bit replaced by the single entry it shrank to. */
static Value node_child_to_data(Proc *p, Value node, uint32_t bit, const Value *entry, int w) {
    uint32_t dm = hn_datamap(node), nm = hn_nodemap(node);
    size_t idx = (size_t)w * (size_t)popc(dm & (bit - 1));
    size_t ndata = (size_t)w * (size_t)popc(dm);
    size_t ci = (size_t)popc(nm & (bit - 1)), nkids = (size_t)popc(nm);
    Value n = hn_alloc(p, dm | bit, nm & ~bit, w);
    Value *src = hn_data(node), *dst = hn_data(n);
    memcpy(dst, src, idx * sizeof(Value));
    copy_entry(dst + idx, entry, w);
    memcpy(dst + idx + w, src + idx, (ndata - idx) * sizeof(Value));
    Value *skids = src + ndata, *dkids = dst + ndata + w;
    memcpy(dkids, skids, ci * sizeof(Value));
    memcpy(dkids + ci, skids + ci + 1, (nkids - ci - 1) * sizeof(Value));
    return n;
}

static Value node_remove_data(Proc *p, Value node, uint32_t bit, int w) {
    uint32_t dm = hn_datamap(node), nm = hn_nodemap(node);
    size_t idx = (size_t)w * (size_t)popc(dm & (bit - 1));
    size_t rest = (size_t)w * (size_t)popc(dm) + (size_t)popc(nm) - idx - w;
    Value n = hn_alloc(p, dm & ~bit, nm, w);
    memcpy(hn_data(n), hn_data(node), idx * sizeof(Value));
    memcpy(hn_data(n) + idx, hn_data(node) + idx + w, rest * sizeof(Value));
    return n;
}

/* A subtree that shrank to one entry is inlined by its parent. */
static bool node_is_single(Value n) {
    return box_type(n) == T_HNODE && hn_nodemap(n) == 0 && popc(hn_datamap(n)) == 1;
}

/* ---- put ---- */

static Value coll_put(Proc *p, Value node, const Value *entry, int w, bool *added) {
    size_t n = box_size(node) / (size_t)w;
    Value *e = box_payload(node);
    for (size_t i = 0; i < n; i++, e += w) {
        if (!lv_equal_inline(entry[0], e[0])) continue;
        if (w == 1 || e[1] == entry[1]) return node;
        Value c = node_clone(p, node);
        box_payload(c)[i * 2 + 1] = entry[1];
        return c;
    }
    Value c = mk_box(p, T_HCOLL, 0, (n + 1) * (size_t)w);
    memcpy(box_payload(c), box_payload(node), n * (size_t)w * sizeof(Value));
    copy_entry(box_payload(c) + n * (size_t)w, entry, w);
    *added = true;
    return c;
}

Value hamt_put(Proc *p, Value node, unsigned shift, uint64_t h, const Value *entry, int w,
               HamtHashFn hash, bool *added) {
    if (box_type(node) == T_HCOLL) return coll_put(p, node, entry, w, added);
    uint32_t bit = 1u << hamt_chunk(h, shift);
    uint32_t dm = hn_datamap(node), nm = hn_nodemap(node);
    if (dm & bit) {
        size_t idx = (size_t)w * (size_t)popc(dm & (bit - 1));
        Value *e = hn_data(node) + idx;
        if (lv_equal_inline(entry[0], e[0])) {
            if (w == 1 || e[1] == entry[1]) return node;
            Value c = node_clone(p, node);
            hn_data(c)[idx + 1] = entry[1];
            return c;
        }
        Value sub = merge_two(p, shift + HAMT_BITS, e, hash(e[0]), entry, h, w);
        *added = true;
        return node_data_to_child(p, node, bit, sub, w);
    }
    if (nm & bit) {
        size_t ci = (size_t)popc(nm & (bit - 1));
        Value child = hn_children(node, w)[ci];
        Value nc = hamt_put(p, child, shift + HAMT_BITS, h, entry, w, hash, added);
        if (nc == child) return node;
        Value c = node_clone(p, node);
        hn_children(c, w)[ci] = nc;
        return c;
    }
    *added = true;
    return node_insert_data(p, node, bit, entry, w);
}

/* ---- remove ---- */

static Value coll_remove(Proc *p, Value node, Value key, int w, bool *removed) {
    size_t n = box_size(node) / (size_t)w;
    Value *items = box_payload(node);
    size_t i = 0;
    while (i < n && !lv_equal_inline(key, items[i * (size_t)w])) i++;
    if (i == n) return node;
    *removed = true;
    if (n == 2) {
        /* One entry left: hand it up as a one-entry node for the parent to
         * inline (the bit is irrelevant, the parent uses its own). */
        Value s = hn_alloc(p, 1, 0, w);
        copy_entry(hn_data(s), items + (1 - i) * (size_t)w, w);
        return s;
    }
    Value c = mk_box(p, T_HCOLL, 0, (n - 1) * (size_t)w);
    memcpy(box_payload(c), items, i * (size_t)w * sizeof(Value));
    memcpy(box_payload(c) + i * (size_t)w, items + (i + 1) * (size_t)w,
           (n - i - 1) * (size_t)w * sizeof(Value));
    return c;
}

Value hamt_remove(Proc *p, Value node, unsigned shift, uint64_t h, Value key, int w,
                  bool *removed) {
    if (box_type(node) == T_HCOLL) return coll_remove(p, node, key, w, removed);
    uint32_t bit = 1u << hamt_chunk(h, shift);
    uint32_t dm = hn_datamap(node), nm = hn_nodemap(node);
    if (dm & bit) {
        Value *e = hn_data(node) + (size_t)w * (size_t)popc(dm & (bit - 1));
        if (!lv_equal_inline(key, e[0])) return node;
        *removed = true;
        return node_remove_data(p, node, bit, w);
    }
    if (nm & bit) {
        size_t ci = (size_t)popc(nm & (bit - 1));
        Value child = hn_children(node, w)[ci];
        Value nc = hamt_remove(p, child, shift + HAMT_BITS, h, key, w, removed);
        if (nc == child) return node;
        if (node_is_single(nc)) return node_child_to_data(p, node, bit, hn_data(nc), w);
        Value c = node_clone(p, node);
        hn_children(c, w)[ci] = nc;
        return c;
    }
    return node;
}

/* ---- walking in trie order ---- */

void hamt_walk_start(HamtWalk *hw, Value root) {
    hw->depth = 0;
    hw->node[0] = root;
    hw->pos[0] = 0;
}

const Value *hamt_walk_next(HamtWalk *hw, int w) {
    while (hw->depth >= 0) {
        Value n = hw->node[hw->depth];
        unsigned pos = hw->pos[hw->depth];
        if (box_type(n) == T_HCOLL) {
            if (pos < box_size(n) / (size_t)w) {
                hw->pos[hw->depth]++;
                return box_payload(n) + pos * (size_t)w;
            }
            hw->depth--;
            continue;
        }
        unsigned ndata = (unsigned)popc(hn_datamap(n));
        if (pos < ndata) {
            hw->pos[hw->depth]++;
            return hn_data(n) + pos * (size_t)w;
        }
        if (pos - ndata < (unsigned)popc(hn_nodemap(n))) {
            hw->pos[hw->depth]++;
            Value child = hn_children(n, w)[pos - ndata];
            hw->depth++;
            LONA_ASSERT(hw->depth < HAMT_MAX_DEPTH);
            hw->node[hw->depth] = child;
            hw->pos[hw->depth] = 0;
            continue;
        }
        hw->depth--;
    }
    return NULL;
}
