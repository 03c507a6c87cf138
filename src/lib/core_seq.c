/*
 * core_seq.c — the derived sequence functions of spec 8.2 that need no
 * call back into Lonala, made native: second, last, butlast, concat, conj,
 * into, merge, get-in, assoc-in, take, drop, range, repeat, flatten, seq?,
 * coll?, seqable?.
 *
 * "Kind-preserving" (spec 8): a list, tuple or vector gives the same kind
 * back; anything else seqable gives a list.
 */
#include "lib/core_coll.h"

#include "lib/intrinsic.h"
#include "term/alloc.h"
#include "term/coll_priv.h"
#include "term/num.h"
#include "vm/error.h"

#define CORE "lona.core"

static Value list_of_arr(Proc *p, ValArr *a) {
    core_charge(p, a->n);
    Value r = core_list_of(p, a);
    valarr_free(a);
    return r;
}

/* A collection of c's kind (list for anything not a tuple or vector) made
 * of the n values at xs. */
static Value same_kind(Proc *p, Value c, const Value *xs, size_t n) {
    core_charge(p, n);
    if (is_tuple(c)) {
        Value t = mk_tuple(p, n);
        memcpy(tuple_elems(t), xs, n * sizeof(Value));
        return t;
    }
    if (is_vector(c)) return vec_from(p, xs, n);
    return mk_list_from(p, xs, n);
}

/* All elements of a seqable into arr; :type-error otherwise. */
static bool collect(Proc *p, const char *fname, ValArr *arr, Value c) {
    if (valarr_push_all(p, arr, c)) return true;
    valarr_free(arr);
    err_type(p, fname, c, "seqable");
    return false;
}

static Value core_second(Proc *p, Value *a, uint32_t n) {
    SeqIter it;
    if (!seq_iter_init(&it, a[0])) return err_type(p, "second", a[0], "seqable");
    Value x;
    if (!seq_iter_next(p, &it, &x) || !seq_iter_next(p, &it, &x)) return LV_NIL;
    return x;
}

static Value core_last(Proc *p, Value *a, uint32_t n) {
    Value c = a[0];
    if (is_tuple(c)) return tuple_len(c) ? tuple_elems(c)[tuple_len(c) - 1] : LV_NIL;
    if (is_vector(c)) return vec_count(c) ? vec_nth(c, vec_count(c) - 1) : LV_NIL;
    SeqIter it;
    if (!seq_iter_init(&it, c)) return err_type(p, "last", c, "seqable");
    Value x, prev = LV_NIL, last = LV_NIL;
    size_t k = 0;
    for (; coll_cur_next(&it.c, &it.hw, &x); k++) {
        prev = last;
        last = x;
    }
    core_charge(p, k);
    /* a map's cursor yields k v k v: the last two make the entry */
    if (is_map(c) && k) return mk_tuple2(p, prev, last);
    return last;
}

static Value core_butlast(Proc *p, Value *a, uint32_t n) {
    Value c = a[0];
    if (is_vector(c)) return vec_count(c) ? vec_pop(p, c) : c;
    ValArr arr;
    valarr_init(&arr);
    if (!collect(p, "butlast", &arr, c)) return LV_EXC;
    Value r = same_kind(p, c, arr.v, arr.n ? arr.n - 1 : 0);
    valarr_free(&arr);
    return r;
}

static Value core_concat(Proc *p, Value *a, uint32_t n) {
    ValArr arr;
    valarr_init(&arr);
    for (uint32_t i = 0; i < n; i++)
        if (!collect(p, "concat", &arr, a[i])) return LV_EXC;
    return list_of_arr(p, &arr);
}

/* ---- conj / into / merge ---- */

/* Map c with the entry x: a [k v] tuple, a map (merged) or nil (ignored). */
static Value map_conj(Proc *p, Value m, Value x) {
    if (x == LV_NIL) return m;
    if (is_tuple(x) || is_vector(x)) {
        size_t len = is_tuple(x) ? tuple_len(x) : vec_count(x);
        if (len != 2) return err_badarg(p, "conj", &x, 1);
        Value k = is_tuple(x) ? tuple_elems(x)[0] : vec_nth(x, 0);
        Value v = is_tuple(x) ? tuple_elems(x)[1] : vec_nth(x, 1);
        return map_put(p, m, k, v);
    }
    if (!is_map(x)) return err_type(p, "conj", x, "[key value] tuple or map");
    SeqIter it;
    seq_iter_init(&it, x);
    Value k, v;
    while (coll_cur_next(&it.c, &it.hw, &k) && coll_cur_next(&it.c, &it.hw, &v))
        m = map_put(p, m, k, v);
    core_charge(p, map_count(x));
    return m;
}

