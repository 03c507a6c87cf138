/*
 * print_test.c — the printed and display forms of every type (spec 3).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gc/heap.h"
#include "lib/intrinsic.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/binary.h"
#include "term/coll.h"
#include "term/num.h"
#include "term/print.h"
#include "vm/ns.h"
#include "vm/proto.h"
#include "vm/runtime.h"

static Runtime rt;
static Proc proc;
static Proc *P = &proc;

static int setup(void **state) {
    (void)state;
    memset(&rt, 0, sizeof rt);
    atoms_init(&rt.atoms);
    memset(&proc, 0, sizeof proc);
    heap_init(&proc.heap, 1 << 14, 0);
    proc.rt = &rt;
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

static void check_pr(Value v, const char *want) {
    char *s = pr_to_cstr(&rt, v);
    assert_string_equal(s, want);
    free(s);
}

static void check_display(Value v, const char *want) {
    Buf b;
    buf_init(&b);
    pr_display(&rt, &b, v);
    buf_putc(&b, 0); /* an empty display form still compares as a string */
    assert_string_equal(b.data, want);
    buf_free(&b);
}

static void test_scalars(void **state) {
    (void)state;
    check_pr(LV_NIL, "nil");
    check_pr(LV_TRUE, "true");
    check_pr(LV_FALSE, "false");
    check_pr(fix(0), "0");
    check_pr(fix(-42), "-42");
    check_pr(mk_small_fixed(IMM_U8, 200), "200u8");
    check_pr(mk_small_fixed(IMM_I32, -7), "-7i32");
    check_pr(num_parse_digits(P, "5", 1, 10, false, true), "5N");
    check_pr(num_make_ratio(P, fix(-5), fix(3)), "-5/3");
    check_pr(mk_float(P, 2.5), "2.5");
    check_pr(mk_float(P, -0.0), "-0.0");
    check_pr(mk_float(P, 1e21), "1e21");
    check_pr(mk_float(P, 0.0 / 0.0), "##NaN");
    check_pr(mk_f32(0.1f), "0.1f32");
    check_pr(kw("ok"), ":ok");
    check_pr(kw("http/get"), ":http/get");
    check_pr(sym("my.app/handler"), "my.app/handler");
    check_pr(sym("/"), "/");
    Value meta = map_put(P, map_empty(P), kw("private"), LV_TRUE);
    check_pr(coll_with_meta(P, sym("x"), meta), "x");
}

static void test_chars_and_strings(void **state) {
    (void)state;
    check_pr(mk_char('z'), "\\z");
    check_pr(mk_char(0xe9), "\\é");
    check_pr(mk_char('\n'), "\\newline");
    check_pr(mk_char(' '), "\\space");
    check_pr(mk_char('\t'), "\\tab");
    check_pr(mk_char('\r'), "\\return");
    check_pr(mk_char(8), "\\backspace");
    check_pr(mk_char(12), "\\formfeed");
    check_pr(mk_char(1), "\\u0001");
    check_pr(mk_char(0x1f), "\\u001F");
    check_pr(mk_char(0x7f), "\\u007F");
    check_pr(mk_char('"'), "\\\"");
    check_pr(mk_char('\\'), "\\\\");
    check_pr(mk_char(0x1F600), "\\\xF0\x9F\x98\x80");
    check_pr(mk_cstring(P, ""), "\"\"");
    check_pr(mk_cstring(P, "a\"b\\c\nd\te\rf"), "\"a\\\"b\\\\c\\nd\\te\\rf\"");
    check_pr(mk_cstring(P, "x\x01y\x7f"), "\"x\\u0001y\\u007F\"");
    check_pr(mk_cstring(P, "héllo ✓"), "\"héllo ✓\"");
    check_display(mk_cstring(P, "a\"b\n"), "a\"b\n");
    check_display(mk_char('\n'), "\n");
    check_display(mk_char(0xe9), "é");
}

static void test_collections(void **state) {
    (void)state;
    Value xs[3] = {fix(1), mk_cstring(P, "s"), mk_char('c')};
    check_pr(LV_EMPTY, "()");
    check_pr(mk_list_from(P, xs, 3), "(1 \"s\" \\c)");
    check_pr(mk_tuple(P, 0), "[]");
    check_pr(mk_tuple3(P, xs[0], xs[1], xs[2]), "[1 \"s\" \\c]");
    check_pr(vec_empty(P), "{}");
    check_pr(vec_from(P, xs, 3), "{1 \"s\" \\c}");
    check_pr(map_empty(P), "%{}");
    Value m = map_put(P, map_put(P, map_empty(P), kw("a"), fix(1)), kw("b"), LV_NIL);
    check_pr(m, "%{:a 1 :b nil}");
    check_pr(set_empty(P), "#{}");
    check_pr(set_from(P, xs, 3), "#{1 \"s\" \\c}");
    /* nesting and the quote form, which is never abbreviated */
    Value q[2] = {sym("quote"), sym("x")};
    Value inner = mk_tuple2(P, mk_list_from(P, q, 2), m);
    Value outer = vec_from(P, (Value[]){inner, set_from(P, xs, 1), LV_EMPTY}, 3);
    check_pr(outer, "{[(quote x) %{:a 1 :b nil}] #{1} ()}");
    /* metadata is never printed */
    Value meta = map_put(P, map_empty(P), kw("doc"), mk_cstring(P, "d"));
    check_pr(coll_with_meta(P, outer, meta), "{[(quote x) %{:a 1 :b nil}] #{1} ()}");
    /* display form: elements stay in printed form */
    check_display(mk_tuple2(P, mk_cstring(P, "s"), mk_char('c')), "[\"s\" \\c]");
    /* a large map prints every entry once */
    Value big = map_empty(P);
    for (int i = 0; i < 100; i++) big = map_put(P, big, fix(i), fix(i));
    char *s = pr_to_cstr(&rt, big);
    assert_true(s[0] == '%' && s[1] == '{' && s[strlen(s) - 1] == '}');
    size_t spaces = 0;
    for (char *c = s; *c; c++) spaces += *c == ' ';
    assert_int_equal(spaces, 199);
    free(s);
}

