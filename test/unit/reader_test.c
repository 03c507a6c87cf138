/*
 * reader_test.c — the reader against spec/lonala.md section 2: every
 * literal form (compared through the printer), every error reason (by its
 * exact keyword), positions, metadata, anonymous functions, syntax-quote,
 * depth limits, and a throughput measurement.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "base/util.h"
#include "reader/reader.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/binary.h"
#include "term/coll.h"
#include "term/print.h"
#include "vm/error.h"
#include "vm/ns.h"
#include "vm/rt.h"

static Runtime *rt;
static Proc *p;

static int setup(void **state) {
    (void)state;
    rt = rt_new(&(RtOptions){.no_stdlib = true, .schedulers = 1});
    p = proc_new_bare(rt);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    proc_free_bare(p);
    rt_free(rt);
    return 0;
}

static Value sym(const char *s) { return mk_symbol(atoms_intern_text(&rt->atoms, s, strlen(s))); }

/* Replace every "__<digits>" by "__N" so generated names compare. */
static char *normalise(char *s) {
    char *o = s;
    for (char *i = s; *i;) {
        if (i[0] == '_' && i[1] == '_' && i[2] >= '0' && i[2] <= '9') {
            i += 2;
            while (*i >= '0' && *i <= '9') i++;
            memcpy(o, "__N", 3); /* never overtakes i: at least 3 bytes were consumed */
            o += 3;
        } else {
            *o++ = *i++;
        }
    }
    *o = 0;
    return s;
}

/* Printed form of the first form of src, or "ERR :reason". */
static char *read_pr(const char *src, size_t len) {
    p->exc = LV_NONE;
    Value v = read_string(p, src, len);
    if (v == LV_EXC) {
        char *r = pr_to_cstr(rt, err_reason_keyword(p->exc));
        char *o = xmalloc(strlen(r) + 5);
        sprintf(o, "ERR %s", r);
        free(r);
        return o;
    }
    return normalise(pr_to_cstr(rt, v));
}

typedef struct Case {
    const char *src, *want;
} Case;

static void run_cases(const Case *cs, size_t n) {
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        char *got = read_pr(cs[i].src, strlen(cs[i].src));
        if (strcmp(got, cs[i].want) != 0) {
            fprintf(stderr, "  read %s\n    want %s\n    got  %s\n", cs[i].src, cs[i].want, got);
            bad++;
        }
        free(got);
    }
    assert_int_equal(bad, 0);
}

#define RUN(cases) run_cases(cases, sizeof cases / sizeof cases[0])

/* ---- literals ---- */

static void test_numbers(void **state) {
    (void)state;
    static const Case cs[] = {
        {"0", "0"}, {"-17", "-17"}, {"+5", "5"}, {"-0", "0"}, {"007", "7"},
        {"123456789012345678901234567890", "123456789012345678901234567890"},
        {"-123456789012345678901234567890", "-123456789012345678901234567890"},
        {"4611686018427387903", "4611686018427387903"},
        {"4611686018427387904", "4611686018427387904"},
        {"-4611686018427387905", "-4611686018427387905"},
        {"1_000_000", "1000000"}, {"7N", "7N"},
        {"99999999999999999999999N", "99999999999999999999999N"},
        {"0xFF", "255"}, {"0xff", "255"}, {"0o17", "15"}, {"0b1010", "10"}, {"-0x10", "-16"},
        {"0xDEAD_BEEFu32", "3735928559u32"}, {"0b1010_0101u8", "165u8"}, {"0x1f32", "7986"},
        {"0xFFFFFFFFFFFFFFFFFFFF", "1208925819614629174706175"},
        {"255u8", "255u8"}, {"-128i8", "-128i8"}, {"127i8", "127i8"}, {"65535u16", "65535u16"},
        {"-32768i16", "-32768i16"}, {"4294967295u32", "4294967295u32"},
        {"-2147483648i32", "-2147483648i32"},
        {"18446744073709551615u64", "18446744073709551615u64"},
        {"-9223372036854775808i64", "-9223372036854775808i64"},
        {"9223372036854775807i64", "9223372036854775807i64"}, {"-0u8", "0u8"},
        {"0xFFu8", "255u8"}, {"0x7Fi8", "127i8"}, {"5N", "5N"},
        {"2r1010", "10"}, {"36rZZ", "1295"}, {"16rff", "255"}, {"-16rFF", "-255"},
        {"8r777", "511"}, {"36rzz_zz", "1679615"},
        {"1/2", "1/2"}, {"6/3", "2"}, {"4/6", "2/3"}, {"-4/6", "-2/3"}, {"0/5", "0"},
        {"1_0/2_0", "1/2"}, {"+1/2", "1/2"},
        {"1.5", "1.5"}, {"-0.0", "-0.0"}, {"1e3", "1000.0"}, {"1E3", "1000.0"},
        {"1.5e-3", "0.0015"}, {"2.5f32", "2.5f32"}, {"1e3f32", "1000.0f32"}, {"4f32", "4.0f32"},
        {"4f64", "4.0"}, {"1_000.5", "1000.5"}, {"0.1", "0.1"}, {"1e21", "1e21"},
        {"6.02e23", "6.02e23"}, {"1e308", "1e308"}, {"4.9e-324", "5e-324"}, {"1e-400", "0.0"},
        {"1e+2", "100.0"}, {"1e1_0", "10000000000.0"}, {"0.1f32", "0.1f32"},
        {"##Inf", "##Inf"}, {"##-Inf", "##-Inf"}, {"##NaN", "##NaN"},
    };
    RUN(cs);
}

