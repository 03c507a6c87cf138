/*
 * core_coll.c — the collection intrinsics of spec 7.5 (first, rest, count,
 * nth, get, put...), the constructors (list, tuple, vector, hash-map,
 * hash-set), metadata (meta, with-meta), equality (=, not=, identical?),
 * `type`, `not` and the non-numeric type predicates of 7.4.
 *
 * Every function validates its arguments and raises the reason the spec
 * gives (vm/error.h); O(n) work is charged in reductions.
 */
#include "lib/core_coll.h"

#include <stdatomic.h>
#include <unistd.h>

#include "base/mem.h"
#include "lib/intrinsic.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/equal.h"
#include "term/num.h"
#include "term/order.h"
#include "term/string.h"
#include "vm/error.h"
#include "vm/ns.h"

#define CORE "lona.core"

/* ---- shared helpers (core_coll.h) ---- */

/* Physical memory in words (the bound for a process without a limit).
 * Asked once: sysconf makes a system call, and str calls this. */
static size_t machine_words(void) {
    static _Atomic size_t cached;
    size_t words = atomic_load_explicit(&cached, memory_order_relaxed);
    if (words) return words;
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    words = pages <= 0 || size <= 0 ? SIZE_MAX / sizeof(Value)
                                    : (size_t)pages / sizeof(Value) * (size_t)size;
    atomic_store_explicit(&cached, words, memory_order_relaxed);
    return words;
}

size_t core_heap_room(Proc *p) {
    size_t room = machine_words();
    if (p->heap.max_words && p->heap.max_words < room) room = p->heap.max_words;
    /* The memory budget's room, or a 64th of it: over the budget, a
     * process holding less goes on (gc/heap.c, heap_check_budget). */
    size_t budget = mem_room();
    if (budget < mem_limit() / 64) budget = mem_limit() / 64;
    budget /= sizeof(Value);
    return budget < room ? budget : room;
}

Value core_oom(Proc *p) {
    return err_oomf(p, "out of memory: the value asked for does not fit in the %zu bytes one call may build "
                       "(:max-heap-size, LONA_MAX_MEMORY, --max-memory)",
                    core_heap_room(p) * sizeof(Value));
}

bool core_int_arg(Value v, int64_t *out) {
    if (!is_integer(v)) return false;
    if (!num_to_i64(v, out)) {
        bool unordered;
        *out = num_cmp(v, fix(0), &unordered) < 0 ? INT64_MIN : INT64_MAX;
    }
    return true;
}

Value core_index_error(Proc *p, Value index, size_t count) {
    Value kvs[4] = {K_(index), index, K_(count), fix((int64_t)count)};
    return err_raise(p, K_(index_out_of_bounds), map_from_kvs(p, kvs, 4));
}

/* Element i of a tuple or vector, or LV_NONE when out of range. */
static Value indexed_get(Value c, int64_t i) {
    size_t n = is_tuple(c) ? tuple_len(c) : vec_count(c);
    if (i < 0 || (uint64_t)i >= n) return LV_NONE;
    return is_tuple(c) ? tuple_elems(c)[i] : vec_nth(c, (size_t)i);
}

Value core_lookup(Proc *p, const char *fname, Value c, Value k) {
    if (is_map(c)) return map_get(c, k);
    if (is_tuple(c) || is_vector(c)) {
        int64_t i;
        return core_int_arg(k, &i) ? indexed_get(c, i) : LV_NONE;
    }
    if (is_set(c)) return set_get(c, k);
    if (c == LV_NIL) return LV_NONE;
    return err_type(p, fname, c, "map, tuple, vector, set or nil");
}

static Value tuple_with(Proc *p, Value t, size_t i, Value x) {
    size_t n = tuple_len(t);
    Value r = mk_tuple(p, i == n ? n + 1 : n);
    memcpy(tuple_elems(r), tuple_elems(t), n * sizeof(Value));
    tuple_elems(r)[i] = x;
    return box_meta(t) == LV_NIL ? r : coll_with_meta(p, r, box_meta(t));
}

