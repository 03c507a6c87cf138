/*
 * bin_test.c — binaries (term/binary.c, lib/core_bin.c), bytebufs and byte
 * order (lib/core_bytebuf.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "term/binary.h"
#include "term/coll.h"
#include "term/num.h"
#include "strbin_support.h"

static Value BIN(const void *bytes, size_t n) { return mk_binary(T_p, bytes, n); }

static void assert_bytes(Value b, const void *want, size_t n) {
    assert_true(is_binary(b));
    assert_int_equal(binary_size(b), n);
    if (n) assert_memory_equal(binary_bytes(b), want, n);
}

static RefBin *refbin_of(Value b) { return (RefBin *)(uintptr_t)box_ptr(b)[1 + BINREF_BIN]; }

static Value mk_u64v(uint64_t n) { return num_to_fixed(T_p, FX_U64, num_from_u64(T_p, n)); }

static void assert_u64(Value v, uint64_t want) {
    assert_true(is_box_of(v, T_U64));
    assert_true(box_ptr(v)[1] == want);
}

static void assert_i64(Value v, int64_t want) {
    assert_true(is_box_of(v, T_I64));
    assert_true((int64_t)box_ptr(v)[1] == want);
}

static void assert_fixed(Value v, ImmTag tag, int64_t want) {
    assert_true(is_imm_of(v, tag));
    assert_true(v == mk_small_fixed(tag, want));
}

/* ---- binary.c ----------------------------------------------------------- */

static void test_slice_sharing(void **state) {
    (void)state;
    uint8_t data[200];
    for (int i = 0; i < 200; i++) data[i] = (uint8_t)i;
    Value big = BIN(data, 200);
    assert_true(is_box_of(big, T_BINREF));
    RefBin *rb = refbin_of(big);
    long refs = atomic_load(&rb->refs);

    Value whole = binary_slice(T_p, big, 0, 200);
    assert_true(whole == big);

    Value mid = binary_slice(T_p, big, 50, 100);
    assert_true(is_box_of(mid, T_BINREF));
    assert_true(refbin_of(mid) == rb);
    assert_int_equal(atomic_load(&rb->refs), refs + 1);
    assert_bytes(mid, data + 50, 100);
    /* A slice of a slice still shares the original bytes. */
    Value inner = binary_slice(T_p, mid, 10, 70);
    assert_true(refbin_of(inner) == rb);
    assert_bytes(inner, data + 60, 70);

    Value small = binary_slice(T_p, big, 190, 10);
    assert_true(is_box_of(small, T_BIN));
    assert_bytes(small, data + 190, 10);
    Value empty = binary_slice(T_p, big, 200, 0);
    assert_bytes(empty, "", 0);

    Value hb = BIN("abcdef", 6);
    assert_bytes(binary_slice(T_p, hb, 2, 3), "cde", 3);

    assert_true(binary_equal(BIN("xy", 2), BIN("xy", 2)));
    assert_false(binary_equal(BIN("xy", 2), BIN("xz", 2)));
    assert_false(binary_equal(BIN("xy", 2), BIN("x", 1)));
    assert_true(binary_equal(BIN("", 0), binary_slice(T_p, big, 3, 0)));
}

static void test_concat_helper(void **state) {
    (void)state;
    Value parts[3] = {BIN("ab", 2), BIN("", 0), BIN("cde", 3)};
    assert_bytes(binary_concat(T_p, parts, 3), "abcde", 5);
    assert_true(binary_concat(T_p, parts, 1) == parts[0]);
    uint8_t big[70];
    memset(big, 7, sizeof big);
    Value two[2] = {BIN(big, 40), BIN(big, 30)};
    Value r = binary_concat(T_p, two, 2);
    assert_true(is_box_of(r, T_BINREF));
    assert_bytes(r, big, 70);
}

/* ---- binary intrinsics -------------------------------------------------- */

