/*
 * wire_test.c — the wire format (realm/wire.h): round trips of every
 * value kind (compared through the printer, with lv_equal and byte for
 * byte on re-encoding), deep and wide values, metadata, values crossing
 * between two runtimes whose atom tables differ, what is refused (with
 * [:error :badarg ...] naming the value, functions made by defn included),
 * and hostile input of every class, each with its reason (truncations,
 * counts over the bytes left, bad UTF-8, long names, long varints,
 * reserved and unknown tags, bad numbers and metadata, duplicates,
 * trailing bytes, the envelope, each limit).
 *
 * Values are read from Lonala text with read_string in one bare process
 * and decoded into a second one, as a message from another realm would be.
 * Raw test inputs are bodies: dec_on wraps them in an envelope.
 *
 * WIRE_TEST_SEEDS=DIR writes seed inputs for fuzz/wire_fuzz.c into DIR
 * instead of running the tests (write_seeds).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/util.h"
#include "gc/heap.h"
#include "reader/reader.h"
#include "proc/notif.h"
#include "realm/region.h"
#include "realm/wire.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/binary.h"
#include "term/coll.h"
#include "term/equal.h"
#include "term/num.h"
#include "term/print.h"
#include "vm/host.h"
#include "vm/ns.h"
#include "vm/rt.h"

/* The tag bytes of wire.c (private there); test_tags checks them against
 * what the encoder writes. */
enum {
    T_NIL_ = 1, T_TRUE_, T_FALSE_, T_EMPTY_,
    T_INT_, T_BIG_, T_FLOAT_, T_F32_, T_FIXED_, T_CHAR_,
    T_KEYWORD_, T_SYMBOL_, T_STRING_, T_BINARY_, T_RATIO_,
    T_LIST_, T_TUPLE_, T_VECTOR_, T_SET_, T_MAP_, T_META_,
    T_PID_, T_REF_, T_REALM_,
    T_NOTIF_ = 30, T_REGION_ = 31,
};

static Runtime *rt;
static Proc *p;   /* the sender's heap */
static Proc *q;   /* the receiver's heap */

static int setup(void **state) {
    (void)state;
    rt = rt_new(&(RtOptions){.no_stdlib = true, .no_input = true, .schedulers = 1});
    p = proc_new_bare(rt);
    q = proc_new_bare(rt);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    proc_free_bare(q);
    proc_free_bare(p);
    rt_free(rt);
    return 0;
}

/* Fresh receiver per test, so that heaps do not grow across tests. */
static int fresh(void **state) {
    (void)state;
    proc_free_bare(q);
    q = proc_new_bare(rt);
    proc_free_bare(p);
    p = proc_new_bare(rt);
    return 0;
}

static Value kw(const char *s) { return mk_keyword(atoms_intern_text(&rt->atoms, s, strlen(s))); }
static Value sym(const char *s) { return mk_symbol(atoms_intern_text(&rt->atoms, s, strlen(s))); }

static Value rd(const char *src) {
    p->exc = LV_NONE;
    Value v = read_string(p, src, strlen(src));
    if (v == LV_EXC) fprintf(stderr, "cannot read: %s\n", src);
    assert_true(v != LV_EXC && v != LV_NONE);
    return v;
}

/* Printed form, kept in a small ring so several can be compared at once. */
static const char *pr(Value v) {
    static char *ring[8];
    static int at;
    free(ring[at]);
    ring[at] = pr_to_cstr(rt, v);
    const char *r = ring[at];
    at = (at + 1) % 8;
    return r;
}

/* The body of a message (after version and length). */
static void strip_envelope(Buf *b) {
    assert_true(b->len >= 2 && (uint8_t)b->data[0] == WIRE_VERSION);
    const uint8_t *at = (const uint8_t *)b->data + 1, *end = (const uint8_t *)b->data + b->len;
    uint64_t len;
    assert_int_equal(wire_get_uvarint(&at, end, &len), WIRE_OK);
    assert_true(len == (uint64_t)(end - at));
    memmove(b->data, at, (size_t)len);
    b->len = (size_t)len;
}

/* Encode v's body into out (initialised here; free with buf_free). */
static bool enc(Value v, Buf *out, Value *refused) {
    buf_init(out);
    Value r = LV_NONE;
    WireErr e = wire_encode(rt, v, NULL, out, &r);
    if (refused) *refused = r;
    if (e == WIRE_OK) strip_envelope(out);
    else assert_int_equal(out->len, 0);
    return e == WIRE_OK;
}

/* The message of a body. */
static void wrap(Buf *m, const void *body, size_t n) {
    buf_init(m);
    buf_putc(m, WIRE_VERSION);
    wire_put_uvarint(m, n);
    buf_append(m, body, n);
}

/* Decode the body bytes onto heap h under lim (NULL: defaults); the
 * message is copied to exactly its size, so that ASan sees any overread. */
static WireErr dec_lim(Proc *h, const void *bytes, size_t n, const WireLimits *lim, Value *out) {
    Buf m;
    wrap(&m, bytes, n);
    uint8_t *copy = xmalloc(m.len);
    memcpy(copy, m.data, m.len);
    h->exc = LV_NONE;
    WireInfo info;
    WireErr c = wire_check(h->rt, copy, m.len, lim, &info);
    WireErr e = wire_decode(h, copy, m.len, lim, out);
    /* pass 1 alone finds every error but for the few the build pass sees
     * (a ratio that reduces to an integer, duplicates, a full atom table) */
    if (c != WIRE_OK) assert_int_equal(e, c);
    else if (e != WIRE_OK) assert_true(e == WIRE_E_NUMBER || e == WIRE_E_DUPLICATE || e == WIRE_E_ATOMS);
    free(copy);
    buf_free(&m);
    return e;
}

static WireErr dec_on(Proc *h, const void *bytes, size_t n, Value *out) { return dec_lim(h, bytes, n, NULL, out); }

/* A whole body decodes. */
static bool dec_msg(const void *bytes, size_t n, Value *out) {
    Value v = LV_NONE;
    bool ok = dec_on(q, bytes, n, &v) == WIRE_OK;
    if (out) *out = v;
    return ok;
}

/* Decoding is refused, with reason want (WIRE_OK: any reason). */
static void refuse_why(const void *bytes, size_t n, WireErr want) {
    Value v = LV_NONE;
    WireErr e = dec_on(q, bytes, n, &v);
    if (e == WIRE_OK) {
        fprintf(stderr, "accepted %zu bytes as %s\n", n, pr(v));
        fail();
    }
    if (want != WIRE_OK && e != want) {
        fprintf(stderr, "refused with %s, expected %s\n", wire_err_name(e), wire_err_name(want));
        fail();
    }
}
static void refuse(const void *bytes, size_t n) { refuse_why(bytes, n, WIRE_OK); }
#define REFUSE(...)                                                                                \
    do {                                                                                           \
        static const uint8_t bytes_[] = {__VA_ARGS__};                                             \
        refuse(bytes_, sizeof bytes_);                                                             \
    } while (0)
#define REFUSE_AS(why, ...)                                                                        \
    do {                                                                                           \
        static const uint8_t bytes_[] = {__VA_ARGS__};                                             \
        refuse_why(bytes_, sizeof bytes_, why);                                                    \
    } while (0)

/* ---- seeds for the fuzzer ---------------------------------------------------- */

static void write_file(const char *dir, const char *name, const void *data, size_t n) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

/* ---- round trips ------------------------------------------------------------- */

/* v crosses: decodes on q with every byte used, prints the same, is equal
 * (unless NaN is inside), and re-encodes to the same bytes. Returns the
 * decoded value. */
