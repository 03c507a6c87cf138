/*
 * wire_fuzz.c — libFuzzer target for the wire format (realm/wire.h): the
 * bytes another realm, a hostile OS process, can send.
 *
 * Each input is taken as a whole message (envelope and body), and also,
 * wrapped in a correct envelope, as a body, so that mutations reach the
 * value decoder without having to keep the length right. Checking a
 * message:
 *
 *   c  = wire_check(bytes)             pass 1 alone
 *   v  = wire_decode(bytes)            refusal is a normal outcome; it must
 *                                      agree with c (the build pass may
 *                                      only add :bad-number, :duplicate,
 *                                      :too-many-atoms)
 *   b1 = wire_encode(v)                must succeed: whatever the decoder
 *                                      accepts, the encoder must carry
 *   w  = wire_decode(b1)               must succeed
 *   b2 = wire_encode(w)                must equal b1 (encoding is canonical
 *                                      once decoded)
 *   pr(v) == pr(w)                     the printed forms agree
 *
 * Any disagreement prints both sides and aborts. Crashes, sanitizer reports
 * and leaks are findings too. Limits are the defaults.
 *
 * One runtime (no library, one scheduler, no input) serves WIRE_FUZZ_RECYCLE
 * inputs (default 10000; the atom table grows with what the inputs made it
 * intern), then a fresh one is made:
 * names the decoder interns stay reachable from its atom table, so they are
 * not leaks. Each input gets a fresh bare process, freed after it, so every
 * heap object and off-heap binary the decoder made must be released with
 * it. As in reader_fuzz.c, the used part of the literal area is registered
 * with LeakSanitizer (clang 14 does not define __SANITIZE_ADDRESS__, so
 * gc/literal.c does not) and the runtime is freed at exit.
 *
 * WIRE_FUZZ_VERBOSE=1 prints, for each input, what was decoded.
 *
 * Build: see fuzz/README.md.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "realm/wire.h"
#include "term/print.h"
#include "vm/rt.h"

#include "fuzz_lsan.h"

/* Printed forms are compared up to this many bytes (a decoded value has
 * no shared parts, so its text is about as long as its encoding, but a
 * bound keeps one input from taking all memory if that ever changes). */
#define WIRE_FUZZ_PR_MAX ((size_t)1 << 24)

static Runtime *fuzz_rt;
static bool verbose;
static unsigned long recycle_every = 10000, inputs;

static void wire_fuzz_lsan_roots(bool keep) { fuzz_lsan_roots(fuzz_rt, keep); }

/* Runs before LeakSanitizer's final check (registered later): what is
 * left after freeing the runtime is really leaked. */
static void wire_fuzz_stop(void) {
    if (!fuzz_rt) return;
    wire_fuzz_lsan_roots(false);
    rt_free(fuzz_rt);
    fuzz_rt = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    const char *vb = getenv("WIRE_FUZZ_VERBOSE");
    verbose = vb && *vb && strcmp(vb, "0") != 0;
    const char *rc = getenv("WIRE_FUZZ_RECYCLE");
    if (rc && atol(rc) > 0) recycle_every = (unsigned long)atol(rc);
    fuzz_rt = rt_new(&(RtOptions){.no_stdlib = true, .no_input = true, .schedulers = 1});
    if (!fuzz_rt) return 1;
    wire_fuzz_lsan_roots(true);
    atexit(wire_fuzz_stop);
    return 0;
}

static void hexdump(const char *what, const uint8_t *b, size_t n) {
    fprintf(stderr, "%s (%zu bytes):", what, n);
    for (size_t i = 0; i < n && i < 256; i++) fprintf(stderr, " %02x", b[i]);
    fprintf(stderr, "%s\n", n > 256 ? " ..." : "");
}

/* Printed form into out (initialised here), cut at WIRE_FUZZ_PR_MAX. */
static void print_to(Buf *out, Value v) {
    buf_init(out);
    pr_value_max(fuzz_rt, out, v, WIRE_FUZZ_PR_MAX);
    buf_putc(out, 0);
}

