/*
 * num_test.c — the numeric tower (term/num*.c) and its intrinsics
 * (lib/core_num.c, lib/core_bits.c): promotion and normalisation of plain
 * integers, ratios, fixed-width wrap and mixing rules, division family
 * signs, comparison with NaN, equality and hashing across kinds, float
 * printing, coercions and bitwise operations. Bignum results are checked
 * against GMP's mpz on pseudo-random operands.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <gmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/intrinsic.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/num_priv.h"
#include "vm/error.h"
#include "vm/rt.h"

extern const IntrinsicDef lona_intrinsics_core_num[];
extern const size_t lona_intrinsics_core_num_count;
extern const IntrinsicDef lona_intrinsics_core_bits[];
extern const size_t lona_intrinsics_core_bits_count;

static Runtime *T_rt;
static Proc *P;

static int setup(void **state) {
    (void)state;
    T_rt = rt_new(&(RtOptions){.no_stdlib = true});
    P = proc_new_bare(T_rt);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    proc_free_bare(P);
    rt_free(T_rt);
    return 0;
}

/* ---- helpers ------------------------------------------------------------ */

/* Plain integer from "[-]digits[N]". */
static Value I(const char *s) {
    bool neg = *s == '-';
    if (neg) s++;
    size_t n = strlen(s);
    bool big = n > 0 && s[n - 1] == 'N';
    Value v = num_parse_digits(P, s, n - big, 10, neg, big);
    assert_true(v != LV_NONE);
    return v;
}

static Value Q(const char *n, const char *d) { return num_make_ratio(P, I(n), I(d)); }
static Value F(double d) { return mk_float(P, d); }
static Value FX(int kind, int64_t v) { return num_to_fixed(P, kind, num_from_i64(P, v)); }
static Value U64(uint64_t v) { return num_to_fixed(P, FX_U64, num_from_u64(P, v)); }

static void check_form(Value v, const char *want, bool readable) {
    assert_true(v != LV_EXC);
    Buf b;
    buf_init(&b);
    num_print(&b, v, readable);
    if (strcmp(b.data, want) != 0) {
        char msg[512];
        snprintf(msg, sizeof msg, "printed %s, wanted %s", b.data, want);
        buf_free(&b);
        fail_msg("%s", msg);
    }
    buf_free(&b);
}
#define assert_pr(v, want) check_form((v), (want), true)
#define assert_disp(v, want) check_form((v), (want), false)

static const IntrinsicDef *find_def(const char *name) {
    for (size_t i = 0; i < lona_intrinsics_core_num_count; i++)
        if (strcmp(lona_intrinsics_core_num[i].name, name) == 0) return &lona_intrinsics_core_num[i];
    for (size_t i = 0; i < lona_intrinsics_core_bits_count; i++)
        if (strcmp(lona_intrinsics_core_bits[i].name, name) == 0) return &lona_intrinsics_core_bits[i];
    return NULL;
}

static Value callv(const char *name, Value *args, uint32_t n) {
    const IntrinsicDef *d = find_def(name);
    if (!d) fail_msg("no intrinsic %s", name);
    assert_true(n >= d->min_arity && (d->max_arity == ARITY_VARIADIC || n <= d->max_arity));
    P->exc = LV_NONE;
    Value r = d->fn(P, args, n);
    if (r != LV_EXC) assert_true(P->exc == LV_NONE);
    return r;
}
#define C(name, ...) \
    callv(name, (Value[]){__VA_ARGS__}, sizeof((Value[]){__VA_ARGS__}) / sizeof(Value))

static void assert_raised(Value r, Value reason) {
    assert_true(r == LV_EXC);
    assert_true(err_reason_keyword(P->exc) == reason);
    P->exc = LV_NONE;
}
#define ASSERT_ERR(reason_id, expr) assert_raised((expr), K_(reason_id))

/* ---- plain integers ------------------------------------------------------ */

static void test_promotion(void **state) {
    (void)state;
    Value max = fix(FIX_MAX), min = fix(FIX_MIN);
    Value up = num_add(P, max, fix(1));
    assert_true(is_bignum(up));
    assert_pr(up, "4611686018427387904");
    Value down = num_sub(P, up, fix(1));
    assert_true(is_fix(down) && down == max); /* normalised back */
    Value lo = num_sub(P, min, fix(1));
    assert_true(is_bignum(lo));
    assert_pr(lo, "-4611686018427387905");
    assert_true(num_add(P, lo, fix(1)) == min);
    assert_pr(num_neg(P, min), "4611686018427387904");
    assert_true(num_neg(P, num_neg(P, min)) == min);
    Value sq = num_mul(P, fix(3037000500), fix(3037000500));
    assert_pr(sq, "9223372037000250000");
    assert_pr(num_mul(P, sq, sq), "85070591732918141055018500062500000000");
    assert_true(num_quot(P, num_mul(P, sq, sq), sq) != LV_EXC);
    assert_true(num_equal(num_quot(P, num_mul(P, sq, sq), sq), sq));
    assert_true(num_div(P, sq, fix(3037000500)) == fix(3037000500));
    Value big = I("123456789012345678901234567890");
    assert_pr(big, "123456789012345678901234567890");
    assert_pr(num_sub(P, big, big), "0");
    assert_true(num_sub(P, big, big) == fix(0));
    assert_pr(num_neg(P, big), "-123456789012345678901234567890");
    assert_pr(num_add(P, big, num_neg(P, I("123456789012345678901234567889"))), "1");
    assert_true(is_fix(num_add(P, big, num_neg(P, I("123456789012345678901234567889")))));
    /* A value that fits is always a fixnum, however it was built. */
    assert_true(I("00000000000000000000000000000042") == fix(42));
}

static void test_big_flag(void **state) {
    (void)state;
    Value seven = I("7N");
    assert_true(is_bignum(seven));
    assert_pr(seven, "7N");
    assert_disp(seven, "7");
    assert_pr(num_add(P, seven, fix(1)), "8N");
    assert_pr(num_add(P, fix(1), seven), "8N");
    assert_pr(num_mul(P, seven, seven), "49N");
    assert_pr(num_div(P, I("12N"), fix(4)), "3N");
    assert_pr(num_div(P, I("3N"), fix(12)), "1/4");
    assert_pr(num_quot(P, seven, fix(2)), "3N");
    assert_pr(num_neg(P, seven), "-7N");
    assert_pr(I("0N"), "0N");
    assert_pr(I("99999999999999999999999N"), "99999999999999999999999N");
    assert_true(num_equal(seven, fix(7)));
    assert_true(num_hash(seven) == num_hash(fix(7)));
    bool un;
    assert_int_equal(num_cmp(seven, fix(7), &un), 0);
    assert_pr(callv("int", &seven, 1), "7N");
}

