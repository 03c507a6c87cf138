/*
 * frame_test.c — frames between realms (realm/frame.c) and the wire
 * message they carry: a good frame parses and its value decodes; a
 * truncated, damaged or misaddressed frame is refused by frame_parse or
 * wire_decode, never a crash (every single-byte change is tried, under
 * the sanitizers in make test).
 *
 * FRAME_TEST_SEEDS=DIR writes seed inputs for fuzz/frame_fuzz.c into DIR
 * instead of running the tests (write_seeds).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "realm/frame.h"
#include "realm/wire.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/equal.h"
#include "term/num.h"
#include "vm/rt.h"

static Runtime *rt;
static Proc *p;

static int setup(void **state) {
    (void)state;
    rt = rt_new(&(RtOptions){.no_stdlib = true, .no_input = true, .schedulers = 1});
    p = proc_new_bare(rt);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    proc_free_bare(p);
    rt_free(rt);
    return 0;
}

static Value sample(void) {
    return mk_tuple3(p, mk_keyword(atoms_intern_text(&rt->atoms, "echo", 4)), mk_cstring(p, "a string"),
                     mk_tuple2(p, mk_pid(1, 7), num_from_i64(p, -123456789)));
}

static void make_frame(Buf *b, Value v) {
    buf_init(b);
    frame_begin(b, FK_SEND, mk_pid(2, 5), mk_pid(1, 7), mk_ref(1, 9), 42);
    Value refused = LV_NONE;
    assert_int_equal(wire_encode(rt, v, NULL, b, &refused), WIRE_OK);
    assert_true(frame_finish(b));
}

static void good_frame_round_trips(void **state) {
    (void)state;
    Value v = sample();
    Buf b;
    make_frame(&b, v);
    WireFrame f;
    assert_true(frame_parse((const uint8_t *)b.data, b.len, &f));
    assert_int_equal(f.kind, FK_SEND);
    assert_true(f.to == mk_pid(2, 5));
    assert_true(f.from == mk_pid(1, 7));
    assert_true(f.ref == mk_ref(1, 9));
    assert_int_equal(f.arg, 42);
    Value out = LV_NONE;
    assert_int_equal(wire_decode(p, f.value, f.value_len, NULL, &out), WIRE_OK);
    assert_true(lv_equal(out, v));
    buf_free(&b);
}

static void bad_headers_are_refused(void **state) {
    (void)state;
    Buf b;
    make_frame(&b, sample());
    uint8_t *d = (uint8_t *)b.data;
    WireFrame f;
    for (size_t n = 0; n < b.len; n++) assert_false(frame_parse(d, n, &f)); /* every truncation */
    const size_t at[] = {0, 1, 2, 3, 4};
    const uint8_t to[] = {'X', 'X', FRAME_VERSION + 1, 0, (uint8_t)(d[4] + 1)};
    for (size_t i = 0; i < sizeof to; i++) {
        uint8_t keep = d[at[i]];
        d[at[i]] = to[i];
        assert_false(frame_parse(d, b.len, &f));
        d[at[i]] = keep;
    }
    d[3] = FK__COUNT;
    assert_false(frame_parse(d, b.len, &f));
    buf_free(&b);

    /* A realm number beyond 16 bits, and a pid number of realm 0. */
    Buf c;
    buf_init(&c);
    uint8_t head[FRAME_HEADER] = {'L', 'R', FRAME_VERSION, FK_SEND, 0, 0, 0, 0};
    buf_append(&c, head, sizeof head);
    wire_put_uvarint(&c, 0x10000);
    wire_put_uvarint(&c, 1);
    for (int i = 0; i < 5; i++) wire_put_uvarint(&c, 0);
    assert_true(frame_finish(&c));
    assert_false(frame_parse((const uint8_t *)c.data, c.len, &f));
    c.len = 0;
    buf_append(&c, head, sizeof head);
    wire_put_uvarint(&c, 0);
    wire_put_uvarint(&c, 3);
    for (int i = 0; i < 5; i++) wire_put_uvarint(&c, 0);
    assert_true(frame_finish(&c));
    assert_false(frame_parse((const uint8_t *)c.data, c.len, &f));
    buf_free(&c);
}

/* Every byte of a good frame replaced by a few others: parsing and
 * decoding either refuse it or give some value, and nothing crashes. */
static void damaged_frames_never_crash(void **state) {
    (void)state;
    Buf b;
    make_frame(&b, sample());
    uint8_t *d = (uint8_t *)b.data;
    const uint8_t subst[] = {0x00, 0x01, 0x7f, 0x80, 0xff};
    size_t refused = 0, tried = 0;
    for (size_t i = 0; i < b.len; i++) {
        uint8_t keep = d[i];
        for (size_t k = 0; k < sizeof subst; k++) {
            if (subst[k] == keep) continue;
            d[i] = subst[k];
            tried++;
            WireFrame f;
            Value out = LV_NONE;
            if (!frame_parse(d, b.len, &f) || wire_decode(p, f.value, f.value_len, NULL, &out) != WIRE_OK)
                refused++;
        }
        d[i] = keep;
    }
    assert_true(refused > 0 && refused <= tried);
    buf_free(&b);
}

/* ---- seeds for fuzz/frame_fuzz.c ---------------------------------------- */