static void test_deep(void **state) {
    (void)state;
    Value v = fix(7);
    for (int i = 0; i < 100000; i++) v = mk_tuple2(P, v, LV_NIL);
    char *s = pr_to_cstr(&rt, v);
    size_t n = strlen(s);
    assert_int_equal(n, 1 + 100000 * 6);
    assert_memory_equal(s, "[[[[", 4);
    assert_memory_equal(s + n - 10, " nil] nil]", 10);
    free(s);
}

/* A tuple holding one value twice, 60 deep, prints 2^60 leaves: the
 * bounded printer gives up past its limit, and the cut one ends in "...",
 * on a character boundary. */
static void test_bounded(void **state) {
    (void)state;
    Value v = mk_string(P, "\xc3\xa9", 2);
    for (int i = 0; i < 60; i++) v = mk_tuple2(P, v, v);
    Buf b;
    buf_init(&b);
    assert_false(pr_value_max(&rt, &b, v, 1000));
    assert_true(b.len > 1000 && b.len < 2000);
    b.len = 0;
    assert_true(pr_value_max(&rt, &b, mk_tuple2(P, fix(1), fix(2)), 5));
    assert_string_equal(b.data, "[1 2]");
    assert_false(pr_value_max(&rt, &b, mk_tuple2(P, fix(1), fix(2)), 9));
    b.len = 0;
    buf_puts(&b, "x ");
    pr_value_cut(&rt, &b, v, 100);
    assert_true(b.len <= 2 + 100 + 3);
    assert_memory_equal(b.data, "x [[[[", 6);
    assert_string_equal(b.data + b.len - 3, "...");
    assert_int_not_equal((unsigned char)b.data[b.len - 4], 0xc3); /* é is whole or gone */
    b.len = 0;
    pr_value_cut(&rt, &b, kw("short"), 100);
    assert_string_equal(b.data, ":short");
    buf_free(&b);
}

static void test_binaries_and_handles(void **state) {
    (void)state;
    check_pr(mk_binary(P, "", 0), "#bytes[]");
    check_pr(mk_binary(P, "\x0a\xff\x00", 3), "#bytes[0x0A 0xFF 0x00]");
    uint8_t big[100];
    for (int i = 0; i < 100; i++) big[i] = (uint8_t)i;
    char *s = pr_to_cstr(&rt, mk_binary(P, big, 100));
    assert_int_equal(strlen(s), strlen("#bytes[]") + 100 * 4 + 99);
    free(s);
    ByteBuf *bb = malloc(sizeof *bb + 16);
    bb->size = 16;
    Value bv = mk_box(P, T_BYTEBUF, 0, BYTEBUF_WORDS);
    box_payload(bv)[BYTEBUF_BUF] = (Value)(uintptr_t)bb;
    box_payload(bv)[BYTEBUF_NEXT] = LV_NIL;
    check_pr(bv, "#bytebuf<16>");
    free(bb);
    check_pr(mk_pid(1, 42), "#pid<1.42>");
    check_pr(mk_ref(1, 17), "#ref<17>");
    check_pr(IMM(IMM_REALM, 1), "#realm-id<1>");
    check_pr(IMM(IMM_NOTIF, 3), "#notification<3>");
    check_display(mk_pid(2, 5), "#pid<2.5>");
}

static void test_functions_vars_namespaces(void **state) {
    (void)state;
    uint32_t first = intrinsic_find("lona.core", "first");
    assert_int_not_equal(first, UINT32_MAX);
    check_pr(mk_native(first), "#fn<first>");

    Proto pr = {.header = mk_header(T_PROTO, 0, 0), .name = sym("my-fn"), .ns = LV_NIL};
    Value *c = lv_alloc(P, 2);
    c[0] = mk_header(T_CLOSURE, 0, 1);
    c[1] = box_val(&pr);
    check_pr(box_val(c), "#fn<my-fn>");
    pr.name = LV_NIL;
    check_pr(box_val(c), "#fn<anonymous>");

    static Namespace ns;
    ns.header = mk_header(T_NS, 0, 0);
    ns.name = sym("my.ns");
    static Var var;
    var.header = mk_header(T_VAR, 0, 0);
    var.ns = box_val(&ns);
    var.sym = sym("x");
    check_pr(box_val(&var), "#'my.ns/x");
    check_pr(box_val(&ns), "#ns<my.ns>");
}

static void test_display_numbers(void **state) {
    (void)state;
    check_display(mk_small_fixed(IMM_U8, 200), "200");
    check_display(num_parse_digits(P, "5", 1, 10, false, true), "5");
    check_display(mk_f32(0.5f), "0.5");
    check_display(mk_float(P, 3.0), "3.0");
    check_display(LV_NIL, "nil");
    check_display(kw("k"), ":k");
    check_display(vec_from(P, (Value[]){mk_small_fixed(IMM_U8, 1)}, 1), "{1u8}");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_scalars, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chars_and_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_collections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_binaries_and_handles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_functions_vars_namespaces, setup, teardown),
        cmocka_unit_test_setup_teardown(test_display_numbers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
