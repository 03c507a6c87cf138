/*
 * reader_fuzz.c — libFuzzer target for the reader.
 *
 * Each input is read form by form with reader_next until the end or an
 * error, in a fresh bare process (one runtime serves every input: interned
 * names stay reachable from it, so they are not leaks). Every form read is
 * printed, and when the printed text reads back it must print identically
 * (pr(read(pr(v))) == pr(v)), which catches reader/printer disagreements
 * without tripping over NaN or metadata. The reader must also make progress
 * on every successful call.
 *
 * As in eval_fuzz.c, the used part of the literal area (which holds the
 * namespace tables, among others) is registered with LeakSanitizer, which
 * does not scan mmap'd memory, and the runtime is freed at exit: otherwise
 * every run reports the runtime's own tables as leaked.
 *
 * Build (liblona.a built with MODE=fuzz and CC=clang):
 *   clang -std=gnu17 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -D_GNU_SOURCE \
 *       fuzz/reader_fuzz.c build/fuzz/liblona.a -lgmp -ledit -lxxhash -lseccomp \
 *       -lpthread -lm -o reader_fuzz
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "reader/reader.h"
#include "term/print.h"
#include "vm/rt.h"

#include "fuzz_lsan.h"

static Runtime *fuzz_rt;

/* The literal area as a LeakSanitizer root (fuzz_lsan.h). */
static void reader_fuzz_lsan_roots(bool keep) { fuzz_lsan_roots(fuzz_rt, keep); }

/* Runs before LeakSanitizer's final check (registered later): what is
 * left after freeing the runtime is really leaked. */
static void reader_fuzz_stop(void) {
    if (!fuzz_rt) return;
    reader_fuzz_lsan_roots(false);
    rt_free(fuzz_rt);
    fuzz_rt = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    fuzz_rt = rt_new(&(RtOptions){.no_stdlib = true, .schedulers = 1});
    if (!fuzz_rt) return 1;
    reader_fuzz_lsan_roots(true);
    atexit(reader_fuzz_stop);
    return 0;
}

static void check_round_trip(Proc *p, Value v) {
    char *text = pr_to_cstr(fuzz_rt, v);
    Value again = read_string(p, text, strlen(text));
    if (again != LV_EXC) {
        char *text2 = pr_to_cstr(fuzz_rt, again);
        if (strcmp(text, text2) != 0) {
            fprintf(stderr, "round trip differs:\n  %s\n  %s\n", text, text2);
            abort();
        }
        free(text2);
    }
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Proc *p = proc_new_bare(fuzz_rt);
    Reader r;
    reader_init(&r, p, (const char *)data, size, "fuzz.lona");
    reader_skip_shebang(&r);
    for (;;) {
        size_t before = r.pos;
        Value v = reader_next(&r);
        if (v == LV_NONE || v == LV_EXC) break;
        if (r.pos <= before || r.pos > size) {
            fprintf(stderr, "reader made no progress at %zu\n", before);
            abort();
        }
        check_round_trip(p, v);
    }
    proc_free_bare(p);
    reader_fuzz_lsan_roots(true);
    return 0;
}
