/*
 * str_test.c — UTF-8 (base/utf8.c), string values (term/string.c) and the
 * string, symbol, keyword, format and print intrinsics (lib/core_str.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/utf8.h"
#include "term/num.h"
#include "strbin_support.h"

/* ---- utf8.c ------------------------------------------------------------- */

static void decodes_as(const char *s, size_t len, uint32_t want, size_t want_n) {
    uint32_t cp = 0xDEAD;
    assert_int_equal(utf8_decode(s, len, &cp), want_n);
    assert_int_equal(cp, want);
}

static void rejects(const char *s, size_t len) {
    uint32_t cp;
    assert_int_equal(utf8_decode(s, len, &cp), 0);
    assert_false(utf8_validate(s, len, NULL));
}

static void test_utf8_decode_valid(void **state) {
    (void)state;
    decodes_as("A", 1, 'A', 1);
    decodes_as("\x7F", 1, 0x7F, 1);
    decodes_as("\xC2\x80", 2, 0x80, 2);
    decodes_as("\xC3\xA9", 2, 0xE9, 2);
    decodes_as("\xDF\xBF", 2, 0x7FF, 2);
    decodes_as("\xE0\xA0\x80", 3, 0x800, 3);
    decodes_as("\xE2\x82\xAC", 3, 0x20AC, 3);
    decodes_as("\xED\x9F\xBF", 3, 0xD7FF, 3);  /* just below the surrogates */
    decodes_as("\xEE\x80\x80", 3, 0xE000, 3);  /* just above */
    decodes_as("\xEF\xBF\xBF", 3, 0xFFFF, 3);
    decodes_as("\xF0\x90\x80\x80", 4, 0x10000, 4);
    decodes_as("\xF0\x9F\x98\x80", 4, 0x1F600, 4);
    decodes_as("\xF4\x8F\xBF\xBF", 4, 0x10FFFF, 4);
    /* Only the first code point is consumed. */
    decodes_as("\xC3\xA9z", 3, 0xE9, 2);
}

static void test_utf8_decode_invalid(void **state) {
    (void)state;
    rejects("\xC0\x80", 2);              /* overlong NUL */
    rejects("\xC1\xBF", 2);              /* overlong 0x7F */
    rejects("\xE0\x80\x80", 3);          /* overlong 3-byte */
    rejects("\xE0\x9F\xBF", 3);          /* overlong 0x7FF */
    rejects("\xF0\x80\x80\x80", 4);      /* overlong 4-byte */
    rejects("\xF0\x8F\xBF\xBF", 4);      /* overlong 0xFFFF */
    rejects("\xED\xA0\x80", 3);          /* U+D800 high surrogate */
    rejects("\xED\xBF\xBF", 3);          /* U+DFFF low surrogate */
    rejects("\xED\xA0\xBD\xED\xB8\x80", 6); /* CESU-8 surrogate pair */
    rejects("\xF4\x90\x80\x80", 4);      /* U+110000 */
    rejects("\xF5\x80\x80\x80", 4);
    rejects("\xFF", 1);
    rejects("\xFE", 1);
    rejects("\x80", 1);                  /* stray continuation */
    rejects("\xBF", 1);
    rejects("\xC3", 1);                  /* truncated */
    rejects("\xE2\x82", 2);
    rejects("\xF0\x9F\x98", 3);
    rejects("\xE2\x28\xA1", 3);          /* bad continuation */
    rejects("\xC3\x28", 2);
    uint32_t cp;
    assert_int_equal(utf8_decode("", 0, &cp), 0);
    /* A length shorter than the sequence is truncation too. */
    assert_int_equal(utf8_decode("\xE2\x82\xAC", 2, &cp), 0);
}

static void test_utf8_encode_roundtrip(void **state) {
    (void)state;
    char buf[4];
    assert_int_equal(utf8_encode(0x41, buf), 1);
    assert_int_equal(utf8_encode(0x7FF, buf), 2);
    assert_int_equal(utf8_encode(0x800, buf), 3);
    assert_int_equal(utf8_encode(0xFFFF, buf), 3);
    assert_int_equal(utf8_encode(0x10000, buf), 4);
    assert_int_equal(utf8_encode(0x1F600, buf), 4);
    assert_memory_equal(buf, "\xF0\x9F\x98\x80", 4);
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp += (cp < 0x1000 ? 1 : 7)) {
        if (cp >= 0xD800 && cp <= 0xDFFF) continue;
        size_t n = utf8_encode(cp, buf);
        uint32_t back;
        assert_int_equal(utf8_decode(buf, n, &back), n);
        assert_int_equal(back, cp);
    }
}

