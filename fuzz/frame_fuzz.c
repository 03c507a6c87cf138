/*
 * frame_fuzz.c — libFuzzer target for the frame layer (realm/frame.h): what
 * a parent does with the bytes of one datagram from a child realm, a
 * hostile OS process, before it routes them (link.c's deliver, then
 * realm.c's deliver_here).
 *
 * Each input is taken as a whole frame, and also, when its header is not
 * right, with the magic, version and length of its 8-byte header made
 * right (the kind byte left as it is), so that mutations reach the routing
 * varints and the value without having to keep the length right. For a
 * frame:
 *
 *   f  = frame_parse(bytes)          refusal is a normal outcome; if
 *                                    accepted, the kind is known, to/from
 *                                    are nil or pids, ref is nil or a ref,
 *                                    raw is the input and the value lies
 *                                    inside it, at its end
 *   g  = frame_parse(frame_begin(f) + value + frame_finish)
 *                                    the frame rebuilt from its fields
 *                                    parses to the same fields and value,
 *                                    and is no longer than the input (the
 *                                    writer's varints are the shortest)
 *   v  = wire_decode(f.value)        under the default limits, into a
 *                                    scratch process, as the parent does;
 *                                    refusal is a normal outcome
 *   b  = wire_encode(v)              must succeed (what the parent accepts
 *                                    it can pass on), and decode again
 *
 * Any disagreement prints the input and aborts. Crashes, sanitizer reports
 * and leaks are findings too.
 *
 * One runtime (no library, one scheduler, no input) and one scratch
 * process serve FRAME_FUZZ_RECYCLE inputs (default 10000; the atom table
 * grows with what the inputs made it intern), then fresh ones are made.
 * The scratch heap is released after each input exactly as realm.c's
 * reset_scratch does, so every heap object and off-heap binary the decoder
 * made must go with it. As in wire_fuzz.c, the used part of the literal
 * area is registered with LeakSanitizer and the runtime is freed at exit.
 *
 * FRAME_FUZZ_VERBOSE=1 prints, for each input, what was parsed and decoded.
 *
 * Build: see fuzz/README.md.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "gc/heap.h"
#include "realm/frame.h"
#include "realm/wire.h"
#include "term/print.h"
#include "vm/rt.h"

#include "fuzz_lsan.h"

static Runtime *fuzz_rt;
static Proc *scratch;
static bool verbose;
static unsigned long recycle_every = 10000, inputs;

static void frame_fuzz_lsan_roots(bool keep) { fuzz_lsan_roots(fuzz_rt, keep); }

static void frame_fuzz_free(void) {
    frame_fuzz_lsan_roots(false);
    if (scratch) proc_free_bare(scratch);
    scratch = NULL;
    if (fuzz_rt) rt_free(fuzz_rt);
    fuzz_rt = NULL;
}

static bool frame_fuzz_make(void) {
    fuzz_rt = rt_new(&(RtOptions){.no_stdlib = true, .no_input = true, .schedulers = 1});
    if (!fuzz_rt) return false;
    scratch = proc_new_bare(fuzz_rt);
    frame_fuzz_lsan_roots(true);
    return true;
}

/* Runs before LeakSanitizer's final check (registered later): what is
 * left after freeing the runtime is really leaked. */
static void frame_fuzz_stop(void) { frame_fuzz_free(); }

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    const char *vb = getenv("FRAME_FUZZ_VERBOSE");
    verbose = vb && *vb && strcmp(vb, "0") != 0;
    const char *rc = getenv("FRAME_FUZZ_RECYCLE");
    if (rc && atol(rc) > 0) recycle_every = (unsigned long)atol(rc);
    if (!frame_fuzz_make()) return 1;
    atexit(frame_fuzz_stop);
    return 0;
}

static _Noreturn void fail(const char *why, const uint8_t *b, size_t n) {
    fprintf(stderr, "%s\ninput (%zu bytes):", why, n);
    for (size_t i = 0; i < n && i < 256; i++) fprintf(stderr, " %02x", b[i]);
    fprintf(stderr, "%s\n", n > 256 ? " ..." : "");
    abort();
}

/* As realm.c's reset_scratch: everything decoded goes at once. */
static void reset_scratch(void) {
    Heap *h = &scratch->heap;
    heap_release(h);
    heap_init(h, 512, 0);
}