static Value cross(Value v, bool check_equal) {
    Buf b, b2;
    Value refused;
    if (!enc(v, &b, &refused)) {
        fprintf(stderr, "refused %s in %s\n", pr(refused), pr(v));
        fail();
    }
    Value w;
    WireErr de = dec_on(q, b.data, b.len, &w);
    if (de != WIRE_OK) {
        fprintf(stderr, "%s does not decode (%s) from", pr(v), wire_err_name(de));
        for (size_t i = 0; i < b.len && i < 64; i++) fprintf(stderr, " %02x", (uint8_t)b.data[i]);
        fprintf(stderr, "%s\n", b.len > 64 ? " ..." : "");
        fail();
    }
    assert_string_equal(pr(v), pr(w));
    if (check_equal) {
        if (!lv_equal(v, w)) fprintf(stderr, "%s: not equal after crossing\n", pr(v));
        assert_true(lv_equal(v, w));
        assert_true(lv_hash(v) == lv_hash(w));
    }
    assert_true(enc(w, &b2, NULL));
    assert_int_equal(b.len, b2.len);
    assert_memory_equal(b.data, b2.data, b.len);
    buf_free(&b);
    buf_free(&b2);
    return w;
}

static Value cross_src(const char *src) { return cross(rd(src), true); }

static const char *const SAMPLE =
    "[1 -2 3.5 \"héllo\" :kw :ns/kw sym ns/sym \\a nil true false () (1 2 3) #{1 2} "
    "%{:a 1 \"b\" [2]} 12345678901234567890123 -99999999999999999999999 1/3 -7/2 255u8 "
    "-3i16 4000000000u32 18446744073709551615u64 -5i64 1.5f32 {1 2 3} #bytes[1 2 3]]";

static void test_tags(void **state) {
    (void)state;
    struct {
        const char *src;
        uint8_t tag;
    } cs[] = {
        {"nil", T_NIL_},       {"true", T_TRUE_},      {"false", T_FALSE_},   {"()", T_EMPTY_},
        {"1", T_INT_},         {"1N", T_BIG_},         {"1.0", T_FLOAT_},     {"1.0f32", T_F32_},
        {"1u8", T_FIXED_},     {"\\a", T_CHAR_},       {":a", T_KEYWORD_},    {"a", T_SYMBOL_},
        {"\"a\"", T_STRING_},  {"#bytes[1]", T_BINARY_}, {"1/2", T_RATIO_},  {"(1)", T_LIST_},
        {"[1]", T_TUPLE_},     {"{1}", T_VECTOR_},     {"#{1}", T_SET_},      {"%{1 2}", T_MAP_},
        {"^:m {1}", T_META_},
    };
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        Buf b;
        assert_true(enc(rd(cs[i].src), &b, NULL));
        assert_true(b.len >= 1);
        if ((uint8_t)b.data[0] != cs[i].tag) fprintf(stderr, "tag of %s: %u\n", cs[i].src, (uint8_t)b.data[0]);
        assert_int_equal((uint8_t)b.data[0], cs[i].tag);
        buf_free(&b);
    }
    Buf b;
    assert_true(enc(mk_pid(1, 2), &b, NULL));
    assert_int_equal((uint8_t)b.data[0], T_PID_);
    buf_free(&b);
    assert_true(enc(mk_ref(1, 2), &b, NULL));
    assert_int_equal((uint8_t)b.data[0], T_REF_);
    buf_free(&b);
    assert_true(enc(IMM(IMM_REALM, 3), &b, NULL));
    assert_int_equal((uint8_t)b.data[0], T_REALM_);
    buf_free(&b);
}

static void test_sample(void **state) {
    (void)state;
    Value w = cross_src(SAMPLE);
    assert_true(is_tuple(w));
    /* the types survive, not only the printed text */
    Value *xs = tuple_elems(w);
    assert_true(is_fix(xs[0]));
    assert_true(is_float(xs[2]));
    assert_true(is_string(xs[3]));
    assert_int_equal(str_cplen(xs[3]), 5);
    assert_true(is_set(xs[14]));
    assert_true(is_map(xs[15]));
    assert_true(is_bignum(xs[16]) && is_bignum(xs[17]));
    assert_true(is_ratio(xs[18]));
    assert_true(is_small_fixed(xs[20]));
    assert_true(is_box_of(xs[23], T_U64));
    assert_true(is_box_of(xs[24], T_I64) || is_small_fixed(xs[24]));
    assert_true(is_f32(xs[25]));
    assert_true(is_vector(xs[26]));
    assert_true(is_binary(xs[27]));
}

static void test_scalars(void **state) {
    (void)state;
    static const char *const cs[] = {
        "0", "-1", "4611686018427387903", "-4611686018427387904", "4611686018427387904",
        "-4611686018427387905", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
        "-9223372036854775809", "18446744073709551616", "5N", "0N", "-5N",
        "123456789012345678901234567890123456789012345678901234567890N",
        "-340282366920938463463374607431768211456", "1/2", "-1/3",
        "123456789012345678901234567890/7", "1/123456789012345678901234567890",
        "0.0", "-0.0", "1e308", "5e-324", "##Inf", "##-Inf", "0.1f32", "-0.0f32",
        "3.4028235e38f32", "0u8", "255u8", "65535u16", "4294967295u32", "0u64",
        "18446744073709551615u64", "-128i8", "127i8", "-32768i16", "-2147483648i32",
        "-9223372036854775808i64", "9223372036854775807i64", "\\a", "\\newline", "\\u0000",
        "\\é", "\\\xF0\x9F\x98\x80", "\"\"", "\"a\\nb\\u0000c\"", "\"héllo ✓ \xF0\x9F\x98\x80\"", ":a",
        ":a.b/c-d?", "x", "my.app/handler", "/", "nil", "true", "false", "()",
    };
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) cross_src(cs[i]);
    /* NaN prints the same and re-encodes the same, but is not equal to itself */
    cross(rd("##NaN"), false);
    cross(rd("[1 ##NaN]"), false);
    cross(mk_f32(0.0f / 0.0f), false);
    /* immediates the reader cannot make */
    cross(mk_pid(1, 0), true);
    cross(mk_pid(0xffff, PID_LOCAL_MASK), true);
    cross(mk_ref(2, 123456789), true);
    cross(mk_ref(0xffff, PID_LOCAL_MASK), true);
    cross(IMM(IMM_REALM, 0), true);
    cross(IMM(IMM_REALM, 0xffff), true);
    cross(mk_char(0x10ffff), true);
}

static void test_collections(void **state) {
    (void)state;
    static const char *const cs[] = {
        "[]", "{}", "%{}", "#{}", "(())", "[[] {} %{} #{} ()]", "(1 (2 (3 (4))))",
        "%{:a %{:b %{:c [1 2 {3}]}}}", "#{#{1} #{2} [3] (4) {5}}",
        "%{[1 2] :tuple-key {3} :vector-key #{4} :set-key %{5 6} :map-key (7) :list-key}",
        "%{1 1 2 2 3 3 4 4 5 5 6 6 7 7 8 8 9 9 10 10 11 11 12 12 13 13 14 14 15 15 16 16 17 17}",
        "#{1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33}",
        "{1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34}",
    };
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) cross_src(cs[i]);
}

/* Binaries up to 64 bytes live on the heap, larger ones off it. */
static void test_binaries(void **state) {
    (void)state;
    static const size_t sizes[] = {0, 1, 63, 64, 65, 200, 5000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        Buf src;
        buf_init(&src);
        buf_append(&src, "#bytes[", 7);
        for (size_t j = 0; j < n; j++) {
            char num[8];
            int k = snprintf(num, sizeof num, "%s%zu", j ? " " : "", (j * 37 + 11) % 256);
            buf_append(&src, num, (size_t)k);
        }
        buf_append(&src, "]", 2); /* with the NUL */
        Value v = rd(src.data);
        buf_free(&src);
        assert_int_equal(binary_size(v), n);
        Value w = cross(v, true);
        assert_true(is_binary(w));
        assert_int_equal(binary_size(w), n);
        assert_true(box_type(w) == (n > BIN_HEAP_MAX ? T_BINREF : T_BIN));
        assert_true(binary_equal(v, w));
        /* and inside a collection */
        Value t = mk_tuple2(p, v, mk_cstring(p, "x"));
        cross(t, true);
    }
    /* a slice of a large binary crosses as its own bytes */
    uint8_t big[300];
    for (size_t i = 0; i < sizeof big; i++) big[i] = (uint8_t)i;
    Value b = mk_binary(p, big, sizeof big);
    Value s = binary_slice(p, b, 10, 100);
    Value w = cross(s, true);
    assert_int_equal(binary_size(w), 100);
    assert_memory_equal(binary_bytes(w), big + 10, 100);
}