static void test_parse(void **state) {
    (void)state;
    assert_pr(num_parse_digits(P, "ff", 2, 16, false, false), "255");
    assert_pr(num_parse_digits(P, "DEADBEEF", 8, 16, true, false), "-3735928559");
    assert_pr(num_parse_digits(P, "zz", 2, 36, false, false), "1295");
    assert_pr(num_parse_digits(P, "1111111111111111111111111111111111111111111111111111111111111111"
                                  "1111",
                               68, 2, false, false),
              "295147905179352825855");
    assert_pr(num_parse_digits(P, "ffffffffffffffffffffffffffffffff", 32, 16, false, false),
              "340282366920938463463374607431768211455");
    assert_true(num_parse_digits(P, "12a", 3, 10, false, false) == LV_NONE);
    assert_true(num_parse_digits(P, "2", 1, 2, false, false) == LV_NONE);
    assert_true(num_parse_digits(P, "", 0, 10, false, false) == LV_NONE);
    assert_true(num_parse_digits(P, "-1", 2, 10, false, false) == LV_NONE);
    assert_true(num_fixed_fits(FX_U8, fix(255)) && !num_fixed_fits(FX_U8, fix(256)));
    assert_true(!num_fixed_fits(FX_U8, fix(-1)) && num_fixed_fits(FX_I8, fix(-128)));
    assert_true(!num_fixed_fits(FX_I8, fix(128)) && !num_fixed_fits(FX_I8, fix(-129)));
    assert_true(num_fixed_fits(FX_U64, I("18446744073709551615")));
    assert_true(!num_fixed_fits(FX_U64, I("18446744073709551616")));
    assert_true(num_fixed_fits(FX_I64, I("-9223372036854775808")));
    assert_true(!num_fixed_fits(FX_I64, I("9223372036854775808")));
    int64_t x;
    assert_true(num_to_i64(I("-9223372036854775808"), &x) && x == INT64_MIN);
    assert_false(num_to_i64(I("9223372036854775808"), &x));
    assert_true(num_to_i64(FX(FX_I8, -5), &x) && x == -5);
}

/* ---- ratios -------------------------------------------------------------- */

static void test_ratio(void **state) {
    (void)state;
    assert_pr(Q("4", "6"), "2/3");
    assert_true(Q("6", "3") == fix(2));
    assert_pr(Q("1", "-2"), "-1/2");
    assert_pr(Q("-3", "-9"), "1/3");
    assert_true(Q("0", "5") == fix(0));
    ASSERT_ERR(division_by_zero, num_make_ratio(P, fix(1), fix(0)));
    Value half = Q("1", "2"), third = Q("1", "3");
    assert_pr(num_add(P, half, third), "5/6");
    assert_true(num_add(P, half, half) == fix(1));
    assert_true(num_mul(P, third, fix(3)) == fix(1));
    assert_pr(num_sub(P, third, half), "-1/6");
    assert_pr(num_div(P, half, third), "3/2");
    assert_pr(num_div(P, fix(3), fix(12)), "1/4");
    assert_true(num_div(P, fix(12), fix(4)) == fix(3));
    assert_pr(callv("/", (Value[]){fix(2)}, 1), "1/2");
    ASSERT_ERR(division_by_zero, num_div(P, fix(1), fix(0)));
    ASSERT_ERR(division_by_zero, num_div(P, half, fix(0)));
    assert_pr(num_neg(P, half), "-1/2");
    assert_pr(Q("123456789012345678901234567890", "987654321098765432109876543210"),
              "13717421/109739369");
    assert_pr(num_mul(P, half, I("2N")), "1N");
    assert_pr(num_add(P, half, F(0.25)), "0.75");
    assert_true(num_to_double(Q("1", "10")) == 0.1);
    assert_true(num_to_double(Q("1", "3")) == 1.0 / 3.0);
    assert_true(num_to_double(Q("-2", "3")) == -2.0 / 3.0);
    Value huge = Q("1", "100000000000000000000000000000000000000000000000000");
    assert_true(num_to_double(huge) == 1e-50);
    assert_true(num_to_float(Q("1", "3")) == 1.0f / 3.0f);
    assert_pr(callv("numerator", (Value[]){Q("-6", "4")}, 1), "-3");
    assert_pr(callv("denominator", (Value[]){Q("-6", "4")}, 1), "2");
    assert_pr(callv("numerator", (Value[]){fix(5)}, 1), "5");
    assert_pr(callv("denominator", (Value[]){fix(5)}, 1), "1");
    ASSERT_ERR(type_error, callv("numerator", (Value[]){F(0.5)}, 1));
}

/* ---- fixed-width ---------------------------------------------------------- */