static void test_binary_constructor(void **state) {
    (void)state;
    Value xs[3] = {fix(1), fix(255), mk_small_fixed(IMM_U8, 0)};
    assert_bytes(CALL("binary", mk_list_from(T_p, xs, 3)), "\x01\xFF\x00", 3);
    Value t = mk_tuple3(T_p, xs[0], xs[1], xs[2]);
    assert_bytes(CALL("binary", t), "\x01\xFF\x00", 3);
    assert_bytes(CALL("binary", vec_from(T_p, xs, 3)), "\x01\xFF\x00", 3);
    assert_bytes(CALL("binary", LV_EMPTY), "", 0);
    Value many[100];
    for (int i = 0; i < 100; i++) many[i] = fix(i);
    Value b = CALL("binary", mk_list_from(T_p, many, 100));
    assert_int_equal(binary_size(b), 100);
    assert_int_equal(binary_bytes(b)[99], 99);

    Value bad1[1] = {fix(256)};
    ASSERT_ERR(badarg, CALL("binary", mk_list_from(T_p, bad1, 1)));
    Value bad2[2] = {fix(1), fix(-1)};
    ASSERT_ERR(badarg, CALL("binary", mk_tuple2(T_p, bad2[0], bad2[1])));
    Value bad3[1] = {KW("a")};
    ASSERT_ERR(badarg, CALL("binary", mk_list_from(T_p, bad3, 1)));
    ASSERT_ERR(type_error, CALL("binary", S("abc")));
    ASSERT_ERR(type_error, CALL("binary", LV_NIL));
    ASSERT_ERR(type_error, CALL("binary", fix(3)));
}

static void test_binary_access(void **state) {
    (void)state;
    Value b = BIN("\x0A\xFF\x00", 3);
    assert_true(CALL("binary-size", b) == fix(3));
    assert_true(CALL("binary-size", BIN("", 0)) == fix(0));
    assert_true(CALL("binary-ref", b, fix(1)) == fix(255));
    assert_true(CALL("binary-ref", b, mk_small_fixed(IMM_U16, 2)) == fix(0));
    ASSERT_ERR(out_of_bounds, CALL("binary-ref", b, fix(3)));
    ASSERT_ERR(out_of_bounds, CALL("binary-ref", b, fix(-1)));
    ASSERT_ERR(out_of_bounds, CALL("binary-ref", BIN("", 0), fix(0)));
    Value huge = num_parse_digits(T_p, "99999999999999999999999", 23, 10, false, false);
    ASSERT_ERR(out_of_bounds, CALL("binary-ref", b, huge));
    ASSERT_ERR(type_error, CALL("binary-ref", b, KW("x")));
    ASSERT_ERR(type_error, CALL("binary-ref", S("abc"), fix(0)));
    ASSERT_ERR(type_error, CALL("binary-size", S("abc")));

    assert_bytes(CALL("binary-slice", b, fix(1), fix(2)), "\xFF\x00", 2);
    assert_bytes(CALL("binary-slice", b, fix(3), fix(0)), "", 0);
    assert_bytes(CALL("binary-slice", b, fix(0), fix(3)), "\x0A\xFF\x00", 3);
    ASSERT_ERR(out_of_bounds, CALL("binary-slice", b, fix(2), fix(2)));
    ASSERT_ERR(out_of_bounds, CALL("binary-slice", b, fix(4), fix(0)));
    ASSERT_ERR(out_of_bounds, CALL("binary-slice", b, fix(-1), fix(1)));
    ASSERT_ERR(out_of_bounds, CALL("binary-slice", b, fix(0), fix(-1)));
    ASSERT_ERR(type_error, CALL("binary-slice", b, fix(0), LV_NIL));
    ASSERT_ERR(type_error, CALL("binary-slice", LV_NIL, fix(0), fix(0)));

    assert_bytes(CALL0("binary-concat"), "", 0);
    assert_true(CALL("binary-concat", b) == b);
    assert_bytes(CALL("binary-concat", b, BIN("z", 1), BIN("", 0)), "\x0A\xFF\x00z", 4);
    ASSERT_ERR(type_error, CALL("binary-concat", b, S("z")));
}

