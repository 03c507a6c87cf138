/*
 * coll_test.c — persistent vectors, maps and sets (small arrays and
 * HAMTs), seq iteration, equality and hashing, and the collection
 * intrinsics of core_coll.c / core_seq.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gc/heap.h"
#include "lib/intrinsic.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/coll_priv.h"
#include "term/equal.h"
#include "term/num.h"
#include "term/print.h"
#include "vm/runtime.h"

extern const IntrinsicDef lona_intrinsics_core_coll[], lona_intrinsics_core_seq[];
extern const size_t lona_intrinsics_core_coll_count, lona_intrinsics_core_seq_count;

static Runtime rt;
static Proc proc;
static Proc *P = &proc;

static int setup(void **state) {
    (void)state;
    memset(&rt, 0, sizeof rt);
    atoms_init(&rt.atoms);
    memset(&proc, 0, sizeof proc);
    heap_init(&proc.heap, 1 << 16, 0);
    proc.rt = &rt;
    proc.exc = LV_NONE;
    return 0;
}

static int teardown(void **state) {
    (void)state;
    heap_release(&proc.heap);
    atoms_free(&rt.atoms);
    return 0;
}

static Value kw(const char *s) { return mk_keyword(atoms_intern_text(&rt.atoms, s, strlen(s))); }
static Value sym(const char *s) { return mk_symbol(atoms_intern_text(&rt.atoms, s, strlen(s))); }

/* Printed form, kept in a small ring so several can be compared at once. */
static const char *pr(Value v) {
    static char *ring[8];
    static int at;
    free(ring[at]);
    ring[at] = pr_to_cstr(&rt, v);
    const char *r = ring[at];
    at = (at + 1) % 8;
    return r;
}

static Value call(const char *name, int n, ...) {
    const IntrinsicDef *d = NULL;
    for (size_t i = 0; i < lona_intrinsics_core_coll_count && !d; i++)
        if (strcmp(lona_intrinsics_core_coll[i].name, name) == 0) d = &lona_intrinsics_core_coll[i];
    for (size_t i = 0; i < lona_intrinsics_core_seq_count && !d; i++)
        if (strcmp(lona_intrinsics_core_seq[i].name, name) == 0) d = &lona_intrinsics_core_seq[i];
    assert_non_null(d);
    assert_true(n >= d->min_arity && (d->max_arity == ARITY_VARIADIC || n <= d->max_arity));
    Value args[16];
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) args[i] = va_arg(ap, Value);
    va_end(ap);
    return d->fn(P, args, (uint32_t)n);
}

/* The reason keyword of the error just raised. */
static Value reason(Value r) {
    assert_int_equal(r, LV_EXC);
    return tuple_elems(P->exc)[1];
}

static Value list3(Value a, Value b, Value c) {
    Value xs[3] = {a, b, c};
    return mk_list_from(P, xs, 3);
}

static Value vec_range(size_t n) {
    Value *xs = malloc((n + 1) * sizeof(Value));
    for (size_t i = 0; i < n; i++) xs[i] = fix((int64_t)i);
    Value v = vec_from(P, xs, n);
    free(xs);
    return v;
}

/* ---- vectors ---- */

static void test_vector_conj_nth(void **state) {
    (void)state;
    const size_t N = 100000;
    Value v = vec_empty(P), snap33 = LV_NIL, snap1057 = LV_NIL, snap32801 = LV_NIL;
    for (size_t i = 0; i < N; i++) {
        v = vec_conj(P, v, fix((int64_t)i));
        if (i + 1 == 33) snap33 = v;
        if (i + 1 == 1057) snap1057 = v;
        if (i + 1 == 32801) snap32801 = v;
    }
    assert_int_equal(vec_count(v), N);
    for (size_t i = 0; i < N; i++) assert_int_equal(vec_nth(v, i), fix((int64_t)i));
    /* older versions are untouched */
    assert_int_equal(vec_count(snap33), 33);
    assert_int_equal(vec_count(snap1057), 1057);
    assert_int_equal(vec_count(snap32801), 32801);
    for (size_t i = 0; i < 32801; i++) assert_int_equal(vec_nth(snap32801, i), fix((int64_t)i));
    assert_true(lv_equal(v, vec_range(N)));
    assert_int_equal(lv_hash(v), lv_hash(vec_range(N)));
}

static void test_vector_from_sizes(void **state) {
    (void)state;
    size_t sizes[] = {0, 1, 31, 32, 33, 63, 64, 65, 1024, 1055, 1056, 1057, 1088,
                      32768, 32800, 32801, 33825, 70000};
    for (size_t k = 0; k < ARRAY_LEN(sizes); k++) {
        size_t n = sizes[k];
        Value a = vec_range(n), b = vec_empty(P);
        for (size_t i = 0; i < n; i++) b = vec_conj(P, b, fix((int64_t)i));
        assert_int_equal(vec_count(a), n);
        for (size_t i = 0; i < n; i++) assert_int_equal(vec_nth(a, i), fix((int64_t)i));
        /* same shape as the incremental build: conj on both stays in step */
        a = vec_conj(P, a, kw("x"));
        b = vec_conj(P, b, kw("x"));
        assert_true(lv_equal(a, b));
        assert_int_equal(vec_nth(a, n), kw("x"));
        assert_int_equal(box_payload(a)[1], box_payload(b)[1]); /* shift */
    }
}