static bool id_ok(Value v, bool is_ref_id) {
    return v == LV_NIL || (is_ref_id ? is_ref(v) : is_pid(v));
}

static void check_value(const uint8_t *frame, size_t n, const WireFrame *f) {
    Value v;
    WireErr e = wire_decode(scratch, f->value, f->value_len, NULL, &v);
    if (e != WIRE_OK) {
        if (verbose) fprintf(stderr, "  value refused: %s\n", wire_err_name(e));
        return;
    }
    if (verbose) {
        Buf t;
        buf_init(&t);
        pr_value_max(fuzz_rt, &t, v, 4096);
        buf_putc(&t, 0);
        fprintf(stderr, "  value: %s\n", t.data);
        buf_free(&t);
    }
    Buf b;
    buf_init(&b);
    Value refused = LV_NONE;
    if (wire_encode(fuzz_rt, v, NULL, &b, &refused) != WIRE_OK) fail("a decoded value does not encode", frame, n);
    Value w;
    if (wire_decode(scratch, (const uint8_t *)b.data, b.len, NULL, &w) != WIRE_OK)
        fail("a re-encoded value does not decode", frame, n);
    buf_free(&b);
}

static void check_frame(const uint8_t *bytes, size_t n) {
    WireFrame f;
    if (!frame_parse(bytes, n, &f)) {
        if (verbose) fprintf(stderr, "  frame refused\n");
        return;
    }
    if (f.kind == 0 || f.kind >= FK__COUNT) fail("an unknown kind is accepted", bytes, n);
    if (!id_ok(f.to, false) || !id_ok(f.from, false) || !id_ok(f.ref, true))
        fail("a routing field is neither nil nor of its type", bytes, n);
    if (f.raw != bytes || f.raw_len != n) fail("raw is not the frame", bytes, n);
    if (f.value < bytes + FRAME_HEADER || f.value > bytes + n || f.value + f.value_len != bytes + n)
        fail("the value is not the end of the frame", bytes, n);
    if (verbose)
        fprintf(stderr, "  frame: kind %u, arg %llu, value %zu bytes\n", f.kind, (unsigned long long)f.arg,
                f.value_len);

    /* Rebuilt from its fields, the frame says the same. */
    Buf r;
    buf_init(&r);
    frame_begin(&r, f.kind, f.to, f.from, f.ref, f.arg);
    buf_append(&r, f.value, f.value_len);
    if (!frame_finish(&r)) fail("a parsed frame cannot be rebuilt", bytes, n);
    if (r.len > n) fail("the rebuilt frame is longer than the input", bytes, n);
    WireFrame g;
    if (!frame_parse((const uint8_t *)r.data, r.len, &g)) fail("the rebuilt frame does not parse", bytes, n);
    if (g.kind != f.kind || g.to != f.to || g.from != f.from || g.ref != f.ref || g.arg != f.arg ||
        g.value_len != f.value_len || memcmp(g.value, f.value, f.value_len) != 0)
        fail("the rebuilt frame parses to other fields", bytes, n);
    buf_free(&r);

    check_value(bytes, n, &f);
    reset_scratch();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (++inputs % recycle_every == 0) {
        frame_fuzz_free();
        if (!frame_fuzz_make()) abort();
    }
    if (verbose) fprintf(stderr, "as a frame (%zu bytes):\n", size);
    check_frame(data, size);
    /* The same bytes with the magic, version and length made right (the
     * kind is left as it is), in a copy of exactly its size, so that ASan
     * sees any overread. */
    if (size >= FRAME_HEADER && size - FRAME_HEADER <= FRAME_MAX - FRAME_HEADER) {
        uint8_t *copy = malloc(size);
        memcpy(copy, data, size);
        uint32_t len = (uint32_t)(size - FRAME_HEADER);
        copy[0] = 'L';
        copy[1] = 'R';
        copy[2] = FRAME_VERSION;
        for (int i = 0; i < 4; i++) copy[4 + i] = (uint8_t)(len >> (8 * i));
        if (memcmp(copy, data, FRAME_HEADER) != 0) {
            if (verbose) fprintf(stderr, "with its header made right:\n");
            check_frame(copy, size);
        }
        free(copy);
    }
    frame_fuzz_lsan_roots(true);
    return 0;
}