static void test_binary_to_string(void **state) {
    (void)state;
    assert_string(CALL("binary->string", BIN("hi", 2)), "hi");
    assert_string(CALL("binary->string", BIN("", 0)), "");
    Value e = CALL("binary->string", BIN("\xC3\xA9t\xC3\xA9", 5));
    assert_string(e, "\xC3\xA9t\xC3\xA9");
    assert_int_equal(str_cplen(e), 3);
    assert_string(CALL("binary->string", BIN("\xF0\x9F\x98\x80", 4), K_(utf_8)), "\xF0\x9F\x98\x80");
    ASSERT_ERR(invalid_utf8, CALL("binary->string", BIN("ab\xFF", 3)));
    ASSERT_ERR(invalid_utf8, CALL("binary->string", BIN("\xC0\x80", 2)));        /* overlong */
    ASSERT_ERR(invalid_utf8, CALL("binary->string", BIN("\xED\xA0\x80", 3)));    /* surrogate */
    ASSERT_ERR(invalid_utf8, CALL("binary->string", BIN("\xF4\x90\x80\x80", 4))); /* > 10FFFF */
    ASSERT_ERR(invalid_utf8, CALL("binary->string", BIN("\xE2\x82", 2)));        /* truncated */

    assert_string(CALL("binary->string", BIN("abc", 3), K_(ascii)), "abc");
    ASSERT_ERR(invalid_ascii, CALL("binary->string", BIN("a\x80", 2), K_(ascii)));
    ASSERT_ERR(invalid_ascii, CALL("binary->string", BIN("\xC3\xA9", 2), K_(ascii)));

    Value l = CALL("binary->string", BIN("caf\xE9\xFF", 5), K_(latin1));
    assert_string(l, "caf\xC3\xA9\xC3\xBF");
    assert_int_equal(str_cplen(l), 5);
    assert_string(CALL("binary->string", BIN("plain", 5), K_(latin1)), "plain");

    ASSERT_ERR(badarg, CALL("binary->string", BIN("a", 1), KW("utf-16")));
    ASSERT_ERR(badarg, CALL("binary->string", BIN("a", 1), S("utf-8")));
    ASSERT_ERR(type_error, CALL("binary->string", S("a")));
}

static void test_string_to_binary(void **state) {
    (void)state;
    assert_bytes(CALL("string->binary", S("hi")), "hi", 2);
    assert_bytes(CALL("string->binary", S("")), "", 0);
    assert_bytes(CALL("string->binary", S("\xC3\xA9"), K_(utf_8)), "\xC3\xA9", 2);
    assert_bytes(CALL("string->binary", S("abc"), K_(ascii)), "abc", 3);
    ASSERT_ERR(invalid_ascii, CALL("string->binary", S("a\xC3\xA9"), K_(ascii)));
    assert_bytes(CALL("string->binary", S("caf\xC3\xA9\xC3\xBF"), K_(latin1)), "caf\xE9\xFF", 5);
    assert_bytes(CALL("string->binary", S("abc"), K_(latin1)), "abc", 3);
    ASSERT_ERR(invalid_latin1, CALL("string->binary", S("\xE2\x82\xAC"), K_(latin1)));
    ASSERT_ERR(invalid_latin1, CALL("string->binary", S("x\xF0\x9F\x98\x80"), K_(latin1)));
    ASSERT_ERR(badarg, CALL("string->binary", S("a"), KW("ebcdic")));
    ASSERT_ERR(type_error, CALL("string->binary", BIN("a", 1)));
    ASSERT_ERR(type_error, CALL("string->binary", KW("a")));
}

/* ---- bytebufs ----------------------------------------------------------- */