static void test_vector_assoc(void **state) {
    (void)state;
    const size_t N = 5000;
    Value v = vec_range(N);
    Value w = v;
    for (size_t i = 0; i < N; i += 7) w = vec_assoc(P, w, i, fix(-(int64_t)i));
    for (size_t i = 0; i < N; i++) {
        assert_int_equal(vec_nth(v, i), fix((int64_t)i));
        assert_int_equal(vec_nth(w, i), fix(i % 7 ? (int64_t)i : -(int64_t)i));
    }
    assert_false(lv_equal(v, w));
    /* assoc of the same value gives the vector back */
    assert_int_equal(vec_assoc(P, v, 10, fix(10)), v);
}

static void test_vector_pop(void **state) {
    (void)state;
    const size_t N = 100000;
    Value v = vec_range(N);
    for (size_t n = N; n > 0; n--) {
        assert_int_equal(vec_count(v), n);
        assert_int_equal(vec_nth(v, n - 1), fix((int64_t)n - 1));
        if (n % 9973 == 0 || n < 70 || (n > 1000 && n < 1100))
            for (size_t i = 0; i < n; i++) assert_int_equal(vec_nth(v, i), fix((int64_t)i));
        v = vec_pop(P, v);
    }
    assert_int_equal(vec_count(v), 0);
    /* pop then conj rebuilds the same vector */
    Value a = vec_range(1057);
    Value b = vec_conj(P, vec_pop(P, a), fix(1056));
    assert_true(lv_equal(a, b));
    Value c = vec_pop(P, vec_pop(P, vec_range(1058)));
    assert_true(lv_equal(c, vec_range(1056)));
    assert_int_equal(box_payload(c)[1], fix(5));
}

static void test_vector_meta(void **state) {
    (void)state;
    Value m = map_put(P, map_empty(P), kw("a"), fix(1));
    Value v = coll_with_meta(P, vec_range(40), m);
    assert_int_equal(box_meta(v), m);
    assert_int_equal(box_meta(vec_conj(P, v, fix(1))), m);
    assert_int_equal(box_meta(vec_pop(P, v)), m);
    assert_int_equal(box_meta(vec_assoc(P, v, 3, kw("z"))), m);
    assert_true(lv_equal(v, vec_range(40)));
    assert_int_equal(lv_hash(v), lv_hash(vec_range(40)));
    Value plain = coll_with_meta(P, v, LV_NIL);
    assert_int_equal(box_meta(plain), LV_NIL);
    assert_int_equal(box_len(plain), box_len(v));
    assert_true(lv_equal(plain, v));
}

/* ---- maps and sets ---- */

static void test_small_map_order(void **state) {
    (void)state;
    Value m = map_empty(P);
    const char *names[] = {"a", "b", "c", "d", "e", "f", "g", "h"};
    for (int i = 0; i < 8; i++) m = map_put(P, m, kw(names[i]), fix(i));
    assert_true(is_box_of(m, T_MAP));
    assert_string_equal(pr(m), "%{:a 0 :b 1 :c 2 :d 3 :e 4 :f 5 :g 6 :h 7}");
    m = map_put(P, m, kw("c"), kw("x")); /* replacing keeps the position */
    assert_string_equal(pr(m), "%{:a 0 :b 1 :c :x :d 3 :e 4 :f 5 :g 6 :h 7}");
    m = map_dissoc(P, m, kw("b"));
    assert_string_equal(pr(m), "%{:a 0 :c :x :d 3 :e 4 :f 5 :g 6 :h 7}");
    m = map_put(P, m, kw("b"), fix(9)); /* re-adding appends */
    assert_string_equal(pr(m), "%{:a 0 :c :x :d 3 :e 4 :f 5 :g 6 :h 7 :b 9}");
    assert_int_equal(map_dissoc(P, m, kw("zz")), m);
    assert_int_equal(map_put(P, m, kw("a"), fix(0)), m);
    Value kvs[6] = {kw("x"), fix(1), kw("y"), fix(2), kw("x"), fix(3)};
    assert_string_equal(pr(map_from_kvs(P, kvs, 6)), "%{:x 3 :y 2}");

    Value s = set_empty(P);
    for (int i = 0; i < 8; i++) s = set_add(P, s, kw(names[7 - i]));
    assert_string_equal(pr(s), "#{:h :g :f :e :d :c :b :a}");
    s = set_remove(P, s, kw("e"));
    s = set_add(P, s, kw("e"));
    s = set_add(P, s, kw("a"));
    assert_string_equal(pr(s), "#{:h :g :f :d :c :b :a :e}");
}

static void test_map_grow_shrink(void **state) {
    (void)state;
    Value m = map_empty(P);
    for (int i = 0; i < 9; i++) m = map_put(P, m, fix(i), fix(i * 10));
    assert_true(is_box_of(m, T_HMAP));
    assert_int_equal(map_count(m), 9);
    for (int i = 0; i < 9; i++) assert_int_equal(map_get(m, fix(i)), fix(i * 10));
    assert_int_equal(map_get(m, fix(9)), LV_NONE);
    Value small = map_dissoc(P, m, fix(4));
    assert_true(is_box_of(small, T_MAP));
    assert_int_equal(map_count(small), 8);
    for (int i = 0; i < 9; i++)
        assert_int_equal(map_get(small, fix(i)), i == 4 ? LV_NONE : fix(i * 10));
    Value meta = map_put(P, map_empty(P), kw("m"), LV_TRUE);
    Value mm = coll_with_meta(P, m, meta);
    assert_int_equal(box_meta(map_dissoc(P, mm, fix(1))), meta);
    assert_int_equal(box_meta(map_put(P, mm, fix(100), fix(1))), meta);
    Value big = map_put(P, mm, fix(100), fix(1));
    assert_int_equal(box_meta(map_dissoc(P, big, fix(100))), meta);
}

