/*
 * map.c — maps, and the code maps share with sets: a flat array in
 * insertion order up to SMALL_COLL_MAX entries, a trie above (layouts in
 * term/coll_priv.h). The hc_* functions take the entry width w (2 for
 * maps, 1 for sets); map_* are the map API of term/coll.h.
 *
 * Operations are persistent and keep the argument's metadata; one that
 * changes nothing returns its argument.
 */
#include "term/coll_priv.h"

static inline BoxType small_type(int w) { return w == 2 ? T_MAP : T_SET; }
static inline BoxType large_type(int w) { return w == 2 ? T_HMAP : T_HSET; }

static Value small_alloc(Proc *p, size_t n, int w, Value meta) {
    Value c = coll_alloc(p, small_type(w), 1 + n * (size_t)w, meta);
    box_payload(c)[0] = fix((int64_t)n);
    return c;
}

static Value large_make(Proc *p, size_t n, Value root, int w, Value meta) {
    Value c = coll_alloc(p, large_type(w), 2, meta);
    box_payload(c)[0] = fix((int64_t)n);
    box_payload(c)[1] = root;
    return c;
}

Value hc_empty(Proc *p, int w) { return small_alloc(p, 0, w, LV_NIL); }

const Value *hc_find(Value c, Value k, int w) {
    if (hc_is_small(c)) {
        size_t n = hc_count(c);
        Value *e = hc_items(c);
        for (size_t i = 0; i < n; i++, e += w)
            if (lv_equal_inline(k, e[0])) return e;
        return NULL;
    }
    return hamt_find(hc_root(c), lv_hash(k), k, w);
}

/* A trie holding the n entries of items followed by entry (if not NULL). */
static Value trie_from(Proc *p, const Value *items, size_t n, const Value *extra, int w,
                       size_t *count) {
    Value root = hamt_empty_node(p);
    size_t total = 0;
    for (size_t i = 0; i <= n; i++) {
        const Value *e = i < n ? items + i * (size_t)w : extra;
        if (!e) break;
        bool added = false;
        root = hamt_put(p, root, 0, lv_hash(e[0]), e, w, lv_hash, &added);
        total += added;
    }
    *count = total;
    return root;
}

Value hc_put(Proc *p, Value c, const Value *entry, int w) {
    Value meta = box_meta(c);
    if (hc_is_small(c)) {
        size_t n = hc_count(c);
        Value *items = hc_items(c);
        for (size_t i = 0; i < n; i++) {
            Value *e = items + i * (size_t)w;
            if (!lv_equal_inline(entry[0], e[0])) continue;
            if (w == 1 || e[1] == entry[1]) return c;
            Value r = small_alloc(p, n, w, meta);
            memcpy(hc_items(r), items, n * (size_t)w * sizeof(Value));
            hc_items(r)[i * (size_t)w + 1] = entry[1];
            return r;
        }
        if (n < SMALL_COLL_MAX) {
            Value r = small_alloc(p, n + 1, w, meta);
            memcpy(hc_items(r), items, n * (size_t)w * sizeof(Value));
            memcpy(hc_items(r) + n * (size_t)w, entry, (size_t)w * sizeof(Value));
            return r;
        }
        size_t count;
        Value root = trie_from(p, items, n, entry, w, &count);
        return large_make(p, count, root, w, meta);
    }
    bool added = false;
    Value root = hc_root(c);
    Value nr = hamt_put(p, root, 0, lv_hash(entry[0]), entry, w, lv_hash, &added);
    if (nr == root) return c;
    return large_make(p, hc_count(c) + added, nr, w, meta);
}

Value hc_remove(Proc *p, Value c, Value k, int w) {
    Value meta = box_meta(c);
    if (hc_is_small(c)) {
        size_t n = hc_count(c);
        Value *items = hc_items(c);
        size_t i = 0;
        while (i < n && !lv_equal_inline(k, items[i * (size_t)w])) i++;
        if (i == n) return c;
        Value r = small_alloc(p, n - 1, w, meta);
        memcpy(hc_items(r), items, i * (size_t)w * sizeof(Value));
        memcpy(hc_items(r) + i * (size_t)w, items + (i + 1) * (size_t)w,
               (n - i - 1) * (size_t)w * sizeof(Value));
        return r;
    }
    bool removed = false;
    Value root = hc_root(c);
    Value nr = hamt_remove(p, root, 0, lv_hash(k), k, w, &removed);
    if (!removed) return c;
    size_t n = hc_count(c) - 1;
    if (n > SMALL_COLL_MAX) return large_make(p, n, nr, w, meta);
    Value r = small_alloc(p, n, w, meta);
    HamtWalk hw;
    hamt_walk_start(&hw, nr);
    const Value *e;
    for (Value *dst = hc_items(r); (e = hamt_walk_next(&hw, w)) != NULL; dst += w)
        memcpy(dst, e, (size_t)w * sizeof(Value));
    return r;
}

Value hc_from(Proc *p, const Value *entries, size_t n, int w) {
    if (n <= SMALL_COLL_MAX) {
        /* Deduplicate into a scratch array, then allocate once. */
        Value tmp[SMALL_COLL_MAX * 2];
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            const Value *e = entries + i * (size_t)w;
            size_t j = 0;
            while (j < m && !lv_equal_inline(e[0], tmp[j * (size_t)w])) j++;
            if (j == m) {
                memcpy(tmp + m * (size_t)w, e, (size_t)w * sizeof(Value));
                m++;
            } else if (w == 2) {
                tmp[j * 2 + 1] = e[1];
            }
        }
        Value r = small_alloc(p, m, w, LV_NIL);
        memcpy(hc_items(r), tmp, m * (size_t)w * sizeof(Value));
        return r;
    }
    /* Duplicates among many entries may still leave a small collection:
     * build incrementally so the representation rule holds. */
    Value c = hc_empty(p, w);
    for (size_t i = 0; i < n; i++) c = hc_put(p, c, entries + i * (size_t)w, w);
    return c;
}

/* ---- the map API ---- */

Value map_empty(Proc *p) { return hc_empty(p, 2); }
size_t map_count(Value m) { return hc_count(m); }

Value map_get(Value m, Value k) {
    const Value *e = hc_find(m, k, 2);
    return e ? e[1] : LV_NONE;
}

const Value *map_find_entry(Value m, Value k) { return hc_find(m, k, 2); }

Value map_put(Proc *p, Value m, Value k, Value v) {
    Value e[2] = {k, v};
    return hc_put(p, m, e, 2);
}

Value map_dissoc(Proc *p, Value m, Value k) { return hc_remove(p, m, k, 2); }

Value map_from_kvs(Proc *p, const Value *kvs, size_t nkv) { return hc_from(p, kvs, nkv / 2, 2); }