Value core_put(Proc *p, const char *fname, Value c, Value k, Value v) {
    if (c == LV_NIL) return map_put(p, map_empty(p), k, v);
    if (is_map(c)) return map_put(p, c, k, v);
    if (is_tuple(c) || is_vector(c)) {
        int64_t i;
        if (!core_int_arg(k, &i)) return err_type(p, fname, k, "integer index");
        size_t n = is_tuple(c) ? tuple_len(c) : vec_count(c);
        if (i < 0 || (uint64_t)i > n) return core_index_error(p, k, n);
        core_charge(p, is_tuple(c) ? n : 0);
        if (is_tuple(c)) return tuple_with(p, c, (size_t)i, v);
        return (size_t)i == n ? vec_conj(p, c, v) : vec_assoc(p, c, (size_t)i, v);
    }
    return err_type(p, fname, c, "map, tuple, vector or nil");
}

/* ---- traversal ---- */

static Value core_first(Proc *p, Value *a, uint32_t n) {
    if (is_cons(a[0])) return car(a[0]);
    SeqIter it;
    if (!seq_iter_init(&it, a[0])) return err_type(p, "first", a[0], "seqable");
    Value x;
    return seq_iter_next(p, &it, &x) ? x : LV_NIL;
}

static Value core_rest(Proc *p, Value *a, uint32_t n) {
    if (is_cons(a[0])) return cdr(a[0]);
    SeqIter it;
    if (!seq_iter_init(&it, a[0])) return err_type(p, "rest", a[0], "seqable");
    Value x;
    if (!seq_iter_next(p, &it, &x)) return LV_EMPTY;
    ValArr arr;
    valarr_init(&arr);
    while (seq_iter_next(p, &it, &x)) valarr_push(&arr, x);
    core_charge(p, arr.n);
    Value r = core_list_of(p, &arr);
    valarr_free(&arr);
    return r;
}

static Value core_empty_p(Proc *p, Value *a, uint32_t n) {
    if (is_cons(a[0])) return LV_FALSE;
    size_t c;
    if (!seq_count(a[0], &c)) return err_type(p, "empty?", a[0], "seqable");
    return lv_bool(c == 0);
}

static Value core_count(Proc *p, Value *a, uint32_t n) {
    size_t c;
    if (!seq_count(a[0], &c)) return err_type(p, "count", a[0], "countable");
    if (is_cons(a[0])) core_charge(p, c);
    return fix((int64_t)c);
}

static Value core_nth(Proc *p, Value *a, uint32_t n) {
    Value c = a[0];
    int64_t i;
    if (!core_int_arg(a[1], &i)) return err_type(p, "nth", a[1], "integer index");
    size_t count;
    Value r = LV_NONE;
    if (c == LV_NIL || is_list(c)) {
        Value l = c == LV_NIL ? LV_EMPTY : c;
        int64_t k = 0;
        for (; is_cons(l) && k < i; k++) l = cdr(l);
        core_charge(p, (size_t)k);
        if (i >= 0 && is_cons(l)) return car(l);
        seq_count(c, &count);
    } else if (is_tuple(c) || is_vector(c)) {
        count = is_tuple(c) ? tuple_len(c) : vec_count(c);
        r = indexed_get(c, i);
    } else if (is_string(c)) {
        count = str_cplen(c);
        if (i >= 0 && (uint64_t)i < count) {
            core_charge(p, str_is_ascii(c) ? 0 : (size_t)i);
            r = str_nth_char(c, (size_t)i);
        }
    } else {
        return err_type(p, "nth", c, "list, tuple, vector, string or nil");
    }
    if (r != LV_NONE) return r;
    return n == 3 ? a[2] : core_index_error(p, a[1], count);
}

static Value core_get(Proc *p, Value *a, uint32_t n) {
    Value r = core_lookup(p, "get", a[0], a[1]);
    if (r == LV_NONE) return n == 3 ? a[2] : LV_NIL;
    return r;
}

static Value core_contains_p(Proc *p, Value *a, uint32_t n) {
    if (!is_map(a[0])) return err_type(p, "contains?", a[0], "map");
    return lv_bool(map_find_entry(a[0], a[1]) != NULL);
}