static void test_hamt_many_keys(void **state) {
    (void)state;
    const int N = 20000;
    Value m = map_empty(P);
    for (int i = 0; i < N; i++) m = map_put(P, m, fix(i), fix(-i));
    assert_int_equal(map_count(m), N);
    for (int i = 0; i < N; i++) assert_int_equal(map_get(m, fix(i)), fix(-i));
    assert_int_equal(map_get(m, fix(N)), LV_NONE);
    /* string keys, looked up by equal strings built separately */
    Value s = map_empty(P);
    char buf[32];
    for (int i = 0; i < 2000; i++) {
        snprintf(buf, sizeof buf, "key-%d", i);
        s = map_put(P, s, mk_cstring(P, buf), fix(i));
    }
    for (int i = 0; i < 2000; i++) {
        snprintf(buf, sizeof buf, "key-%d", i);
        assert_int_equal(map_get(s, mk_cstring(P, buf)), fix(i));
    }
    /* remove the odd keys */
    Value e = m;
    for (int i = 1; i < N; i += 2) e = map_dissoc(P, e, fix(i));
    assert_int_equal(map_count(e), N / 2);
    for (int i = 0; i < N; i++) assert_int_equal(map_get(e, fix(i)), i % 2 ? LV_NONE : fix(-i));
    /* iteration visits every entry exactly once */
    SeqIter it;
    assert_true(seq_iter_init(&it, e));
    int64_t sum = 0, n = 0;
    Value x;
    while (seq_iter_next(P, &it, &x)) {
        assert_true(is_tuple(x));
        sum += fix_val(tuple_elems(x)[0]);
        n++;
    }
    assert_int_equal(n, N / 2);
    assert_int_equal(sum, (int64_t)(N / 2) * (N / 2 - 1));
    /* removing everything comes back to an empty small map */
    for (int i = 0; i < N; i += 2) e = map_dissoc(P, e, fix(i));
    assert_true(is_box_of(e, T_MAP));
    assert_int_equal(map_count(e), 0);
}

static void test_hamt_canonical(void **state) {
    (void)state;
    const int N = 3000;
    Value a = map_empty(P), b = map_empty(P);
    for (int i = 0; i < N; i++) a = map_put(P, a, fix(i), fix(i));
    for (int i = N - 1; i >= 0; i--) b = map_put(P, b, fix(i), fix(i));
    /* add and remove extra keys in b: the trie must come back the same */
    for (int i = N; i < N + 500; i++) b = map_put(P, b, fix(i), fix(i));
    for (int i = N; i < N + 500; i++) b = map_dissoc(P, b, fix(i));
    assert_true(lv_equal(a, b));
    assert_int_equal(lv_hash(a), lv_hash(b));
    assert_string_equal(pr(a), pr(b));
    Value c = map_put(P, b, fix(7), fix(8));
    assert_false(lv_equal(a, c));
    Value d = map_dissoc(P, b, fix(7));
    assert_false(lv_equal(a, d));
}

/* Hash functions that force deep paths and collision nodes. */
static uint64_t hash_mod7(Value k) { return (uint64_t)(fix_val(k) % 7); }
static uint64_t hash_const(Value k) {
    (void)k;
    return UINT64_C(0xabcdef0123456789);
}

static void check_collisions(uint64_t (*hash)(Value), int n) {
    Value root = hamt_empty_node(P);
    for (int i = 0; i < n; i++) {
        Value e[2] = {fix(i), fix(i * 2)};
        bool added = false;
        root = hamt_put(P, root, 0, hash(e[0]), e, 2, hash, &added);
        assert_true(added);
        Value e2[2] = {fix(i), fix(i * 2)};
        added = false;
        assert_int_equal(hamt_put(P, root, 0, hash(e2[0]), e2, 2, hash, &added), root);
        assert_false(added);
    }
    for (int i = 0; i < n; i++) {
        const Value *e = hamt_find(root, hash(fix(i)), fix(i), 2);
        assert_non_null(e);
        assert_int_equal(e[1], fix(i * 2));
    }
    assert_null(hamt_find(root, hash(fix(n)), fix(n), 2));
    HamtWalk hw;
    hamt_walk_start(&hw, root);
    int seen = 0;
    while (hamt_walk_next(&hw, 2)) seen++;
    assert_int_equal(seen, n);
    /* remove in a scattered order, checking after each step */
    for (int k = 0; k < n; k++) {
        int i = (k * 37) % n;
        bool removed = false;
        root = hamt_remove(P, root, 0, hash(fix(i)), fix(i), 2, &removed);
        assert_true(removed);
        assert_null(hamt_find(root, hash(fix(i)), fix(i), 2));
        if (k % 17 == 0)
            for (int j = 0; j < n; j++) {
                bool gone = false;
                for (int q = 0; q <= k; q++) gone |= (q * 37) % n == j;
                assert_int_equal(hamt_find(root, hash(fix(j)), fix(j), 2) == NULL, gone);
            }
        if (k == n - 2) { /* one entry left: inlined into the root */
            assert_int_equal(hn_nodemap(root), 0);
            assert_int_equal(__builtin_popcount(hn_datamap(root)), 1);
        }
    }
    assert_int_equal(hn_datamap(root), 0);
    assert_int_equal(hn_nodemap(root), 0);
}

