/*
 * equal.c — `=`, `identical?`, the hash that agrees with `=`, and `type`.
 *
 * Equality first decides what it can from the two words and headers
 * (eq_shallow); two collections of the same kind and size become a frame
 * on an explicit stack: sequences walk both cursors in step, maps and sets
 * look each key of one up in the other and leave the remaining obligations
 * (values, and keys that are collections) as pair frames. The C stack never
 * grows with the depth of the data.
 *
 * The hash walks with a NestStack (term/coll.h): ordered for lists, tuples
 * and vectors, a sum of entry hashes for maps and sets so that order does
 * not matter. Numbers hash through num_hash, which agrees with num_equal
 * (integers by value whatever their kind, 0.0 with -0.0, f32 widened);
 * symbols and keywords by their interned word; text and bytes by xxhash.
 *
 * Values share parts freely ([a a] holds a once), so a walk that visits
 * each path would take time exponential in the depth of the sharing. Both
 * walks remember the last few collections they met (hash: with its hash;
 * equality: the pair) and skip them when they come again.
 */
#include "term/equal.h"

#include <xxhash.h>

#include <stdlib.h>

#include "base/util.h"
#include "term/atoms.h"
#include "term/binary.h"
#include "term/coll_priv.h"
#include "term/num.h"

/* ---- hashing ---- */

static inline uint64_t mix64(uint64_t x) {
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    x ^= x >> 31;
    return x;
}

enum { SEED_STRING = 0x5354, SEED_BINARY = 0x42494e };

static uint64_t hash_scalar(Value v) {
    if (is_number(v)) return mix64(num_hash(v));
    if (!is_boxed(v)) return mix64(v);
    switch (box_type(v)) {
    case T_SYMMETA: return mix64(sym_strip(v));
    case T_STRING: return XXH3_64bits_withSeed(str_bytes(v), str_bytelen(v), SEED_STRING);
    case T_BIN:
    case T_BINREF: return XXH3_64bits_withSeed(binary_bytes(v), binary_size(v), SEED_BINARY);
    /* A closure moves with its heap: hash its proto, which does not. */
    case T_CLOSURE: return mix64(box_payload(v)[0] ^ 0xc1);
    case T_BYTEBUF: return mix64((uint64_t)(uintptr_t)bytebuf_of(v));
    default: return mix64(v); /* vars, namespaces: literal area, never moved */
    }
}

enum { HK_ORDERED, HK_MAP, HK_SET };

static void hash_begin(NestFrame *f, Value coll) {
    switch (box_type(coll)) {
    case T_MAP:
    case T_HMAP: f->tag = HK_MAP; f->acc = 0x4d4150; break;
    case T_SET:
    case T_HSET: f->tag = HK_SET; f->acc = 0x534554; break;
    case T_TUPLE: f->tag = HK_ORDERED; f->acc = 0x5455504c; break;
    case T_VECTOR: f->tag = HK_ORDERED; f->acc = 0x56454354; break;
    default: f->tag = HK_ORDERED; f->acc = 0x4c495354; break;
    }
    f->aux = 0;
}

static void hash_feed(NestFrame *f, uint64_t h) {
    switch (f->tag) {
    case HK_ORDERED:
        f->acc = f->acc * 31 + h;
        f->aux++;
        break;
    case HK_MAP:
        /* index is odd right after a key was yielded */
        if (f->c.index & 1)
            f->aux = h;
        else
            f->acc += mix64(f->aux ^ (h * UINT64_C(0x9e3779b97f4a7c15)));
        break;
    default: f->acc += h; break;
    }
}

static uint64_t hash_finish(NestFrame *f) {
    uint64_t n = f->tag == HK_ORDERED ? f->aux : hc_count(f->c.coll);
    return mix64(f->acc ^ (n * UINT64_C(0xff51afd7ed558ccd)));
}

/* Collections hashed lately in one lv_hash call, by address (nothing
 * moves during the call). Cleared on first use only, so that a flat
 * collection pays nothing. */