static void test_fixed_wrap(void **state) {
    (void)state;
    assert_pr(num_add(P, FX(FX_U8, 255), fix(1)), "0u8");
    assert_pr(num_sub(P, FX(FX_U8, 0), fix(1)), "255u8");
    assert_pr(num_mul(P, FX(FX_U8, 16), FX(FX_U8, 16)), "0u8");
    assert_pr(num_add(P, FX(FX_U8, 1), fix(300)), "45u8");
    assert_pr(num_add(P, fix(300), FX(FX_U8, 1)), "45u8");
    assert_pr(num_add(P, FX(FX_I8, 127), fix(1)), "-128i8");
    assert_pr(num_div(P, FX(FX_I8, -128), FX(FX_I8, -1)), "-128i8");
    assert_pr(num_div(P, FX(FX_I32, 7), fix(2)), "3i32");
    assert_pr(num_div(P, FX(FX_I32, -7), fix(2)), "-3i32");
    Value imin = FX(FX_I64, INT64_MIN);
    assert_pr(imin, "-9223372036854775808i64");
    assert_pr(num_div(P, imin, fix(-1)), "-9223372036854775808i64");
    assert_pr(num_rem(P, imin, fix(-1)), "0i64");
    assert_pr(num_neg(P, imin), "-9223372036854775808i64");
    Value umax = U64(UINT64_MAX);
    assert_pr(umax, "18446744073709551615u64");
    assert_disp(umax, "18446744073709551615");
    assert_pr(num_add(P, umax, fix(1)), "0u64");
    assert_pr(num_mul(P, umax, umax), "1u64");
    assert_pr(num_add(P, FX(FX_U32, 0xffffffff), fix(1)), "0u32");
    assert_pr(num_neg(P, FX(FX_U16, 1)), "65535u16");
    assert_pr(num_add(P, FX(FX_I16, -32768), fix(-1)), "32767i16");
    assert_pr(num_mod(P, FX(FX_I8, -7), fix(2)), "1i8");
    assert_pr(num_rem(P, FX(FX_I8, -7), fix(2)), "-1i8");
    assert_pr(num_quot(P, FX(FX_U8, 200), fix(7)), "28u8");
    /* a bignum wraps to its low bits */
    assert_pr(num_add(P, FX(FX_U8, 0), I("1000000000000000000000")), "0u8");
    assert_pr(num_add(P, FX(FX_U64, 0), I("-1")), "18446744073709551615u64");
    ASSERT_ERR(type_error, num_add(P, FX(FX_U8, 1), FX(FX_I8, 1)));
    ASSERT_ERR(type_error, num_add(P, FX(FX_U8, 1), Q("1", "2")));
    ASSERT_ERR(type_error, num_mul(P, F(1.0), FX(FX_U8, 1)));
    ASSERT_ERR(type_error, num_add(P, FX(FX_U8, 1), mk_f32(1.0f)));
    ASSERT_ERR(division_by_zero, num_div(P, FX(FX_U8, 1), fix(0)));
    ASSERT_ERR(division_by_zero, num_quot(P, FX(FX_I64, 1), FX(FX_I64, 0)));
    assert_disp(FX(FX_U8, 200), "200");
    assert_pr(FX(FX_I32, -7), "-7i32");
    assert_pr(FX(FX_U64, 0), "0u64");
    /* A narrow immediate stored without sign extension still reads right. */
    assert_pr(IMM(IMM_I8, 0xff), "-1i8");
    assert_true(num_equal(IMM(IMM_I8, 0xff), FX(FX_I8, -1)));
}

static void test_checked_saturating(void **state) {
    (void)state;
    Value r = C("checked-add", FX(FX_U8, 250), FX(FX_U8, 5));
    assert_true(is_tuple(r) && tuple_elems(r)[0] == K_(ok));
    assert_pr(tuple_elems(r)[1], "255u8");
    r = C("checked-add", FX(FX_U8, 250), fix(6));
    assert_true(is_tuple(r) && tuple_elems(r)[0] == K_(error) && tuple_elems(r)[1] == K_(overflow));
    r = C("checked-add", FX(FX_I8, -100), FX(FX_I8, -29));
    assert_true(tuple_elems(r)[0] == K_(error));
    r = C("checked-add", FX(FX_I64, INT64_MAX), fix(1));
    assert_true(tuple_elems(r)[0] == K_(error));
    r = C("checked-add", U64(UINT64_MAX), fix(0));
    assert_true(tuple_elems(r)[0] == K_(ok));
    r = C("checked-add", fix(FIX_MAX), fix(1));
    assert_true(tuple_elems(r)[0] == K_(ok));
    assert_pr(tuple_elems(r)[1], "4611686018427387904");
    ASSERT_ERR(type_error, C("checked-add", FX(FX_U8, 1), FX(FX_U16, 1)));
    assert_pr(C("saturating-add", FX(FX_U8, 250), fix(10)), "255u8");
    assert_pr(C("saturating-add", FX(FX_I8, -100), FX(FX_I8, -100)), "-128i8");
    assert_pr(C("saturating-add", FX(FX_I8, 100), FX(FX_I8, 100)), "127i8");
    assert_pr(C("saturating-add", FX(FX_I8, 100), FX(FX_I8, -100)), "0i8");
    assert_pr(C("saturating-add", U64(UINT64_MAX), fix(5)), "18446744073709551615u64");
    assert_pr(C("saturating-add", FX(FX_I64, INT64_MIN), fix(-1)), "-9223372036854775808i64");
    assert_pr(C("saturating-add", fix(1), fix(2)), "3");
}

/* ---- quot / rem / mod ------------------------------------------------------ */

static void check_qrm(Value a, Value b, const char *q, const char *r, const char *m) {
    assert_pr(num_quot(P, a, b), q);
    assert_pr(num_rem(P, a, b), r);
    assert_pr(num_mod(P, a, b), m);
}

static void test_quot_rem_mod(void **state) {
    (void)state;
    check_qrm(fix(7), fix(2), "3", "1", "1");
    check_qrm(fix(-7), fix(2), "-3", "-1", "1");
    check_qrm(fix(7), fix(-2), "-3", "1", "-1");
    check_qrm(fix(-7), fix(-2), "3", "-1", "-1");
    check_qrm(fix(6), fix(-3), "-2", "0", "0");
    check_qrm(fix(FIX_MIN), fix(-1), "4611686018427387904", "0", "0");
    check_qrm(I("-100000000000000000000"), fix(7), "-14285714285714285714", "-2", "5");
    check_qrm(I("100000000000000000000"), I("-30000000000000000000"), "-3",
              "10000000000000000000", "-20000000000000000000");
    check_qrm(fix(5), I("100000000000000000000"), "0", "5", "5");
    check_qrm(fix(-5), I("100000000000000000000"), "0", "-5", "99999999999999999995");
    check_qrm(F(-7.5), fix(2), "-3.0", "-1.5", "0.5");
    check_qrm(F(7.5), F(-2.0), "-3.0", "1.5", "-0.5");
    check_qrm(Q("7", "2"), fix(2), "1", "3/2", "3/2");
    check_qrm(Q("-7", "2"), fix(2), "-1", "-3/2", "1/2");
    check_qrm(Q("7", "2"), Q("1", "2"), "7", "0", "0");
    check_qrm(mk_f32(7.5f), fix(2), "3.0f32", "1.5f32", "1.5f32");
    ASSERT_ERR(division_by_zero, num_quot(P, fix(1), fix(0)));
    ASSERT_ERR(division_by_zero, num_rem(P, I("100000000000000000000"), fix(0)));
    ASSERT_ERR(division_by_zero, num_mod(P, F(1.0), F(0.0)));
    ASSERT_ERR(division_by_zero, num_quot(P, F(1.0), fix(0)));
    ASSERT_ERR(division_by_zero, num_rem(P, Q("1", "2"), fix(0)));
    ASSERT_ERR(type_error, num_quot(P, fix(1), K_(ok)));
}