static void test_hamt_collisions(void **state) {
    (void)state;
    check_collisions(hash_mod7, 200); /* n prime to 37 */
    check_collisions(hash_const, 50);
}

static void test_sets(void **state) {
    (void)state;
    Value s = set_empty(P);
    for (int i = 0; i < 1000; i++) s = set_add(P, s, fix(i % 500));
    assert_int_equal(set_count(s), 500);
    assert_true(set_contains(s, fix(499)));
    assert_false(set_contains(s, fix(500)));
    Value xs[4] = {fix(1), fix(2), fix(1), fix(3)};
    Value t = set_from(P, xs, 4);
    assert_string_equal(pr(t), "#{1 2 3}");
    for (int i = 0; i < 497; i++) s = set_remove(P, s, fix(i));
    assert_true(is_box_of(s, T_SET));
    assert_int_equal(set_count(s), 3);
    assert_true(set_contains(s, fix(497)) && set_contains(s, fix(498)) && set_contains(s, fix(499)));
    Value u = set_add(P, set_add(P, set_add(P, set_empty(P), fix(499)), fix(497)), fix(498));
    assert_true(lv_equal(s, u));
    assert_int_equal(lv_hash(s), lv_hash(u));
}

/* ---- equality and hashing ---- */

static void check_equal(Value a, Value b) {
    assert_true(lv_equal(a, b));
    assert_true(lv_equal(b, a));
    assert_int_equal(lv_hash(a), lv_hash(b));
}

static void check_differ(Value a, Value b) {
    assert_false(lv_equal(a, b));
    assert_false(lv_equal(b, a));
}

static void test_equality_kinds(void **state) {
    (void)state;
    Value xs[2] = {fix(1), fix(2)};
    Value l = mk_list_from(P, xs, 2), v = vec_from(P, xs, 2);
    Value t = mk_tuple2(P, fix(1), fix(2));
    check_differ(l, t);
    check_differ(l, v);
    check_differ(t, v);
    check_equal(l, mk_list_from(P, xs, 2));
    check_equal(t, mk_tuple2(P, fix(1), fix(2)));
    check_equal(v, vec_from(P, xs, 2));
    check_differ(LV_EMPTY, mk_tuple(P, 0));
    check_differ(LV_EMPTY, LV_NIL);
    check_differ(mk_tuple(P, 0), vec_empty(P));
    check_equal(mk_tuple(P, 0), mk_tuple(P, 0));
    check_differ(map_empty(P), set_empty(P));
    check_differ(l, mk_list_from(P, xs, 1));
    check_differ(mk_list_from(P, xs, 1), l);
    /* numbers */
    check_equal(fix(3), mk_small_fixed(IMM_U8, 3));
    check_equal(fix(-7), mk_small_fixed(IMM_I32, -7));
    check_differ(fix(1), mk_float(P, 1.0));
    check_equal(mk_float(P, 0.0), mk_float(P, -0.0));
    check_equal(mk_float(P, 0.5), mk_f32(0.5f));
    Value nan = mk_float(P, 0.0 / 0.0);
    assert_false(lv_equal(nan, nan));
    assert_false(lv_equal(mk_f32(0.0f / 0.0f), mk_f32(0.0f / 0.0f)));
    /* text and names */
    check_equal(mk_cstring(P, "héllo"), mk_cstring(P, "héllo"));
    check_differ(mk_cstring(P, "a"), mk_cstring(P, "b"));
    check_differ(mk_cstring(P, "a"), mk_binary(P, "a", 1));
    check_equal(mk_binary(P, "ab", 2), mk_binary(P, "ab", 2));
    check_differ(kw("a"), sym("a"));
    check_differ(mk_char('a'), mk_cstring(P, "a"));
    Value meta = map_put(P, map_empty(P), kw("tag"), LV_TRUE);
    check_equal(sym("x"), coll_with_meta(P, sym("x"), meta));
    check_equal(coll_with_meta(P, t, meta), t);
    /* maps and sets ignore order */
    Value m1 = map_put(P, map_put(P, map_empty(P), kw("a"), fix(1)), kw("b"), l);
    Value m2 = map_put(P, map_put(P, map_empty(P), kw("b"), mk_list_from(P, xs, 2)), kw("a"),
                       mk_small_fixed(IMM_U16, 1));
    check_equal(m1, m2);
    check_differ(m1, map_put(P, m2, kw("a"), fix(2)));
    check_differ(m1, map_put(P, m2, kw("c"), fix(2)));
    /* a present nil value differs from a missing key */
    Value n1 = map_put(P, map_empty(P), kw("a"), LV_NIL);
    Value n2 = map_put(P, map_empty(P), kw("b"), LV_NIL);
    check_differ(n1, n2);
    /* pids and refs by identity */
    check_equal(mk_pid(1, 42), mk_pid(1, 42));
    check_differ(mk_pid(1, 42), mk_pid(2, 42));
    check_differ(mk_ref(1, 5), mk_pid(1, 5));
}