/* Keys (offset 0) or values (offset 1) of a map, as a list. */
static Value map_half(Proc *p, const char *fname, Value m, int offset) {
    if (m == LV_NIL) return LV_EMPTY;
    if (!is_map(m)) return err_type(p, fname, m, "map or nil");
    SeqIter it;
    seq_iter_init(&it, m);
    ValArr arr;
    valarr_init(&arr);
    Value x;
    for (int i = 0; coll_cur_next(&it.c, &it.hw, &x); i ^= 1)
        if (i == offset) valarr_push(&arr, x);
    core_charge(p, arr.n);
    Value r = core_list_of(p, &arr);
    valarr_free(&arr);
    return r;
}

static Value core_keys(Proc *p, Value *a, uint32_t n) { return map_half(p, "keys", a[0], 0); }
static Value core_vals(Proc *p, Value *a, uint32_t n) { return map_half(p, "vals", a[0], 1); }

/* ---- updates ---- */

static Value core_put_fn(Proc *p, Value *a, uint32_t n) { return core_put(p, "put", a[0], a[1], a[2]); }

static Value core_dissoc(Proc *p, Value *a, uint32_t n) {
    Value m = a[0];
    if (m == LV_NIL) return LV_NIL;
    if (!is_map(m)) return err_type(p, "dissoc", m, "map or nil");
    for (uint32_t i = 1; i < n; i++) m = map_dissoc(p, m, a[i]);
    return m;
}

/* A list cell in front of l, keeping l's metadata (Clojure's conj). */
static Value list_push(Proc *p, Value l, Value x) {
    Value r = mk_cons(p, x, l);
    return is_cons(l) && box_meta(l) != LV_NIL ? coll_with_meta(p, r, box_meta(l)) : r;
}

/* Vector with x in front: rebuilt. */
static Value vector_prepend(Proc *p, Value v, Value x) {
    ValArr arr;
    valarr_init(&arr);
    valarr_push(&arr, x);
    valarr_push_all(p, &arr, v);
    core_charge(p, arr.n);
    Value r = vec_from(p, arr.v, arr.n);
    valarr_free(&arr);
    return box_meta(v) == LV_NIL ? r : coll_with_meta(p, r, box_meta(v));
}

static Value core_prepend(Proc *p, Value *a, uint32_t n) {
    Value c = a[0];
    if (c == LV_NIL || is_list(c)) return list_push(p, c == LV_NIL ? LV_EMPTY : c, a[1]);
    if (is_tuple(c)) {
        size_t len = tuple_len(c);
        Value r = mk_tuple(p, len + 1);
        Value *dst = tuple_elems(r), *src = tuple_elems(c);
        dst[0] = a[1];
        for (size_t i = 0; i < len; i++) dst[i + 1] = src[i];
        core_charge(p, len);
        return box_meta(c) == LV_NIL ? r : coll_with_meta(p, r, box_meta(c));
    }
    if (is_vector(c)) return vector_prepend(p, c, a[1]);
    return err_type(p, "prepend", c, "list, tuple, vector or nil");
}

static Value core_append(Proc *p, Value *a, uint32_t n) {
    Value c = a[0];
    if (is_tuple(c)) {
        core_charge(p, tuple_len(c));
        return tuple_with(p, c, tuple_len(c), a[1]);
    }
    if (is_vector(c)) return vec_conj(p, c, a[1]);
    if (c == LV_NIL || is_list(c)) {
        ValArr arr;
        valarr_init(&arr);
        valarr_push_all(p, &arr, c);
        valarr_push(&arr, a[1]);
        core_charge(p, arr.n);
        Value r = core_list_of(p, &arr);
        valarr_free(&arr);
        return is_cons(c) && box_meta(c) != LV_NIL ? coll_with_meta(p, r, box_meta(c)) : r;
    }
    return err_type(p, "append", c, "tuple, vector, list or nil");
}

static Value core_set_add(Proc *p, Value *a, uint32_t n) {
    if (a[0] == LV_NIL) return set_add(p, set_empty(p), a[1]);
    if (!is_set(a[0])) return err_type(p, "set-add", a[0], "set or nil");
    return set_add(p, a[0], a[1]);
}

static Value core_set_remove(Proc *p, Value *a, uint32_t n) {
    if (!is_set(a[0])) return err_type(p, "set-remove", a[0], "set");
    return set_remove(p, a[0], a[1]);
}

/* ---- constructors ---- */

