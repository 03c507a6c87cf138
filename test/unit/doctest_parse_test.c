/*
 * doctest_parse_test.c — the doctest format parser (src/cli/doctest_parse.c):
 * markdown fences, assertion markers, expectations, tags and the split of
 * a block into setup chunks and assertions.
 *
 * The CLI is not part of liblona.a, so the parser's source is included
 * here. The completeness oracle is a stand-in that balances brackets
 * outside strings and comments, which is all these tests need.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cli/doctest_parse.c"

static bool fake_incomplete(void *ctx, const char *s, size_t n) {
    (void)ctx;
    int depth = 0;
    bool str = false, comment = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (comment) {
            if (c == '\n') comment = false;
        } else if (str) {
            if (c == '\\') i++;
            else if (c == '"') str = false;
        } else if (c == ';') {
            comment = true;
        } else if (c == '"') {
            str = true;
        } else if (c == '\\') {
            i++;
        } else if (strchr("([{", c)) {
            depth++;
        } else if (strchr(")]}", c)) {
            depth--;
        }
    }
    return str || depth > 0;
}

static DtDoc parse(const char *md) {
    DtDoc d;
    dt_parse(md, strlen(md), fake_incomplete, NULL, &d);
    return d;
}

/* ---- fences ----------------------------------------------------------- */

static size_t blocks(const char *md, DtRawBlock **out) { return dt_md_blocks(md, strlen(md), out); }

static void line_is(const DtRawBlock *b, size_t i, const char *text, int lineno) {
    assert_true(i < b->nlines);
    assert_int_equal(b->lines[i].len, strlen(text));
    assert_memory_equal(b->lines[i].s, text, strlen(text));
    assert_int_equal(b->lines[i].lineno, lineno);
}

static void test_fences_candidates(void **state) {
    (void)state;
    DtRawBlock *b;
    size_t n = blocks("text\n"
                      "```clojure\n(+ 1 2)\n```\n"
                      "```\nunlabeled\n```\n"
                      "```text\n(a) ; => 1\n```\n"
                      "```LONALA\nx\n```\n"
                      "```Clojure title=\"x\"\ny\n```\n"
                      "~~~clojure\nz\n~~~\n",
                      &b);
    assert_int_equal(n, 4);
    assert_int_equal(b[0].fence_line, 2);
    assert_int_equal(b[0].nlines, 1);
    line_is(&b[0], 0, "(+ 1 2)", 3);
    line_is(&b[1], 0, "x", 12);
    line_is(&b[2], 0, "y", 15);
    line_is(&b[3], 0, "z", 18);
    dt_raw_blocks_free(b, n);
}

static void test_fences_nesting(void **state) {
    (void)state;
    DtRawBlock *b;
    /* A four-backtick fence holds three-backtick text; the inner fences
     * are neither openings nor closings. */
    size_t n = blocks("````markdown\n```clojure\n1 ; => 1\n```\n````\n"
                      "````clojure\n```\n2\n`````\nafter\n",
                      &b);
    assert_int_equal(n, 1);
    assert_int_equal(b[0].nlines, 2);
    line_is(&b[0], 0, "```", 7);
    line_is(&b[0], 1, "2", 8);
    dt_raw_blocks_free(b, n);

    /* Closing runs must be of the same character and alone on the line. */
    n = blocks("~~~clojure\n```\n~~~ x\n~~~~\n", &b);
    assert_int_equal(n, 1);
    assert_int_equal(b[0].nlines, 2);
    dt_raw_blocks_free(b, n);

    /* A backtick in a backtick fence's info string: not a fence. */
    n = blocks("```clojure `x`\n1\n```\n", &b);
    assert_int_equal(n, 0);
    dt_raw_blocks_free(b, n);

    /* Two backticks are no fence. */
    n = blocks("``clojure\n1\n``\n", &b);
    assert_int_equal(n, 0);
    dt_raw_blocks_free(b, n);
}