static void check_message(Proc *p, const uint8_t *bytes, size_t n) {
    WireInfo info;
    WireErr c = wire_check(fuzz_rt, bytes, n, NULL, &info);
    Value v;
    WireErr e = wire_decode(p, bytes, n, NULL, &v);
    if (c != WIRE_OK ? e != c
                     : (e != WIRE_OK && e != WIRE_E_NUMBER && e != WIRE_E_DUPLICATE && e != WIRE_E_ATOMS)) {
        fprintf(stderr, "wire_check says %s, wire_decode %s\n", wire_err_name(c), wire_err_name(e));
        hexdump("input", bytes, n);
        abort();
    }
    if (e != WIRE_OK) {
        if (verbose) fprintf(stderr, "  refused: %s\n", wire_err_name(e));
        return;
    }
    Buf t1;
    print_to(&t1, v);
    if (verbose) fprintf(stderr, "  value (%zu bytes): %.4096s\n", n, t1.data);

    Buf b1;
    buf_init(&b1);
    Value refused = LV_NONE;
    WireErr e1 = wire_encode(fuzz_rt, v, NULL, &b1, &refused);
    if (e1 != WIRE_OK) {
        Buf t;
        print_to(&t, refused);
        fprintf(stderr, "a decoded value does not encode (%s): %.4096s\n  in %.4096s\n", wire_err_name(e1),
                e1 == WIRE_E_REFUSED ? t.data : "", t1.data);
        abort();
    }

    Value w;
    WireErr e2 = wire_decode(p, (const uint8_t *)b1.data, b1.len, NULL, &w);
    if (e2 != WIRE_OK) {
        fprintf(stderr, "a re-encoded value does not decode (%s): %.4096s\n", wire_err_name(e2), t1.data);
        hexdump("re-encoding", (const uint8_t *)b1.data, b1.len);
        abort();
    }

    Buf b2;
    buf_init(&b2);
    if (wire_encode(fuzz_rt, w, NULL, &b2, NULL) != WIRE_OK || b2.len != b1.len ||
        memcmp(b2.data, b1.data, b1.len) != 0) {
        fprintf(stderr, "re-encoding is not stable: %.4096s\n", t1.data);
        hexdump("first", (const uint8_t *)b1.data, b1.len);
        hexdump("second", (const uint8_t *)b2.data, b2.len);
        abort();
    }

    Buf t2;
    print_to(&t2, w);
    if (t1.len != t2.len || memcmp(t1.data, t2.data, t1.len) != 0) {
        fprintf(stderr, "printed forms differ:\n  decoded:    %.4096s\n  re-decoded: %.4096s\n", t1.data, t2.data);
        abort();
    }
    buf_free(&t2);
    buf_free(&b2);
    buf_free(&b1);
    buf_free(&t1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (++inputs % recycle_every == 0) {
        wire_fuzz_lsan_roots(false);
        rt_free(fuzz_rt);
        fuzz_rt = rt_new(&(RtOptions){.no_stdlib = true, .no_input = true, .schedulers = 1});
        wire_fuzz_lsan_roots(true);
    }
    Proc *p = proc_new_bare(fuzz_rt);
    if (verbose) fprintf(stderr, "as a message (%zu bytes):\n", size);
    check_message(p, data, size);
    /* the same bytes as a body, in an envelope of the right length (a copy
     * of exactly its size, so that ASan sees any overread) */
    Buf m;
    buf_init(&m);
    buf_putc(&m, WIRE_VERSION);
    wire_put_uvarint(&m, size);
    buf_append(&m, data, size);
    uint8_t *copy = malloc(m.len);
    memcpy(copy, m.data, m.len);
    if (verbose) fprintf(stderr, "as a body:\n");
    check_message(p, copy, m.len);
    free(copy);
    buf_free(&m);
    proc_free_bare(p);
    wire_fuzz_lsan_roots(true);
    return 0;
}
