/*
 * coll.h — persistent collections: vectors (32-way trie with a tail), maps
 * and sets (flat insertion-ordered arrays up to 8 entries, HAMTs above),
 * and uniform iteration over everything seqable.
 *
 * All operations are persistent (return a new collection, never mutate an
 * argument) and allocate on p's heap without collecting. Metadata of an
 * argument is carried to the result of put/dissoc/conj-like operations
 * (Clojure behaviour).
 *
 * Order rules (spec 3): small maps and sets keep insertion order (replacing
 * a value keeps the position, removal deletes, re-adding appends); large
 * ones iterate in a deterministic hash order. Layouts: term/vector.c and
 * term/coll_priv.h.
 */
#ifndef LONA_COLL_H
#define LONA_COLL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proc/proc.h"
#include "term/term.h"

#define SMALL_COLL_MAX 8

/* ---- vectors ---- */
Value vec_empty(Proc *p);
Value vec_from(Proc *p, const Value *xs, size_t n);
size_t vec_count(Value v);
Value vec_nth(Value v, size_t i);              /* i < count */
Value vec_conj(Proc *p, Value v, Value x);
Value vec_assoc(Proc *p, Value v, size_t i, Value x); /* i < count */
Value vec_pop(Proc *p, Value v);               /* count > 0 */

/* ---- maps ---- */
Value map_empty(Proc *p);
size_t map_count(Value m);
/* Value for k, or LV_NONE when absent. */
Value map_get(Value m, Value k);
Value map_put(Proc *p, Value m, Value k, Value v);
Value map_dissoc(Proc *p, Value m, Value k);
/* Map from alternating keys and values: nkv is the number of Values in kvs
 * (twice the number of entries). Later duplicates win, first position kept. */
Value map_from_kvs(Proc *p, const Value *kvs, size_t nkv);
/* The stored key equal to k together with its value, or NULL. */
const Value *map_find_entry(Value m, Value k);

/* ---- sets ---- */
Value set_empty(Proc *p);
size_t set_count(Value s);
bool set_contains(Value s, Value x);
Value set_add(Proc *p, Value s, Value x);
Value set_remove(Proc *p, Value s, Value x);
Value set_from(Proc *p, const Value *xs, size_t n);
/* The stored element equal to x, or LV_NONE. */
Value set_get(Value s, Value x);

/* Collections: lists (non-empty), tuples, vectors, maps, sets. */
static inline bool is_compound(Value v) {
    if (!is_boxed(v)) return false;
    switch (box_type(v)) {
    case T_CONS:
    case T_TUPLE:
    case T_VECTOR:
    case T_MAP:
    case T_HMAP:
    case T_SET:
    case T_HSET: return true;
    default: return false;
    }
}

/* ---- metadata ---- */
/* Copy of a symbol/list/tuple/vector/map/set with metadata m (nil clears).
 * The empty list is an immediate and is returned as it is. */
Value coll_with_meta(Proc *p, Value x, Value m);

/* ---- iteration over anything seqable ----
 * nil, list, tuple, vector, map (yields [k v] tuples, allocated on p),
 * set, string (yields characters), binary (yields bytes as fixnums).
 * Usage:
 *     SeqIter it;
 *     if (!seq_iter_init(&it, coll)) -> not seqable
 *     Value x;
 *     while (seq_iter_next(p, &it, &x)) ...
 * p may be NULL except for maps. */

/* Position in a HAMT (term/hamt.c): the path of nodes from the root and the
 * next slot to visit in each. A trie is at most HAMT_MAX_DEPTH deep. */
#define HAMT_MAX_DEPTH 16
typedef struct HamtWalk {
    Value node[HAMT_MAX_DEPTH];
    uint8_t pos[HAMT_MAX_DEPTH];
    int depth;
} HamtWalk;

/* A cursor over the elements of one seqable value, allocating nothing: a
 * map yields its keys and values alternately (k0 v0 k1 v1 ...). HAMT-backed
 * maps and sets keep their trie position in a HamtWalk held by the caller,
 * so that a stack of cursors stays small (see NestStack). */
typedef struct CollCur {
    Value coll;
    Value cur;           /* list: the next cell */
    const Value *items;  /* vector: current leaf; HAMT map: current entry */
    size_t index, count; /* items yielded / to yield (string: byte offsets) */
    int kind;
} CollCur;

typedef struct SeqIter {
    CollCur c;
    HamtWalk hw;
} SeqIter;

bool seq_iter_init(SeqIter *it, Value coll);
bool seq_iter_next(Proc *p, SeqIter *it, Value *out);
/* Element count of a seqable (strings: code points); false if not seqable. */
bool seq_count(Value coll, size_t *out);
/* Is it a collection (list, tuple, vector, map, set)? */
bool is_coll(Value v);
/* Is it seqable (a collection, nil, string or binary)? */
bool is_seqable(Value v);

/* Start a cursor; false if coll is not seqable. A HAMT-backed map or set
 * needs a HamtWalk (coll_cur_needs_walk): start it with coll_cur_start_walk
 * and pass the same one to every coll_cur_next (hw is NULL otherwise). */
bool coll_cur_init(CollCur *c, Value coll);
bool coll_cur_needs_walk(const CollCur *c);
void coll_cur_start_walk(CollCur *c, HamtWalk *hw);
bool coll_cur_next(CollCur *c, HamtWalk *hw, Value *out);

/* A stack of cursors for walking nested collections without recursion on
 * the C stack (printer, hash). Each frame carries two words for its user. */
typedef struct NestFrame {
    CollCur c;
    uint64_t acc, aux;
    int tag;
    int walk;            /* index into walks, or -1 */
} NestFrame;

typedef struct NestStack {
    NestFrame *frames;
    size_t n, cap;
    HamtWalk *walks;
    size_t nwalks, walkcap;
    NestFrame local[8];
    HamtWalk local_walk[2];
} NestStack;

void nest_init(NestStack *s);
void nest_free(NestStack *s);
/* Push a cursor over coll (which must be seqable); returns the new frame. */
NestFrame *nest_push(NestStack *s, Value coll);
static inline NestFrame *nest_top(NestStack *s) { return &s->frames[s->n - 1]; }
bool nest_next(NestStack *s, Value *out);
void nest_pop(NestStack *s);

/* ---- sequence helpers for intrinsics ---- */
/* A growable array of Values in C memory (nothing in it moves: no collection
 * runs during C code). */
typedef struct ValArr {
    Value *v;
    size_t n, cap;
    Value local[32];
} ValArr;

void valarr_init(ValArr *a);
void valarr_push(ValArr *a, Value x);
void valarr_free(ValArr *a);
/* Append every element of a seqable; false if not seqable. */
bool valarr_push_all(Proc *p, ValArr *a, Value coll);

/* The leaf (32 items, or the tail) holding element i of a vector: the
 * element is at [i & 31]. For walking a vector leaf by leaf. */
const Value *vec_leaf(Value v, size_t i);

#endif