static void test_fences_unclosed_indent_crlf(void **state) {
    (void)state;
    DtRawBlock *b;
    size_t n = blocks("```clojure\r\na\r\n\r\nb", &b);
    assert_int_equal(n, 1);
    assert_int_equal(b[0].nlines, 3);
    line_is(&b[0], 0, "a", 2);
    line_is(&b[0], 1, "", 3);
    line_is(&b[0], 2, "b", 4);
    dt_raw_blocks_free(b, n);

    /* Inside a list item: the fence's indentation is removed from the
     * content, at most that much. */
    n = blocks("- item\n\n  ```clojure\n  (f\n      x)\n y\n  ```\n", &b);
    assert_int_equal(n, 1);
    line_is(&b[0], 0, "(f", 4);
    line_is(&b[0], 1, "    x)", 5);
    line_is(&b[0], 2, "y", 6);
    dt_raw_blocks_free(b, n);
}

/* ---- markers ---------------------------------------------------------- */

static long marker(const char *s) {
    bool str = false;
    return dt_find_marker(s, strlen(s), &str);
}

static void test_marker(void **state) {
    (void)state;
    assert_int_equal(marker("(+ 1 2) ; => 3"), 8);
    assert_int_equal(marker("(+ 1 2) ;=> 3"), -1);
    assert_int_equal(marker("(+ 1 2) ;; => 3"), 9);    /* ";; =>" holds the marker */
    assert_int_equal(marker("(str \"; => \") ; => \"; => \""), 14);
    assert_int_equal(marker("(str \"a\\\"; => \") ; => 1"), 17);
    assert_int_equal(marker("[\\\" \\;] ; => 1"), 8);   /* \" is a character */
    assert_int_equal(marker("(f) ; note \"x ; => 1"), 14); /* quotes in a comment */
    assert_int_equal(marker("\"; => \""), -1);
    assert_int_equal(marker("; => 3"), 0);   /* the caller treats it as a comment */

    /* A string left open carries over to the next line. */
    bool str = false;
    assert_int_equal(dt_find_marker("(str \"a ; => b", 14, &str), -1);
    assert_true(str);
    assert_int_equal(dt_find_marker("c\") ; => \"x\"", 12, &str), 4);
    assert_false(str);

    assert_true(dt_is_comment("   ;; x ; => 1", 14));
    assert_false(dt_is_comment(" x ; y", 6));
    assert_true(dt_is_blank(" \t\r", 3));
    assert_false(dt_is_blank(" , ", 3));
}

/* ---- expectations and tags -------------------------------------------- */

static DtExpect parse_expect(const char *s) {
    DtExpect e;
    dt_parse_expect(s, strlen(s), &e);
    return e;
}

static void want_value(const char *after, const char *text, unsigned tags) {
    DtExpect e = parse_expect(after);
    assert_int_equal(e.kind, DT_EXPECT_VALUE);
    assert_string_equal(e.text, text);
    assert_int_equal(e.tags, tags);
    assert_null(e.reason);
    dt_expect_free(&e);
}

static void want_error(const char *after, const char *text, const char *reason, unsigned tags) {
    DtExpect e = parse_expect(after);
    assert_int_equal(e.kind, reason ? DT_EXPECT_ERROR_REASON : DT_EXPECT_ERROR);
    assert_string_equal(e.text, text);
    if (reason) assert_string_equal(e.reason, reason);
    else assert_null(e.reason);
    assert_int_equal(e.tags, tags);
    dt_expect_free(&e);
}