static void test_utf8_validate_offset(void **state) {
    (void)state;
    size_t n = 99;
    assert_true(utf8_validate("", 0, &n));
    assert_int_equal(n, 0);
    const char *s = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z"; /* a é € 😀 z */
    size_t len = strlen(s);
    assert_true(utf8_validate(s, len, &n));
    assert_int_equal(n, 5);
    assert_int_equal(utf8_offset(s, len, 0), 0);
    assert_int_equal(utf8_offset(s, len, 1), 1);
    assert_int_equal(utf8_offset(s, len, 2), 3);
    assert_int_equal(utf8_offset(s, len, 3), 6);
    assert_int_equal(utf8_offset(s, len, 4), 10);
    assert_int_equal(utf8_offset(s, len, 5), 11);
    assert_false(utf8_validate("ok\xC0\x80", 4, &n));
    /* Embedded NUL is a valid code point. */
    assert_true(utf8_validate("a\0b", 3, &n));
    assert_int_equal(n, 3);
}

static void test_unicode_classes(void **state) {
    (void)state;
    const uint32_t ws[] = {' ', '\t', '\n', '\r', 0x0B, 0x0C, 0x85, 0xA0, 0x1680, 0x2000,
                           0x2005, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000};
    for (size_t i = 0; i < ARRAY_LEN(ws); i++) assert_true(unicode_is_whitespace(ws[i]));
    const uint32_t not_ws[] = {'a', ',', 0, 0x1C, 0x7F, 0x200B, 0x180E, 0xFEFF, 0x10FFFF};
    for (size_t i = 0; i < ARRAY_LEN(not_ws); i++) assert_false(unicode_is_whitespace(not_ws[i]));

    const uint32_t letters[] = {'a', 'z', 'A', 'Z', 0xAA, 0xB5, 0xE9, 0xFF, 0x436, 0x3B1,
                                0x5D0, 0x627, 0x4E2D, 0xAC00, 0x1D49C, 0x20000};
    for (size_t i = 0; i < ARRAY_LEN(letters); i++) assert_true(unicode_is_letter(letters[i]));
    const uint32_t not_letters[] = {'0', '9', '_', '-', '@', '[', '`', '{', 0xD7, 0xF7,
                                    0x300, 0x2028, 0x1F600, 0x10FFFF, 0xD800};
    for (size_t i = 0; i < ARRAY_LEN(not_letters); i++)
        assert_false(unicode_is_letter(not_letters[i]));
}

/* ---- string.c ----------------------------------------------------------- */