static void test_compound_keys(void **state) {
    (void)state;
    /* keys that are collections, built separately in each map */
    Value a = map_empty(P), b = map_empty(P), sa = set_empty(P), sb = set_empty(P);
    for (int i = 0; i < 40; i++) {
        Value ka = mk_tuple2(P, fix(i), list3(kw("x"), fix(i), mk_cstring(P, "s")));
        Value kb = mk_tuple2(P, fix(i), list3(kw("x"), mk_small_fixed(IMM_I16, i), mk_cstring(P, "s")));
        a = map_put(P, a, ka, fix(i));
        b = map_put(P, b, kb, fix(i));
        sa = set_add(P, sa, ka);
        sb = set_add(P, sb, kb);
        assert_int_equal(map_get(b, ka), fix(i));
    }
    check_equal(a, b);
    check_equal(sa, sb);
    /* small sets of maps */
    Value inner1 = map_put(P, map_empty(P), kw("k"), fix(1));
    Value inner2 = map_put(P, map_empty(P), kw("k"), fix(2));
    Value s1 = set_add(P, set_add(P, set_empty(P), inner1), inner2);
    Value s2 = set_add(P, set_add(P, set_empty(P), map_put(P, map_empty(P), kw("k"), fix(2))),
                       map_put(P, map_empty(P), kw("k"), fix(1)));
    check_equal(s1, s2);
    Value s3 = set_add(P, set_add(P, set_empty(P), inner1), map_put(P, map_empty(P), kw("k"), fix(3)));
    check_differ(s1, s3);
    check_equal(map_put(P, map_empty(P), s1, kw("v")), map_put(P, map_empty(P), s2, kw("v")));
}

static void test_deep_nesting(void **state) {
    (void)state;
    const int DEPTH = 200000;
    Value a = LV_EMPTY, b = LV_EMPTY, c = LV_EMPTY;
    for (int i = 0; i < DEPTH; i++) {
        a = mk_cons(P, a, LV_EMPTY);
        b = mk_cons(P, b, LV_EMPTY);
        c = mk_cons(P, i == 0 ? fix(1) : c, LV_EMPTY);
    }
    check_equal(a, b);
    check_differ(a, c);
    /* deep vectors of maps */
    Value x = fix(0), y = fix(0);
    for (int i = 0; i < 20000; i++) {
        x = vec_from(P, (Value[]){map_put(P, map_empty(P), kw("n"), x)}, 1);
        y = vec_from(P, (Value[]){map_put(P, map_empty(P), kw("n"), y)}, 1);
    }
    check_equal(x, y);
    char *s = pr_to_cstr(&rt, a);
    assert_int_equal(strlen(s), 2 * (size_t)DEPTH + 2);
    free(s);
}

static void test_identical(void **state) {
    (void)state;
    Value t = mk_tuple2(P, fix(1), fix(2));
    assert_true(lv_identical(t, t));
    assert_false(lv_identical(t, mk_tuple2(P, fix(1), fix(2))));
    assert_true(lv_identical(mk_float(P, 1.5), mk_float(P, 1.5)));
    assert_false(lv_identical(fix(3), mk_small_fixed(IMM_U8, 3)));
    assert_true(lv_identical(kw("a"), kw("a")));
    assert_false(lv_identical(mk_cstring(P, "a"), mk_cstring(P, "a")));
    Value nan = mk_float(P, 0.0 / 0.0);
    assert_false(lv_identical(nan, nan));
}

/* ---- iteration ---- */

static void test_seq_iter(void **state) {
    (void)state;
    SeqIter it;
    Value x;
    assert_true(seq_iter_init(&it, mk_cstring(P, "hé!")));
    assert_true(seq_iter_next(P, &it, &x));
    assert_int_equal(x, mk_char('h'));
    assert_true(seq_iter_next(P, &it, &x));
    assert_int_equal(x, mk_char(0xe9));
    assert_true(seq_iter_next(P, &it, &x));
    assert_int_equal(x, mk_char('!'));
    assert_false(seq_iter_next(P, &it, &x));
    assert_true(seq_iter_init(&it, mk_binary(P, "\x0a\xff", 2)));
    assert_true(seq_iter_next(P, &it, &x));
    assert_int_equal(x, fix(10));
    assert_true(seq_iter_next(P, &it, &x));
    assert_int_equal(x, fix(255));
    assert_true(seq_iter_init(&it, LV_NIL));
    assert_false(seq_iter_next(P, &it, &x));
    assert_false(seq_iter_init(&it, fix(1)));
    assert_false(seq_iter_init(&it, kw("a")));
    size_t n;
    assert_true(seq_count(mk_cstring(P, "hé!"), &n));
    assert_int_equal(n, 3);
    assert_true(seq_count(list3(fix(1), fix(2), fix(3)), &n));
    assert_int_equal(n, 3);
    assert_false(seq_count(mk_float(P, 1.0), &n));
    assert_true(is_coll(LV_EMPTY));
    assert_false(is_coll(LV_NIL));
    assert_true(is_seqable(LV_NIL));
    assert_false(is_seqable(fix(1)));
}

