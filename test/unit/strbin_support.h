/*
 * strbin_support.h — helpers for the string/binary unit tests: calling an
 * intrinsic of the core_str, core_bin and core_bytebuf groups by name,
 * reading the reason of a raised error, making strings and keywords, and
 * capturing what is written to standard output.
 *
 * Include after <cmocka.h> (and its prerequisites).
 */
#ifndef LONA_STRBIN_SUPPORT_H
#define LONA_STRBIN_SUPPORT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/intrinsic.h"
#include "proc/proc.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/string.h"
#include "vm/error.h"
#include "vm/rt.h"
#include "vm/runtime.h"

extern const IntrinsicDef lona_intrinsics_core_str[];
extern const size_t lona_intrinsics_core_str_count;
extern const IntrinsicDef lona_intrinsics_core_bin[];
extern const size_t lona_intrinsics_core_bin_count;
extern const IntrinsicDef lona_intrinsics_core_bytebuf[];
extern const size_t lona_intrinsics_core_bytebuf_count;

static Runtime *T_rt;
static Proc *T_p;

static inline int tsetup(void **state) {
    (void)state;
    T_rt = rt_new(&(RtOptions){.no_stdlib = true});
    T_p = proc_new_bare(T_rt);
    return 0;
}

static inline int tteardown(void **state) {
    (void)state;
    proc_free_bare(T_p);
    rt_free(T_rt);
    return 0;
}

static inline const IntrinsicDef *find_def(const char *name) {
    const IntrinsicDef *tables[] = {lona_intrinsics_core_str, lona_intrinsics_core_bin,
                                    lona_intrinsics_core_bytebuf};
    const size_t counts[] = {lona_intrinsics_core_str_count, lona_intrinsics_core_bin_count,
                             lona_intrinsics_core_bytebuf_count};
    for (size_t t = 0; t < 3; t++)
        for (size_t i = 0; i < counts[t]; i++)
            if (strcmp(tables[t][i].name, name) == 0) return &tables[t][i];
    return NULL;
}

/* Call an intrinsic as the VM would (arity already checked). */
static inline Value callv(const char *name, Value *args, uint32_t n) {
    const IntrinsicDef *d = find_def(name);
    if (!d) fail_msg("no intrinsic %s", name);
    assert_true(n >= d->min_arity);
    assert_true(d->max_arity == ARITY_VARIADIC || n <= d->max_arity);
    T_p->exc = LV_NONE;
    Value r = d->fn(T_p, args, n);
    if (r != LV_EXC) assert_true(T_p->exc == LV_NONE);
    return r;
}

#define CALL(name, ...) \
    callv(name, (Value[]){__VA_ARGS__}, sizeof((Value[]){__VA_ARGS__}) / sizeof(Value))
#define CALL0(name) callv(name, NULL, 0)

/* The call raised an error with this reason keyword. */
static inline void assert_raised(Value r, Value reason) {
    assert_true(r == LV_EXC);
    assert_true(err_reason_keyword(T_p->exc) == reason);
    T_p->exc = LV_NONE;
}
#define ASSERT_ERR(reason_id, call) assert_raised((call), K_(reason_id))

static inline Value S(const char *s) { return mk_cstring(T_p, s); }

static inline Value KW(const char *s) { return mk_keyword(atoms_intern_text(&T_rt->atoms, s, strlen(s))); }

static inline Value SYM(const char *s) { return mk_symbol(atoms_intern_text(&T_rt->atoms, s, strlen(s))); }

static inline void assert_string(Value v, const char *expected) {
    assert_true(is_string(v));
    assert_int_equal(str_bytelen(v), strlen(expected));
    assert_memory_equal(str_bytes(v), expected, strlen(expected));
}

/* Run fn(ctx) with standard output captured; returns the malloc'd text. */
static inline char *capture_stdout(void (*fn)(void *), void *ctx) {
    fflush(stdout);
    int saved = dup(1);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    dup2(fileno(tmp), 1);
    fn(ctx);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    fseek(tmp, 0, SEEK_END);
    long n = ftell(tmp);
    rewind(tmp);
    char *text = calloc(1, (size_t)n + 1);
    if (n > 0 && fread(text, 1, (size_t)n, tmp) != (size_t)n) fail_msg("short read");
    fclose(tmp);
    return text;
}

#endif