typedef struct HashSeen {
    bool ready;
    Value coll[PAIR_MEMO_SLOTS];
    uint64_t hash[PAIR_MEMO_SLOTS];
} HashSeen;

static inline size_t seen_slot(Value a, Value b) { return mix64(a ^ (b * 31)) % PAIR_MEMO_SLOTS; }

static bool hash_seen(const HashSeen *seen, Value coll, uint64_t *h) {
    size_t i = seen_slot(coll, 0);
    if (!seen->ready || seen->coll[i] != coll) return false;
    *h = seen->hash[i];
    return true;
}

static void hash_remember(HashSeen *seen, Value coll, uint64_t h) {
    if (!seen->ready) {
        memset(seen->coll, 0, sizeof seen->coll); /* 0 is no Value */
        seen->ready = true;
    }
    size_t i = seen_slot(coll, 0);
    seen->coll[i] = coll;
    seen->hash[i] = h;
}

uint64_t lv_hash(Value v) {
    if (lv_is_word_eq(v)) return mix64(v); /* keywords and friends: the common map key */
    if (!is_compound(v)) return hash_scalar(v);
    HashSeen seen;
    seen.ready = false;
    NestStack s;
    nest_init(&s);
    hash_begin(nest_push(&s, v), v);
    uint64_t result = 0;
    for (;;) {
        Value x;
        if (nest_next(&s, &x)) {
            uint64_t h;
            if (!is_compound(x))
                hash_feed(nest_top(&s), hash_scalar(x));
            else if (hash_seen(&seen, x, &h))
                hash_feed(nest_top(&s), h);
            else
                hash_begin(nest_push(&s, x), x);
            continue;
        }
        Value done = nest_top(&s)->c.coll;
        uint64_t r = hash_finish(nest_top(&s));
        nest_pop(&s);
        if (s.n > 0) hash_remember(&seen, done, r);
        if (s.n == 0) {
            result = r;
            break;
        }
        hash_feed(nest_top(&s), r);
    }
    nest_free(&s);
    return result;
}

/* ---- equality ---- */

enum { EQ_FALSE, EQ_TRUE, EQ_DEEP };

static int eq_shallow(Value a, Value b) {
    if (a == b) {
        if (is_f32(a)) return f32_val(a) == f32_val(a) ? EQ_TRUE : EQ_FALSE;
        if (is_float(a)) return float_val(a) == float_val(a) ? EQ_TRUE : EQ_FALSE;
        return EQ_TRUE;
    }
    if (lv_is_word_eq(a) || lv_is_word_eq(b)) return EQ_FALSE;
    bool na = is_number(a), nb = is_number(b);
    if (na || nb) return na && nb && num_equal(a, b) ? EQ_TRUE : EQ_FALSE;
    if (is_symbol(a) || is_symbol(b))
        return is_symbol(a) && is_symbol(b) && sym_strip(a) == sym_strip(b) ? EQ_TRUE : EQ_FALSE;
    if (!is_boxed(a) || !is_boxed(b)) return EQ_FALSE;
    BoxType tb = box_type(b);
    bool same;
    switch (box_type(a)) {
    case T_STRING:
        return tb == T_STRING && str_bytelen(a) == str_bytelen(b) &&
                       memcmp(str_bytes(a), str_bytes(b), str_bytelen(a)) == 0
                   ? EQ_TRUE
                   : EQ_FALSE;
    case T_BIN:
    case T_BINREF:
        return is_binary(b) && binary_size(a) == binary_size(b) &&
                       memcmp(binary_bytes(a), binary_bytes(b), binary_size(a)) == 0
                   ? EQ_TRUE
                   : EQ_FALSE;
    case T_CONS: same = tb == T_CONS; break;
    case T_TUPLE: same = tb == T_TUPLE && tuple_len(a) == tuple_len(b); break;
    case T_VECTOR: same = tb == T_VECTOR && vec_count(a) == vec_count(b); break;
    case T_MAP:
    case T_HMAP: same = is_map(b) && hc_count(a) == hc_count(b); break;
    case T_SET:
    case T_HSET: same = is_set(b) && hc_count(a) == hc_count(b); break;
    default: return EQ_FALSE; /* functions, vars, bytebufs...: identity only */
    }
    return same ? EQ_DEEP : EQ_FALSE;
}