/* ---- intrinsics ---- */

static void test_intrinsics_access(void **state) {
    (void)state;
    Value l = list3(fix(1), fix(2), fix(3));
    Value t = mk_tuple3(P, fix(1), fix(2), fix(3));
    Value v = vec_range(3);
    Value m = map_from_kvs(P, (Value[]){kw("a"), fix(1), kw("b"), LV_NIL}, 4);
    assert_string_equal(pr(call("first", 1, m)), "[:a 1]");
    assert_string_equal(pr(call("first", 1, LV_NIL)), "nil");
    assert_string_equal(pr(call("rest", 1, t)), "(2 3)");
    assert_string_equal(pr(call("rest", 1, LV_NIL)), "()");
    assert_string_equal(pr(call("rest", 1, mk_cstring(P, "ab"))), "(\\b)");
    assert_int_equal(call("empty?", 1, mk_binary(P, "", 0)), LV_TRUE);
    assert_int_equal(call("empty?", 1, v), LV_FALSE);
    assert_int_equal(reason(call("empty?", 1, fix(1))), K_(type_error));
    assert_int_equal(call("count", 1, m), fix(2));
    assert_int_equal(call("count", 1, l), fix(3));
    assert_int_equal(call("count", 1, LV_NIL), fix(0));
    assert_int_equal(call("nth", 2, l, fix(2)), fix(3));
    assert_int_equal(call("nth", 2, v, fix(0)), fix(0));
    assert_int_equal(call("nth", 2, mk_cstring(P, "hé"), fix(1)), mk_char(0xe9));
    assert_int_equal(reason(call("nth", 2, t, fix(3))), K_(index_out_of_bounds));
    assert_int_equal(reason(call("nth", 2, l, fix(-1))), K_(index_out_of_bounds));
    assert_int_equal(reason(call("nth", 2, LV_NIL, fix(0))), K_(index_out_of_bounds));
    assert_int_equal(call("nth", 3, l, fix(5), kw("nf")), kw("nf"));
    assert_int_equal(reason(call("nth", 2, m, fix(0))), K_(type_error));
    assert_int_equal(reason(call("nth", 2, l, kw("x"))), K_(type_error));
    assert_int_equal(call("get", 2, m, kw("a")), fix(1));
    assert_int_equal(call("get", 3, m, kw("b"), kw("nf")), LV_NIL);
    assert_int_equal(call("get", 3, m, kw("c"), kw("nf")), kw("nf"));
    assert_int_equal(call("get", 2, t, fix(1)), fix(2));
    assert_int_equal(call("get", 2, t, fix(9)), LV_NIL);
    assert_int_equal(call("get", 2, LV_NIL, fix(9)), LV_NIL);
    assert_int_equal(reason(call("get", 2, l, fix(0))), K_(type_error));
    assert_int_equal(call("contains?", 2, m, kw("b")), LV_TRUE);
    assert_int_equal(reason(call("contains?", 2, t, fix(0))), K_(type_error));
    assert_int_equal(reason(call("contains?", 2, LV_NIL, fix(0))), K_(type_error));
    assert_string_equal(pr(call("keys", 1, m)), "(:a :b)");
    assert_string_equal(pr(call("vals", 1, m)), "(1 nil)");
    assert_string_equal(pr(call("keys", 1, LV_NIL)), "()");
}

static void test_intrinsics_update(void **state) {
    (void)state;
    Value t = mk_tuple3(P, fix(1), fix(2), fix(3));
    Value v = vec_range(3);
    assert_string_equal(pr(call("put", 3, LV_NIL, kw("a"), fix(1))), "%{:a 1}");
    assert_string_equal(pr(call("put", 3, t, fix(3), fix(4))), "[1 2 3 4]");
    assert_string_equal(pr(call("put", 3, t, fix(0), fix(9))), "[9 2 3]");
    assert_string_equal(pr(call("put", 3, v, fix(3), fix(4))), "{0 1 2 4}");
    assert_int_equal(reason(call("put", 3, v, fix(5), fix(4))), K_(index_out_of_bounds));
    assert_int_equal(reason(call("put", 3, t, fix(-1), fix(4))), K_(index_out_of_bounds));
    assert_int_equal(reason(call("put", 3, LV_EMPTY, fix(0), fix(4))), K_(type_error));
    Value m = map_from_kvs(P, (Value[]){kw("a"), fix(1), kw("b"), fix(2), kw("c"), fix(3)}, 6);
    assert_string_equal(pr(call("dissoc", 3, m, kw("a"), kw("c"))), "%{:b 2}");
    assert_int_equal(call("dissoc", 2, LV_NIL, kw("a")), LV_NIL);
    assert_string_equal(pr(call("prepend", 2, LV_NIL, fix(1))), "(1)");
    assert_string_equal(pr(call("prepend", 2, t, fix(0))), "[0 1 2 3]");
    assert_string_equal(pr(call("prepend", 2, v, kw("x"))), "{:x 0 1 2}");
    assert_string_equal(pr(call("append", 2, t, fix(4))), "[1 2 3 4]");
    assert_string_equal(pr(call("append", 2, list3(fix(1), fix(2), fix(3)), fix(4))), "(1 2 3 4)");
    assert_int_equal(reason(call("append", 2, m, fix(4))), K_(type_error));
    assert_string_equal(pr(call("set-add", 2, LV_NIL, fix(1))), "#{1}");
    assert_int_equal(reason(call("set-remove", 2, LV_NIL, fix(1))), K_(type_error));
    assert_string_equal(pr(call("hash-map", 4, kw("a"), fix(1), kw("a"), fix(2))), "%{:a 2}");
    assert_int_equal(reason(call("hash-map", 3, kw("a"), fix(1), kw("b"))), K_(badarg));
    assert_string_equal(pr(call("hash-set", 3, fix(1), fix(1), fix(2))), "#{1 2}");
    assert_string_equal(pr(call("vector", 0)), "{}");
    assert_string_equal(pr(call("tuple", 2, fix(1), LV_NIL)), "[1 nil]");
    assert_string_equal(pr(call("list", 0)), "()");
    Value meta = map_put(P, map_empty(P), kw("k"), fix(1));
    Value wm = call("with-meta", 2, t, meta);
    assert_int_equal(call("meta", 1, wm), meta);
    assert_int_equal(call("meta", 1, t), LV_NIL);
    assert_int_equal(call("meta", 1, fix(1)), LV_NIL);
    assert_int_equal(call("meta", 1, call("with-meta", 2, sym("s"), meta)), meta);
    assert_int_equal(reason(call("with-meta", 2, fix(1), meta)), K_(type_error));
    assert_int_equal(reason(call("with-meta", 2, t, fix(1))), K_(type_error));
}