/* c with the n values at xs added the way conj adds them. */
static Value conj_all(Proc *p, Value c, const Value *xs, size_t n) {
    if (n == 0 && (c == LV_NIL || is_coll(c))) return c;
    core_charge(p, n);
    if (c == LV_NIL || is_list(c)) {
        if (c == LV_NIL) c = LV_EMPTY;
        Value meta = is_cons(c) ? box_meta(c) : LV_NIL;
        for (size_t i = 0; i < n; i++) c = mk_cons(p, xs[i], c);
        return meta == LV_NIL ? c : coll_with_meta(p, c, meta);
    }
    if (is_tuple(c)) {
        size_t len = tuple_len(c);
        Value t = mk_tuple(p, len + n);
        memcpy(tuple_elems(t), tuple_elems(c), len * sizeof(Value));
        memcpy(tuple_elems(t) + len, xs, n * sizeof(Value));
        return box_meta(c) == LV_NIL ? t : coll_with_meta(p, t, box_meta(c));
    }
    if (is_vector(c)) {
        if (n <= 32) {
            for (size_t i = 0; i < n; i++) c = vec_conj(p, c, xs[i]);
            return c;
        }
        ValArr arr;
        valarr_init(&arr);
        valarr_push_all(p, &arr, c);
        for (size_t i = 0; i < n; i++) valarr_push(&arr, xs[i]);
        Value r = vec_from(p, arr.v, arr.n);
        valarr_free(&arr);
        return box_meta(c) == LV_NIL ? r : coll_with_meta(p, r, box_meta(c));
    }
    if (is_set(c)) {
        for (size_t i = 0; i < n; i++) c = set_add(p, c, xs[i]);
        return c;
    }
    if (is_map(c)) {
        for (size_t i = 0; i < n && c != LV_EXC; i++) c = map_conj(p, c, xs[i]);
        return c;
    }
    return err_type(p, "conj", c, "list, tuple, vector, set, map or nil");
}

static Value core_conj(Proc *p, Value *a, uint32_t n) { return conj_all(p, a[0], a + 1, n - 1); }

static Value core_into(Proc *p, Value *a, uint32_t n) {
    Value to = a[0], from = a[1];
    if (is_map(to) && is_map(from)) return map_conj(p, to, from);
    ValArr arr;
    valarr_init(&arr);
    if (!collect(p, "into", &arr, from)) return LV_EXC;
    Value r = conj_all(p, to, arr.v, arr.n);
    valarr_free(&arr);
    return r;
}

static Value core_merge(Proc *p, Value *a, uint32_t n) {
    Value r = LV_NIL;
    for (uint32_t i = 0; i < n; i++) {
        if (a[i] == LV_NIL) continue;
        if (!is_map(a[i])) return err_type(p, "merge", a[i], "map or nil");
        r = r == LV_NIL ? a[i] : map_conj(p, r, a[i]);
    }
    return r;
}

/* ---- nested access ---- */

static bool path_keys(Proc *p, const char *fname, ValArr *arr, Value path) {
    if (path == LV_NIL || is_list(path) || is_tuple(path) || is_vector(path)) {
        valarr_push_all(p, arr, path);
        return true;
    }
    valarr_free(arr);
    err_type(p, fname, path, "tuple, list or vector of keys");
    return false;
}

static Value core_get_in(Proc *p, Value *a, uint32_t n) {
    ValArr keys;
    valarr_init(&keys);
    if (!path_keys(p, "get-in", &keys, a[1])) return LV_EXC;
    Value cur = a[0];
    for (size_t i = 0; i < keys.n; i++) {
        cur = core_lookup(p, "get-in", cur, keys.v[i]);
        if (cur == LV_EXC || cur == LV_NONE) break;
    }
    core_charge(p, keys.n);
    valarr_free(&keys);
    if (cur == LV_NONE) return n == 3 ? a[2] : LV_NIL;
    return cur;
}

static Value core_assoc_in(Proc *p, Value *a, uint32_t n) {
    ValArr keys, levels;
    valarr_init(&keys);
    if (!path_keys(p, "assoc-in", &keys, a[1])) return LV_EXC;
    if (keys.n == 0) valarr_push(&keys, LV_NIL);
    valarr_init(&levels);
    Value cur = a[0], r = a[2];
    for (size_t i = 0; i < keys.n; i++) {
        valarr_push(&levels, cur);
        if (i + 1 == keys.n) break;
        cur = core_lookup(p, "assoc-in", cur, keys.v[i]);
        if (cur == LV_EXC) {
            r = LV_EXC;
            break;
        }
        if (cur == LV_NONE) cur = LV_NIL;
    }
    for (size_t i = keys.n; r != LV_EXC && i-- > 0;)
        r = core_put(p, "assoc-in", levels.v[i], keys.v[i], r);
    core_charge(p, keys.n);
    valarr_free(&keys);
    valarr_free(&levels);
    return r;
}

/* ---- take / drop ---- */