/* ---- floats ----------------------------------------------------------------- */

static void test_float_print(void **state) {
    (void)state;
    assert_pr(F(3.0), "3.0");
    assert_pr(F(0.0125), "0.0125");
    assert_pr(F(1234.5), "1234.5");
    assert_pr(F(6.02e23), "6.02e23");
    assert_pr(F(1e16), "1e16");
    assert_pr(F(-2.5e-7), "-2.5e-7");
    assert_pr(F(-0.0), "-0.0");
    assert_pr(F(0.0), "0.0");
    assert_pr(F(1e21), "1e21");
    assert_pr(F(0.1), "0.1");
    assert_pr(F(1.0 / 3.0), "0.3333333333333333");
    assert_pr(F(2.0 / 3.0), "0.6666666666666666");
    assert_pr(F(0.1 + 0.2), "0.30000000000000004");
    assert_pr(F(1e-4), "0.0001");
    assert_pr(F(1e-5), "1e-5");
    assert_pr(F(1e15), "1000000000000000.0");
    assert_pr(F(9007199254740993.0), "9007199254740992.0");
    assert_pr(F(123456789012345680.0), "1.2345678901234568e17");
    assert_pr(F(5e-324), "5e-324");
    assert_pr(F(1.7976931348623157e308), "1.7976931348623157e308");
    assert_pr(F(100.0), "100.0");
    assert_pr(F(-1.5), "-1.5");
    assert_pr(F(INFINITY), "##Inf");
    assert_pr(F(-INFINITY), "##-Inf");
    assert_pr(F(NAN), "##NaN");
    assert_pr(mk_f32(0.1f), "0.1f32");
    assert_disp(mk_f32(0.1f), "0.1");
    assert_pr(mk_f32(0.5f), "0.5f32");
    assert_disp(mk_f32(0.5f), "0.5");
    assert_pr(mk_f32(2.5f), "2.5f32");
    assert_pr(mk_f32(1e3f), "1000.0f32");
    assert_pr(mk_f32(3e10f), "30000000000.0f32");
    assert_pr(mk_f32(3e20f), "3e20f32");
    assert_pr(mk_f32(16777216.0f), "16777216.0f32");
    assert_pr(mk_f32(1.0f / 3.0f), "0.33333334f32");
    assert_pr(mk_f32(INFINITY), "##Inf");
    assert_pr(mk_f32(NAN), "##NaN");
    assert_pr(mk_f32(-0.0f), "-0.0f32");
}

static void test_float_arith(void **state) {
    (void)state;
    assert_pr(num_add(P, F(0.5), fix(1)), "1.5");
    assert_pr(num_add(P, mk_f32(0.5f), fix(1)), "1.5f32");
    assert_pr(num_add(P, mk_f32(0.5f), F(0.25)), "0.75");
    assert_pr(num_mul(P, mk_f32(0.1f), Q("1", "2")), "0.05f32");
    assert_pr(num_div(P, fix(1), F(2.0)), "0.5");
    assert_pr(num_div(P, F(1.0), fix(0)), "##Inf");
    assert_pr(num_div(P, F(-1.0), fix(0)), "##-Inf");
    assert_pr(num_div(P, F(0.0), F(0.0)), "##NaN");
    assert_pr(callv("/", (Value[]){F(0.5)}, 1), "2.0");
    assert_pr(num_add(P, I("100000000000000000000"), F(0.0)), "1e20");
    /* correct rounding of a bignum: 2^53 + 1 is a tie, goes to even */
    assert_true(num_to_double(I("9007199254740993")) == 9007199254740992.0);
    assert_true(num_to_double(I("9007199254740995")) == 9007199254740996.0);
    assert_true(num_to_double(I("36028797018963971")) == 36028797018963972.0);
    assert_true(isinf(num_to_double(num_mul(P, I("1" "0000000000" "0000000000" "0000000000"),
                                            callv("mask-bits", (Value[]){fix(1100)}, 1)))));
    assert_true(num_to_float(I("16777217")) == 16777216.0f);
    assert_true(num_to_float(I("100000000000000000000000000000000000000000")) == INFINITY);
}

/* ---- comparison, equality, hashing ------------------------------------------ */

static void test_compare(void **state) {
    (void)state;
    Value nan = F(NAN);
    assert_true(C("<", fix(1), fix(2), fix(3)) == LV_TRUE);
    assert_true(C("<", fix(1), fix(3), fix(2)) == LV_FALSE);
    assert_true(C("<=", fix(1), fix(1), fix(2)) == LV_TRUE);
    assert_true(C(">", fix(3), fix(2), fix(1)) == LV_TRUE);
    assert_true(C(">=", fix(3), fix(3), fix(4)) == LV_FALSE);
    assert_true(C("<", fix(1)) == LV_TRUE);
    assert_true(C("<", fix(1), nan) == LV_FALSE);
    assert_true(C(">", fix(1), nan) == LV_FALSE);
    assert_true(C("<=", nan, nan) == LV_FALSE);
    assert_true(C(">=", nan, fix(1)) == LV_FALSE);
    assert_true(C("<", mk_f32(NAN), fix(1)) == LV_FALSE);
    bool un;
    num_cmp(nan, fix(1), &un);
    assert_true(un);
    assert_int_equal(num_cmp(fix(1), fix(2), &un), -1);
    assert_false(un);
    assert_true(C("<", Q("1", "3"), F(0.34)) == LV_TRUE);
    assert_true(C("<", Q("1", "3"), Q("1", "2"), fix(1)) == LV_TRUE);
    assert_true(C("<", Q("-1", "3"), Q("-1", "4")) == LV_TRUE);
    assert_true(C("<", FX(FX_U8, 255), fix(256)) == LV_TRUE);
    assert_true(C("<", FX(FX_I8, -1), FX(FX_U8, 0)) == LV_TRUE);
    assert_true(C("<", FX(FX_I64, -1), U64(UINT64_MAX), I("18446744073709551616")) == LV_TRUE);
    assert_true(C(">", U64(UINT64_MAX), FX(FX_I64, INT64_MAX)) == LV_TRUE);
    assert_true(C("<", I("-100000000000000000000"), fix(FIX_MIN), fix(0)) == LV_TRUE);
    assert_true(C("<", Q("1", "2"), FX(FX_U8, 1)) == LV_TRUE);
    assert_true(C("<", fix(1), mk_f32(1.5f), F(2.0)) == LV_TRUE);
    assert_true(C("<=", F(-0.0), F(0.0), fix(0)) == LV_TRUE);
    ASSERT_ERR(type_error, C("<", fix(1), K_(ok)));
    ASSERT_ERR(type_error, C("<", K_(ok)));
    ASSERT_ERR(type_error, C(">=", fix(2), fix(1), LV_NIL));
}