static void test_intrinsics_seq(void **state) {
    (void)state;
    Value l = list3(fix(1), fix(2), fix(3));
    Value t = mk_tuple3(P, fix(1), fix(2), fix(3));
    Value v = vec_range(3);
    assert_int_equal(call("second", 1, t), fix(2));
    assert_int_equal(call("second", 1, LV_NIL), LV_NIL);
    assert_int_equal(call("last", 1, l), fix(3));
    assert_int_equal(call("last", 1, vec_empty(P)), LV_NIL);
    assert_string_equal(pr(call("last", 1, map_from_kvs(P, (Value[]){kw("a"), fix(1), kw("b"), fix(2)}, 4))), "[:b 2]");
    assert_string_equal(pr(call("butlast", 1, t)), "[1 2]");
    assert_string_equal(pr(call("butlast", 1, v)), "{0 1}");
    assert_string_equal(pr(call("butlast", 1, LV_NIL)), "()");
    assert_string_equal(pr(call("butlast", 1, mk_tuple(P, 0))), "[]");
    assert_string_equal(pr(call("concat", 3, l, t, mk_cstring(P, "ab"))), "(1 2 3 1 2 3 \\a \\b)");
    assert_int_equal(reason(call("concat", 2, l, fix(1))), K_(type_error));
    assert_string_equal(pr(call("conj", 3, l, fix(4), fix(5))), "(5 4 1 2 3)");
    assert_string_equal(pr(call("conj", 3, LV_NIL, fix(4), fix(5))), "(5 4)");
    assert_string_equal(pr(call("conj", 2, t, fix(4))), "[1 2 3 4]");
    assert_string_equal(pr(call("conj", 2, v, fix(4))), "{0 1 2 4}");
    assert_string_equal(pr(call("conj", 2, map_empty(P), mk_tuple2(P, kw("a"), fix(1)))), "%{:a 1}");
    assert_int_equal(reason(call("conj", 2, map_empty(P), t)), K_(badarg));
    assert_string_equal(pr(call("into", 2, vec_empty(P), l)), "{1 2 3}");
    assert_string_equal(pr(call("into", 2, LV_NIL, t)), "(3 2 1)");
    Value m1 = map_from_kvs(P, (Value[]){kw("a"), fix(1), kw("b"), fix(2)}, 4);
    Value m2 = map_from_kvs(P, (Value[]){kw("b"), fix(3), kw("c"), fix(4)}, 4);
    assert_string_equal(pr(call("into", 2, map_empty(P), m1)), "%{:a 1 :b 2}");
    assert_string_equal(pr(call("into", 2, set_empty(P), l)), "#{1 2 3}");
    assert_string_equal(pr(call("merge", 3, m1, LV_NIL, m2)), "%{:a 1 :b 3 :c 4}");
    assert_int_equal(call("merge", 0), LV_NIL);
    assert_int_equal(call("merge", 1, LV_NIL), LV_NIL);
    Value nested = map_put(P, map_empty(P), kw("a"), map_put(P, map_empty(P), kw("b"), t));
    Value path = mk_tuple3(P, kw("a"), kw("b"), fix(1));
    assert_int_equal(call("get-in", 2, nested, path), fix(2));
    assert_int_equal(call("get-in", 3, nested, mk_tuple2(P, kw("x"), kw("y")), kw("nf")), kw("nf"));
    assert_int_equal(call("get-in", 2, nested, mk_tuple(P, 0)), nested);
    assert_string_equal(pr(call("assoc-in", 3, nested, path, kw("z"))), "%{:a %{:b [1 :z 3]}}");
    assert_string_equal(pr(call("assoc-in", 3, LV_NIL, mk_tuple2(P, kw("x"), kw("y")), fix(1))),
                        "%{:x %{:y 1}}");
    assert_string_equal(pr(call("take", 2, fix(2), t)), "[1 2]");
    assert_string_equal(pr(call("take", 2, fix(-1), v)), "{}");
    assert_string_equal(pr(call("take", 2, fix(10), l)), "(1 2 3)");
    assert_string_equal(pr(call("take", 2, fix(1), mk_cstring(P, "ab"))), "(\\a)");
    assert_string_equal(pr(call("drop", 2, fix(2), l)), "(3)");
    assert_string_equal(pr(call("drop", 2, fix(1), v)), "{1 2}");
    assert_string_equal(pr(call("drop", 2, fix(5), t)), "[]");
    assert_string_equal(pr(call("range", 1, fix(5))), "(0 1 2 3 4)");
    assert_string_equal(pr(call("range", 3, fix(10), fix(0), fix(-3))), "(10 7 4 1)");
    assert_string_equal(pr(call("range", 3, fix(0), fix(10), fix(4))), "(0 4 8)");
    assert_string_equal(pr(call("range", 2, fix(3), fix(1))), "()");
    assert_string_equal(pr(call("range", 1, fix(0))), "()");
    assert_int_equal(reason(call("range", 3, fix(0), fix(10), fix(0))), K_(badarg));
    assert_int_equal(reason(call("range", 1, kw("a"))), K_(type_error));
    assert_string_equal(pr(call("repeat", 2, fix(3), kw("x"))), "(:x :x :x)");
    assert_string_equal(pr(call("repeat", 2, fix(-3), kw("x"))), "()");
    Value deep = list3(fix(1), mk_tuple2(P, fix(2), vec_from(P, (Value[]){fix(3), LV_EMPTY, map_empty(P)}, 3)), fix(4));
    assert_string_equal(pr(call("flatten", 1, deep)), "(1 2 3 %{} 4)");
    assert_string_equal(pr(call("flatten", 1, fix(1))), "()");
    assert_int_equal(call("seq?", 1, LV_EMPTY), LV_TRUE);
    assert_int_equal(call("seq?", 1, t), LV_FALSE);
    assert_int_equal(call("coll?", 1, map_empty(P)), LV_TRUE);
    assert_int_equal(call("coll?", 1, mk_cstring(P, "")), LV_FALSE);
    assert_int_equal(call("seqable?", 1, mk_cstring(P, "")), LV_TRUE);
    assert_int_equal(call("seqable?", 1, LV_NIL), LV_TRUE);
    assert_int_equal(call("seqable?", 1, fix(1)), LV_FALSE);
}