static void test_bytebuf_alloc(void **state) {
    (void)state;
    Value b = CALL("bytebuf-alloc", fix(16));
    assert_true(is_bytebuf(b));
    assert_true(CALL("bytebuf-size", b) == fix(16));
    for (int i = 0; i < 16; i++) assert_int_equal(bytebuf_of(b)->bytes[i], 0);
    Value e = CALL("bytebuf-alloc", fix(0));
    assert_true(CALL("bytebuf-size", e) == fix(0));
    assert_bytes(CALL("bytebuf->binary", e), "", 0);
    Value u = CALL("bytebuf-alloc-unsafe", fix(100));
    assert_true(CALL("bytebuf-size", u) == fix(100));
    ASSERT_ERR(badarg, CALL("bytebuf-alloc", fix(-1)));
    ASSERT_ERR(badarg, CALL("bytebuf-alloc-unsafe", fix(-5)));
    Value neg = num_parse_digits(T_p, "99999999999999999999999", 23, 10, true, false);
    ASSERT_ERR(badarg, CALL("bytebuf-alloc", neg));
    Value huge = num_parse_digits(T_p, "99999999999999999999999", 23, 10, false, false);
    ASSERT_ERR(oom, CALL("bytebuf-alloc", huge));
    ASSERT_ERR(oom, CALL("bytebuf-alloc-unsafe", fix(FIX_MAX)));
    ASSERT_ERR(type_error, CALL("bytebuf-alloc", S("1")));
    ASSERT_ERR(type_error, CALL("bytebuf-size", BIN("a", 1)));
}