static void test_number_errors(void **state) {
    (void)state;
    static const char *bad[] = {
        "1_", "1__0", "1_u8", "0x", "0x_1", "0xu8", "0X10", "0B1", "300u8", "-1u8", "0x80i8",
        "128i8", "-129i8", "256u8", "65536u16", "18446744073709551616u64",
        "9223372036854775808i64", "-9223372036854775809i64", "4294967296u32", "1/0", "1/00",
        "1/-2", "1/2N", "1.", "1.e5", "1e", "1e+", "1.5u8", "1.5N", "1e400", "-1e400",
        "1e39f32", "12abc", "1a", "0b102", "0o8", "16rXYZ", "16r", "2r102", "36r1_", "1e5N",
        "1_.5", "1._5", "1.5_", "1e_5", "0x1.8", "1/+2", "1.5f16", "1u", "1i", "1N8",
        "2r", "1-2", "1+", "1:2", "1..2", "10rA", "1/2/3", "0x1_", "1N_", "--1"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        char *got = read_pr(bad[i], strlen(bad[i]));
        const char *want = strcmp(bad[i], "--1") == 0 ? "--1" : "ERR :invalid-number";
        if (strcmp(got, want) != 0) fprintf(stderr, "  %s -> %s\n", bad[i], got);
        assert_string_equal(got, want);
        free(got);
    }
    static const Case radix[] = {
        {"0r1", "ERR :invalid-radix"}, {"1r0", "ERR :invalid-radix"},
        {"40r1", "ERR :invalid-radix"}, {"37r1", "ERR :invalid-radix"},
        {"99999999999r1", "ERR :invalid-radix"}, {"-1r1", "ERR :invalid-radix"},
    };
    RUN(radix);
}

static void test_characters(void **state) {
    (void)state;
    static const Case cs[] = {
        {"\\a", "\\a"}, {"\\(", "\\("}, {"\\\"", "\\\""}, {"\\;", "\\;"}, {"\\,", "\\,"},
        {"\\\\", "\\\\"}, {"\\newline", "\\newline"}, {"\\space", "\\space"},
        {"\\tab", "\\tab"}, {"\\return", "\\return"}, {"\\backspace", "\\backspace"},
        {"\\formfeed", "\\formfeed"}, {"\\u00e9", "\\\xc3\xa9"}, {"\\u0041", "\\A"},
        {"\\\xc3\xa9", "\\\xc3\xa9"}, {"\\u", "\\u"}, {"\\n", "\\n"}, {"\\u0000", "\\u0000"},
        {"\\u007f", "\\u007F"}, {"(\\a)", "(\\a)"}, {"[\\)]", "[\\)]"}, {"\\a\\b", "\\a"},
        {"\\@", "\\@"}, {"\\'", "\\'"}, {"\\#", "\\#"}, {"\\%", "\\%"}, {"\\uFFFF", "\\\xef\xbf\xbf"},
        {"\\ab", "ERR :invalid-character"}, {"\\u12", "ERR :invalid-character"},
        {"\\uD800", "ERR :invalid-character"}, {"\\uDFFF", "ERR :invalid-character"},
        {"\\uZZZZ", "ERR :invalid-character"}, {"\\ ", "ERR :invalid-character"},
        {"\\\n", "ERR :invalid-character"}, {"\\\t", "ERR :invalid-character"},
        {"\\\xe3\x80\x80", "ERR :invalid-character"}, {"\\newlinex", "ERR :invalid-character"},
        {"\\(a", "ERR :invalid-character"}, {"\\u00e9x", "ERR :invalid-character"},
        {"\\U0041", "ERR :invalid-character"}, {"\\o101", "ERR :invalid-character"},
        {"\\", "ERR :unexpected-eof"}, {"(\\", "ERR :unexpected-eof"},
    };
    RUN(cs);
}

static void test_strings(void **state) {
    (void)state;
    static const Case cs[] = {
        {"\"abc\"", "\"abc\""}, {"\"\"", "\"\""}, {"\"a\\nb\"", "\"a\\nb\""},
        {"\"\\u00e9\"", "\"\xc3\xa9\""}, {"\"\\uD83D\\uDE00\"", "\"\xf0\x9f\x98\x80\""},
        {"\"multi\nline\"", "\"multi\\nline\""}, {"\"tab\\t\\r\"", "\"tab\\t\\r\""},
        {"\"q\\\"\"", "\"q\\\"\""}, {"\"\\\\\"", "\"\\\\\""}, {"\"a;b\"", "\"a;b\""},
        {"\"@~`^\"", "\"@~`^\""}, {"\"\xc3\xa9t\xc3\xa9\"", "\"\xc3\xa9t\xc3\xa9\""},
        {"\"\\u0041\\u0042\"", "\"AB\""},
        {"\"\\q\"", "ERR :invalid-escape"}, {"\"\\x41\"", "ERR :invalid-escape"},
        {"\"\\0\"", "ERR :invalid-escape"}, {"\"\\b\"", "ERR :invalid-escape"},
        {"\"\\uD800\"", "ERR :invalid-escape"}, {"\"\\uDC00\"", "ERR :invalid-escape"},
        {"\"\\uD800\\u0041\"", "ERR :invalid-escape"}, {"\"\\uD800x\"", "ERR :invalid-escape"},
        {"\"\\u12\"", "ERR :invalid-escape"}, {"\"\\uGGGG\"", "ERR :invalid-escape"},
        {"\"\\f\"", "ERR :invalid-escape"}, {"\"\\'\"", "ERR :invalid-escape"},
        {"\"abc", "ERR :unexpected-eof"}, {"\"abc\\", "ERR :unexpected-eof"},
        {"\"\\\"", "ERR :unexpected-eof"}, {"\"", "ERR :unexpected-eof"},
    };
    RUN(cs);
}