static void test_deep(void **state) {
    (void)state;
    const size_t N = 100000;
    /* a list nested N deep: ((((...)))) */
    Value v = LV_EMPTY;
    for (size_t i = 0; i < N; i++) v = mk_cons(p, v, LV_EMPTY);
    cross(v, true);
    /* tuples and vectors nested N deep, around a number */
    Value t = fix(7);
    for (size_t i = 0; i < N; i++) t = (i % 2) ? mk_tuple2(p, t, LV_NIL) : vec_from(p, &t, 1);
    cross(t, true);
    /* maps nested N deep in their values */
    Value m = fix(1);
    for (size_t i = 0; i < N; i++) m = map_put(p, map_empty(p), kw("k"), m);
    cross(m, true);
}

static void test_wide(void **state) {
    (void)state;
    const size_t N = 100000;
    Value *xs = xmalloc(N * sizeof *xs);
    for (size_t i = 0; i < N; i++) xs[i] = fix((int64_t)i * 7919 - 1000);
    Value vec = vec_from(p, xs, N);
    assert_int_equal(vec_count(vec), N);
    Value w = cross(vec, true);
    assert_true(is_vector(w));
    assert_int_equal(vec_count(w), N);
    assert_true(lv_equal(vec_nth(w, N - 1), xs[N - 1]));
    cross(mk_list_from(p, xs, N), true);
    Value tup = mk_tuple(p, N);
    memcpy(tuple_elems(tup), xs, N * sizeof *xs);
    cross(tup, true);
    cross(set_from(p, xs, N), true);
    cross(map_from_kvs(p, xs, N), true);
    free(xs);
}

static void test_metadata(void **state) {
    (void)state;
    Value v = rd("^%{:doc \"d\" :n 1} {1 2 3}");
    assert_string_equal(pr(box_meta(v)), "%{:doc \"d\" :n 1}");
    Value w = cross(v, true);
    assert_true(is_vector(w));
    assert_true(box_flags(w) & HF_META);
    assert_string_equal(pr(box_meta(w)), pr(box_meta(v)));
    assert_true(lv_equal(box_meta(w), box_meta(v)));
    /* with coll_with_meta (what with-meta does) */
    Value meta = map_put(p, map_empty(p), kw("tag"), rd("[1 {2}]"));
    Value vec = coll_with_meta(p, rd("{:x :y}"), meta);
    w = cross(vec, true);
    assert_true(lv_equal(box_meta(w), meta));
    /* on every kind of collection, and on a list read from source (which
     * also carries its position) */
    static const char *const cs[] = {"^:m (1 2)", "^:m [1]", "^:m %{1 2}", "^:m #{1}", "^:m {}"};
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        Value x = rd(cs[i]);
        Value y = cross(x, true);
        assert_true(box_flags(y) & HF_META);
        assert_string_equal(pr(box_meta(y)), "%{:m true}");
    }
    /* metadata inside metadata, and on an element */
    Value inner = rd("^%{:deep ^:a {1}} {^:b [2]}");
    Value y = cross(inner, true);
    Value ym = box_meta(y);
    Value deep = map_get(ym, kw("deep"));
    assert_true(is_vector(deep));
    assert_string_equal(pr(box_meta(deep)), "%{:a true}");
    assert_string_equal(pr(box_meta(vec_nth(y, 0))), "%{:b true}");
    /* a symbol's metadata stays home */
    Value s = rd("^:private x");
    assert_true(is_box_of(s, T_SYMMETA));
    Value sw = cross(s, true);
    assert_true(is_symbol_imm(sw));
}

/* ---- refusals ------------------------------------------------------------------ */

static void expect_refused(Value v, Value what) {
    Buf b;
    Value refused;
    assert_false(enc(v, &b, &refused));
    if (refused != what) fprintf(stderr, "refused %s, expected %s\n", pr(refused), pr(what));
    assert_true(refused == what);
    buf_free(&b);
}

static void test_refused(void **state) {
    (void)state;
    /* a function (an intrinsic), alone and deep inside */
    Value fn = mk_native(0);
    expect_refused(fn, fn);
    Value t = mk_tuple3(p, fix(1), rd("{1 2}"), mk_cons(p, fn, LV_EMPTY));
    expect_refused(vec_from(p, &t, 1), fn);
    Value m = map_put(p, map_empty(p), kw("f"), fn);
    expect_refused(m, fn);
    /* a bytebuf inside a map */
    Value bb = bytebuf_new(p, 16, true);
    assert_true(bb != LV_NONE);
    Value bm = map_put(p, map_empty(p), kw("buf"), bb);
    bm = map_put(p, bm, kw("ok"), fix(1));
    expect_refused(bm, bb);
    expect_refused(mk_tuple2(p, fix(1), bm), bb);
    /* as a key, too */
    expect_refused(map_put(p, map_empty(p), bb, fix(1)), bb);
    /* an improper list */
    Value dotted = mk_cons(p, fix(1), fix(2));
    expect_refused(mk_tuple2(p, LV_NIL, dotted), dotted);
    /* a var and a namespace */
    Value ns = ns_create(rt, sym("wire.test"));
    Value var = ns_intern(rt, ns, sym("v"));
    expect_refused(mk_tuple2(p, fix(1), var), var);
    expect_refused(ns, ns);
    /* as metadata of a collection */
    Value meta = map_put(p, map_empty(p), kw("f"), fn);
    expect_refused(coll_with_meta(p, rd("{1}"), meta), fn);
    /* a notification and a region this runtime never made */
    Value notif = IMM(IMM_NOTIF, 999999), region = IMM(IMM_REGION, 4);
    expect_refused(mk_tuple2(p, fix(1), notif), notif);
    expect_refused(vec_from(p, &region, 1), region);
    /* a realm id beyond the wire's range (a pid's realm has 16 bits) */
    Value far = IMM(IMM_REALM, 0x10000);
    expect_refused(far, far);
    /* the refusal as an error: [:error :badarg %{:fn send :args [to v] :value v ...}] */
    Value args[2] = {fix(7), var};
    assert_true(wire_refusal(p, var, "send", args, 2) == LV_EXC);
    Value e = p->exc;
    assert_true(is_tuple(e) && tuple_len(e) == 3);
    assert_true(tuple_elems(e)[0] == kw("error"));
    assert_true(tuple_elems(e)[1] == kw("badarg"));
    assert_true(map_get(tuple_elems(e)[2], kw("value")) == var);
    assert_true(map_get(tuple_elems(e)[2], kw("fn")) == sym("send"));
    Value got = map_get(tuple_elems(e)[2], kw("args"));
    assert_true(is_tuple(got) && tuple_len(got) == 2 && tuple_elems(got)[1] == var);
    p->exc = LV_NONE;
    /* without a call to name, for the library's requests */
    assert_true(wire_refusal(p, var, NULL, NULL, 0) == LV_EXC);
    assert_true(map_get(tuple_elems(p->exc)[2], kw("fn")) == LV_NONE);
    p->exc = LV_NONE;
}

