/*
 * coll_priv.h — internals shared by the collection files (vector.c,
 * hamt.c, map.c, set.c, seq.c, equal.c). Not for use outside src/term.
 *
 * Layouts (every payload word is a Value, as SCAN objects require; raw
 * numbers are fixnums):
 *
 *   T_MAP   small map   {count, k0, v0, k1, v1, ... [, meta]}   count <= 8
 *   T_SET   small set   {count, e0, e1, ... [, meta]}           count <= 8
 *   T_HMAP  large map   {count, root [, meta]}                  count > 8
 *   T_HSET  large set   {count, root [, meta]}                  count > 8
 *   T_HNODE trie node   {datamap, nodemap, entries..., children...}
 *   T_HCOLL collision   {entries...}
 *
 * A map and a set share the code below; they differ only in the width w of
 * an entry: 2 words (key, value) for maps, 1 (the element) for sets.
 *
 * Small collections keep insertion order (spec 3). A collection is small
 * exactly when it has at most SMALL_COLL_MAX entries: growing past it turns
 * it into a trie, shrinking back to it turns it back into an array (in trie
 * order).
 *
 * The trie is a CHAMP (compressed hash-array mapped prefix tree): a node's
 * datamap marks the 5-bit hash chunks that hold an entry inline, its
 * nodemap those that hold a child node; entries come first (in chunk
 * order), then children (in chunk order). It is kept canonical: a child
 * always holds at least two entries, so the same contents give the same
 * trie whatever the history, and iteration order depends only on contents
 * (collision nodes aside, which keep insertion order). Hashes are 64 bits
 * consumed 5 bits per level (the last level, shift 60, has 4 bits); keys
 * whose whole hashes collide share a collision node below shift 60.
 */
#ifndef LONA_COLL_PRIV_H
#define LONA_COLL_PRIV_H

#include "term/coll.h"
#include "term/alloc.h"
#include "term/equal.h"

#define HAMT_BITS 5
#define HAMT_MAX_SHIFT 60

/* ---- any boxed object with an optional metadata slot ---- */

/* Allocate a box of `len` payload words plus a metadata slot when meta is
 * not nil (the slot is filled here). */
static inline Value coll_alloc(Proc *p, BoxType t, size_t len, Value meta) {
    bool has = meta != LV_NIL;
    Value o = mk_box(p, t, has ? HF_META : 0, len + (has ? 1 : 0));
    if (has) box_payload(o)[len] = meta;
    return o;
}


/* ---- hashed collections (maps and sets) ---- */

static inline bool hc_is_small(Value c) {
    BoxType t = box_type(c);
    return t == T_MAP || t == T_SET;
}
static inline size_t hc_count(Value c) { return (size_t)fix_val(box_payload(c)[0]); }
/* Small: the entries. */
static inline Value *hc_items(Value c) { return box_payload(c) + 1; }
/* Large: the trie root. */
static inline Value hc_root(Value c) { return box_payload(c)[1]; }

const Value *hc_find(Value c, Value k, int w);
/* entry is {k, v} for maps, {x} for sets. */
Value hc_put(Proc *p, Value c, const Value *entry, int w);
Value hc_remove(Proc *p, Value c, Value k, int w);
Value hc_empty(Proc *p, int w);
Value hc_from(Proc *p, const Value *entries, size_t n, int w);

/* ---- trie nodes ---- */

static inline uint32_t hn_datamap(Value n) { return (uint32_t)fix_val(box_payload(n)[0]); }
static inline uint32_t hn_nodemap(Value n) { return (uint32_t)fix_val(box_payload(n)[1]); }
static inline Value *hn_data(Value n) { return box_payload(n) + 2; }
static inline Value *hn_children(Value n, int w) {
    return box_payload(n) + 2 + (size_t)w * (size_t)__builtin_popcount(hn_datamap(n));
}
static inline unsigned hamt_chunk(uint64_t h, unsigned shift) {
    return (unsigned)(h >> shift) & 31u;
}

Value hamt_empty_node(Proc *p);
const Value *hamt_find(Value node, uint64_t h, Value key, int w);
/* The hash of a key: lv_hash, except in tests that force collisions. */
typedef uint64_t (*HamtHashFn)(Value key);
/* Returns node itself when nothing changed; *added tells a new key. h is
 * hash(entry[0]); hash is needed again for a key already in the trie. */
Value hamt_put(Proc *p, Value node, unsigned shift, uint64_t h, const Value *entry, int w,
               HamtHashFn hash, bool *added);
/* Returns node itself when key is absent. */
Value hamt_remove(Proc *p, Value node, unsigned shift, uint64_t h, Value key, int w,
                  bool *removed);
/* The entries that may hold a key of hash h: *n entries from the result
 * (one inline entry, whose own hash may differ, or a collision node). */
const Value *hamt_bucket(Value node, uint64_t h, int w, size_t *n);

void hamt_walk_start(HamtWalk *hw, Value root);
/* Next entry in trie order, or NULL at the end. */
const Value *hamt_walk_next(HamtWalk *hw, int w);

#endif