static void test_equal_hash(void **state) {
    (void)state;
    Value three[] = {fix(3), FX(FX_U8, 3), I("3N"), FX(FX_I64, 3), U64(3), FX(FX_I8, 3)};
    for (size_t i = 0; i < ARRAY_LEN(three); i++)
        for (size_t j = 0; j < ARRAY_LEN(three); j++) {
            assert_true(num_equal(three[i], three[j]));
            assert_true(num_hash(three[i]) == num_hash(three[j]));
        }
    assert_true(num_equal(FX(FX_I8, -1), fix(-1)) && num_hash(FX(FX_I8, -1)) == num_hash(fix(-1)));
    assert_false(num_equal(FX(FX_U8, 255), FX(FX_I8, -1)));
    Value umax = U64(UINT64_MAX), bmax = I("18446744073709551615");
    assert_true(num_equal(umax, bmax) && num_hash(umax) == num_hash(bmax));
    Value b1 = num_add(P, I("100000000000000000000"), fix(1)), b2 = I("100000000000000000001");
    assert_true(num_equal(b1, b2) && num_hash(b1) == num_hash(b2));
    assert_false(num_equal(b1, num_neg(P, b2)));
    assert_true(num_equal(F(0.0), F(-0.0)) && num_hash(F(0.0)) == num_hash(F(-0.0)));
    assert_true(num_equal(mk_f32(0.5f), F(0.5)) && num_hash(mk_f32(0.5f)) == num_hash(F(0.5)));
    assert_false(num_equal(mk_f32(0.1f), F(0.1)));
    Value nan = F(NAN);
    assert_false(num_equal(nan, nan));
    assert_false(num_equal(mk_f32(NAN), mk_f32(NAN)));
    assert_false(num_equal(fix(3), F(3.0)));
    assert_false(num_equal(Q("1", "2"), F(0.5)));
    assert_true(num_equal(Q("1", "2"), Q("2", "4")) && num_hash(Q("1", "2")) == num_hash(Q("2", "4")));
    assert_false(num_equal(Q("1", "2"), Q("-1", "2")));
    assert_false(num_equal(fix(1), Q("1", "2")));
}

/* ---- intrinsics: arithmetic folds, predicates, coercions ------------------ */

static void test_folds_predicates(void **state) {
    (void)state;
    assert_true(callv("+", NULL, 0) == fix(0));
    assert_true(callv("*", NULL, 0) == fix(1));
    assert_true(C("+", fix(5)) == fix(5));
    assert_pr(C("+", fix(1), FX(FX_U8, 2), fix(3)), "6u8");
    assert_pr(C("-", fix(5)), "-5");
    assert_pr(C("-", fix(10), fix(1), fix(2)), "7");
    assert_pr(C("*", fix(2), fix(3), Q("1", "12")), "1/2");
    assert_pr(C("/", fix(100), fix(5), fix(3)), "20/3");
    ASSERT_ERR(type_error, C("+", K_(ok)));
    ASSERT_ERR(type_error, C("+", fix(1), LV_NIL));
    ASSERT_ERR(type_error, C("-", LV_TRUE));
    ASSERT_ERR(type_error, C("*", fix(1), fix(2), K_(ok)));
    assert_pr(C("inc", fix(FIX_MAX)), "4611686018427387904");
    assert_pr(C("inc", FX(FX_U8, 255)), "0u8");
    assert_pr(C("dec", Q("1", "2")), "-1/2");
    assert_pr(C("dec", F(0.5)), "-0.5");
    ASSERT_ERR(type_error, C("inc", LV_NIL));
    assert_true(C("number?", Q("1", "2")) == LV_TRUE && C("number?", mk_char('a')) == LV_FALSE);
    assert_true(C("integer?", FX(FX_U8, 1)) == LV_TRUE && C("integer?", F(1.0)) == LV_FALSE);
    assert_true(C("float?", mk_f32(1.0f)) == LV_TRUE && C("float?", fix(1)) == LV_FALSE);
    assert_true(C("ratio?", Q("1", "2")) == LV_TRUE && C("ratio?", fix(1)) == LV_FALSE);
    assert_true(C("pos?", FX(FX_U8, 1)) == LV_TRUE && C("pos?", F(NAN)) == LV_FALSE);
    assert_true(C("neg?", Q("-1", "2")) == LV_TRUE && C("neg?", F(-0.0)) == LV_FALSE);
    assert_true(C("zero?", F(-0.0)) == LV_TRUE && C("zero?", I("0N")) == LV_TRUE);
    assert_true(C("zero?", I("100000000000000000000")) == LV_FALSE);
    ASSERT_ERR(type_error, C("zero?", LV_NIL));
    assert_true(C("even?", fix(-4)) == LV_TRUE && C("odd?", FX(FX_I8, -3)) == LV_TRUE);
    assert_true(C("odd?", I("-100000000000000000001")) == LV_TRUE);
    assert_true(C("even?", I("-100000000000000000001")) == LV_FALSE);
    ASSERT_ERR(type_error, C("even?", F(2.0)));
    ASSERT_ERR(type_error, C("odd?", Q("1", "2")));
}