/* A frame compares two sequences in step, or (pair) two values. */
typedef struct EqFrame {
    CollCur a, b;
    bool pair;
} EqFrame;

typedef struct EqStack {
    EqFrame *f;
    size_t n, cap;
    EqFrame local[8];
} EqStack;

static EqFrame *eq_push(EqStack *s) {
    if (s->n == s->cap) {
        s->f = grow_inline(s->f, s->local, s->n, s->cap * 2, sizeof *s->f);
        s->cap *= 2;
    }
    return &s->f[s->n++];
}

static void eq_push_pair(EqStack *s, Value a, Value b) {
    EqFrame *f = eq_push(s);
    f->pair = true;
    f->a.coll = a;
    f->b.coll = b;
}

/* The entry of b whose key may equal k, a collection: found through the
 * hash. *pending says the keys are still to be compared (one candidate);
 * several candidates with the very same hash are compared right here. */
static const Value *find_compound_key(Value b, Value k, int w, bool *pending) {
    uint64_t h = lv_hash(k);
    const Value *cand[SMALL_COLL_MAX];
    const Value *items;
    size_t n, nc = 0;
    if (hc_is_small(b)) {
        n = hc_count(b);
        items = hc_items(b);
    } else {
        items = hamt_bucket(hc_root(b), h, w, &n);
    }
    const Value *found = NULL;
    for (size_t i = 0; i < n; i++) {
        const Value *e = items + i * (size_t)w;
        if (!is_compound(e[0]) || lv_hash(e[0]) != h) continue;
        if (nc < SMALL_COLL_MAX) cand[nc] = e;
        nc++;
        found = e;
    }
    *pending = nc == 1;
    if (nc <= 1) return found;
    for (size_t i = 0; i < nc && i < SMALL_COLL_MAX; i++)
        if (lv_equal(k, cand[i][0])) return cand[i];
    for (size_t i = 0; i < n; i++) { /* more than the first few collide */
        const Value *e = items + i * (size_t)w;
        if (is_compound(e[0]) && lv_equal(k, e[0])) return e;
    }
    return NULL;
}

/* Maps or sets of equal size: every entry of a is in b. */
static bool eq_hashed(EqStack *s, Value a, Value b) {
    int w = is_map(a) ? 2 : 1;
    HamtWalk hw;
    const Value *e = NULL;
    size_t n = hc_count(a), i = 0;
    if (!hc_is_small(a)) hamt_walk_start(&hw, hc_root(a));
    for (;;) {
        if (hc_is_small(a)) {
            if (i == n) break;
            e = hc_items(a) + i++ * (size_t)w;
        } else if ((e = hamt_walk_next(&hw, w)) == NULL) {
            break;
        }
        const Value *eb;
        if (is_compound(e[0])) {
            bool pending;
            eb = find_compound_key(b, e[0], w, &pending);
            if (eb && pending) eq_push_pair(s, e[0], eb[0]);
        } else {
            eb = hc_find(b, e[0], w);
        }
        if (!eb) return false;
        if (w == 2) {
            int r = eq_shallow(e[1], eb[1]);
            if (r == EQ_FALSE) return false;
            if (r == EQ_DEEP) eq_push_pair(s, e[1], eb[1]);
        }
    }
    return true;
}

/* Start comparing two collections that eq_shallow found alike. */
static bool eq_start(EqStack *s, Value a, Value b) {
    if (is_map(a) || is_set(a)) return eq_hashed(s, a, b);
    EqFrame *f = eq_push(s);
    f->pair = false;
    coll_cur_init(&f->a, a);
    coll_cur_init(&f->b, b);
    return true;
}