static Value take_drop(Proc *p, Value *a, const char *fname, bool take) {
    int64_t k;
    if (!core_int_arg(a[0], &k)) return err_type(p, fname, a[0], "integer");
    Value c = a[1];
    if (!take && is_list(c)) { /* drop shares the list's tail */
        for (; k > 0 && is_cons(c); k--) c = cdr(c);
        return c;
    }
    ValArr arr;
    valarr_init(&arr);
    if (!collect(p, fname, &arr, c)) return LV_EXC;
    size_t m = k <= 0 ? 0 : (uint64_t)k > arr.n ? arr.n : (size_t)k;
    Value r = take ? same_kind(p, c, arr.v, m) : same_kind(p, c, arr.v + m, arr.n - m);
    valarr_free(&arr);
    return r;
}

static Value core_take(Proc *p, Value *a, uint32_t n) { return take_drop(p, a, "take", true); }
static Value core_drop(Proc *p, Value *a, uint32_t n) { return take_drop(p, a, "drop", false); }

/* ---- generators ---- */

/* Heap words of one list cell (header, car, cdr). */
#define LIST_CELL_WORDS 3

static Value range_fix(Proc *p, int64_t start, int64_t end, int64_t step) {
    /* Count first so the list is built back to front with no reversal. */
    uint64_t count = 0;
    if (step > 0 && start < end) count = ((uint64_t)end - (uint64_t)start - 1) / (uint64_t)step + 1;
    if (step < 0 && start > end)
        count = ((uint64_t)start - (uint64_t)end - 1) / (uint64_t)(-step) + 1;
    if (count > core_heap_room(p) / LIST_CELL_WORDS) return core_oom(p);
    core_charge(p, count);
    Value l = LV_EMPTY;
    for (uint64_t i = count; i-- > 0;)
        l = mk_cons(p, fix(start + (int64_t)(i * (uint64_t)step)), l);
    return l;
}

/* (end - start) / step, about the length of the range; LV_EXC after an
 * error. Exact, but with a fixed-width argument, where it is a float:
 * fixed-width arithmetic wraps (and refuses some mixes the walk never
 * makes, such as 10.0 - 0u8). */
static Value range_steps(Proc *p, Value start, Value end, Value step) {
    if (num_fixed_kind(start) >= 0 || num_fixed_kind(end) >= 0 || num_fixed_kind(step) >= 0)
        return mk_float(p, (num_to_double(end) - num_to_double(start)) / num_to_double(step));
    Value span = num_sub(p, end, start);
    return span == LV_EXC ? LV_EXC : num_div(p, span, step);
}

/* range over bignums, ratios, floats or fixed-width integers, one
 * addition at a time. A range that cannot fit is refused at once (with a
 * bignum end it could not even be walked), and the walk stops when the
 * elements, which may be large numbers, outgrow the heap. */
static Value range_num(Proc *p, Value *a, uint32_t n, Value start, Value end, Value step, int dir) {
    size_t room = core_heap_room(p), used0 = heap_used_words(&p->heap);
    Value steps = range_steps(p, start, end, step);
    if (steps == LV_EXC) return LV_EXC;
    bool unordered;
    int64_t max_cells = (int64_t)(room / LIST_CELL_WORDS);
    if (num_cmp(steps, fix(max_cells < FIX_MAX ? max_cells : FIX_MAX), &unordered) > 0 && !unordered)
        return core_oom(p);
    ValArr arr;
    valarr_init(&arr);
    for (Value x = start;;) {
        int c = num_cmp(x, end, &unordered);
        if (unordered || (dir > 0 ? c >= 0 : c <= 0)) break;
        if (heap_used_words(&p->heap) - used0 + (arr.n + 1) * LIST_CELL_WORDS > room) {
            valarr_free(&arr);
            return core_oom(p);
        }
        valarr_push(&arr, x);
        Value next = num_add(p, x, step);
        if (next == LV_EXC) {
            valarr_free(&arr);
            return LV_EXC;
        }
        int c_next = num_cmp(next, x, &unordered);
        if (unordered) break;
        int moved = dir > 0 ? c_next : -c_next;
        /* A float step below half an ulp of x never moves it: like a step
         * of zero, that range would never end. */
        if (moved == 0) {
            valarr_free(&arr);
            return err_badarg(p, "range", a, n);
        }
        /* A fixed-width x wrapped around: the true next value is past the
         * type's bounds, so past the end, and going on would cycle. */
        if (moved < 0) break;
        x = next;
    }
    return list_of_arr(p, &arr);
}

