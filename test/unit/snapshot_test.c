/*
 * snapshot_test.c — the code image: a runtime with functions, macros, vars,
 * a redefined core function, closures and constants of every kind is
 * written to a sealed memfd; a second runtime, created without its library
 * in the same process (its literal area elsewhere), boots from the image
 * alone and computes the same results. Also: later definitions are not in
 * an image taken before them, and a damaged image is refused, not crashed
 * on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "realm/snapshot.h"
#include "term/print.h"
#include "vm/host.h"
#include "vm/rt.h"

static const char program[] =
    "(defn add3 [a b c] (+ a b c))\n"
    "(defmacro twice [x] `(do ~x ~x))\n"
    "(def base 7)\n"
    "(defn with-base [x] (twice (+ x base)))\n"
    "(def consts [1/3 123456789012345678901234567890 2.5 \\λ \"naïve\" :k 'ns/s #{1 2} %{:a [1 {2 3}]} (binary [1 2 3])])\n"
    "(defn make-adder [n] (fn [x] (+ x n)))\n"
    "(def add10 (make-adder 10))\n"
    "(defn lona.core/inc [x] (+ x 100))\n"
    "(defn uses-inc [x] (inc x))\n"
    "(defn fact [n] (if (< n 2) 1 (* n (fact (dec n)))))\n";

static const char *const probes[][2] = {
    {"(add3 1 2 3)", "6"},
    {"(with-base 1)", "8"},
    {"(twice 5)", "5"},
    {"consts", "[1/3 123456789012345678901234567890 2.5 \\λ \"naïve\" :k ns/s #{1 2} %{:a [1 {2 3}]} #bytes[0x01 0x02 0x03]]"},
    {"(add10 5)", "15"},
    {"((make-adder 1) 1)", "2"},
    {"(uses-inc 1)", "101"},
    {"(fact 20)", "2432902008176640000"},
    {"(map (fn [x] (* x x)) (range 4))", "(0 1 4 9)"},
};

/* The printed value of src evaluated in p's runtime (the caller frees). */
static char *eval_to_cstr(Proc *p, const char *src) {
    Value out;
    HostStatus st = host_load_source(p, src, strlen(src), "snapshot_test", &out);
    if (st != HOST_OK) return strdup("<error>");
    assert_true(host_claim(p));
    char *s = pr_to_cstr(p->rt, out);
    host_release(p);
    return s;
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static Runtime *boot_from(int fd, char *err, size_t errlen, int64_t *ns) {
    int64_t t0 = now_ns();
    Runtime *rt = rt_new(&(RtOptions){.no_stdlib = true, .no_input = true, .schedulers = 1});
    int64_t t1 = now_ns();
    bool ok = snapshot_install_fd(rt, fd, err, errlen);
    if (ns) *ns = now_ns() - t0;
    printf("# a runtime without its library: %.2f ms; installing the image: %.2f ms\n", (t1 - t0) / 1e6,
           (now_ns() - t1) / 1e6);
    if (!ok) {
        rt_free(rt);
        return NULL;
    }
    return rt;
}

static void same_results_after_boot(void **state) {
    (void)state;
    int64_t t_src = now_ns();
    Runtime *a = rt_new(&(RtOptions){.no_input = true, .schedulers = 1});
    t_src = now_ns() - t_src;
    assert_non_null(a);
    Buf core;
    buf_init(&core);
    snapshot_write(a, &core);
    printf("# the core library: booted from source in %.2f ms; its image %zu bytes\n", t_src / 1e6, core.len);
    buf_free(&core);
    Proc *pa = host_proc_new(a);
    char *loaded = eval_to_cstr(pa, program);
    assert_string_not_equal(loaded, "<error>");
    free(loaded);
    int64_t t0 = now_ns();
    int fd = snapshot_memfd(a);
    int64_t write_ns = now_ns() - t0;
    assert_true(fd >= 0);
    free(eval_to_cstr(pa, "(defn defined-later [] :late)"));

    char err[256] = "";
    int64_t boot_ns;
    Runtime *b = boot_from(fd, err, sizeof err, &boot_ns);
    if (!b) fail_msg("boot from the image: %s", err);
    off_t size = lseek(fd, 0, SEEK_END);
    printf("# image %lld bytes, written in %.2f ms, booted in %.2f ms\n", (long long)size, write_ns / 1e6,
           boot_ns / 1e6);
    Proc *pb = host_proc_new(b);
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        char *got = eval_to_cstr(pb, probes[i][0]);
        if (strcmp(got, probes[i][1]) != 0) fail_msg("%s: expected %s, got %s", probes[i][0], probes[i][1], got);
        free(got);
    }
    char *late = eval_to_cstr(pb, "(defined-later)");
    assert_string_equal(late, "<error>"); /* defined after the image was taken */
    free(late);
    host_proc_free(pb);
    rt_free(b);
    host_proc_free(pa);
    rt_free(a);
    close(fd);
}

/* Every prefix and a run of single-byte changes of an image: refused with
 * a message or installed, never a crash (the image is trusted, coming from
 * the parent, but installing checks its bounds). */
static void damaged_image_is_refused(void **state) {
    (void)state;
    Runtime *a = rt_new(&(RtOptions){.no_input = true, .schedulers = 1});
    Buf img;
    buf_init(&img);
    snapshot_write(a, &img);
    rt_free(a);
    size_t cuts[] = {0, 1, 7, 8, 9, 20, 100, img.len / 3, img.len / 2, img.len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        Runtime *b = rt_new(&(RtOptions){.no_stdlib = true, .no_input = true, .schedulers = 1});
        char err[256] = "";
        assert_false(snapshot_install(b, (const uint8_t *)img.data, cuts[i], err, sizeof err));
        assert_true(strlen(err) > 0);
        rt_free(b);
    }
    uint8_t *copy = malloc(img.len);
    for (int k = 0; k < 3; k++) {
        memcpy(copy, img.data, img.len);
        copy[0] ^= (uint8_t)(1 << k); /* the magic */
        Runtime *b = rt_new(&(RtOptions){.no_stdlib = true, .no_input = true, .schedulers = 1});
        char err[256] = "";
        assert_false(snapshot_install(b, copy, img.len, err, sizeof err));
        rt_free(b);
    }
    free(copy);
    buf_free(&img);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_results_after_boot),
        cmocka_unit_test(damaged_image_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