static Value core_list(Proc *p, Value *a, uint32_t n) {
    core_charge(p, n);
    return mk_list_from(p, a, n);
}

static Value core_tuple(Proc *p, Value *a, uint32_t n) {
    core_charge(p, n);
    Value t = mk_tuple(p, n);
    memcpy(tuple_elems(t), a, n * sizeof(Value));
    return t;
}

static Value core_vector(Proc *p, Value *a, uint32_t n) {
    core_charge(p, n);
    return vec_from(p, a, n);
}

static Value core_hash_map(Proc *p, Value *a, uint32_t n) {
    if (n % 2) return err_badarg(p, "hash-map", a, n);
    core_charge(p, n);
    return map_from_kvs(p, a, n);
}

static Value core_hash_set(Proc *p, Value *a, uint32_t n) {
    core_charge(p, n);
    return set_from(p, a, n);
}

/* ---- metadata ---- */

static Value core_meta(Proc *p, Value *a, uint32_t n) {
    Value x = a[0];
    if (is_var(x)) return atomic_load(&as_var(x)->meta);
    if (is_ns(x)) return atomic_load(&as_ns(x)->meta);
    if (is_symbol(x) || is_coll(x)) return is_boxed(x) ? box_meta(x) : LV_NIL;
    return LV_NIL;
}

static Value core_with_meta(Proc *p, Value *a, uint32_t n) {
    if (!is_symbol(a[0]) && !is_coll(a[0]))
        return err_type(p, "with-meta", a[0], "symbol, list, tuple, vector, map or set");
    if (a[1] != LV_NIL && !is_map(a[1])) return err_type(p, "with-meta", a[1], "map or nil");
    return coll_with_meta(p, a[0], a[1]);
}

/* ---- equality, type, predicates ---- */

static Value core_eq(Proc *p, Value *a, uint32_t n) {
    for (uint32_t i = 1; i < n; i++) {
        /* charge by the size of what is compared (lists are not counted:
         * that would walk them twice) */
        size_t c;
        if (is_boxed(a[i]) && !is_cons(a[i]) && is_coll(a[i]) && seq_count(a[i], &c))
            core_charge(p, c);
        if (!lv_equal(a[i - 1], a[i])) return LV_FALSE;
    }
    return LV_TRUE;
}

static Value core_not_eq(Proc *p, Value *a, uint32_t n) {
    return core_eq(p, a, n) == LV_TRUE ? LV_FALSE : LV_TRUE;
}

static Value core_identical_p(Proc *p, Value *a, uint32_t n) {
    return lv_bool(lv_identical(a[0], a[1]));
}

/* -1, 0 or 1 (term/order.h); two values without an order are a
 * :type-error naming the one that does not fit the other (or either, when
 * its kind has no order at all). */
static Value core_compare(Proc *p, Value *a, uint32_t n) {
    Value x, y;
    size_t steps;
    int r = lv_compare(&p->rt->atoms, a[0], a[1], &x, &y, &steps);
    core_charge(p, steps);
    if (r != ORDER_NONE) return fix(r);
    const char *kind = lv_order_kind(x);
    if (!kind) return err_type(p, "compare", x, "a value with an order");
    return err_type(p, "compare", y, kind);
}

static Value core_type(Proc *p, Value *a, uint32_t n) { return lv_type_keyword(a[0]); }
static Value core_not(Proc *p, Value *a, uint32_t n) { return lv_bool(!truthy(a[0])); }

/* One-argument predicates, defined once: name, C test. */
#define LONA_COLL_PREDICATES(X)                              \
    X(nil_p, "nil?", x == LV_NIL)                           \
    X(boolean_p, "boolean?", x == LV_TRUE || x == LV_FALSE) \
    X(true_p, "true?", x == LV_TRUE)                        \
    X(false_p, "false?", x == LV_FALSE)                     \
    X(string_p, "string?", is_string(x))                    \
    X(char_p, "char?", is_char(x))                          \
    X(symbol_p, "symbol?", is_symbol(x))                    \
    X(keyword_p, "keyword?", is_keyword(x))                 \
    X(fn_p, "fn?", is_fn(x))                                \
    X(list_p, "list?", is_list(x))                          \
    X(tuple_p, "tuple?", is_tuple(x))                       \
    X(vector_p, "vector?", is_vector(x))                    \
    X(map_p, "map?", is_map(x))                             \
    X(set_p, "set?", is_set(x))                             \
    X(binary_p, "binary?", is_binary(x))                    \
    X(bytebuf_p, "bytebuf?", is_bytebuf(x))                 \
    X(var_p, "var?", is_var(x))                             \
    X(namespace_p, "namespace?", is_ns(x))                  \
    X(pid_p, "pid?", is_pid(x))                             \
    X(ref_p, "ref?", is_ref(x))                             \
    X(realm_id_p, "realm-id?", is_imm_of(x, IMM_REALM))