static void test_expect_values(void **state) {
    (void)state;
    want_value(" 144", "144", 0);
    want_value("   0.25   @todo  ; a trailing comment", "0.25", DT_TAG_TODO);
    want_value(" [1 2] ; comment @todo @x86_64", "[1 2]", DT_TAG_TODO | DT_TAG_X86_64);
    want_value(" \"a;b\" ; c", "\"a;b\"", 0);
    want_value(" \"x @todo\"", "\"x @todo\"", 0);
    want_value(" \\; ; semicolon char", "\\;", 0);
    want_value(" [\\\" \\@] @aarch64", "[\\\" \\@]", DT_TAG_AARCH64);
    want_value(" \"say \\\"hi\\\"; ok\" ;x", "\"say \\\"hi\\\"; ok\"", 0);
    want_value(" %{:a 1}@todo", "%{:a 1}@todo", 0);     /* not whitespace-preceded */
    want_value(" 1 @unknown @todo2 @todo", "1", DT_TAG_TODO);
    want_value("", "", 0);
    want_value(" ERRORS", "ERRORS", 0);
    want_value(" error", "error", 0);
    want_value("@todo", "", DT_TAG_TODO);
}

static void test_expect_errors(void **state) {
    (void)state;
    want_error(" ERROR", "ERROR", NULL, 0);
    want_error(" ERROR :type-error", "ERROR :type-error", ":type-error", 0);
    want_error(" ERROR :type-error   @todo ; why", "ERROR :type-error", ":type-error", DT_TAG_TODO);
    want_error(" ERROR   :badarg", "ERROR   :badarg", ":badarg", 0);
    want_error(" ERROR :a/b", "ERROR :a/b", ":a/b", 0);
    want_error(" ERROR :a :b", "ERROR :a :b", NULL, 0);
    want_error(" ERROR because", "ERROR because", NULL, 0);
    want_error(" ERROR [:error :x]", "ERROR [:error :x]", NULL, 0);
    want_error(" ERROR :", "ERROR :", NULL, 0);
    want_error(" ERROR ; comment", "ERROR", NULL, 0);
}

static void test_tags(void **state) {
    (void)state;
    const char *s = "@todo x@x86_64 (@aarch64) @x86_64x";
    assert_int_equal(dt_scan_tags(s, strlen(s)), DT_TAG_TODO | DT_TAG_AARCH64);
    assert_true(dt_is_tag_line(";; @x86_64", 10));
    assert_true(dt_is_tag_line("  ;@todo", 8));
    assert_false(dt_is_tag_line(";; see @todo", 12));
    assert_false(dt_is_tag_line("(f) ; @todo", 11));
}

/* ---- blocks into steps ------------------------------------------------ */

static void step_is(const DtBlock *b, size_t i, DtStepKind kind, int line, const char *code) {
    assert_true(i < b->nsteps);
    assert_int_equal(b->steps[i].kind, kind);
    assert_int_equal(b->steps[i].line, line);
    assert_string_equal(b->steps[i].code, code);
}

static void test_steps_spec_illustration(void **state) {
    (void)state;
    DtDoc d = parse("```clojure\n"                                   /* 1 */
                    ";; @x86_64\n"                                   /* 2 */
                    "(def sq (fn* [n] (* n n)))\n"                   /* 3 */
                    "(sq 12)                 ; => 144\n"             /* 4 */
                    "(sq :x)                 ; => ERROR :type-error\n"
                    "(sq 0.5)                ; => 0.25   @todo  ; a trailing comment\n"
                    "(match [1 2]\n"                                 /* 7 */
                    "  [a b] (+ a b))        ; => 3\n"               /* 8 */
                    "```\n");
    assert_int_equal(d.nblocks, 1);
    const DtBlock *b = &d.blocks[0];
    assert_int_equal(b->line, 1);
    assert_int_equal(b->tags, DT_TAG_X86_64);
    assert_int_equal(b->nsteps, 5);
    assert_int_equal(b->nasserts, 4);
    step_is(b, 0, DT_STEP_SETUP, 3, "(def sq (fn* [n] (* n n)))");
    step_is(b, 1, DT_STEP_ASSERT, 4, "(sq 12)");
    assert_string_equal(b->steps[1].expect.text, "144");
    step_is(b, 2, DT_STEP_ASSERT, 5, "(sq :x)");
    assert_int_equal(b->steps[2].expect.kind, DT_EXPECT_ERROR_REASON);
    step_is(b, 3, DT_STEP_ASSERT, 6, "(sq 0.5)");
    assert_int_equal(b->steps[3].expect.tags, DT_TAG_TODO);
    step_is(b, 4, DT_STEP_ASSERT, 8, "(match [1 2]\n  [a b] (+ a b))");
    dt_doc_free(&d);
}