/* Functions made by defn and fn (closures) in a runtime with the library. */
static void test_refused_defn(void **state) {
    (void)state;
    Runtime *lrt = rt_new(&(RtOptions){.no_input = true, .schedulers = 1});
    assert_non_null(lrt);
    Proc *h = host_proc_new(lrt);
    static const char src[] = "(defn wire-f [x] (inc x))\n"
                              "(let [y 41] [1 %{:f wire-f :g (fn [z] (+ y z))}])";
    Value out;
    assert_int_equal(host_load_source(h, src, sizeof src - 1, "wire_test", &out), HOST_OK);
    assert_true(host_claim(h));
    assert_true(is_tuple(out) && tuple_len(out) == 2);
    Value m = tuple_elems(out)[1];
    Value f = map_get(m, mk_keyword(atoms_intern_text(&lrt->atoms, "f", 1)));
    Value g = map_get(m, mk_keyword(atoms_intern_text(&lrt->atoms, "g", 1)));
    Buf b;
    buf_init(&b);
    Value refused = LV_NONE;
    assert_int_equal(wire_encode(lrt, f, NULL, &b, &refused), WIRE_E_REFUSED);
    assert_true(refused == f);
    assert_int_equal(wire_encode(lrt, g, NULL, &b, &refused), WIRE_E_REFUSED);
    assert_true(refused == g);
    assert_int_equal(wire_encode(lrt, out, NULL, &b, &refused), WIRE_E_REFUSED);
    assert_true(refused == f || refused == g);
    assert_int_equal(b.len, 0);
    assert_true(wire_refusal(h, refused, "send", &refused, 1) == LV_EXC);
    assert_true(map_get(tuple_elems(h->exc)[2], K_(value)) == refused);
    h->exc = LV_NONE;
    /* without the functions it crosses */
    assert_int_equal(wire_encode(lrt, tuple_elems(out)[0], NULL, &b, &refused), WIRE_OK);
    host_release(h);
    buf_free(&b);
    host_proc_free(h);
    rt_free(lrt);
}

/* A value crosses into another runtime whose atom table differs: names
 * are interned there, maps and sets hashed and looked up there. */
static void test_other_runtime(void **state) {
    (void)state;
    Runtime *rt2 = rt_new(&(RtOptions){.no_stdlib = true, .no_input = true, .schedulers = 1});
    /* shift rt2's indices */
    for (int i = 0; i < 500; i++) {
        char name[32];
        int k = snprintf(name, sizeof name, "filler-%d", i);
        atoms_intern_text(&rt2->atoms, name, (size_t)k);
    }
    Proc *h = proc_new_bare(rt2);
    Value v = rd("%{:alpha 1 :ns/beta [sym ns/sym] \"s\" #{:x :y :z 1 2 3} [:k 1] %{:deep #{:alpha}}}");
    Buf b;
    buf_init(&b);
    assert_int_equal(wire_encode(rt, v, NULL, &b, NULL), WIRE_OK);
    Value w;
    assert_int_equal(wire_decode(h, (const uint8_t *)b.data, b.len, NULL, &w), WIRE_OK);
    Value alpha2 = mk_keyword(atoms_intern_text(&rt2->atoms, "alpha", 5));
    assert_true(alpha2 != kw("alpha")); /* different indices */
    assert_true(map_get(w, alpha2) == fix(1));
    Value beta2 = mk_keyword(atoms_intern_text(&rt2->atoms, "ns/beta", 7));
    Value bv = map_get(w, beta2);
    assert_true(is_tuple(bv));
    assert_true(tuple_elems(bv)[1] == mk_symbol(atoms_intern_text(&rt2->atoms, "ns/sym", 6)));
    Value set = map_get(w, mk_string(h, "s", 1));
    assert_true(is_set(set) && set_count(set) == 6);
    assert_true(set_get(set, mk_keyword(atoms_intern_text(&rt2->atoms, "y", 1))) != LV_NONE);
    Value key = mk_tuple2(h, mk_keyword(atoms_intern_text(&rt2->atoms, "k", 1)), fix(1));
    Value deep = map_get(w, key);
    assert_true(is_map(deep));
    char *t2 = pr_to_cstr(rt2, w);
    assert_string_equal(t2, pr(v));
    free(t2);
    /* and back: the same bytes */
    Buf b2;
    buf_init(&b2);
    assert_int_equal(wire_encode(rt2, w, NULL, &b2, NULL), WIRE_OK);
    assert_int_equal(b2.len, b.len);
    Value back;
    assert_int_equal(wire_decode(q, (const uint8_t *)b2.data, b2.len, NULL, &back), WIRE_OK);
    assert_true(lv_equal(back, v));
    buf_free(&b2);
    buf_free(&b);
    proc_free_bare(h);
    rt_free(rt2);
}

/* A notification crosses as its realm and token: back home it is the
 * same value again; in another realm, a form that names its home and
 * crosses on unchanged. */
static void test_notifications(void **state) {
    (void)state;
    Value n = notif_new(rt);
    Buf b, b2;
    buf_init(&b);
    assert_int_equal(wire_encode(rt, n, NULL, &b, NULL), WIRE_OK);
    uint64_t token = notif_token(rt, n);
    assert_true(token != 0 && token <= NOTIF_TOKEN_MASK);
    assert_true(notif_by_token(rt, token) == n);
    Value w;
    assert_int_equal(wire_decode(q, (const uint8_t *)b.data, b.len, NULL, &w), WIRE_OK);
    assert_true(w == n);
    Runtime *rt2 = rt_new(&(RtOptions){.no_stdlib = true, .no_input = true, .schedulers = 1});
    rt2->realm_id = rt->realm_id + 6;
    Proc *h = proc_new_bare(rt2);
    assert_int_equal(wire_decode(h, (const uint8_t *)b.data, b.len, NULL, &w), WIRE_OK);
    assert_true(is_imm_of(w, IMM_NOTIF) && notif_owner(w) == rt->realm_id && notif_token_of(w) == token);
    assert_false(notif_exists(rt2, w));
    buf_init(&b2);
    assert_int_equal(wire_encode(rt2, w, NULL, &b2, NULL), WIRE_OK);
    assert_int_equal(b2.len, b.len);
    assert_memory_equal(b2.data, b.data, b.len);
    buf_free(&b2);
    /* an unknown token of this realm stays in the remote form (which
     * signals nothing); realm or token 0, or none, is refused */
    uint8_t unknown[] = {T_NOTIF_, (uint8_t)rt->realm_id, 5};
    assert_true(token != 5 && dec_msg(unknown, sizeof unknown, &w));
    assert_true(notif_owner(w) == rt->realm_id && notif_token_of(w) == 5);
    REFUSE_AS(WIRE_E_NUMBER, T_NOTIF_, 1, 0);
    REFUSE_AS(WIRE_E_NUMBER, T_NOTIF_, 0, 1);
    REFUSE_AS(WIRE_E_TRUNCATED, T_NOTIF_, 1);
    buf_free(&b);
    proc_free_bare(h);
    rt_free(rt2);
}

/* A region handle crosses as the realm that made it and its id there;
 * in a realm it is not shared with, a handle that names it. */
static void test_region_handles(void **state) {
    (void)state;
    uint8_t mine[] = {T_REGION_, (uint8_t)rt->realm_id, 9};
    uint8_t far[] = {T_REGION_, (uint8_t)(rt->realm_id + 5), 9};
    Value w;
    /* no region 9 here: the handle names it in this realm's numbering */
    assert_true(dec_msg(mine, sizeof mine, &w));
    assert_true(is_imm_of(w, IMM_REGION) && imm_payload(w) >> REGION_OWNER_SHIFT == rt->realm_id);
    assert_true(dec_msg(far, sizeof far, &w));
    assert_true(imm_payload(w) >> REGION_OWNER_SHIFT == rt->realm_id + 5 && (imm_payload(w) & REGION_ID_MASK) == 9);
    assert_string_equal(pr(w), "#region<6.9>");
    /* and it crosses on as it came */
    Buf b;
    assert_true(enc(w, &b, NULL));
    assert_int_equal(b.len, sizeof far);
    assert_memory_equal(b.data, far, sizeof far);
    buf_free(&b);
    REFUSE_AS(WIRE_E_NUMBER, T_REGION_, 1, 0);
    REFUSE_AS(WIRE_E_TRUNCATED, T_REGION_, 1);
}

/* ---- hostile input ------------------------------------------------------------- */