static void test_intrinsics_eq_type(void **state) {
    (void)state;
    assert_int_equal(call("=", 1, fix(1)), LV_TRUE);
    assert_int_equal(call("=", 3, fix(1), mk_small_fixed(IMM_U8, 1), fix(1)), LV_TRUE);
    assert_int_equal(call("=", 3, fix(1), fix(1), fix(2)), LV_FALSE);
    assert_int_equal(call("not=", 2, fix(1), fix(2)), LV_TRUE);
    assert_int_equal(call("identical?", 2, kw("a"), kw("a")), LV_TRUE);
    assert_int_equal(call("type", 1, LV_NIL), K_(nil_));
    assert_int_equal(call("type", 1, LV_EMPTY), K_(list));
    assert_int_equal(call("type", 1, mk_small_fixed(IMM_U8, 1)), K_(u8));
    assert_int_equal(call("type", 1, map_empty(P)), K_(map));
    assert_int_equal(call("type", 1, vec_empty(P)), K_(vector));
    assert_int_equal(call("type", 1, coll_with_meta(P, sym("a"), map_empty(P))), K_(symbol));
    assert_int_equal(call("type", 1, mk_native(0)), K_(fn));
    assert_int_equal(call("type", 1, mk_pid(1, 2)), K_(pid));
    assert_int_equal(call("not", 1, LV_NIL), LV_TRUE);
    assert_int_equal(call("not", 1, fix(0)), LV_FALSE);
    assert_int_equal(call("nil?", 1, LV_NIL), LV_TRUE);
    assert_int_equal(call("true?", 1, fix(1)), LV_FALSE);
    assert_int_equal(call("list?", 1, LV_EMPTY), LV_TRUE);
    assert_int_equal(call("fn?", 1, kw("a")), LV_FALSE);
    assert_int_equal(call("fn?", 1, mk_native(3)), LV_TRUE);
    assert_int_equal(call("symbol?", 1, coll_with_meta(P, sym("a"), map_empty(P))), LV_TRUE);
    assert_int_equal(call("realm-id?", 1, IMM(IMM_REALM, 1)), LV_TRUE);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_vector_conj_nth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vector_from_sizes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vector_assoc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vector_pop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vector_meta, setup, teardown),
        cmocka_unit_test_setup_teardown(test_small_map_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_grow_shrink, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hamt_many_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hamt_canonical, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hamt_collisions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_equality_kinds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compound_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deep_nesting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identical, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seq_iter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_intrinsics_access, setup, teardown),
        cmocka_unit_test_setup_teardown(test_intrinsics_update, setup, teardown),
        cmocka_unit_test_setup_teardown(test_intrinsics_seq, setup, teardown),
        cmocka_unit_test_setup_teardown(test_intrinsics_eq_type, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