static void test_symbols_keywords(void **state) {
    (void)state;
    static const Case cs[] = {
        {"foo", "foo"}, {"my.app/handler", "my.app/handler"}, {"/", "/"},
        {"lona.core//", "lona.core//"}, {"+max+", "+max+"}, {"->", "->"}, {"-", "-"},
        {"+", "+"}, {"a'", "a'"}, {"tmp#", "tmp#"}, {"%2", "%2"}, {"%", "%"}, {"&", "&"},
        {"_", "_"}, {"*x*", "*x*"}, {"a.b", "a.b"}, {"\xc3\xa9", "\xc3\xa9"},
        {"\xce\xbbx", "\xce\xbbx"}, {"nil", "nil"}, {"true", "true"}, {"false", "false"},
        {"nil?", "nil?"}, {"..", ".."}, {".5", ".5"}, {"+.5", "+.5"}, {"a$b<=>?!", "a$b<=>?!"},
        {"x1", "x1"}, {"a/b1", "a/b1"}, {"a/b'", "a/b'"},
        {":ok", ":ok"}, {":http/get", ":http/get"}, {":1st", ":1st"}, {":a.b/c", ":a.b/c"},
        {":nil", ":nil"}, {":+", ":+"}, {":/", ":/"}, {":a//", ":a//"},
        {"a:b", "ERR :invalid-token"}, {"a/b/c", "ERR :invalid-token"},
        {"/x", "ERR :invalid-token"}, {"x/", "ERR :invalid-token"}, {":", "ERR :invalid-token"},
        {"::a", "ERR :invalid-token"}, {":a/", "ERR :invalid-token"},
        {":/a", "ERR :invalid-token"}, {"a@b", "ERR :invalid-token"}, {"@", "ERR :invalid-token"},
        {"@x", "ERR :invalid-token"}, {"a|b", "ERR :invalid-token"}, {"//", "ERR :invalid-token"},
        {"a//b", "ERR :invalid-token"}, {"\xe2\x82\xac", "ERR :invalid-token"},
        {"a\x01", "ERR :invalid-token"}, {"\xff", "ERR :invalid-token"},
        {"a\xc3", "ERR :invalid-token"}, {"\"\xff\"", "ERR :invalid-token"},
        {"\xed\xa0\x80", "ERR :invalid-token"}, {":a:b", "ERR :invalid-token"},
    };
    RUN(cs);
}

static void test_collections(void **state) {
    (void)state;
    static const Case cs[] = {
        {"(1 2 3)", "(1 2 3)"}, {"()", "()"}, {"[1 2]", "[1 2]"}, {"[]", "[]"},
        {"{1 2}", "{1 2}"}, {"{}", "{}"}, {"%{:a 1 :b 2}", "%{:a 1 :b 2}"}, {"%{}", "%{}"},
        {"#{1 2}", "#{1 2}"}, {"#{}", "#{}"}, {"%{:a 1 :a 2}", "%{:a 2}"},
        {"%{:a 1 :b 2 :a 3}", "%{:a 3 :b 2}"}, {"#{1 1 2}", "#{1 2}"},
        {"(a [b {c %{d #{e}}}])", "(a [b {c %{d #{e}}}])"}, {"( 1 , 2 )", "(1 2)"},
        {"(1(2)3)", "(1 (2) 3)"}, {"[a\"s\"b]", "[a \"s\" b]"}, {"(a;c\nb)", "(a b)"},
        {"(1 2", "ERR :unexpected-eof"}, {"[1", "ERR :unexpected-eof"},
        {"{", "ERR :unexpected-eof"}, {"%{", "ERR :unexpected-eof"},
        {"#{", "ERR :unexpected-eof"}, {"(((", "ERR :unexpected-eof"},
        {")", "ERR :unmatched-delimiter"}, {"]", "ERR :unmatched-delimiter"},
        {"}", "ERR :unmatched-delimiter"}, {"(]", "ERR :unmatched-delimiter"},
        {"[)", "ERR :unmatched-delimiter"}, {"{)", "ERR :unmatched-delimiter"},
        {"%{]", "ERR :unmatched-delimiter"}, {"#{)", "ERR :unmatched-delimiter"},
        {"%{:a}", "ERR :odd-map-entries"}, {"%{:a 1 :b}", "ERR :odd-map-entries"},
    };
    RUN(cs);
    /* Large collections go through the hash-trie forms. */
    Buf b;
    buf_init(&b);
    buf_puts(&b, "%{");
    for (int i = 0; i < 100; i++) buf_printf(&b, ":k%d %d ", i, i);
    buf_puts(&b, ":k5 -1}");
    Value m = read_string(p, b.data, b.len);
    assert_true(is_map(m));
    assert_int_equal(map_count(m), 100);
    assert_true(map_get(m, mk_keyword(atoms_intern_text(&rt->atoms, "k5", 2))) == fix(-1));
    buf_free(&b);
}

static void test_whitespace_comments(void **state) {
    (void)state;
    static const Case cs[] = {
        {"; c\n 42", "42"}, {"#_ 1 2", "2"}, {"#_ #_ 1 2 3", "3"}, {"(1 #_ 2 3)", "(1 3)"},
        {"(1 #_(2 (3)) 4)", "(1 4)"}, {"\xc2\xa0 42", "42"}, {"\xe3\x80\x80x", "x"},
        {"\xe2\x80\xa8x", "x"}, {",,,x,,,", "x"}, {"\t\r\n\f\vx", "x"}, {"x;y", "x"},
        {"1 )", "1"}, {"#_x", "ERR :unexpected-eof"},
        {"#_", "ERR :unexpected-eof"}, {"", "ERR :unexpected-eof"},
        {"   ; only a comment", "ERR :unexpected-eof"}, {",", "ERR :unexpected-eof"},
        {"(a #_)", "ERR :unmatched-delimiter"},
    };
    RUN(cs);
}