/* Every proper prefix of a body is refused as truncated (or, for counts,
 * as a count over the bytes left); every prefix of a message too. */
static void test_truncations(void **state) {
    (void)state;
    Buf b;
    assert_true(enc(rd(SAMPLE), &b, NULL));
    for (size_t n = 0; n < b.len; n++) {
        Proc *h = proc_new_bare(rt);
        Value v;
        WireErr e = dec_on(h, b.data, n, &v);
        if (e != WIRE_E_TRUNCATED && e != WIRE_E_COUNT) {
            fprintf(stderr, "prefix of %zu of %zu bytes: %s\n", n, b.len, wire_err_name(e));
            fail();
        }
        proc_free_bare(h);
    }
    /* the same for a deep value */
    Value deep = LV_EMPTY;
    for (int i = 0; i < 300; i++)
        deep = mk_cons(p, i % 3 ? deep : rd("[1 \"s\"]"), i % 2 ? mk_cons(p, fix(i), LV_EMPTY) : LV_EMPTY);
    Buf d;
    assert_true(enc(deep, &d, NULL));
    for (size_t n = 0; n < d.len; n++) {
        Proc *h = proc_new_bare(rt);
        Value v;
        assert_int_not_equal(dec_on(h, d.data, n, &v), WIRE_OK);
        proc_free_bare(h);
    }
    /* prefixes of a whole message: the envelope says how long it is */
    Buf m;
    buf_init(&m);
    assert_int_equal(wire_encode(rt, rd(SAMPLE), NULL, &m, NULL), WIRE_OK);
    for (size_t n = 0; n < m.len; n++) {
        uint8_t *copy = xmalloc(n ? n : 1);
        memcpy(copy, m.data, n);
        Value v;
        assert_int_equal(wire_decode(q, copy, n, NULL, &v), WIRE_E_TRUNCATED);
        free(copy);
    }
    buf_free(&m);
    buf_free(&d);
    buf_free(&b);
}