static void test_coercions(void **state) {
    (void)state;
    assert_pr(C("u8", fix(300)), "44u8");
    assert_pr(C("u8", fix(-1)), "255u8");
    assert_pr(C("i8", fix(200)), "-56i8");
    assert_pr(C("u8", F(3.9)), "3u8");
    assert_pr(C("u8", F(-3.9)), "253u8");
    assert_pr(C("u8", Q("7", "2")), "3u8");
    assert_pr(C("u8", mk_char('A')), "65u8");
    assert_pr(C("u8", FX(FX_I8, -1)), "255u8");
    assert_pr(C("u64", fix(-1)), "18446744073709551615u64");
    assert_pr(C("i64", U64(UINT64_MAX)), "-1i64");
    assert_pr(C("i32", I("4294967297")), "1i32");
    assert_pr(C("u16", F(1e30)), "0u16");
    assert_pr(C("i64", F(-9223372036854775808.0)), "-9223372036854775808i64");
    assert_pr(C("u64", F(1e19)), "10000000000000000000u64");
    assert_pr(C("u32", mk_f32(4e9f)), "4000000000u32");
    ASSERT_ERR(badarg, C("u8", F(NAN)));
    ASSERT_ERR(badarg, C("i32", F(INFINITY)));
    ASSERT_ERR(type_error, C("u8", K_(ok)));
    assert_pr(C("int", F(3.9)), "3");
    assert_pr(C("int", F(-3.9)), "-3");
    assert_pr(C("int", F(1e20)), "100000000000000000000");
    assert_pr(C("int", F(-1e300)),
              "-100000000000000005250476025520442024870446858110815915491585411"
              "5511802457988908195786371375080447864043704443832883878176942523"
              "2353604305756447921847867069828483872009265758037378302337947880"
              "9005936895323497079994508111903896764088007465274278014249457925"
              "8788820056842838115669472196386865459400540160");
    assert_pr(C("int", Q("-7", "2")), "-3");
    assert_pr(C("int", FX(FX_U64, -1)), "18446744073709551615");
    assert_pr(C("int", mk_char(0x1F600)), "128512");
    ASSERT_ERR(badarg, C("int", F(NAN)));
    assert_pr(C("f64", Q("1", "3")), "0.3333333333333333");
    assert_pr(C("f64", mk_f32(0.1f)), "0.10000000149011612");
    assert_pr(C("f64", I("100000000000000000000")), "1e20");
    assert_pr(C("f32", Q("1", "3")), "0.33333334f32");
    assert_pr(C("f32", F(0.1)), "0.1f32");
    assert_pr(C("f32", FX(FX_U8, 7)), "7.0f32");
    ASSERT_ERR(type_error, C("f64", mk_char('a')));
    assert_true(C("char", fix(65)) == mk_char('A'));
    assert_true(C("char", FX(FX_U32, 0x10FFFF)) == mk_char(0x10FFFF));
    assert_true(C("char", mk_char('z')) == mk_char('z'));
    ASSERT_ERR(badarg, C("char", fix(0xD800)));
    ASSERT_ERR(badarg, C("char", fix(0x110000)));
    ASSERT_ERR(badarg, C("char", fix(-1)));
    ASSERT_ERR(type_error, C("char", F(65.0)));
}

/* ---- bitwise -------------------------------------------------------------- */

static void test_bits_plain(void **state) {
    (void)state;
    assert_pr(C("bit-and", fix(-1), fix(255)), "255");
    assert_pr(C("bit-or", fix(1), fix(2), fix(4)), "7");
    assert_pr(C("bit-xor", fix(-1), fix(1)), "-2");
    assert_pr(C("bit-not", fix(0)), "-1");
    assert_pr(C("bit-not", I("100000000000000000000")), "-100000000000000000001");
    assert_pr(C("bit-shl", fix(1), fix(100)), "1267650600228229401496703205376");
    assert_pr(C("bit-shl", fix(-3), fix(64)), "-55340232221128654848");
    assert_pr(C("bit-sar", fix(-5), fix(1)), "-3");
    assert_pr(C("bit-shr", fix(-5), fix(1)), "-3");
    assert_pr(C("bit-sar", I("-1267650600228229401496703205377"), fix(100)), "-2");
    assert_pr(C("bit-sar", I("-1267650600228229401496703205376"), fix(100)), "-1");
    assert_pr(C("bit-sar", fix(-1), I("100000000000000000000")), "-1");
    assert_pr(C("bit-sar", fix(12345), fix(1000)), "0");
    assert_true(C("bit-test", fix(-1), fix(1000)) == LV_TRUE);
    assert_true(C("bit-test", fix(-8), fix(2)) == LV_FALSE);
    assert_true(C("bit-test", fix(-8), fix(3)) == LV_TRUE);
    assert_true(C("bit-test", I("-36893488147419103232"), fix(64)) == LV_FALSE);
    assert_true(C("bit-test", I("-36893488147419103232"), fix(65)) == LV_TRUE);
    assert_true(C("bit-test", I("-36893488147419103232"), fix(66)) == LV_TRUE);
    assert_pr(C("bit-set", fix(0), fix(70)), "1180591620717411303424");
    assert_pr(C("bit-clear", fix(-1), fix(0)), "-2");
    assert_pr(C("bit-flip", fix(5), fix(0)), "4");
    assert_pr(C("bit-field", fix(0xABCD), fix(4), fix(8)), "188");
    assert_pr(C("bit-field", fix(-1), fix(0), fix(70)), "1180591620717411303423");
    assert_pr(C("bit-field", fix(-1), fix(100), fix(4)), "15");
    assert_pr(C("bit-field-set", fix(0), fix(4), fix(4), fix(0xFF)), "240");
    assert_pr(C("bit-field-set", fix(-1), fix(0), fix(8), fix(0)), "-256");
    assert_pr(C("bit-rol", fix(0x81), fix(1), fix(8)), "3");
    assert_pr(C("bit-ror", fix(0x103), fix(1), fix(8)), "385");
    assert_pr(C("bit-rol", fix(1), fix(1), fix(100)), "2");
    assert_pr(C("bit-ror", fix(1), fix(1), fix(100)), "633825300114114700748351602688");
    assert_pr(C("bit-count", fix(255)), "8");
    assert_pr(C("bit-count", I("1267650600228229401496703205375")), "100");
    ASSERT_ERR(badarg, C("bit-count", fix(-1)));
    assert_pr(C("trailing-zeros", fix(-8)), "3");
    assert_pr(C("trailing-zeros", I("1267650600228229401496703205376")), "100");
    ASSERT_ERR(badarg, C("trailing-zeros", fix(0)));
    ASSERT_ERR(type_error, C("leading-zeros", fix(5)));
    assert_pr(C("mask-bits", fix(8)), "255");
    assert_pr(C("mask-bits", fix(64)), "18446744073709551615");
    assert_pr(C("mask-range", fix(4), fix(8)), "240");
    assert_pr(C("mask-range", fix(3), fix(3)), "0");
    ASSERT_ERR(badarg, C("mask-range", fix(8), fix(4)));
    ASSERT_ERR(badarg, C("bit-shl", fix(1), fix(-1)));
    ASSERT_ERR(badarg, C("mask-bits", fix(-1)));
    ASSERT_ERR(badarg, C("bit-shl", fix(1), I("100000000000000000000")));
    ASSERT_ERR(type_error, C("bit-shl", fix(1), FX(FX_U8, 1)));
    ASSERT_ERR(type_error, C("bit-and", fix(1), F(1.0)));
    ASSERT_ERR(type_error, C("bit-not", Q("1", "2")));
    ASSERT_ERR(type_error, C("bit-and", FX(FX_U8, 1), FX(FX_U16, 1)));
    assert_pr(C("bit-and", I("255N"), fix(15)), "15N");
    assert_pr(C("byte-reverse16", fix(0x1234)), "13330u16");
    assert_pr(C("byte-reverse32", fix(0x12345678)), "2018915346u32");
    assert_pr(C("byte-reverse64", fix(1)), "72057594037927936u64");
    assert_pr(C("byte-reverse64", U64(UINT64_MAX)), "18446744073709551615u64");
    ASSERT_ERR(badarg, C("byte-reverse16", fix(-1)));
    ASSERT_ERR(badarg, C("byte-reverse16", fix(0x10000)));
    ASSERT_ERR(badarg, C("byte-reverse16", FX(FX_I16, -1)));
}