static void test_steps_setup_and_comments(void **state) {
    (void)state;
    DtDoc d = parse("```clojure\n"
                    "\n"
                    "(def a 1) (def b\n"        /* 3: incomplete */
                    "  ;; a comment inside\n"   /* skipped */
                    "\n"
                    "  2)\n"                    /* 6: now complete: setup */
                    ";; (+ a b) ; => 3\n"       /* comment, not an assertion */
                    ";; @todo not a tag line\n"
                    "(+ a b) ; => 3\n"          /* 9 */
                    "(f\n"                      /* 10: left unfinished */
                    "```\n"
                    "```clojure\n"
                    "(only setup)\n"
                    ";; x ; => 1\n"
                    "```\n");
    assert_int_equal(d.nblocks, 1); /* the second block has no marker */
    const DtBlock *b = &d.blocks[0];
    assert_int_equal(b->tags, 0);
    assert_int_equal(b->nsteps, 3);
    step_is(b, 0, DT_STEP_SETUP, 3, "(def a 1) (def b\n  2)");
    step_is(b, 1, DT_STEP_ASSERT, 9, "(+ a b)");
    assert_int_equal(b->steps[1].expect.tags, 0);
    step_is(b, 2, DT_STEP_INCOMPLETE, 10, "(f");
    dt_doc_free(&d);
}

static void test_steps_multiline_string(void **state) {
    (void)state;
    /* Inside a string that spans lines, blank and ';' lines are text. */
    DtDoc d = parse("```lonala\n"
                    "(str \"a\n"
                    "\n"
                    "; => not a marker\n"
                    "b\") ; => \"a\\n\\n; => not a marker\\nb\"\n"
                    "```\n");
    assert_int_equal(d.nblocks, 1);
    const DtBlock *b = &d.blocks[0];
    assert_int_equal(b->nsteps, 1);
    step_is(b, 0, DT_STEP_ASSERT, 5, "(str \"a\n\n; => not a marker\nb\")");
    assert_string_equal(b->steps[0].expect.text, "\"a\\n\\n; => not a marker\\nb\"");
    dt_doc_free(&d);
}

static void test_steps_pending_with_marker(void **state) {
    (void)state;
    /* The marker line completes whatever is pending, even if the forms
     * are still unfinished (the evaluation then reports :unexpected-eof). */
    DtDoc d = parse("```clojure\n  ;  @aarch64 @todo\n(do\n  1 ; => 1\n(+ 1 ; => ERROR :unexpected-eof\n```\n");
    const DtBlock *b = &d.blocks[0];
    assert_int_equal(b->tags, DT_TAG_AARCH64 | DT_TAG_TODO);
    assert_int_equal(b->nsteps, 2);
    step_is(b, 0, DT_STEP_ASSERT, 4, "(do\n  1");
    step_is(b, 1, DT_STEP_ASSERT, 5, "(+ 1");
    dt_doc_free(&d);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fences_candidates),
        cmocka_unit_test(test_fences_nesting),
        cmocka_unit_test(test_fences_unclosed_indent_crlf),
        cmocka_unit_test(test_marker),
        cmocka_unit_test(test_expect_values),
        cmocka_unit_test(test_expect_errors),
        cmocka_unit_test(test_tags),
        cmocka_unit_test(test_steps_spec_illustration),
        cmocka_unit_test(test_steps_setup_and_comments),
        cmocka_unit_test(test_steps_multiline_string),
        cmocka_unit_test(test_steps_pending_with_marker),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