static void test_reader_macros(void **state) {
    (void)state;
    static const Case cs[] = {
        {"'x", "(quote x)"}, {"''x", "(quote (quote x))"}, {"'(1 2)", "(quote (1 2))"},
        {"#'foo", "(var foo)"}, {"#'a/b", "(var a/b)"}, {"~x", "(lona.core/unquote x)"},
        {"~@x", "(lona.core/unquote-splicing x)"}, {"~ x", "(lona.core/unquote x)"},
        {"' x", "(quote x)"}, {"'#_a b", "(quote b)"}, {"x'", "x'"},
        {"'", "ERR :unexpected-eof"}, {"^:a", "ERR :unexpected-eof"},
        {"^", "ERR :unexpected-eof"}, {"~", "ERR :unexpected-eof"},
        {"~@", "ERR :unexpected-eof"}, {"`", "ERR :unexpected-eof"},
        {"#'", "ERR :unexpected-eof"}, {"(')", "ERR :unmatched-delimiter"},
        {"#foo", "ERR :unknown-dispatch"}, {"#!x", "ERR :unknown-dispatch"},
        {"#ns<x>", "ERR :unknown-dispatch"}, {"#fn<a>", "ERR :unknown-dispatch"},
        {"#pid<1.2>", "ERR :unknown-dispatch"}, {"#\"re\"", "ERR :unknown-dispatch"},
        {"#:a", "ERR :unknown-dispatch"}, {"#bytesfoo", "ERR :unknown-dispatch"},
        {"# x", "ERR :unknown-dispatch"},
        {"#", "ERR :unexpected-eof"}, {"##", "ERR :unexpected-eof"},
        {"##foo", "ERR :invalid-token"}, {"##inf", "ERR :invalid-token"},
        {"##Infx", "ERR :invalid-token"}, {"## Inf", "ERR :invalid-token"},
    };
    RUN(cs);
}

static char *meta_str(Value v) {
    Value m = LV_NIL;
    if (is_boxed(v) && (box_flags(v) & HF_META)) m = box_meta(v);
    return pr_to_cstr(rt, m);
}

static void check_meta(const char *src, const char *printed, const char *meta) {
    Value v = read_string(p, src, strlen(src));
    assert_true(v != LV_EXC);
    char *a = pr_to_cstr(rt, v), *b = meta_str(v);
    assert_string_equal(a, printed);
    assert_string_equal(b, meta);
    free(a);
    free(b);
}

static void test_metadata(void **state) {
    (void)state;
    check_meta("^:a x", "x", "%{:a true}");
    check_meta("^%{:a 1} [1]", "[1]", "%{:a 1}");
    check_meta("^:a ^:b x", "x", "%{:b true :a true}");
    check_meta("^%{:a 1} ^%{:a 2 :b 3} x", "x", "%{:a 1 :b 3}");
    check_meta("^:a (f x)", "(f x)", "%{:a true}");
    check_meta("^:a {1}", "{1}", "%{:a true}");
    check_meta("^:a %{1 2}", "%{1 2}", "%{:a true}");
    check_meta("^:a #{1}", "#{1}", "%{:a true}");
    check_meta("^:a #_b c", "c", "%{:a true}");
    check_meta("^:private ^%{:doc \"d\"} f", "f", "%{:doc \"d\" :private true}");
    /* The position survives metadata. */
    Value v = read_string(p, "^:a (f)", 7);
    uint32_t line, col;
    assert_true(reader_pos(v, &line, &col));
    assert_int_equal(line, 1);
    assert_int_equal(col, 5);
    static const Case cs[] = {
        {"^1 x", "ERR :invalid-metadata"}, {"^\"s\" x", "ERR :invalid-metadata"},
        {"^:a 1", "ERR :invalid-metadata"}, {"^:a ()", "ERR :invalid-metadata"},
        {"^:a \"s\"", "ERR :invalid-metadata"}, {"^:a :k", "ERR :invalid-metadata"},
        {"^:a nil", "ERR :invalid-metadata"}, {"^[1] x", "ERR :invalid-metadata"},
        {"^sym x", "ERR :invalid-metadata"}, {"^:a #bytes[1]", "ERR :invalid-metadata"},
        {"^:a \\c", "ERR :invalid-metadata"},
    };
    RUN(cs);
}

static void test_anon_fn(void **state) {
    (void)state;
    static const Case cs[] = {
        {"#(+ % 1)", "(fn* [p1__N] (+ p1__N 1))"},
        {"#(str %2 %1)", "(fn* [p1__N p2__N] (str p2__N p1__N))"},
        {"#(f %1 %3)", "(fn* [p1__N p2__N p3__N] (f p1__N p3__N))"},
        {"#(apply max %1 %&)", "(fn* [p1__N & rest__N] (apply max p1__N rest__N))"},
        {"#(f %&)", "(fn* [& rest__N] (f rest__N))"},
        {"#(f % %2)", "(fn* [p1__N p2__N] (f p1__N p2__N))"},
        {"#()", "(fn* [] ())"}, {"#(%)", "(fn* [p1__N] (p1__N))"},
        {"#(f [%] {%} %{:k %})", "(fn* [p1__N] (f [p1__N] {p1__N} %{:k p1__N}))"},
        {"#(f %0 %x %01)", "(fn* [] (f %0 %x %01))"}, {"#(f a/% %)", "(fn* [p1__N] (f a/% p1__N))"},
        {"(#(f) #(g))", "((fn* [] (f)) (fn* [] (g)))"},
        {"#(f %64)", NULL},
        {"#(f % %1)", "ERR :mixed-placeholders"}, {"#(f %1 %)", "ERR :mixed-placeholders"},
        {"#(#(f))", "ERR :nested-anon-fn"}, {"#(f (g #(h)))", "ERR :nested-anon-fn"},
        {"#(f %65)", "ERR :invalid-token"}, {"#(f %99999999999999999999)", "ERR :invalid-token"},
        {"#(f", "ERR :unexpected-eof"}, {"#(f]", "ERR :unmatched-delimiter"},
        {"%1", "%1"}, {"[% %&]", "[% %&]"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cs); i++) {
        if (!cs[i].want) continue;
        run_cases(&cs[i], 1);
    }
    /* %64 gives a 64-parameter function. */
    Value v = read_string(p, "#(f %64)", 8);
    assert_true(is_cons(v));
    Value params = car(cdr(v));
    assert_true(is_tuple(params));
    assert_int_equal(tuple_len(params), 64);
    /* % and %1 are the same symbol; different literals get different ones. */
    const char *mixed = "[#(f % %) #(f %1 %1 %)]";
    v = read_string(p, mixed, strlen(mixed));
    assert_true(v == LV_EXC);
    const char *two = "[#(f % %) #(f %1 %1)]";
    v = read_string(p, two, strlen(two));
    assert_true(is_tuple(v));
    Value f1 = tuple_elems(v)[0], f2 = tuple_elems(v)[1];
    Value body1 = car(cdr(cdr(f1))), body2 = car(cdr(cdr(f2)));
    assert_true(car(cdr(body1)) == car(cdr(cdr(body1))));
    assert_true(car(cdr(body2)) == car(cdr(cdr(body2))));
    assert_true(car(cdr(body1)) != car(cdr(body2)));
    assert_true(car(cdr(body1)) == tuple_elems(car(cdr(f1)))[0]);
}