static void test_bits_fixed(void **state) {
    (void)state;
    assert_pr(C("bit-not", FX(FX_U16, 0)), "65535u16");
    assert_pr(C("bit-not", FX(FX_I8, 0)), "-1i8");
    assert_pr(C("bit-and", FX(FX_U8, 0xF0), fix(-1)), "240u8");
    assert_pr(C("bit-or", fix(1), FX(FX_I16, 2)), "3i16");
    assert_pr(C("bit-xor", U64(UINT64_MAX), fix(1)), "18446744073709551614u64");
    assert_pr(C("bit-shl", FX(FX_U8, 0x81), fix(1)), "2u8");
    assert_pr(C("bit-shl", FX(FX_U8, 1), fix(8)), "0u8");
    assert_pr(C("bit-shl", U64(1), fix(63)), "9223372036854775808u64");
    assert_pr(C("bit-shl", U64(1), fix(64)), "0u64");
    assert_pr(C("bit-shr", FX(FX_U8, 0x80), fix(7)), "1u8");
    assert_pr(C("bit-shr", FX(FX_I8, -128), fix(1)), "64i8");
    assert_pr(C("bit-sar", FX(FX_I8, -128), fix(1)), "-64i8");
    assert_pr(C("bit-sar", FX(FX_I8, -128), fix(100)), "-1i8");
    assert_pr(C("bit-sar", FX(FX_U8, 0x80), fix(1)), "64u8");
    assert_pr(C("bit-sar", FX(FX_I64, INT64_MIN), fix(63)), "-1i64");
    assert_pr(C("bit-rol", FX(FX_U8, 0x81), fix(1), fix(8)), "3u8");
    assert_pr(C("bit-ror", FX(FX_U8, 0x81), fix(1), fix(8)), "192u8");
    assert_pr(C("bit-rol", FX(FX_U8, 0x81), fix(9), fix(8)), "3u8");
    assert_pr(C("bit-rol", FX(FX_U8, 0xF1), fix(1), fix(4)), "242u8");
    assert_pr(C("bit-rol", U64(UINT64_C(0x8000000000000001)), fix(4), fix(64)), "24u64");
    ASSERT_ERR(badarg, C("bit-rol", FX(FX_U8, 1), fix(1), fix(9)));
    assert_true(C("bit-test", FX(FX_I8, -1), fix(100)) == LV_TRUE);
    assert_true(C("bit-test", FX(FX_U8, 255), fix(8)) == LV_FALSE);
    assert_pr(C("bit-set", FX(FX_U8, 0), fix(7)), "128u8");
    assert_pr(C("bit-set", FX(FX_U8, 0), fix(8)), "0u8");
    assert_pr(C("bit-set", FX(FX_I8, 0), fix(7)), "-128i8");
    assert_pr(C("bit-clear", FX(FX_I8, -1), fix(7)), "127i8");
    assert_pr(C("bit-flip", FX(FX_U16, 1), fix(15)), "32769u16");
    assert_pr(C("bit-field", FX(FX_U16, 0xABCD), fix(4), fix(8)), "188u16");
    assert_pr(C("bit-field", FX(FX_I8, -1), fix(4), fix(8)), "-1i8");
    assert_pr(C("bit-field-set", FX(FX_U8, 0), fix(4), fix(4), fix(0xFF)), "240u8");
    assert_pr(C("bit-field-set", FX(FX_U8, 0xFF), fix(2), fix(2), FX(FX_U8, 0)), "243u8");
    ASSERT_ERR(type_error, C("bit-field-set", FX(FX_U8, 0), fix(0), fix(1), FX(FX_I8, 0)));
    assert_pr(C("bit-count", FX(FX_I8, -1)), "8");
    assert_pr(C("bit-count", U64(UINT64_MAX)), "64");
    assert_pr(C("leading-zeros", FX(FX_U8, 1)), "7");
    assert_pr(C("leading-zeros", FX(FX_U32, 0)), "32");
    assert_pr(C("leading-zeros", FX(FX_I16, -1)), "0");
    assert_pr(C("trailing-zeros", FX(FX_U32, 0)), "32");
    assert_pr(C("trailing-zeros", FX(FX_I64, INT64_MIN)), "63");
    assert_pr(C("byte-reverse16", FX(FX_U16, 0x1234)), "13330u16");
}

/* ---- cross-checks against mpz --------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* A random plain integer of up to `limbs` limbs, and the same as mpz. */
static Value rnd_int(mpz_t z, int limbs) {
    int n = (int)(rnd() % (uint64_t)limbs) + 1;
    mp_limb_t d[8];
    for (int i = 0; i < n; i++) d[i] = rnd() >> (rnd() % 64);
    bool neg = rnd() & 1;
    mpz_import(z, (size_t)n, -1, sizeof(mp_limb_t), 0, 0, d);
    if (neg) mpz_neg(z, z);
    return int_make(P, neg, d, n, false);
}

static void assert_same(Value v, const mpz_t z) {
    char *want = mpz_get_str(NULL, 10, z);
    assert_pr(v, want);
    /* normalised: a fixnum exactly when it fits */
    assert_true(is_fix(v) == (mpz_cmp_si(z, FIX_MIN) >= 0 && mpz_cmp_si(z, FIX_MAX) <= 0));
    free(want);
}