static void test_bytebuf_read_write(void **state) {
    (void)state;
    Value b = CALL("bytebuf-alloc", fix(16));
    Value ok = K_(ok);
    assert_true(CALL("bytebuf-write16-le!", b, fix(0), fix(0x1234)) == ok);
    assert_memory_equal(bytebuf_of(b)->bytes, "\x34\x12", 2);
    assert_fixed(CALL("bytebuf-read16-le", b, fix(0)), IMM_U16, 0x1234);
    assert_fixed(CALL("bytebuf-read16-be", b, fix(0)), IMM_U16, 0x3412);
    assert_true(CALL("bytebuf-write16-be!", b, fix(2), fix(0x1234)) == ok);
    assert_memory_equal(bytebuf_of(b)->bytes + 2, "\x12\x34", 2);

    assert_true(CALL("bytebuf-write32-be!", b, fix(4), fix(0xDEADBEEF)) == ok);
    assert_memory_equal(bytebuf_of(b)->bytes + 4, "\xDE\xAD\xBE\xEF", 4);
    assert_fixed(CALL("bytebuf-read32-be", b, fix(4)), IMM_U32, 0xDEADBEEF);
    assert_fixed(CALL("bytebuf-read32-le", b, fix(4)), IMM_U32, 0xEFBEADDE);
    assert_fixed(CALL("bytebuf-read-i32-be", b, fix(4)), IMM_I32, (int32_t)0xDEADBEEF);
    assert_true(CALL("bytebuf-write32-le!", b, fix(4), fix(1)) == ok);
    assert_memory_equal(bytebuf_of(b)->bytes + 4, "\x01\x00\x00\x00", 4);

    /* Writes store the low bits of any integer. */
    assert_true(CALL("bytebuf-write64-le!", b, fix(8), fix(-1)) == ok);
    assert_u64(CALL("bytebuf-read64-le", b, fix(8)), UINT64_MAX);
    assert_i64(CALL("bytebuf-read-i64-be", b, fix(8)), -1);
    assert_true(CALL("bytebuf-write64-be!", b, fix(8), mk_u64v(0x0102030405060708)) == ok);
    assert_memory_equal(bytebuf_of(b)->bytes + 8, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    assert_u64(CALL("bytebuf-read64-be", b, fix(8)), 0x0102030405060708);
    assert_i64(CALL("bytebuf-read-i64-le", b, fix(8)), 0x0807060504030201);
    Value big = num_parse_digits(T_p, "1180591620717411303679", 22, 10, false, false); /* 2^70+255 */
    assert_true(CALL("bytebuf-write64-le!", b, fix(8), big) == ok);
    assert_u64(CALL("bytebuf-read64-le", b, fix(8)), 255);
    assert_true(CALL("bytebuf-write16-le!", b, fix(0), mk_small_fixed(IMM_I8, -2)) == ok);
    assert_fixed(CALL("bytebuf-read-i16-le", b, fix(0)), IMM_I16, -2);
    assert_fixed(CALL("bytebuf-read16-le", b, fix(0)), IMM_U16, 0xFFFE);
    assert_fixed(CALL("bytebuf-read-i16-be", b, fix(0)), IMM_I16, (int16_t)0xFEFF);

    assert_true(CALL("bytebuf-write8!", b, fix(15), fix(0x1FF)) == ok);
    assert_true(CALL("bytebuf-read8", b, fix(15)) == fix(255));
    assert_fixed(CALL("bytebuf-read-i8", b, fix(15)), IMM_I8, -1);
    assert_true(CALL("bytebuf-write8!", b, fix(15), mk_small_fixed(IMM_U8, 7)) == ok);
    assert_true(CALL("bytebuf-read8", b, fix(15)) == fix(7));

    /* Host order is one of the two explicit ones. */
    bool little = CALL0("native-endian") == K_(little);
    assert_true(CALL("bytebuf-write32!", b, fix(4), fix(0x01020304)) == ok);
    assert_true(CALL("bytebuf-read32", b, fix(4)) ==
                CALL(little ? "bytebuf-read32-le" : "bytebuf-read32-be", b, fix(4)));
    assert_true(CALL("bytebuf-read16", b, fix(4)) ==
                CALL(little ? "bytebuf-read16-le" : "bytebuf-read16-be", b, fix(4)));
    assert_true(CALL("bytebuf-read-i16", b, fix(4)) ==
                CALL(little ? "bytebuf-read-i16-le" : "bytebuf-read-i16-be", b, fix(4)));
    assert_true(CALL("bytebuf-read-i32", b, fix(4)) ==
                CALL(little ? "bytebuf-read-i32-le" : "bytebuf-read-i32-be", b, fix(4)));
    assert_true(CALL("bytebuf-write64!", b, fix(8), fix(0x1122334455667788)) == ok);
    assert_u64(CALL(little ? "bytebuf-read64-le" : "bytebuf-read64-be", b, fix(8)),
               0x1122334455667788);
    assert_u64(CALL("bytebuf-read64", b, fix(8)), 0x1122334455667788);
    assert_i64(CALL("bytebuf-read-i64", b, fix(8)), 0x1122334455667788);
    assert_true(CALL("bytebuf-write16!", b, fix(0), fix(0xABCD)) == ok);
    assert_fixed(CALL("bytebuf-read16", b, fix(0)), IMM_U16, 0xABCD);

    ASSERT_ERR(out_of_bounds, CALL("bytebuf-read16", b, fix(15)));
    ASSERT_ERR(out_of_bounds, CALL("bytebuf-read64-le", b, fix(9)));
    ASSERT_ERR(out_of_bounds, CALL("bytebuf-read8", b, fix(16)));
    ASSERT_ERR(out_of_bounds, CALL("bytebuf-read8", b, fix(-1)));
    ASSERT_ERR(out_of_bounds, CALL("bytebuf-write32-be!", b, fix(13), fix(0)));
    ASSERT_ERR(out_of_bounds, CALL("bytebuf-write8!", b, fix(-1), fix(0)));
    ASSERT_ERR(type_error, CALL("bytebuf-write8!", b, fix(0), KW("x")));
    ASSERT_ERR(type_error, CALL("bytebuf-write16!", b, fix(0), mk_float(T_p, 1.0)));
    ASSERT_ERR(type_error, CALL("bytebuf-read8", b, S("0")));
    ASSERT_ERR(type_error, CALL("bytebuf-read8", BIN("ab", 2), fix(0)));
    ASSERT_ERR(type_error, CALL("bytebuf-write8!", BIN("ab", 2), fix(0), fix(1)));
}

static void test_bytebuf_bulk(void **state) {
    (void)state;
    Value b = CALL("bytebuf-alloc", fix(8));
    for (int i = 0; i < 8; i++) bytebuf_of(b)->bytes[i] = (uint8_t)(i + 1);
    Value ok = K_(ok);
    assert_bytes(CALL("bytebuf->binary", b), "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    assert_bytes(CALL("bytebuf->binary", b, fix(2), fix(3)), "\x03\x04\x05", 3);
    assert_bytes(CALL("bytebuf->binary", b, fix(8), fix(0)), "", 0);
    ASSERT_ERR(out_of_bounds, CALL("bytebuf->binary", b, fix(6), fix(3)));
    ASSERT_ERR(out_of_bounds, CALL("bytebuf->binary", b, fix(0), fix(-1)));
    ASSERT_ERR(arity_mismatch, CALL("bytebuf->binary", b, fix(2)));
    ASSERT_ERR(type_error, CALL("bytebuf->binary", BIN("a", 1)));
    /* The binary is a copy: later writes do not show through. */
    Value snap = CALL("bytebuf->binary", b);
    bytebuf_of(b)->bytes[0] = 99;
    assert_int_equal(binary_bytes(snap)[0], 1);
    bytebuf_of(b)->bytes[0] = 1;

    /* Overlapping copies within one buffer, both directions. */
    assert_true(CALL("bytebuf-copy!", b, fix(2), b, fix(0), fix(4)) == ok);
    assert_memory_equal(bytebuf_of(b)->bytes, "\x01\x02\x01\x02\x03\x04\x07\x08", 8);
    assert_true(CALL("bytebuf-copy!", b, fix(0), b, fix(2), fix(6)) == ok);
    assert_memory_equal(bytebuf_of(b)->bytes, "\x01\x02\x03\x04\x07\x08\x07\x08", 8);
    /* From a binary, and from another bytebuf. */
    assert_true(CALL("bytebuf-copy!", b, fix(6), BIN("xyz", 3), fix(1), fix(2)) == ok);
    assert_memory_equal(bytebuf_of(b)->bytes + 6, "yz", 2);
    Value c = CALL("bytebuf-alloc", fix(2));
    assert_true(CALL("bytebuf-copy!", c, fix(0), b, fix(0), fix(2)) == ok);
    assert_memory_equal(bytebuf_of(c)->bytes, "\x01\x02", 2);
    assert_true(CALL("bytebuf-copy!", c, fix(2), b, fix(8), fix(0)) == ok);
    ASSERT_ERR(out_of_bounds, CALL("bytebuf-copy!", c, fix(1), b, fix(0), fix(2)));
    ASSERT_ERR(out_of_bounds, CALL("bytebuf-copy!", b, fix(0), c, fix(1), fix(2)));
    ASSERT_ERR(out_of_bounds, CALL("bytebuf-copy!", b, fix(-1), c, fix(0), fix(1)));
    ASSERT_ERR(out_of_bounds, CALL("bytebuf-copy!", b, fix(0), c, fix(0), fix(-1)));
    ASSERT_ERR(type_error, CALL("bytebuf-copy!", b, fix(0), S("ab"), fix(0), fix(1)));
    ASSERT_ERR(type_error, CALL("bytebuf-copy!", BIN("ab", 2), fix(0), b, fix(0), fix(1)));

    assert_true(CALL("bytebuf-fill!", b, fix(1), fix(3), fix(0xAA)) == ok);
    assert_memory_equal(bytebuf_of(b)->bytes, "\x01\xAA\xAA\xAA", 4);
    assert_true(CALL("bytebuf-fill!", b, fix(8), fix(0), fix(0)) == ok);
    assert_true(CALL("bytebuf-fill!", b, fix(0), fix(8), fix(0)) == ok);
    assert_bytes(CALL("bytebuf->binary", b), "\0\0\0\0\0\0\0\0", 8);
    ASSERT_ERR(out_of_bounds, CALL("bytebuf-fill!", b, fix(4), fix(5), fix(0)));
    ASSERT_ERR(out_of_bounds, CALL("bytebuf-fill!", b, fix(0), fix(-1), fix(0)));
    ASSERT_ERR(type_error, CALL("bytebuf-fill!", b, fix(0), fix(1), LV_NIL));
    ASSERT_ERR(type_error, CALL("bytebuf-fill!", LV_NIL, fix(0), fix(1), fix(0)));
}

static void test_byte_order(void **state) {
    (void)state;
    bool little = CALL0("native-endian") == K_(little);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    assert_true(little);
#endif
    uint16_t s = little ? 0x3412 : 0x1234;
    assert_fixed(CALL("native->be16", fix(0x1234)), IMM_U16, s);
    assert_fixed(CALL("be->native16", fix(0x1234)), IMM_U16, s);
    assert_fixed(CALL("native->le16", fix(0x1234)), IMM_U16, little ? 0x1234 : 0x3412);
    assert_fixed(CALL("le->native16", mk_small_fixed(IMM_U16, 0x1234)), IMM_U16,
                 little ? 0x1234 : 0x3412);
    assert_fixed(CALL("native->be32", fix(0x01020304)), IMM_U32, little ? 0x04030201 : 0x01020304);
    assert_fixed(CALL("be->native32", fix(0x01020304)), IMM_U32, little ? 0x04030201 : 0x01020304);
    assert_fixed(CALL("native->le32", fix(0xFFFFFFFF)), IMM_U32, 0xFFFFFFFF);
    assert_fixed(CALL("le->native32", fix(7)), IMM_U32, little ? 7 : 0x07000000);
    uint64_t x = 0x0102030405060708, sx = 0x0807060504030201;
    assert_u64(CALL("native->be64", fix((int64_t)x)), little ? sx : x);
    assert_u64(CALL("be->native64", fix((int64_t)x)), little ? sx : x);
    assert_u64(CALL("native->le64", fix((int64_t)x)), little ? x : sx);
    assert_u64(CALL("le->native64", mk_u64v(UINT64_MAX)), UINT64_MAX);
    Value two64m1 = num_parse_digits(T_p, "18446744073709551615", 20, 10, false, false);
    assert_u64(CALL("native->be64", two64m1), UINT64_MAX);
    assert_u64(CALL("native->le64", fix(0)), 0);

    ASSERT_ERR(badarg, CALL("native->be16", fix(0x10000)));
    ASSERT_ERR(badarg, CALL("native->be16", fix(-1)));
    ASSERT_ERR(badarg, CALL("native->le32", fix(0x100000000)));
    ASSERT_ERR(badarg, CALL("be->native16", mk_small_fixed(IMM_I16, -1)));
    Value two64 = num_parse_digits(T_p, "18446744073709551616", 20, 10, false, false);
    ASSERT_ERR(badarg, CALL("native->be64", two64));
    ASSERT_ERR(badarg, CALL("le->native64", fix(-1)));
    ASSERT_ERR(type_error, CALL("native->be16", S("1")));
    ASSERT_ERR(type_error, CALL("native->le64", mk_float(T_p, 1.0)));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_slice_sharing, tsetup, tteardown),
        cmocka_unit_test_setup_teardown(test_concat_helper, tsetup, tteardown),
        cmocka_unit_test_setup_teardown(test_binary_constructor, tsetup, tteardown),
        cmocka_unit_test_setup_teardown(test_binary_access, tsetup, tteardown),
        cmocka_unit_test_setup_teardown(test_binary_to_string, tsetup, tteardown),
        cmocka_unit_test_setup_teardown(test_string_to_binary, tsetup, tteardown),
        cmocka_unit_test_setup_teardown(test_bytebuf_alloc, tsetup, tteardown),
        cmocka_unit_test_setup_teardown(test_bytebuf_read_write, tsetup, tteardown),
        cmocka_unit_test_setup_teardown(test_bytebuf_bulk, tsetup, tteardown),
        cmocka_unit_test_setup_teardown(test_byte_order, tsetup, tteardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