static void test_counts(void **state) {
    (void)state;
    /* a count larger than the bytes left, for every container */
    REFUSE(T_LIST_, 3, T_NIL_, T_NIL_);
    REFUSE(T_TUPLE_, 3, T_NIL_, T_NIL_);
    REFUSE(T_VECTOR_, 3, T_NIL_, T_NIL_);
    REFUSE(T_SET_, 3, T_NIL_, T_NIL_);
    REFUSE(T_MAP_, 2, T_NIL_, T_NIL_, T_NIL_);
    REFUSE(T_LIST_, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
    REFUSE(T_VECTOR_, 0xff, 0xff, 0xff, 0xff, 0x0f, T_NIL_);
    REFUSE(T_MAP_, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, T_NIL_, T_NIL_);
    REFUSE(T_STRING_, 4, 'a', 'b', 'c');
    REFUSE(T_STRING_, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 'a');
    REFUSE(T_BINARY_, 4, 1, 2, 3);
    REFUSE(T_BINARY_, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 1);
    REFUSE(T_BIG_, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0);
    REFUSE(T_BIG_, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 1);
    REFUSE(T_KEYWORD_, 0, 5, 'a');
    REFUSE(T_KEYWORD_, 5, 'a', 1, 'b');
    /* the counts that fit are fine */
    static const uint8_t ok[] = {T_LIST_, 2, T_NIL_, T_NIL_};
    Value v;
    assert_true(dec_msg(ok, sizeof ok, &v));
    assert_string_equal(pr(v), "(nil nil)");
    static const uint8_t okmap[] = {T_MAP_, 1, T_NIL_, T_TRUE_};
    assert_true(dec_msg(okmap, sizeof okmap, &v));
    assert_string_equal(pr(v), "%{nil true}");
}

static void test_utf8(void **state) {
    (void)state;
    REFUSE(T_STRING_, 2, 0xc3, 0x28);                /* bad continuation */
    REFUSE(T_STRING_, 1, 0x80);                      /* lone continuation */
    REFUSE(T_STRING_, 2, 0xc0, 0x80);                /* overlong NUL */
    REFUSE(T_STRING_, 3, 0xe0, 0x80, 0x80);          /* overlong */
    REFUSE(T_STRING_, 3, 0xed, 0xa0, 0x80);          /* surrogate */
    REFUSE(T_STRING_, 4, 0xf4, 0x90, 0x80, 0x80);    /* above U+10FFFF */
    REFUSE(T_STRING_, 1, 0xff);
    REFUSE(T_STRING_, 2, 'a', 0xc3);                 /* cut short */
    REFUSE(T_KEYWORD_, 0, 2, 0xc3, 0x28);
    REFUSE(T_SYMBOL_, 2, 0xc3, 0x28, 1, 'a');
    REFUSE(T_TUPLE_, 2, T_STRING_, 1, 'a', T_STRING_, 1, 0xfe);
    /* characters: surrogates and beyond U+10FFFF */
    REFUSE(T_CHAR_, 0x80, 0xb0, 0x03);               /* U+D800 */
    REFUSE(T_CHAR_, 0xff, 0xbf, 0x03);               /* U+DFFF */
    REFUSE(T_CHAR_, 0x80, 0x80, 0x44);               /* U+110000 */
    static const uint8_t ok[] = {T_STRING_, 4, 0xf0, 0x9f, 0x98, 0x80};
    Value v;
    assert_true(dec_msg(ok, sizeof ok, &v));
    assert_int_equal(str_cplen(v), 1);
}

static void test_names(void **state) {
    (void)state;
    const size_t max = wire_default_limits.max_name;
    uint8_t *b = xmalloc(max + 32);
    for (int tag = T_KEYWORD_; tag <= T_SYMBOL_; tag++) {
        for (int part = 0; part < 2; part++) {
            for (size_t len = max; len <= max + 1; len++) {
                /* tag, ns, name: the long part is the ns (part 0) or the name */
                size_t n = 0;
                b[n++] = (uint8_t)tag;
                size_t lens[2] = {part == 0 ? len : 1, part == 1 ? len : 1};
                for (int k = 0; k < 2; k++) {
                    Buf vb;
                    buf_init(&vb);
                    wire_put_uvarint(&vb, lens[k]);
                    memcpy(b + n, vb.data, vb.len);
                    n += vb.len;
                    buf_free(&vb);
                    memset(b + n, k ? 'n' : 's', lens[k]);
                    n += lens[k];
                }
                Value v;
                WireErr e = dec_on(q, b, n, &v);
                assert_true(len <= max ? e == WIRE_OK : e == WIRE_E_NAME);
                if (e == WIRE_OK) assert_true(tag == T_KEYWORD_ ? is_keyword(v) : is_symbol_imm(v));
            }
        }
    }
    free(b);
    REFUSE_AS(WIRE_E_NAME, T_KEYWORD_, 0, 0);        /* no name */
    REFUSE_AS(WIRE_E_NAME, T_SYMBOL_, 1, 'a', 0);
    REFUSE_AS(WIRE_E_COUNT, T_KEYWORD_, 0, 0xff, 0xff, 0xff, 0xff, 0x0f, 'a');
    Value v;
    static const uint8_t nsname[] = {T_KEYWORD_, 2, 'n', 's', 1, 'k'};
    assert_true(dec_msg(nsname, sizeof nsname, &v));
    assert_true(v == kw("ns/k"));
}

static void test_varints(void **state) {
    (void)state;
    /* 11 bytes */
    REFUSE_AS(WIRE_E_VARINT, T_INT_, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
    REFUSE_AS(WIRE_E_VARINT, T_INT_, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
    /* 10 bytes, more than 64 bits */
    REFUSE_AS(WIRE_E_VARINT, T_INT_, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02);
    REFUSE_AS(WIRE_E_VARINT, T_INT_, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f);
    REFUSE_AS(WIRE_E_TRUNCATED, T_INT_, 0x80);       /* unterminated */
    REFUSE_AS(WIRE_E_VARINT, T_LIST_, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
    REFUSE_AS(WIRE_E_VARINT, T_CHAR_, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
    /* the largest 10-byte varint is fine: zigzag of INT64_MIN */
    static const uint8_t max[] = {T_INT_, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    Value v;
    assert_true(dec_msg(max, sizeof max, &v));
    assert_string_equal(pr(v), "-9223372036854775808");
    /* a non-minimal varint is accepted (the value is what counts) */
    static const uint8_t padded[] = {T_INT_, 0x84, 0x80, 0x00};
    assert_true(dec_msg(padded, sizeof padded, &v));
    assert_true(v == fix(2));
    /* wire_get_uvarint directly */
    static const uint8_t u[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x05};
    const uint8_t *at = u, *end = u + sizeof u;
    uint64_t n;
    assert_int_equal(wire_get_uvarint(&at, end, &n), WIRE_OK);
    assert_true(n == UINT64_MAX);
    assert_true(at == u + 10);
    assert_int_equal(wire_get_uvarint(&at, end, &n), WIRE_OK);
    assert_true(n == 5 && at == end);
    assert_int_equal(wire_get_uvarint(&at, end, &n), WIRE_E_TRUNCATED);
    static const uint8_t eleven[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    at = eleven;
    assert_int_equal(wire_get_uvarint(&at, eleven + sizeof eleven, &n), WIRE_E_VARINT);
    assert_true(at == eleven);
    /* every uint64 round-trips through wire_put_uvarint */
    static const uint64_t xs[] = {0, 1, 127, 128, 16383, 16384, UINT32_MAX, (uint64_t)1 << 63, UINT64_MAX};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        Buf b;
        buf_init(&b);
        wire_put_uvarint(&b, xs[i]);
        assert_true(b.len <= 10);
        at = (const uint8_t *)b.data;
        assert_true(wire_get_uvarint(&at, (const uint8_t *)b.data + b.len, &n) == WIRE_OK && n == xs[i] &&
                    at == (const uint8_t *)b.data + b.len);
        buf_free(&b);
    }
}

static void test_unknown_tags(void **state) {
    (void)state;
    REFUSE_AS(WIRE_E_NUMBER, T_REGION_, 0, 1);
    REFUSE_AS(WIRE_E_NUMBER, T_TUPLE_, 2, T_NIL_, T_REGION_, 1, 0);
    REFUSE_AS(WIRE_E_TAG, 0);
    for (unsigned t = T_REALM_ + 1; t < 256; t++) {
        uint8_t b[3] = {(uint8_t)t, 0, 0};
        /* a notification or a region of realm 0 */
        refuse_why(b, sizeof b, t == T_REGION_ || t == T_NOTIF_ ? WIRE_E_NUMBER : WIRE_E_TAG);
    }
    /* the tags of the earlier code mode are unknown */
    REFUSE_AS(WIRE_E_TAG, 40, 0);
    REFUSE_AS(WIRE_E_TAG, T_MAP_, 1, T_KEYWORD_, 0, 1, 'f', 43, 0);
    /* empty body */
    refuse_why("", 0, WIRE_E_TRUNCATED);
}

static void test_trailing(void **state) {
    (void)state;
    Buf b;
    assert_true(enc(rd("[1 2]"), &b, NULL));
    buf_putc(&b, T_NIL_);
    Value v;
    assert_int_equal(dec_on(q, b.data, b.len, &v), WIRE_E_TRAILING);
    buf_free(&b);
}

/* The envelope: version, length agreeing with the input, max_bytes. */
static void test_envelope(void **state) {
    (void)state;
    Buf m;
    buf_init(&m);
    assert_int_equal(wire_encode(rt, rd("[1 \"two\"]"), NULL, &m, NULL), WIRE_OK);
    assert_int_equal((uint8_t)m.data[0], WIRE_VERSION);
    Value v;
    assert_int_equal(wire_decode(q, (const uint8_t *)m.data, m.len, NULL, &v), WIRE_OK);
    assert_string_equal(pr(v), "[1 \"two\"]");
    /* other versions */
    m.data[0] = 2;
    assert_int_equal(wire_decode(q, (const uint8_t *)m.data, m.len, NULL, &v), WIRE_E_VERSION);
    m.data[0] = 0;
    assert_int_equal(wire_decode(q, (const uint8_t *)m.data, m.len, NULL, &v), WIRE_E_VERSION);
    m.data[0] = WIRE_VERSION;
    /* a byte more than the length says */
    buf_putc(&m, 0);
    assert_int_equal(wire_decode(q, (const uint8_t *)m.data, m.len, NULL, &v), WIRE_E_LENGTH);
    m.len--;
    /* a length over 64 bits */
    static const uint8_t longlen[] = {WIRE_VERSION, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 1};
    assert_int_equal(wire_decode(q, longlen, sizeof longlen, NULL, &v), WIRE_E_VARINT);
    /* empty input */
    assert_int_equal(wire_decode(q, (const uint8_t *)"", 0, NULL, &v), WIRE_E_TRUNCATED);
    /* max_bytes, on both sides */
    WireLimits lim = wire_default_limits;
    lim.max_bytes = m.len - 1;
    assert_int_equal(wire_decode(q, (const uint8_t *)m.data, m.len, &lim, &v), WIRE_E_TOO_LARGE);
    Buf big;
    buf_init(&big);
    assert_int_equal(wire_encode(rt, rd("[1 \"two\"]"), &lim, &big, NULL), WIRE_E_TOO_LARGE);
    assert_int_equal(big.len, 0);
    lim.max_bytes = m.len;
    assert_int_equal(wire_decode(q, (const uint8_t *)m.data, m.len, &lim, &v), WIRE_OK);
    /* a value with much sharing: 2^40 elements when written out */
    Value x = fix(1);
    for (int i = 0; i < 40; i++) x = mk_tuple2(p, x, x);
    assert_int_equal(wire_encode(rt, x, NULL, &big, NULL), WIRE_E_TOO_LARGE);
    buf_free(&big);
    buf_free(&m);
}

/* The code image's tags (intrinsic, var, namespace, prototype, closure)
 * are refused in messages, whatever follows them; and wire_message_len
 * finds the end of a message among others. */
static void test_code_tags_refused_in_messages(void **state) {
    (void)state;
    Value v;
    for (uint8_t tag = 40; tag <= 46; tag++) {
        const uint8_t msg[] = {WIRE_VERSION, 3, tag, 0, 0};
        assert_int_equal(wire_check(rt, msg, sizeof msg, NULL, NULL), WIRE_E_TAG);
        assert_int_equal(wire_decode(q, msg, sizeof msg, NULL, &v), WIRE_E_TAG);
        const uint8_t inside[] = {WIRE_VERSION, 4, 17 /* TUPLE */, 1, tag, 0};
        assert_int_equal(wire_decode(q, inside, sizeof inside, NULL, &v), WIRE_E_TAG);
    }
    Buf m;
    buf_init(&m);
    assert_int_equal(wire_encode(rt, rd("[1 \"two\"]"), NULL, &m, NULL), WIRE_OK);
    size_t one = m.len;
    assert_int_equal(wire_encode(rt, rd(":next"), NULL, &m, NULL), WIRE_OK);
    assert_int_equal(wire_message_len((const uint8_t *)m.data, m.len), one);
    assert_int_equal(wire_message_len((const uint8_t *)m.data, one - 1), 0);
    assert_int_equal(wire_message_len((const uint8_t *)m.data, 0), 0);
    buf_free(&m);
}

/* Each limit refuses at one over, accepts at the limit; pass 1 sizes. */
static void test_limits(void **state) {
    (void)state;
    WireLimits lim = wire_default_limits;
    /* depth: [[[[1]]]] is 4 deep */
    Value v = rd("[[[[1]]]]");
    Buf m;
    buf_init(&m);
    assert_int_equal(wire_encode(rt, v, NULL, &m, NULL), WIRE_OK);
    WireInfo info;
    assert_int_equal(wire_check(rt, (const uint8_t *)m.data, m.len, NULL, &info), WIRE_OK);
    assert_int_equal(info.depth, 4);
    assert_int_equal(info.values, 5);
    assert_int_equal(info.new_atoms, 0);
    assert_int_equal(info.body, m.len - 2);
    lim.max_depth = 4;
    Value w;
    assert_int_equal(wire_decode(q, (const uint8_t *)m.data, m.len, &lim, &w), WIRE_OK);
    lim.max_depth = 3;
    assert_int_equal(wire_decode(q, (const uint8_t *)m.data, m.len, &lim, &w), WIRE_E_DEPTH);
    /* metadata counts as a level */
    buf_free(&m);
    buf_init(&m);
    assert_int_equal(wire_encode(rt, rd("^:m [[[1]]]"), NULL, &m, NULL), WIRE_OK);
    assert_int_equal(wire_decode(q, (const uint8_t *)m.data, m.len, &lim, &w), WIRE_E_DEPTH);
    lim.max_depth = 4;
    assert_int_equal(wire_decode(q, (const uint8_t *)m.data, m.len, &lim, &w), WIRE_OK);
    /* the default depth: a list nested deeper than it */
    lim = wire_default_limits;
    Value deep = LV_EMPTY;
    for (uint32_t i = 0; i <= lim.max_depth; i++) deep = mk_cons(p, deep, LV_EMPTY);
    buf_free(&m);
    buf_init(&m);
    assert_int_equal(wire_encode(rt, deep, NULL, &m, NULL), WIRE_OK);
    assert_int_equal(wire_decode(q, (const uint8_t *)m.data, m.len, NULL, &w), WIRE_E_DEPTH);
    /* values: 1 + 3 */
    buf_free(&m);
    buf_init(&m);
    assert_int_equal(wire_encode(rt, rd("[1 2 3]"), NULL, &m, NULL), WIRE_OK);
    lim.max_values = 4;
    assert_int_equal(wire_decode(q, (const uint8_t *)m.data, m.len, &lim, &w), WIRE_OK);
    lim.max_values = 3;
    assert_int_equal(wire_decode(q, (const uint8_t *)m.data, m.len, &lim, &w), WIRE_E_VALUES);
    /* new names: each distinct one counted once, a qualified one with its
     * unqualified twin, the ones already interned not at all */
    lim = wire_default_limits;
    static const uint8_t names[] = {T_VECTOR_, 5,
                                    T_KEYWORD_, 0, 4, 'n', 'e', 'w', '1',
                                    T_SYMBOL_, 0, 4, 'n', 'e', 'w', '1',
                                    T_KEYWORD_, 0, 4, 'n', 'e', 'w', '1',
                                    T_KEYWORD_, 2, 'z', 'z', 4, 'n', 'e', 'w', '2',
                                    T_KEYWORD_, 0, 5, 'v', 'a', 'l', 'u', 'e'};
    Buf nm;
    wrap(&nm, names, sizeof names);
    assert_int_equal(wire_check(rt, (const uint8_t *)nm.data, nm.len, NULL, &info), WIRE_OK);
    assert_int_equal(info.new_atoms, 3); /* new1, zz/new2, new2 */
    uint32_t before = atomic_load(&rt->atoms.count);
    lim.max_new_atoms = 2;
    assert_int_equal(wire_decode(q, (const uint8_t *)nm.data, nm.len, &lim, &w), WIRE_E_ATOMS);
    assert_int_equal(atomic_load(&rt->atoms.count), before); /* nothing interned */
    lim.max_new_atoms = 3;
    assert_int_equal(wire_decode(q, (const uint8_t *)nm.data, nm.len, &lim, &w), WIRE_OK);
    assert_int_equal(atomic_load(&rt->atoms.count), before + 3);
    /* now known: none new */
    assert_int_equal(wire_check(rt, (const uint8_t *)nm.data, nm.len, &lim, &info), WIRE_OK);
    assert_int_equal(info.new_atoms, 0);
    /* a hostile peer sending many names is stopped at the default */
    Buf many;
    buf_init(&many);
    buf_putc(&many, T_VECTOR_);
    wire_put_uvarint(&many, 5000);
    for (int i = 0; i < 5000; i++) {
        char name[16];
        int k = snprintf(name, sizeof name, "h%d", i);
        buf_putc(&many, T_KEYWORD_);
        wire_put_uvarint(&many, 0);
        wire_put_uvarint(&many, (uint64_t)k);
        buf_append(&many, name, (size_t)k);
    }
    before = atomic_load(&rt->atoms.count);
    assert_int_equal(dec_on(q, many.data, many.len, &w), WIRE_E_ATOMS);
    assert_int_equal(atomic_load(&rt->atoms.count), before);
    buf_free(&many);
    buf_free(&nm);
    buf_free(&m);
    /* the reasons have names, and keywords */
    for (int e = 0; e < WIRE_E__COUNT; e++) {
        assert_true(strlen(wire_err_name((WireErr)e)) > 0);
        assert_true(is_keyword(wire_reason(rt, (WireErr)e)));
    }
    assert_true(wire_reason(rt, WIRE_E_TRUNCATED) == kw("truncated"));
}

static void test_bad_values(void **state) {
    (void)state;
    /* ratios: not normalisable to a ratio, or not of integers */
    REFUSE(T_RATIO_, T_INT_, 2, T_INT_, 0);           /* 1/0 */
    REFUSE(T_RATIO_, T_INT_, 4, T_INT_, 2);           /* 2/1 */
    REFUSE(T_RATIO_, T_INT_, 4, T_INT_, 4);           /* 2/2 */
    REFUSE(T_RATIO_, T_INT_, 0, T_INT_, 6);           /* 0/3 */
    REFUSE(T_RATIO_, T_FLOAT_, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, T_INT_, 4);
    REFUSE(T_RATIO_, T_NIL_, T_INT_, 4);
    REFUSE(T_RATIO_, T_FIXED_, 0, 1, T_INT_, 4);      /* 1u8/2 */
    /* a ratio the peer did not reduce is reduced */
    static const uint8_t r46[] = {T_RATIO_, T_INT_, 8, T_INT_, 12};
    Value v;
    assert_true(dec_msg(r46, sizeof r46, &v));
    assert_string_equal(pr(v), "2/3");
    static const uint8_t rneg[] = {T_RATIO_, T_INT_, 2, T_INT_, 5};  /* 1/-3 */
    assert_true(dec_msg(rneg, sizeof rneg, &v));
    assert_string_equal(pr(v), "-1/3");
    /* metadata: must be a map, on a collection */
    REFUSE(T_META_, T_NIL_, T_VECTOR_, 0);
    REFUSE(T_META_, T_VECTOR_, 0, T_VECTOR_, 0);
    REFUSE(T_META_, T_MAP_, 0, T_INT_, 2);
    REFUSE(T_META_, T_MAP_, 0, T_EMPTY_);
    REFUSE(T_META_, T_MAP_, 0, T_SYMBOL_, 0, 1, 'a');
    REFUSE(T_META_, T_MAP_, 0, T_STRING_, 0);
    static const uint8_t meta_ok[] = {T_META_, T_MAP_, 1, T_KEYWORD_, 0, 1, 'm', T_TRUE_, T_TUPLE_, 0};
    assert_true(dec_msg(meta_ok, sizeof meta_ok, &v));
    assert_string_equal(pr(box_meta(v)), "%{:m true}");
    /* bignums: bad flags, no limbs */
    REFUSE(T_BIG_, 4, 1, 1, 0, 0, 0, 0, 0, 0, 0);
    REFUSE(T_BIG_, 0, 0);
    /* a bignum of leading zero limbs normalises */
    static const uint8_t big0[] = {T_BIG_, 1, 2, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    assert_true(dec_msg(big0, sizeof big0, &v));
    assert_string_equal(pr(v), "-5");
    /* fixed-width: unknown kind, out of range */
    REFUSE(T_FIXED_, FX__COUNT, 0);
    REFUSE(T_FIXED_, FX_U8, 0x80, 0x02);             /* 256u8 */
    REFUSE(T_FIXED_, FX_I8, 0x80, 0x01);             /* 128i8 */
    REFUSE(T_FIXED_, FX_U16, 0x80, 0x80, 0x04);      /* 65536u16 */
    REFUSE(T_FIXED_, FX_I32, 0x80, 0x80, 0x80, 0x80, 0x08); /* 2^31 */
    /* floats cut short */
    REFUSE(T_FLOAT_, 0, 0, 0, 0, 0, 0, 0);
    REFUSE(T_F32_, 0, 0, 0);
    /* pids, refs, realms out of range */
    REFUSE(T_PID_, 0x80, 0x80, 0x04, 0);             /* realm 0x10000 */
    REFUSE(T_REF_, 0x80, 0x80, 0x04, 0);
    REFUSE(T_REALM_, 0x80, 0x80, 0x04);
    Buf b;
    buf_init(&b);
    buf_putc(&b, T_PID_);
    wire_put_uvarint(&b, 1);
    wire_put_uvarint(&b, PID_LOCAL_MASK + 1);
    refuse(b.data, b.len);
    buf_free(&b);
}

/* ---- seeds for fuzz/wire_fuzz.c ------------------------------------------------ */

static const char *const SEED_SRCS[] = {
    NULL, /* SAMPLE */
    "[0 -1 4611686018427387904 -9223372036854775809 5N 0N -5N 123456789012345678901234567890N]",
    "[1/2 -1/3 123456789012345678901234567890/7 0.0 -0.0 ##NaN ##Inf ##-Inf 5e-324 0.1f32]",
    "[0u8 255u8 65535u16 4294967295u32 18446744073709551615u64 -128i8 -32768i16 -2147483648i32 "
    "-9223372036854775808i64]",
    "[\\a \\newline \\u0000 \\é \"\" \"a\\nb\\u0000c\" \"héllo ✓ \xF0\x9F\x98\x80\"]",
    "[:a :a.b/c-d? x my.app/handler / nil true false ()]",
    "%{:a %{:b %{:c [1 2 {3}]}} [1 2] :t {3} :v #{4} :s %{5 6} :m (7) :l}",
    "#{#{1} #{2} [3] (4) {5} \"x\" :k 1.5}",
    "%{1 1 2 2 3 3 4 4 5 5 6 6 7 7 8 8 9 9 10 10 11 11 12 12 13 13 14 14 15 15 16 16 17 17}",
    "#{1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33}",
    "{1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36}",
    "^%{:doc \"d\" :n 1} {1 ^:b [2] ^:l (3) ^:m %{4 5} ^:s #{6}}",
    "^%{:deep ^:a {1}} [((((((((((1))))))))))]",
    "#bytes[0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 "
    "32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 "
    "64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90 91 92 93 94 95 "
    "96 97 98 99]",
    "[#bytes[] #bytes[255] #bytes\"hello\" \"\"]",
};

/* Valid encodings the encoder would not write (the decoder accepts them). */
static const uint8_t SEED_ODD[][24] = {
    {T_INT_, 0x84, 0x80, 0x00},                                            /* padded varint */
    {T_RATIO_, T_INT_, 8, T_INT_, 12},                                     /* 4/6 */
    {T_BIG_, 1, 2, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},        /* -5 in two limbs */
    {T_MAP_, 3, T_INT_, 2, T_NIL_, T_INT_, 4, T_TRUE_, T_INT_, 2, T_FALSE_}, /* repeated key */
    {T_SET_, 3, T_INT_, 2, T_INT_, 2, T_CHAR_, 'a'},                       /* repeated element */
    {T_META_, T_MAP_, 0, T_META_, T_MAP_, 1, T_NIL_, T_NIL_, T_TUPLE_, 0}, /* meta on meta */
    {T_TUPLE_, 4, T_PID_, 1, 5, T_REF_, 2, 0x80, 0x01, T_REALM_, 3, T_F32_, 0, 0, 0xc0, 0x7f},
    {T_KEYWORD_, 3, 'a', '/', 'b', 2, ' ', 'c'},                           /* odd names */
};
static const size_t SEED_ODD_LEN[] = {4, 5, 19, 11, 8, 10, 16, 8};

static void write_seeds(const char *dir) {
    rt = rt_new(&(RtOptions){.no_stdlib = true, .no_input = true, .schedulers = 1});
    p = proc_new_bare(rt);
    char name[64];
    for (size_t i = 0; i < sizeof SEED_SRCS / sizeof SEED_SRCS[0]; i++) {
        Value v = rd(SEED_SRCS[i] ? SEED_SRCS[i] : SAMPLE);
        Buf b;
        buf_init(&b);
        assert_int_equal(wire_encode(rt, v, NULL, &b, NULL), WIRE_OK);
        snprintf(name, sizeof name, "value_%02zu", i);
        write_file(dir, name, b.data, b.len);
        buf_free(&b);
    }
    for (size_t i = 0; i < sizeof SEED_ODD / sizeof SEED_ODD[0]; i++) {
        Buf b;
        wrap(&b, SEED_ODD[i], SEED_ODD_LEN[i]);
        snprintf(name, sizeof name, "odd_%02zu", i);
        write_file(dir, name, b.data, b.len);
        buf_free(&b);
    }
    /* a deep list, a long string, ids at their limits */
    Value deep = LV_EMPTY;
    for (int i = 0; i < 200; i++) deep = mk_cons(p, deep, i % 5 ? LV_EMPTY : mk_cons(p, fix(i), LV_EMPTY));
    Value ids[4] = {mk_pid(0xffff, PID_LOCAL_MASK), mk_ref(0xffff, PID_LOCAL_MASK), IMM(IMM_REALM, 0xffff), deep};
    char text[600];
    memset(text, 'z', sizeof text);
    memcpy(text + 100, "\xC3\xA9\xE2\x9C\x93", 5);
    Value extra[2] = {vec_from(p, ids, 4), mk_string(p, text, sizeof text)};
    for (int i = 0; i < 2; i++) {
        Buf b;
        buf_init(&b);
        assert_int_equal(wire_encode(rt, extra[i], NULL, &b, NULL), WIRE_OK);
        write_file(dir, i ? "value_string" : "value_deep", b.data, b.len);
        buf_free(&b);
    }
    proc_free_bare(p);
    rt_free(rt);
}

int main(void) {
    const char *seed_dir = getenv("WIRE_TEST_SEEDS");
    if (seed_dir) {
        write_seeds(seed_dir);
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_tags, fresh),
        cmocka_unit_test_setup(test_sample, fresh),
        cmocka_unit_test_setup(test_scalars, fresh),
        cmocka_unit_test_setup(test_collections, fresh),
        cmocka_unit_test_setup(test_binaries, fresh),
        cmocka_unit_test_setup(test_deep, fresh),
        cmocka_unit_test_setup(test_wide, fresh),
        cmocka_unit_test_setup(test_metadata, fresh),
        cmocka_unit_test_setup(test_refused, fresh),
        cmocka_unit_test_setup(test_refused_defn, fresh),
        cmocka_unit_test_setup(test_other_runtime, fresh),
        cmocka_unit_test_setup(test_notifications, fresh),
        cmocka_unit_test_setup(test_region_handles, fresh),
        cmocka_unit_test_setup(test_truncations, fresh),
        cmocka_unit_test_setup(test_counts, fresh),
        cmocka_unit_test_setup(test_utf8, fresh),
        cmocka_unit_test_setup(test_names, fresh),
        cmocka_unit_test_setup(test_varints, fresh),
        cmocka_unit_test_setup(test_unknown_tags, fresh),
        cmocka_unit_test_setup(test_bad_values, fresh),
        cmocka_unit_test_setup(test_trailing, fresh),
        cmocka_unit_test_setup(test_envelope, fresh),
        cmocka_unit_test_setup(test_code_tags_refused_in_messages, fresh),
        cmocka_unit_test_setup(test_limits, fresh),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