static void test_bytes(void **state) {
    (void)state;
    static const Case cs[] = {
        {"#bytes[]", "#bytes[]"}, {"#bytes[1 2 255]", "#bytes[0x01 0x02 0xFF]"},
        {"#bytes[0xFF 1u8 0b1 2N]", "#bytes[0xFF 0x01 0x01 0x02]"},
        {"#bytes[ 1 , 2 ]", "#bytes[0x01 0x02]"},
        {"#bytes\"hi\"", "#bytes[0x68 0x69]"}, {"#bytes\"\xc3\xa9\"", "#bytes[0xC3 0xA9]"},
        {"#bytes\"\"", "#bytes[]"}, {"#bytes\"a\\n\"", "#bytes[0x61 0x0A]"},
        {"#bytes/latin1\"\xc3\xa9\"", "#bytes[0xE9]"}, {"#bytes/ascii\"A\"", "#bytes[0x41]"},
        {"#bytes/utf8\"A\"", "#bytes[0x41]"},
        {"#bytes[a 1 & r]", "(lona.core/bytes a 1 & r)"},
        {"#bytes[x _]", "(lona.core/bytes x _)"}, {"#bytes[(f x) 2]", "(lona.core/bytes (f x) 2)"},
        {"#bytes[~x]", "(lona.core/bytes (lona.core/unquote x))"},
        {"#bytes[256]", "ERR :invalid-bytes"}, {"#bytes[-1]", "ERR :invalid-bytes"},
        {"#bytes[1i32]", "ERR :invalid-bytes"}, {"#bytes[1u16]", "ERR :invalid-bytes"},
        {"#bytes[1.5]", "ERR :invalid-bytes"}, {"#bytes[a 256]", "ERR :invalid-bytes"},
        {"#bytes[:k]", "ERR :invalid-bytes"}, {"#bytes[\"a\"]", "ERR :invalid-bytes"},
        {"#bytes[[1]]", "ERR :invalid-bytes"}, {"#bytes[nil]", "ERR :invalid-bytes"},
        {"#bytes[1/2]", "ERR :invalid-bytes"},
        {"#bytes/ascii\"\xc3\xa9\"", "ERR :invalid-bytes"},
        {"#bytes/latin1\"\xe2\x82\xac\"", "ERR :invalid-bytes"},
        {"#bytes/ebcdic\"a\"", "ERR :invalid-bytes"}, {"#bytes/\"a\"", "ERR :invalid-bytes"},
        {"#bytes x", "ERR :invalid-bytes"}, {"#bytes/utf8 \"a\"", "ERR :invalid-bytes"},
        {"#bytes(1)", "ERR :invalid-bytes"},
        {"#bytes[1", "ERR :unexpected-eof"}, {"#bytes\"ab", "ERR :unexpected-eof"},
        {"#bytes", "ERR :unexpected-eof"}, {"#bytes[1)", "ERR :unmatched-delimiter"},
        {"#bytes\"\\q\"", "ERR :invalid-escape"}, {"#bytes[300u8]", "ERR :invalid-number"},
    };
    RUN(cs);
    Buf b;
    buf_init(&b);
    buf_puts(&b, "#bytes[");
    for (int i = 0; i < 100; i++) buf_printf(&b, "%d ", i);
    buf_puts(&b, "]");
    Value v = read_string(p, b.data, b.len);
    assert_true(is_binary(v));
    assert_int_equal(binary_size(v), 100);
    assert_int_equal(binary_bytes(v)[99], 99);
    buf_free(&b);
}