bool pair_memo_seen(PairMemo *memo, Value a, Value b) {
    if (!memo->ready) {
        memset(memo->a, 0, sizeof memo->a); /* 0 is no Value */
        memo->ready = true;
    }
    size_t i = seen_slot(a, b);
    if (memo->a[i] == a && memo->b[i] == b) return true;
    memo->a[i] = a;
    memo->b[i] = b;
    return false;
}

bool lv_equal(Value a, Value b) {
    int r = eq_shallow(a, b);
    if (r != EQ_DEEP) return r == EQ_TRUE;
    /* Equality is the conjunction of all the pairs met, so a pair met
     * again adds nothing; the top pair cannot come again (no cycles). */
    PairMemo seen;
    seen.ready = false;
    EqStack s = {.n = 0, .cap = ARRAY_LEN(s.local)};
    s.f = s.local;
    bool ok = eq_start(&s, a, b);
    while (ok && s.n > 0) {
        EqFrame *f = &s.f[s.n - 1];
        Value x, y;
        if (f->pair) {
            x = f->a.coll;
            y = f->b.coll;
            s.n--;
        } else if (!coll_cur_next(&f->a, NULL, &x)) {
            ok = !coll_cur_next(&f->b, NULL, &y);
            s.n--;
            continue;
        } else if (!coll_cur_next(&f->b, NULL, &y)) {
            ok = false;
            break;
        }
        r = eq_shallow(x, y);
        if (r == EQ_FALSE)
            ok = false;
        else if (r == EQ_DEEP && !pair_memo_seen(&seen, x, y))
            ok = eq_start(&s, x, y);
    }
    if (s.f != s.local) free(s.f);
    return ok;
}

/* ---- identity and type ---- */

bool lv_identical(Value a, Value b) {
    if (is_number(a) && is_number(b))
        return lv_type_keyword(a) == lv_type_keyword(b) && num_equal(a, b);
    return a == b;
}

static Value imm_type_keyword(Value v) {
    switch (imm_tag(v)) {
    case IMM_SPECIAL:
        if (v == LV_NIL) return K_(nil_);
        if (v == LV_TRUE || v == LV_FALSE) return K_(boolean);
        if (v == LV_EMPTY) return K_(list);
        return LV_NIL;
    case IMM_CHAR: return K_(char_);
    case IMM_KEYWORD: return K_(keyword);
    case IMM_SYMBOL: return K_(symbol);
    case IMM_U8: return K_(u8);
    case IMM_U16: return K_(u16);
    case IMM_U32: return K_(u32);
    case IMM_I8: return K_(i8);
    case IMM_I16: return K_(i16);
    case IMM_I32: return K_(i32);
    case IMM_F32: return K_(f32);
    case IMM_PID: return K_(pid);
    case IMM_REF: return K_(ref);
    case IMM_REALM: return K_(realm_id);
    case IMM_NOTIF: return K_(notification);
    case IMM_REGION: return K_(region);
    case IMM_NATIVE: return K_(fn);
    default: return LV_NIL;
    }
}

Value lv_type_keyword(Value v) {
    if (is_fix(v)) return K_(integer);
    if (is_imm(v)) return imm_type_keyword(v);
    if (!is_boxed(v)) return LV_NIL;
    switch (box_type(v)) {
    case T_CONS: return K_(list);
    case T_TUPLE: return K_(tuple);
    case T_VECTOR: return K_(vector);
    case T_MAP:
    case T_HMAP: return K_(map);
    case T_SET:
    case T_HSET: return K_(set);
    case T_SYMMETA: return K_(symbol);
    case T_RATIO: return K_(ratio);
    case T_CLOSURE: return K_(fn);
    case T_BIGNUM: return K_(integer);
    case T_FLOAT: return K_(float_);
    case T_U64: return K_(u64);
    case T_I64: return K_(i64);
    case T_STRING: return K_(string);
    case T_BIN:
    case T_BINREF: return K_(binary);
    case T_BYTEBUF: return K_(bytebuf);
    case T_VAR: return K_(var);
    case T_NS: return K_(namespace_);
    default: return LV_NIL;
    }
}