static Value core_range(Proc *p, Value *a, uint32_t n) {
    Value start = n >= 2 ? a[0] : fix(0);
    Value end = n >= 2 ? a[1] : a[0];
    Value step = n == 3 ? a[2] : fix(1);
    Value args[3] = {start, end, step};
    for (int i = 0; i < 3; i++)
        if (!is_number(args[i])) return err_type(p, "range", args[i], "number");
    bool unordered;
    int dir = num_cmp(step, fix(0), &unordered);
    if (dir == 0 || unordered) return err_badarg(p, "range", a, n);
    if (is_fix(start) && is_fix(end) && is_fix(step) && fix_val(step) > FIX_MIN / 2 &&
        fix_val(step) < FIX_MAX / 2)
        return range_fix(p, fix_val(start), fix_val(end), fix_val(step));
    return range_num(p, a, n, start, end, step, dir);
}

static Value core_repeat(Proc *p, Value *a, uint32_t n) {
    int64_t k;
    if (!core_int_arg(a[0], &k)) return err_type(p, "repeat", a[0], "integer");
    if (k > 0 && (uint64_t)k > core_heap_room(p) / LIST_CELL_WORDS) return core_oom(p);
    Value l = LV_EMPTY;
    for (int64_t i = 0; i < k; i++) l = mk_cons(p, a[1], l);
    core_charge(p, k > 0 ? (size_t)k : 0);
    return l;
}

/* ---- flatten and predicates ---- */

static bool is_sequential(Value v) { return is_cons(v) || is_tuple(v) || is_vector(v); }

static Value core_flatten(Proc *p, Value *a, uint32_t n) {
    if (!is_sequential(a[0])) return LV_EMPTY;
    /* Shared parts are flattened once per path to them, so the leaves of
     * a small value (a collection holding itself twice, nested 40 deep)
     * can outnumber memory: stop at the heap's room. */
    size_t max = core_heap_room(p) / LIST_CELL_WORDS;
    ValArr arr;
    valarr_init(&arr);
    NestStack s;
    nest_init(&s);
    nest_push(&s, a[0]);
    size_t work = 0;
    while (s.n > 0 && arr.n <= max) {
        Value x;
        if (!nest_next(&s, &x)) {
            nest_pop(&s);
            continue;
        }
        work++;
        if (is_sequential(x))
            nest_push(&s, x);
        else if (x != LV_EMPTY)
            valarr_push(&arr, x);
    }
    nest_free(&s);
    core_charge(p, work);
    if (arr.n > max) {
        valarr_free(&arr);
        return core_oom(p);
    }
    return list_of_arr(p, &arr);
}

static Value core_seq_p(Proc *p, Value *a, uint32_t n) { return lv_bool(is_list(a[0])); }
static Value core_coll_p(Proc *p, Value *a, uint32_t n) { return lv_bool(is_coll(a[0])); }
static Value core_seqable_p(Proc *p, Value *a, uint32_t n) { return lv_bool(is_seqable(a[0])); }

LONA_INTRINSICS(core_seq) = {
    {CORE, "second", 1, 1, core_second, "([coll])", "Second element, or nil."},
    {CORE, "last", 1, 1, core_last, "([coll])", "Last element, or nil."},
    {CORE, "butlast", 1, 1, core_butlast, "([coll])", "All but the last element."},
    {CORE, "concat", 0, ARITY_VARIADIC, core_concat, "([& colls])",
     "List of the elements of every coll, in order."},
    {CORE, "conj", 1, ARITY_VARIADIC, core_conj, "([coll & xs])",
     "Add to the front of a list, the end of a tuple or vector, a set, or a map."},
    {CORE, "into", 2, 2, core_into, "([to from])", "conj every element of from onto to."},
    {CORE, "merge", 0, ARITY_VARIADIC, core_merge, "([& maps])", "Maps merged, later ones win."},
    {CORE, "get-in", 2, 3, core_get_in, "([m path] [m path not-found])",
     "Value at a path of keys."},
    {CORE, "assoc-in", 3, 3, core_assoc_in, "([m path v])",
     "m with v at a path of keys; missing levels become maps."},
    {CORE, "take", 2, 2, core_take, "([n coll])", "The first n elements."},
    {CORE, "drop", 2, 2, core_drop, "([n coll])", "All but the first n elements."},
    {CORE, "range", 1, 3, core_range, "([end] [start end] [start end step])",
     "List of numbers from start (inclusive) to end (exclusive)."},
    {CORE, "repeat", 2, 2, core_repeat, "([n x])", "List of n copies of x."},
    {CORE, "flatten", 1, 1, core_flatten, "([coll])",
     "List of the leaves of nested lists, tuples and vectors."},
    {CORE, "seq?", 1, 1, core_seq_p, "([x])", "True for lists."},
    {CORE, "coll?", 1, 1, core_coll_p, "([x])", "True for lists, tuples, vectors, maps, sets."},
    {CORE, "seqable?", 1, 1, core_seqable_p, "([x])",
     "True for collections, nil, strings and binaries."},
};
LONA_INTRINSICS_COUNT(core_seq);