static void test_string_helpers(void **state) {
    (void)state;
    Value a = S("hello");
    assert_true(str_is_ascii(a));
    assert_true(str_nth_char(a, 1) == mk_char('e'));
    assert_string(str_substring(T_p, a, 1, 4), "ell");
    assert_string(str_substring(T_p, a, 5, 5), "");

    Value u = S("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z");
    assert_false(str_is_ascii(u));
    assert_int_equal(str_cplen(u), 5);
    assert_true(str_nth_char(u, 0) == mk_char('a'));
    assert_true(str_nth_char(u, 1) == mk_char(0xE9));
    assert_true(str_nth_char(u, 3) == mk_char(0x1F600));
    assert_true(str_nth_char(u, 4) == mk_char('z'));
    assert_int_equal(str_cp_offset(u, 3), 6);
    Value sub = str_substring(T_p, u, 1, 4);
    assert_string(sub, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
    assert_int_equal(str_cplen(sub), 3);
    uint32_t cp;
    assert_int_equal(str_next_cp(u, 1, &cp), 3);
    assert_int_equal(cp, 0xE9);

    Value c = str_concat(T_p, a, u);
    assert_int_equal(str_cplen(c), 10);
    assert_int_equal(str_bytelen(c), 5 + 11);
    assert_true(str_concat(T_p, a, S("")) == a);
    assert_true(str_equal(str_concat(T_p, S("ab"), S("cd")), S("abcd")));
    assert_false(str_equal(S("ab"), S("abc")));

    assert_true(str_from_utf8(T_p, "\xED\xA0\x80", 3) == LV_NONE);
    Value ok = str_from_utf8(T_p, "\xC3\xA9", 2);
    assert_int_equal(str_cplen(ok), 1);
    Buf b;
    buf_init(&b);
    assert_string(str_from_buf(T_p, &b), "");
    buf_puts(&b, "x\xC3\xA9");
    assert_int_equal(str_cplen(str_from_buf(T_p, &b)), 2);
    buf_free(&b);
}

/* ---- str, subs ---------------------------------------------------------- */

static void test_str(void **state) {
    (void)state;
    assert_string(CALL0("str"), "");
    Value s = S("x");
    assert_true(CALL("str", s) == s);
    assert_string(CALL("str", LV_NIL), "");
    assert_string(CALL("str", S("a"), LV_NIL, S("b")), "ab");
    assert_string(CALL("str", mk_char(0xE9), mk_char('!')), "\xC3\xA9!");
    assert_int_equal(str_cplen(CALL("str", S("\xC3\xA9"), S("z"))), 2);
    /* Display forms of other values come from the printer. */
    assert_string(CALL("str", fix(42), S(" "), LV_TRUE, S(" "), KW("k")), "42 true :k");
    assert_string(CALL("str", mk_small_fixed(IMM_U8, 200)), "200");
    assert_string(CALL("str", SYM("a/b")), "a/b");
}

static void test_subs(void **state) {
    (void)state;
    Value s = S("hello");
    assert_string(CALL("subs", s, fix(1)), "ello");
    assert_string(CALL("subs", s, fix(1), fix(3)), "el");
    assert_string(CALL("subs", s, fix(5)), "");
    assert_string(CALL("subs", s, fix(0), fix(5)), "hello");
    assert_string(CALL("subs", s, fix(2), fix(2)), "");
    Value u = S("\xC3\xA9t\xC3\xA9 \xF0\x9F\x98\x80!"); /* été 😀! */
    assert_string(CALL("subs", u, fix(1), fix(3)), "t\xC3\xA9");
    assert_string(CALL("subs", u, fix(4)), "\xF0\x9F\x98\x80!");
    assert_int_equal(str_cplen(CALL("subs", u, fix(4), fix(5))), 1);
    assert_string(CALL("subs", u, mk_small_fixed(IMM_U8, 5)), "!");

    ASSERT_ERR(index_out_of_bounds, CALL("subs", s, fix(6)));
    ASSERT_ERR(index_out_of_bounds, CALL("subs", s, fix(-1)));
    ASSERT_ERR(index_out_of_bounds, CALL("subs", s, fix(3), fix(2)));
    ASSERT_ERR(index_out_of_bounds, CALL("subs", s, fix(0), fix(6)));
    ASSERT_ERR(index_out_of_bounds, CALL("subs", u, fix(0), fix(7)));
    Value big = num_parse_digits(T_p, "100000000000000000000000", 24, 10, false, false);
    ASSERT_ERR(index_out_of_bounds, CALL("subs", s, big));
    ASSERT_ERR(type_error, CALL("subs", s, KW("a")));
    ASSERT_ERR(type_error, CALL("subs", s, fix(0), S("1")));
    ASSERT_ERR(type_error, CALL("subs", KW("hello"), fix(0)));
    ASSERT_ERR(type_error, CALL("subs", LV_NIL, fix(0)));
}

/* ---- symbol, keyword, name, namespace ----------------------------------- */

static void test_symbol_keyword(void **state) {
    (void)state;
    assert_true(CALL("symbol", S("foo")) == SYM("foo"));
    assert_true(CALL("symbol", S("my.app/handler")) == SYM("my.app/handler"));
    assert_true(CALL("symbol", S("ns"), S("n")) == SYM("ns/n"));
    assert_true(CALL("symbol", LV_NIL, S("n")) == SYM("n"));
    assert_true(CALL("symbol", S("ns"), KW("x")) == SYM("ns/x"));
    assert_true(CALL("symbol", S("ns"), SYM("a/x")) == SYM("ns/x"));
    assert_true(CALL("symbol", SYM("s")) == SYM("s"));
    assert_true(CALL("symbol", KW("k")) == SYM("k"));
    assert_true(CALL("symbol", KW("a/k")) == SYM("a/k"));

    assert_true(CALL("keyword", S("foo")) == KW("foo"));
    assert_true(CALL("keyword", S("http/get")) == KW("http/get"));
    assert_true(CALL("keyword", S("a"), S("b")) == KW("a/b"));
    assert_true(CALL("keyword", LV_NIL, S("b")) == KW("b"));
    assert_true(CALL("keyword", SYM("x")) == KW("x"));
    assert_true(CALL("keyword", KW("x")) == KW("x"));
    assert_true(CALL("keyword", S("a"), SYM("b")) == KW("a/b"));

    ASSERT_ERR(type_error, CALL("symbol", fix(1)));
    ASSERT_ERR(type_error, CALL("symbol", LV_NIL));
    ASSERT_ERR(type_error, CALL("symbol", fix(1), S("x")));
    ASSERT_ERR(type_error, CALL("symbol", S("a"), fix(2)));
    ASSERT_ERR(type_error, CALL("keyword", mk_char('a')));
    ASSERT_ERR(type_error, CALL("keyword", KW("a"), S("b")));
}

static void test_name_namespace(void **state) {
    (void)state;
    Value s = S("plain");
    assert_true(CALL("name", s) == s);
    assert_string(CALL("name", SYM("foo")), "foo");
    assert_string(CALL("name", SYM("a.b/c")), "c");
    assert_string(CALL("name", KW("http/get")), "get");
    assert_string(CALL("name", KW("\xC3\xA9t\xC3\xA9")), "\xC3\xA9t\xC3\xA9");
    assert_string(CALL("name", SYM("/")), "/");
    assert_true(CALL("namespace", SYM("foo")) == LV_NIL);
    assert_string(CALL("namespace", SYM("a.b/c")), "a.b");
    assert_string(CALL("namespace", KW("http/get")), "http");
    assert_true(CALL("namespace", KW("get")) == LV_NIL);
    ASSERT_ERR(type_error, CALL("name", fix(1)));
    ASSERT_ERR(type_error, CALL("name", LV_NIL));
    ASSERT_ERR(type_error, CALL("namespace", S("a/b")));
    ASSERT_ERR(type_error, CALL("namespace", LV_NIL));
}

/* ---- format ------------------------------------------------------------- */

static void test_format(void **state) {
    (void)state;
    assert_string(CALL("format", S("plain")), "plain");
    assert_string(CALL("format", S("")), "");
    assert_string(CALL("format", S("%d items"), fix(3)), "3 items");
    assert_string(CALL("format", S("%d"), fix(-42)), "-42");
    assert_string(CALL("format", S("%d|%d"), mk_small_fixed(IMM_U8, 200), mk_small_fixed(IMM_I32, -7)),
                  "200|-7");
    assert_string(CALL("format", S("%x %X"), fix(255), fix(255)), "ff FF");
    assert_string(CALL("format", S("%x"), fix(0)), "0");
    assert_string(CALL("format", S("%x"), fix(-255)), "-ff");
    assert_string(CALL("format", S("%b"), fix(5)), "101");
    assert_string(CALL("format", S("%b"), fix(0)), "0");
    assert_string(CALL("format", S("%x"), mk_small_fixed(IMM_I8, -1)), "ff");
    assert_string(CALL("format", S("%b"), mk_small_fixed(IMM_I16, -1)), "1111111111111111");
    assert_string(CALL("format", S("%X"), mk_small_fixed(IMM_U32, 0xDEADBEEF)), "DEADBEEF");
    Value big = num_parse_digits(T_p, "1180591620717411303424", 22, 10, false, false); /* 2^70 */
    assert_string(CALL("format", S("%x"), big), "400000000000000000");
    assert_string(CALL("format", S("%d"), big), "1180591620717411303424");
    Value nbig = num_parse_digits(T_p, "1180591620717411303425", 22, 10, true, false);
    assert_string(CALL("format", S("%X"), nbig), "-400000000000000001");
    assert_string(CALL("format", S("100%%")), "100%");
    assert_string(CALL("format", S("%s and %s"), S("x"), LV_NIL), "x and nil");
    assert_string(CALL("format", S("%s"), mk_char('c')), "c");
    assert_string(CALL("format", S("%p"), S("q\"")), "\"q\\\"\"");
    assert_string(CALL("format", S("%p %s"), KW("k"), KW("k")), ":k :k");
    assert_string(CALL("format", S("\xC3\xA9%s\xC3\xA9"), S("\xE2\x82\xAC")),
                  "\xC3\xA9\xE2\x82\xAC\xC3\xA9");

    ASSERT_ERR(badarg, CALL("format", S("%q"), fix(1)));
    ASSERT_ERR(badarg, CALL("format", S("%5d"), fix(1)));
    ASSERT_ERR(badarg, CALL("format", S("%d")));
    ASSERT_ERR(badarg, CALL("format", S("%d"), fix(1), fix(2)));
    ASSERT_ERR(badarg, CALL("format", S("none"), fix(1)));
    ASSERT_ERR(badarg, CALL("format", S("%d"), S("x")));
    ASSERT_ERR(badarg, CALL("format", S("%x"), mk_float(T_p, 1.5)));
    ASSERT_ERR(badarg, CALL("format", S("trailing %")));
    ASSERT_ERR(type_error, CALL("format", KW("x")));
}

/* ---- console output ----------------------------------------------------- */

typedef struct {
    const char *fn;
    Value args[4];
    uint32_t n;
    Value result;
} PrintCall;

static void run_print(void *ctx) {
    PrintCall *c = ctx;
    c->result = callv(c->fn, c->args, c->n);
}

static void expect_output(const char *fn, const char *want, uint32_t n, Value a, Value b, Value c) {
    PrintCall call = {fn, {a, b, c}, n, LV_NONE};
    char *out = capture_stdout(run_print, &call);
    assert_string_equal(out, want);
    assert_true(call.result == LV_NIL);
    free(out);
}

static void test_print_functions(void **state) {
    (void)state;
    Value s = S("a\"b");
    expect_output("print", "a\"b 1 nil", 3, s, fix(1), LV_NIL);
    expect_output("println", "a\"b 1 nil\n", 3, s, fix(1), LV_NIL);
    expect_output("println", "\n", 0, LV_NIL, LV_NIL, LV_NIL);
    expect_output("prn", "\"a\\\"b\" 1 nil\n", 3, s, fix(1), LV_NIL);
    expect_output("prn", "\\x\n", 1, mk_char('x'), LV_NIL, LV_NIL);
    expect_output("print", "x", 1, mk_char('x'), LV_NIL, LV_NIL);
    expect_output("print", "", 0, LV_NIL, LV_NIL, LV_NIL);
    expect_output("kprint", "a\"b", 1, s, LV_NIL, LV_NIL);
    expect_output("kprint", "nil", 1, LV_NIL, LV_NIL, LV_NIL);
    expect_output("kprint", "200", 1, mk_small_fixed(IMM_U8, 200), LV_NIL, LV_NIL);

    assert_string(CALL0("pr-str"), "");
    assert_string(CALL("pr-str", s, fix(1), LV_NIL), "\"a\\\"b\" 1 nil");
    assert_string(CALL("pr-str", mk_char('\n')), "\\newline");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_decode_valid),
        cmocka_unit_test(test_utf8_decode_invalid),
        cmocka_unit_test(test_utf8_encode_roundtrip),
        cmocka_unit_test(test_utf8_validate_offset),
        cmocka_unit_test(test_unicode_classes),
        cmocka_unit_test_setup_teardown(test_string_helpers, tsetup, tteardown),
        cmocka_unit_test_setup_teardown(test_str, tsetup, tteardown),
        cmocka_unit_test_setup_teardown(test_subs, tsetup, tteardown),
        cmocka_unit_test_setup_teardown(test_symbol_keyword, tsetup, tteardown),
        cmocka_unit_test_setup_teardown(test_name_namespace, tsetup, tteardown),
        cmocka_unit_test_setup_teardown(test_format, tsetup, tteardown),
        cmocka_unit_test_setup_teardown(test_print_functions, tsetup, tteardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