static void test_bits(void **state) {
    (void)state;
    static const Case cs[] = {
        {"#bits[hi:4 n:16/le]", "(lona.core/bits [hi 4 :be :unsigned] [n 16 :le :unsigned])"},
        {"#bits[]", "(lona.core/bits)"}, {"#bits[x]", "(lona.core/bits [x 8 :be :unsigned])"},
        {"#bits[tag:3 len:5 & body]",
         "(lona.core/bits [tag 3 :be :unsigned] [len 5 :be :unsigned] & body)"},
        {"#bits[_:4 1:4]", "(lona.core/bits [_ 4 :be :unsigned] [1 4 :be :unsigned])"},
        {"#bits[x:2/bytes/signed]", "(lona.core/bits [x 16 :be :signed])"},
        {"#bits[x/bytes]", "(lona.core/bits [x 64 :be :unsigned])"},
        {"#bits[x:16/native]", "(lona.core/bits [x 16 :le :unsigned])"},
        {"#bits[x:16/be/be/unsigned]", "(lona.core/bits [x 16 :be :unsigned])"},
        {"#bits[-1:8/signed]", "(lona.core/bits [-1 8 :be :signed])"},
        {"#bits[0xFF:8 x:12/be]", "(lona.core/bits [255 8 :be :unsigned] [x 12 :be :unsigned])"},
        {"#bits[ a , b ; c\n ]", "(lona.core/bits [a 8 :be :unsigned] [b 8 :be :unsigned])"},
        {"#bits[& r]", "(lona.core/bits & r)"}, {"#bits[a/le]", "(lona.core/bits [a 8 :le :unsigned])"},
        {"#bits[x:0]", "ERR :invalid-bits"}, {"#bits[x:4/le]", "ERR :invalid-bits"},
        {"#bits[x:4/native]", "ERR :invalid-bits"}, {"#bits[x/be/le]", "ERR :invalid-bits"},
        {"#bits[x/le/native]", "ERR :invalid-bits"},
        {"#bits[x/signed/unsigned]", "ERR :invalid-bits"}, {"#bits[x/foo]", "ERR :invalid-bits"},
        {"#bits[x:]", "ERR :invalid-bits"}, {"#bits[x:a]", "ERR :invalid-bits"},
        {"#bits[:8]", "ERR :invalid-bits"}, {"#bits[& r x]", "ERR :invalid-bits"},
        {"#bits[&]", "ERR :invalid-bits"}, {"#bits[(f)]", "ERR :invalid-bits"},
        {"#bits[nil:8]", "ERR :invalid-bits"}, {"#bits[1.5:8]", "ERR :invalid-bits"},
        {"#bits[1/2]", "ERR :invalid-bits"}, {"#bits x", "ERR :invalid-bits"},
        {"#bits[a/b:8]", "ERR :invalid-bits"}, {"#bits[x:8:8]", "ERR :invalid-bits"},
        {"#bits[x/]", "ERR :invalid-bits"}, {"#bits[x:99999999999]", "ERR :invalid-bits"},
        {"#bits[a.b/c]", "ERR :invalid-bits"}, {"#bits[\"s\"]", "ERR :invalid-bits"},
        {"#bits[& 1]", "ERR :invalid-bits"}, {"#bits[:k]", "ERR :invalid-bits"},
        {"#bits['a]", "ERR :invalid-bits"}, {"#bits[& nil]", "ERR :invalid-bits"},
        {"#bits[& a/b]", "ERR :invalid-bits"},
        {"#bits[a", "ERR :unexpected-eof"}, {"#bits[& r", "ERR :unexpected-eof"},
        {"#bits", "ERR :unexpected-eof"}, {"#bits[1x:8]", "ERR :invalid-number"},
    };
    RUN(cs);
    static const Case anon[] = {
        {"#(f #bits[%:8 %2:4])", "(fn* [p1__N p2__N] (f (lona.core/bits [p1__N 8 :be :unsigned] "
                                 "[p2__N 4 :be :unsigned])))"},
    };
    RUN(anon);
}


/* ---- syntax-quote ---- */

static void test_syntax_quote(void **state) {
    (void)state;
    /* A namespace of our own: my.app with a var, an alias c -> lona.core. */
    Value ns = ns_create(rt, sym("my.app"));
    var_set_local(p, rt->ns_var, ns);
    assert_true(ns_current(p) == ns);
    ns_intern(rt, ns, sym("handler"));
    ns_intern(rt, rt->core_ns, sym("corething"));
    ns_add_alias(rt, ns, sym("c"), rt->core_ns);
    static const Case cs[] = {
        {"`(a b)", "(lona.core/list (quote a) (quote b))"},
        {"`(f ~y g)", "(lona.core/list (quote f) y (quote g))"},
        {"`(a ~@b c)", "(lona.core/apply lona.core/list (lona.core/concat (lona.core/list "
                       "(quote a)) b (lona.core/list (quote c))))"},
        {"`(~@a ~@b)", "(lona.core/apply lona.core/list (lona.core/concat a b))"},
        {"`[a ~b]", "(lona.core/tuple (quote a) b)"},
        {"`[~@b]", "(lona.core/apply lona.core/tuple (lona.core/concat b))"},
        {"`{a}", "(lona.core/vector (quote a))"},
        {"`%{:k ~v}", "(lona.core/hash-map :k v)"},
        {"`#{a}", "(lona.core/hash-set (quote a))"},
        {"`#{~@xs}", "(lona.core/apply lona.core/hash-set (lona.core/concat xs))"},
        {"`:k", ":k"}, {"`1", "1"}, {"`\"s\"", "\"s\""}, {"`nil", "nil"}, {"`\\c", "\\c"},
        {"`1.5", "1.5"}, {"`#bytes[1]", "#bytes[0x01]"},
        {"`()", "()"}, {"`[]", "(lona.core/tuple)"},
        {"`~x", "x"}, {"`~(f x)", "(f x)"},
        {"`x#", "(quote x__N__auto__)"},
        {"`(def fn* match do quote var receive & _)",
         "(lona.core/list (quote def) (quote fn*) (quote match) (quote do) (quote quote) "
         "(quote var) (quote receive) (quote &) (quote _))"},
        {"`'x", "(lona.core/list (quote quote) (quote x))"},
        {"`handler", "(quote my.app/handler)"}, {"`corething", "(quote lona.core/corething)"},
        {"`c/foo", "(quote lona.core/foo)"}, {"`zz/foo", "(quote zz/foo)"},
        {"`unknown", "(quote unknown)"}, {"`my.app/x", "(quote my.app/x)"},
        {"`c//", "(quote lona.core//)"},
        {"`(a ~(b `c))", "(lona.core/list (quote a) (b (quote c)))"},
        {"``a", "ERR :syntax-error"}, {"`(a `b)", "ERR :syntax-error"},
        {"`(a ~(b `(c ~(d `e))))", "(lona.core/list (quote a) (b (lona.core/list (quote c) "
                                   "(d (quote e)))))"},
        {"`(a ~@(b `c))", "(lona.core/apply lona.core/list (lona.core/concat (lona.core/list "
                          "(quote a)) (b (quote c))))"},
        {"`[~(f `x) `y]", "ERR :syntax-error"},
        {"`^:m (x)", "(lona.core/with-meta (lona.core/list (quote x)) (lona.core/hash-map :m "
                     "true))"},
        {"`^:m y", "(lona.core/with-meta (quote y) (lona.core/hash-map :m true))"},
        {"`#(f %)", "(lona.core/list (quote fn*) (lona.core/tuple (quote p1__N)) (lona.core/list "
                    "(quote f) (quote p1__N)))"},
        {"`(a #_b c)", "(lona.core/list (quote a) (quote c))"},
        {"`~@x", "ERR :syntax-error"}, {"`(a ~@)", "ERR :unmatched-delimiter"},
        {"`(a", "ERR :unexpected-eof"},
    };
    RUN(cs);
    /* x# is one symbol within one syntax-quote, a fresh one in the next. */
    const char *src = "[`(x# x# y#) `x#]";
    Value v = read_string(p, src, strlen(src));
    assert_true(is_tuple(v));
    Value l = tuple_elems(v)[0];          /* (lona.core/list (quote x1) (quote x1) (quote y1)) */
    Value q1 = car(cdr(l)), q2 = car(cdr(cdr(l))), q3 = car(cdr(cdr(cdr(l))));
    assert_true(car(cdr(q1)) == car(cdr(q2)));
    assert_true(car(cdr(q1)) != car(cdr(q3)));
    Value q4 = tuple_elems(v)[1];
    assert_true(car(cdr(q4)) != car(cdr(q1)));
    var_set_local(p, rt->ns_var, rt->core_ns);
}