#define X(id, name, test)                                          \
    static Value core_##id(Proc *p, Value *a, uint32_t n) {        \
        Value x = a[0];                                            \
        return lv_bool(test);                                      \
    }
LONA_COLL_PREDICATES(X)
#undef X

LONA_INTRINSICS(core_coll) = {
    {CORE, "first", 1, 1, core_first, "([coll])", "First element, nil if empty."},
    {CORE, "rest", 1, 1, core_rest, "([coll])", "List of all but the first element."},
    {CORE, "empty?", 1, 1, core_empty_p, "([coll])", "True if coll has no elements."},
    {CORE, "count", 1, 1, core_count, "([coll])", "Number of elements."},
    {CORE, "nth", 2, 3, core_nth, "([coll i] [coll i not-found])", "Element at index i."},
    {CORE, "get", 2, 3, core_get, "([coll k] [coll k not-found])",
     "Value for a key, element at an index, or set member."},
    {CORE, "contains?", 2, 2, core_contains_p, "([m k])", "True if map m has key k."},
    {CORE, "keys", 1, 1, core_keys, "([m])", "List of the keys of a map."},
    {CORE, "vals", 1, 1, core_vals, "([m])", "List of the values of a map."},
    {CORE, "put", 3, 3, core_put_fn, "([m k v])", "Map with k mapped to v."},
    {CORE, "dissoc", 1, ARITY_VARIADIC, core_dissoc, "([m & ks])", "Map without those keys."},
    {CORE, "prepend", 2, 2, core_prepend, "([coll x])", "coll with x in front."},
    {CORE, "append", 2, 2, core_append, "([coll x])", "coll with x at the end."},
    {CORE, "set-add", 2, 2, core_set_add, "([s x])", "Set with x."},
    {CORE, "set-remove", 2, 2, core_set_remove, "([s x])", "Set without x."},
    {CORE, "list", 0, ARITY_VARIADIC, core_list, "([& xs])", "List of the arguments."},
    {CORE, "tuple", 0, ARITY_VARIADIC, core_tuple, "([& xs])", "Tuple of the arguments."},
    {CORE, "vector", 0, ARITY_VARIADIC, core_vector, "([& xs])", "Vector of the arguments."},
    {CORE, "hash-map", 0, ARITY_VARIADIC, core_hash_map, "([& kvs])",
     "Map of alternating keys and values."},
    {CORE, "hash-set", 0, ARITY_VARIADIC, core_hash_set, "([& xs])", "Set of the arguments."},
    {CORE, "meta", 1, 1, core_meta, "([x])", "Metadata map of x, or nil."},
    {CORE, "with-meta", 2, 2, core_with_meta, "([x m])", "Copy of x with metadata m."},
    {CORE, "=", 1, ARITY_VARIADIC, core_eq, "([x] [x y & more])", "Value equality."},
    {CORE, "not=", 1, ARITY_VARIADIC, core_not_eq, "([x] [x y & more])", "(not (= ...))."},
    {CORE, "identical?", 2, 2, core_identical_p, "([x y])", "Reference identity."},
    {CORE, "compare", 2, 2, core_compare, "([x y])",
     "-1, 0 or 1 as x is before, equal to or after y in the order of its kind; nil first."},
    {CORE, "type", 1, 1, core_type, "([x])", "Type keyword of x."},
    {CORE, "not", 1, 1, core_not, "([x])", "True for nil and false."},
#define X(id, name, test) {CORE, name, 1, 1, core_##id, "([x])", NULL},
    LONA_COLL_PREDICATES(X)
#undef X
};
LONA_INTRINSICS_COUNT(core_coll);