static void test_against_mpz(void **state) {
    (void)state;
    mpz_t a, b, r;
    mpz_inits(a, b, r, NULL);
    for (int iter = 0; iter < 3000; iter++) {
        Value x = rnd_int(a, 4), y = rnd_int(b, 4);
        mpz_add(r, a, b);
        assert_same(num_add(P, x, y), r);
        mpz_sub(r, a, b);
        assert_same(num_sub(P, x, y), r);
        mpz_mul(r, a, b);
        assert_same(num_mul(P, x, y), r);
        mpz_and(r, a, b);
        assert_same(int_bitop(P, BOP_AND, x, y, false), r);
        mpz_ior(r, a, b);
        assert_same(int_bitop(P, BOP_OR, x, y, false), r);
        mpz_xor(r, a, b);
        assert_same(int_bitop(P, BOP_XOR, x, y, false), r);
        bool un;
        int c = num_cmp(x, y, &un);
        int zc = mpz_cmp(a, b);
        assert_int_equal(c, (zc > 0) - (zc < 0));
        if (mpz_sgn(b) != 0) {
            mpz_tdiv_q(r, a, b);
            assert_same(num_quot(P, x, y), r);
            mpz_tdiv_r(r, a, b);
            assert_same(num_rem(P, x, y), r);
            mpz_fdiv_r(r, a, b);
            assert_same(num_mod(P, x, y), r);
        }
        if (mpz_sgn(a) != 0 && mpz_sgn(b) != 0) {
            mpz_gcd(r, a, b);
            assert_same(int_gcd(P, x, y), r);
        }
        unsigned sh = (unsigned)(rnd() % 200);
        mpz_mul_2exp(r, a, sh);
        assert_same(int_shl(P, x, sh, false), r);
        mpz_fdiv_q_2exp(r, a, sh);
        assert_same(int_sar(P, x, sh, false), r);
        assert_true(int_test_bit(x, sh) == (mpz_tstbit(a, sh) != 0));
        assert_true(num_to_double(x) == mpz_get_d(a) || fabs(mpz_get_d(a)) >= 9007199254740992.0);
        /* hashing agrees with equality for an independently built copy */
        char *s = mpz_get_str(NULL, 10, a);
        Value copy = I(s);
        assert_true(num_equal(copy, x) && num_hash(copy) == num_hash(x));
        free(s);
    }
    mpz_clears(a, b, r, NULL);
}

static void test_ratio_against_mpq(void **state) {
    (void)state;
    mpq_t q;
    mpz_t a, b;
    mpq_init(q);
    mpz_inits(a, b, NULL);
    for (int iter = 0; iter < 1000; iter++) {
        Value x = rnd_int(a, 3), y = rnd_int(b, 3);
        if (mpz_sgn(b) == 0) continue;
        mpq_set_num(q, a);
        mpq_set_den(q, b);
        mpq_canonicalize(q);
        Value r = num_make_ratio(P, x, y);
        char *want = mpq_get_str(NULL, 10, q);
        assert_pr(r, want);
        free(want);
        /* correctly rounded to double: mpq_get_d truncates, so compare
         * with a rounding of our own through the exact neighbours */
        if (is_ratio(r)) {
            double d = num_to_double(r);
            mpq_t dq, diff1, diff2;
            mpq_inits(dq, diff1, diff2, NULL);
            mpq_set_d(dq, d);
            mpq_sub(diff1, dq, q);
            mpq_abs(diff1, diff1);
            double nb = nextafter(d, d > 0 ? INFINITY : -INFINITY);
            mpq_set_d(dq, nb);
            mpq_sub(diff2, dq, q);
            mpq_abs(diff2, diff2);
            assert_true(mpq_cmp(diff1, diff2) <= 0);
            nb = nextafter(d, d > 0 ? -INFINITY : INFINITY);
            mpq_set_d(dq, nb);
            mpq_sub(diff2, dq, q);
            mpq_abs(diff2, diff2);
            assert_true(mpq_cmp(diff1, diff2) <= 0);
            mpq_clears(dq, diff1, diff2, NULL);
        }
    }
    mpq_clear(q);
    mpz_clears(a, b, NULL);
}

/* Significant digits of a printed float. */
static int sig_digits(const char *s) {
    char dig[64];
    int n = 0;
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9' && (n > 0 || *s != '0')) dig[n++] = *s;
    while (n > 1 && dig[n - 1] == '0') n--;
    return n;
}

/* Printed form of a float: reads back, has no '+', and is shortest (one
 * digit fewer does not read back). */
static void check_shortest(double d, bool f32) {
    Buf b;
    buf_init(&b);
    num_print_double(&b, d, f32);
    assert_true(f32 ? strtof(b.data, NULL) == (float)d : strtod(b.data, NULL) == d);
    assert_true(strchr(b.data, '+') == NULL);
    int n = sig_digits(b.data);
    buf_free(&b);
    if (n > 1 && d != 0) {
        char tmp[64];
        snprintf(tmp, sizeof tmp, "%.*e", n - 2, d);
        assert_true(f32 ? strtof(tmp, NULL) != (float)d : strtod(tmp, NULL) != d);
    }
}

static void test_float_roundtrip(void **state) {
    (void)state;
    for (int iter = 0; iter < 30000; iter++) {
        uint64_t bits = rnd();
        double d;
        memcpy(&d, &bits, sizeof d);
        if (isfinite(d)) check_shortest(d, false);
        float f;
        uint32_t fb = (uint32_t)bits;
        memcpy(&f, &fb, sizeof f);
        if (isfinite(f)) check_shortest((double)f, true);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_promotion),
        cmocka_unit_test(test_big_flag),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_ratio),
        cmocka_unit_test(test_fixed_wrap),
        cmocka_unit_test(test_checked_saturating),
        cmocka_unit_test(test_quot_rem_mod),
        cmocka_unit_test(test_float_print),
        cmocka_unit_test(test_float_arith),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_equal_hash),
        cmocka_unit_test(test_folds_predicates),
        cmocka_unit_test(test_coercions),
        cmocka_unit_test(test_bits_plain),
        cmocka_unit_test(test_bits_fixed),
        cmocka_unit_test(test_against_mpz),
        cmocka_unit_test(test_ratio_against_mpq),
        cmocka_unit_test(test_float_roundtrip),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