/* ---- positions and error info ---- */

static Value info_get(const char *key) {
    Value info = tuple_elems(p->exc)[2];
    return map_get(info, mk_keyword(atoms_intern_text(&rt->atoms, key, strlen(key))));
}

static void check_err_pos(const char *src, const char *reason, int line, int col) {
    Value v = read_string(p, src, strlen(src));
    if (v != LV_EXC) fprintf(stderr, "  %s: no error\n", src);
    assert_true(v == LV_EXC);
    char *r = pr_to_cstr(rt, err_reason_keyword(p->exc));
    if (strcmp(r + 1, reason) != 0) fprintf(stderr, "  %s: %s\n", src, r);
    assert_string_equal(r + 1, reason);
    free(r);
    assert_int_equal(tuple_len(p->exc), 3);
    if (fix_val(info_get("line")) != line || fix_val(info_get("column")) != col)
        fprintf(stderr, "  %s: at %ld:%ld\n", src, (long)fix_val(info_get("line")),
                (long)fix_val(info_get("column")));
    assert_int_equal(fix_val(info_get("line")), line);
    assert_int_equal(fix_val(info_get("column")), col);
    assert_true(is_string(info_get("message")));
}

static void test_positions(void **state) {
    (void)state;
    const char *src = "(a\n (b c)\n\t[d (e)])";
    Value v = read_string(p, src, strlen(src));
    uint32_t line, col;
    assert_true(reader_pos(v, &line, &col));
    assert_int_equal(line, 1);
    assert_int_equal(col, 1);
    Value inner = car(cdr(v));
    assert_true(reader_pos(inner, &line, &col));
    assert_int_equal(line, 2);
    assert_int_equal(col, 2);
    Value tup = car(cdr(cdr(v)));
    assert_true(reader_pos(tuple_elems(tup)[1], &line, &col));
    assert_int_equal(line, 3);
    assert_int_equal(col, 5);
    assert_false(reader_pos(cdr(v), &line, &col));
    assert_false(reader_pos(LV_EMPTY, &line, &col));
    assert_false(reader_pos(fix(1), &line, &col));
    /* Columns count code points. */
    src = "\"\xc3\xa9\xc3\xa9\" (x)";
    Reader r;
    reader_init(&r, p, src, strlen(src), NULL);
    assert_true(is_string(reader_next(&r)));
    v = reader_next(&r);
    assert_true(reader_pos(v, &line, &col));
    assert_int_equal(col, 6);
    /* 'x carries the position of the quote. */
    v = read_string(p, "  'x", 4);
    assert_true(reader_pos(v, &line, &col));
    assert_int_equal(col, 3);

    check_err_pos("(\n  ]", "unmatched-delimiter", 2, 3);
    check_err_pos("(a\n [b", "unexpected-eof", 2, 2);
    check_err_pos("  12abc", "invalid-number", 1, 3);
    check_err_pos("\n\"ab\\qc\"", "invalid-escape", 2, 4);
    check_err_pos("\"a\nb\\uD800\"", "invalid-escape", 2, 2);
    check_err_pos("[x \\xyz]", "invalid-character", 1, 4);
    check_err_pos("%{:a}", "odd-map-entries", 1, 1);
    check_err_pos("(f ^1 x)", "invalid-metadata", 1, 4);
    check_err_pos("(\xc3\xa9 a@b)", "invalid-token", 1, 4);
    check_err_pos("", "unexpected-eof", 1, 1);
    check_err_pos("#(a #(b))", "nested-anon-fn", 1, 5);
    check_err_pos("#(a % %1)", "mixed-placeholders", 1, 7);

    /* :file is present when the Reader has one. */
    reader_init(&r, p, ")", 1, "src/x.lona");
    assert_true(reader_next(&r) == LV_EXC);
    Value f = info_get("file");
    assert_true(is_string(f));
    assert_string_equal(str_bytes(f), "src/x.lona");
}

/* ---- reading a stream of forms ---- */