static void write_seed(const char *dir, const char *name, const Buf *b) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b->data, 1, b->len, f) != b->len) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
    fclose(f);
}

/* A frame of the given fields carrying v (LV_NONE: no value at all). */
static void seed_frame(const char *dir, const char *name, uint8_t kind, Value to, Value from, Value ref,
                       uint64_t arg, Value v) {
    Buf b;
    buf_init(&b);
    frame_begin(&b, kind, to, from, ref, arg);
    Value refused = LV_NONE;
    if (v != LV_NONE && wire_encode(rt, v, NULL, &b, &refused) != WIRE_OK) {
        fprintf(stderr, "seed %s does not encode\n", name);
        exit(1);
    }
    frame_finish(&b);
    write_seed(dir, name, &b);
    buf_free(&b);
}

/* Valid frames of each kind, then odd ones: no value, a cut value, bytes
 * after the value, padded varints, an unknown kind, a wrong length. */
static void write_seeds(const char *dir) {
    setup(NULL);
    Value kw_exit = mk_keyword(atoms_intern_text(&rt->atoms, "normal", 6));
    uint8_t bytes[300];
    for (size_t i = 0; i < sizeof bytes; i++) bytes[i] = (uint8_t)(i * 7);
    seed_frame(dir, "send", FK_SEND, mk_pid(2, 5), mk_pid(1, 7), LV_NIL, 0, sample());
    seed_frame(dir, "send_sync", FK_SEND, mk_pid(2, 5), mk_pid(1, 7), mk_ref(1, 9), 0, mk_cstring(p, "hi"));
    seed_frame(dir, "send_binary", FK_SEND, mk_pid(3, 1), mk_pid(1, 2), LV_NIL, 0,
               mk_binary(p, bytes, sizeof bytes));
    seed_frame(dir, "request_spawn", FK_REQUEST, mk_pid(2, 0), mk_pid(1, 4), mk_ref(1, 10), 1,
               mk_tuple2(p, mk_keyword(atoms_intern_text(&rt->atoms, "fn", 2)), num_from_i64(p, 1)));
    seed_frame(dir, "request_whereis", FK_REQUEST, mk_pid(1, 0), mk_pid(2, 3), mk_ref(2, 1), 3,
               mk_symbol(atoms_intern_text(&rt->atoms, "server", 6)));
    seed_frame(dir, "reply", FK_REPLY, mk_pid(1, 4), mk_pid(2, 0), mk_ref(1, 10), 0, mk_pid(2, 6));
    seed_frame(dir, "signal_link", FK_SIGNAL, mk_pid(1, 4), mk_pid(2, 6), LV_NIL, 1 | 1 << 8, LV_NIL);
    seed_frame(dir, "signal_exit", FK_SIGNAL, mk_pid(1, 4), mk_pid(2, 6), LV_NIL, 3, kw_exit);
    seed_frame(dir, "signal_down", FK_SIGNAL, mk_pid(1, 4), mk_pid(2, 6), mk_ref(1, 11), 6,
               num_from_i64(p, INT64_MIN));
    seed_frame(dir, "no_value", FK_SEND, mk_pid(2, 5), mk_pid(1, 7), LV_NIL, 0, LV_NONE);
    seed_frame(dir, "kind_unknown", FK__COUNT, mk_pid(2, 5), mk_pid(1, 7), LV_NIL, 0, LV_NIL);
    seed_frame(dir, "nil_ids", FK_SEND, LV_NIL, LV_NIL, LV_NIL, UINT64_MAX, LV_NIL);

    Buf b;
    make_frame(&b, sample());
    b.len -= 3; /* the value cut short, the length set right */
    frame_finish(&b);
    write_seed(dir, "value_cut", &b);
    buf_free(&b);
    make_frame(&b, sample()); /* bytes after a whole value */
    buf_append(&b, "\x00\x01", 2);
    frame_finish(&b);
    write_seed(dir, "value_trailing", &b);
    buf_free(&b);
    make_frame(&b, sample());
    ((uint8_t *)b.data)[4] ^= 1; /* a length that does not match */
    write_seed(dir, "length_wrong", &b);
    buf_free(&b);

    /* Routing varints padded with continuation bytes: valid, not canonical. */
    Buf c;
    buf_init(&c);
    uint8_t head[FRAME_HEADER] = {'L', 'R', FRAME_VERSION, FK_SEND, 0, 0, 0, 0};
    buf_append(&c, head, sizeof head);
    buf_append(&c, "\x82\x00\x85\x80\x00", 5); /* to (2, 5) */
    buf_append(&c, "\x01\x07\x80\x00\x80\x00\x00", 7); /* from (1, 7), ref none, arg 0 */
    Value refused = LV_NONE;
    wire_encode(rt, mk_cstring(p, "padded"), NULL, &c, &refused);
    frame_finish(&c);
    write_seed(dir, "varints_padded", &c);
    buf_free(&c);
    teardown(NULL);
}

int main(void) {
    const char *seed_dir = getenv("FRAME_TEST_SEEDS");
    if (seed_dir) {
        write_seeds(seed_dir);
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_frame_round_trips),
        cmocka_unit_test(bad_headers_are_refused),
        cmocka_unit_test(damaged_frames_never_crash),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