static void test_stream(void **state) {
    (void)state;
    const char *src = "1 (a) ; c\n \"s\" #_x";
    Reader r;
    reader_init(&r, p, src, strlen(src), NULL);
    assert_true(reader_next(&r) == fix(1));
    assert_true(is_cons(reader_next(&r)));
    assert_true(is_string(reader_next(&r)));
    assert_true(reader_next(&r) == LV_NONE);
    assert_true(reader_next(&r) == LV_NONE);

    src = "#!/usr/bin/env lona\n42";
    reader_init(&r, p, src, strlen(src), NULL);
    reader_skip_shebang(&r);
    assert_true(reader_next(&r) == fix(42));
    reader_init(&r, p, src, strlen(src), NULL);
    assert_true(reader_next(&r) == LV_EXC);
    assert_true(err_reason_keyword(p->exc) == K_(unknown_dispatch));
    /* Only a first line is a shebang. */
    src = "1\n#!x";
    reader_init(&r, p, src, strlen(src), NULL);
    assert_true(reader_next(&r) == fix(1));
    reader_skip_shebang(&r);
    assert_true(reader_next(&r) == LV_EXC);
    reader_init(&r, p, "#!only", 6, NULL);
    reader_skip_shebang(&r);
    assert_true(reader_next(&r) == LV_NONE);
    /* Embedded NUL bytes are ordinary (invalid) token bytes. */
    assert_true(read_string(p, "a\0b", 3) == LV_EXC);
    assert_true(read_string(p, "\"a\0b\"", 5) != LV_EXC);
    /* NULL source. */
    assert_true(read_string(p, NULL, 0) == LV_EXC);
    assert_true(err_reason_keyword(p->exc) == K_(unexpected_eof));
}

/* ---- depth limits ---- */

static Value read_repeated(const char *open, int n, const char *mid, const char *close) {
    Buf b;
    buf_init(&b);
    for (int i = 0; i < n; i++) buf_puts(&b, open);
    buf_puts(&b, mid);
    for (int i = 0; i < n; i++) buf_puts(&b, close);
    Value v = read_string(p, b.data, b.len);
    buf_free(&b);
    return v;
}

static void test_depth(void **state) {
    (void)state;
    assert_true(is_cons(read_repeated("(", READER_MAX_DEPTH, "x", ")")));
    assert_true(read_repeated("(", READER_MAX_DEPTH + 1, "x", ")") == LV_EXC);
    assert_true(err_reason_keyword(p->exc) == K_(syntax_error));
    assert_true(read_repeated("'", 200000, "x", "") == LV_EXC);
    assert_true(err_reason_keyword(p->exc) == K_(syntax_error));
    assert_true(read_repeated("[", 200000, "", "") == LV_EXC);
    assert_true(err_reason_keyword(p->exc) == K_(syntax_error));
    assert_true(read_repeated("^:a ", 200000, "x", "") == LV_EXC);
    assert_true(is_tuple(read_repeated("[", 5000, "x", "]")));
    /* Deep syntax-quote expands without C recursion. */
    Value v = read_repeated("(", READER_MAX_DEPTH - 1, "`x", ")");
    assert_true(is_cons(v));
    Buf b;
    buf_init(&b);
    buf_puts(&b, "`");
    /* ` and the innermost ~@ take one level each. */
    for (int i = 0; i < READER_MAX_DEPTH - 2; i++) buf_puts(&b, "(a ~@b ");
    for (int i = 0; i < READER_MAX_DEPTH - 2; i++) buf_puts(&b, ")");
    v = read_string(p, b.data, b.len);
    assert_true(is_cons(v));
    buf_free(&b);
    /* A long run of ^ prefixes costs one copy of the target. */
    buf_init(&b);
    for (int i = 0; i < READER_MAX_DEPTH - 1; i++) buf_printf(&b, "^:k%d ", i % 5000);
    buf_puts(&b, "[");
    for (int i = 0; i < 100000; i++) buf_puts(&b, "x ");
    buf_puts(&b, "]");
    v = read_string(p, b.data, b.len);
    assert_true(is_tuple(v));
    assert_int_equal(map_count(box_meta(v)), 5000);
    buf_free(&b);
    /* A very long flat list. */
    buf_init(&b);
    buf_puts(&b, "(");
    for (int i = 0; i < 200000; i++) buf_puts(&b, "x ");
    buf_puts(&b, ")");
    v = read_string(p, b.data, b.len);
    size_t n = 0;
    for (; is_cons(v); v = cdr(v)) n++;
    assert_int_equal(n, 200000);
    buf_free(&b);
}

/* ---- throughput ---- */

static void test_throughput(void **state) {
    (void)state;
    static const char chunk[] =
        "(defn ^:private frob\n"
        "  \"Documentation string with \\\"escapes\\\" and text.\"\n"
        "  [x y & more]\n"
        "  ;; a comment line\n"
        "  (match [x y]\n"
        "    [0 _] (+ 1 2.5 3/4 0xFF 1_000 :keyword ns/sym)\n"
        "    [a b] `(list ~a ~@more %{:k #{1 2}} {a b})\n"
        "    _ #(apply str %1 %&)))\n";
    Buf b;
    buf_init(&b);
    while (b.len < 4u << 20) buf_puts(&b, chunk);
    Reader r;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    reader_init(&r, p, b.data, b.len, NULL);
    size_t forms = 0;
    Value v;
    while ((v = reader_next(&r)) != LV_NONE) {
        assert_true(v != LV_EXC);
        forms++;
        if (p->heap.gc_wanted) {
            /* No collector runs in a bare process: start a fresh heap. */
            proc_free_bare(p);
            p = proc_new_bare(rt);
            r.p = p;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    fprintf(stderr, "  read %zu forms, %.1f MB in %.3f s: %.1f MB/s\n", forms,
            (double)b.len / 1e6, secs, (double)b.len / 1e6 / secs);
    buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers),        cmocka_unit_test(test_number_errors),
        cmocka_unit_test(test_characters),     cmocka_unit_test(test_strings),
        cmocka_unit_test(test_symbols_keywords), cmocka_unit_test(test_collections),
        cmocka_unit_test(test_whitespace_comments), cmocka_unit_test(test_reader_macros),
        cmocka_unit_test(test_metadata),       cmocka_unit_test(test_anon_fn),
        cmocka_unit_test(test_bytes),          cmocka_unit_test(test_bits),
        cmocka_unit_test(test_syntax_quote),   cmocka_unit_test(test_positions),
        cmocka_unit_test(test_stream),         cmocka_unit_test(test_depth),
        cmocka_unit_test(test_throughput),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
