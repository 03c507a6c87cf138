/*
 * core_num.c — lona.core arithmetic, comparison, number predicates and
 * coercions (spec 7.3, 7.4). The work is done by term/num*.c; this file
 * folds variadic calls, checks arguments and shapes results.
 *
 * `=`, `not=` and `identical?` apply to every value and live with
 * equality (term/equal.h), not here.
 */
#include <math.h>

#include "lib/intrinsic.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/num_priv.h"
#include "vm/error.h"

static Value check_number(Proc *p, const char *fname, Value x) {
    return is_number(x) ? x : err_type(p, fname, x, "number");
}

/* Left fold of a binary operation; one argument is returned as it is. */
static Value fold(Proc *p, Value (*op)(Proc *, Value, Value), const char *fname, Value *args,
                  uint32_t nargs) {
    Value acc = check_number(p, fname, args[0]);
    for (uint32_t i = 1; i < nargs && acc != LV_EXC; i++) acc = op(p, acc, args[i]);
    return acc;
}

static Value cn_add(Proc *p, Value *args, uint32_t nargs) {
    return nargs == 0 ? fix(0) : fold(p, num_add, "+", args, nargs);
}

static Value cn_mul(Proc *p, Value *args, uint32_t nargs) {
    return nargs == 0 ? fix(1) : fold(p, num_mul, "*", args, nargs);
}

static Value cn_sub(Proc *p, Value *args, uint32_t nargs) {
    return nargs == 1 ? num_neg(p, args[0]) : fold(p, num_sub, "-", args, nargs);
}

static Value cn_div(Proc *p, Value *args, uint32_t nargs) {
    return nargs == 1 ? num_div(p, fix(1), args[0]) : fold(p, num_div, "/", args, nargs);
}

static Value cn_quot(Proc *p, Value *args, uint32_t nargs) { return num_quot(p, args[0], args[1]); }
static Value cn_rem(Proc *p, Value *args, uint32_t nargs) { return num_rem(p, args[0], args[1]); }
static Value cn_mod(Proc *p, Value *args, uint32_t nargs) { return num_mod(p, args[0], args[1]); }

static Value cn_inc(Proc *p, Value *args, uint32_t nargs) {
    if (is_fix(args[0])) return num_add(p, args[0], fix(1));
    return num_binop(p, NUM_ADD, "inc", args[0], fix(1));
}

static Value cn_dec(Proc *p, Value *args, uint32_t nargs) {
    if (is_fix(args[0])) return num_sub(p, args[0], fix(1));
    return num_binop(p, NUM_SUB, "dec", args[0], fix(1));
}

/* ---- fixed-width adds ------------------------------------------------- */

/* Exact fixed-width sum: true with *out set, or false with *hi telling on
 * which side it overflowed. Other categories add normally (*out). */
static bool exact_add(Proc *p, Value a, Value b, const NumMix *m, Value *out, bool *hi,
                      uint64_t *bits) {
    if (m->cat != NC_FIXED) {
        *out = num_arith_mixed(p, NUM_ADD, m, a, b);
        return true;
    }
    uint64_t x = fx_bits_of_int(a, m->kind), y = fx_bits_of_int(b, m->kind);
    if (!fx_add_exact(m->kind, x, y, bits, hi)) return false;
    *out = fx_make(p, m->kind, *bits);
    return true;
}

static Value cn_checked_add(Proc *p, Value *args, uint32_t nargs) {
    NumMix m;
    if (!num_mix(p, "checked-add", args[0], args[1], &m)) return LV_EXC;
    Value sum;
    bool hi;
    uint64_t bits;
    if (!exact_add(p, args[0], args[1], &m, &sum, &hi, &bits))
        return mk_tuple2(p, K_(error), K_(overflow));
    return sum == LV_EXC ? LV_EXC : mk_tuple2(p, K_(ok), sum);
}

static Value cn_saturating_add(Proc *p, Value *args, uint32_t nargs) {
    NumMix m;
    if (!num_mix(p, "saturating-add", args[0], args[1], &m)) return LV_EXC;
    Value sum;
    bool hi;
    uint64_t bits;
    if (exact_add(p, args[0], args[1], &m, &sum, &hi, &bits)) return sum;
    return fx_make(p, m.kind, hi ? fx_max_bits(m.kind) : fx_min_bits(m.kind));
}

/* ---- ratios ----------------------------------------------------------- */

static Value cn_numerator(Proc *p, Value *args, uint32_t nargs) {
    Value x = args[0];
    if (is_ratio(x)) return ratio_num(x);
    return is_integer(x) ? x : err_type(p, "numerator", x, "rational");
}

static Value cn_denominator(Proc *p, Value *args, uint32_t nargs) {
    Value x = args[0];
    if (is_ratio(x)) return ratio_den(x);
    return is_integer(x) ? fix(1) : err_type(p, "denominator", x, "rational");
}

/* ---- comparison ------------------------------------------------------- */

enum { CMP_LT, CMP_GT, CMP_LE, CMP_GE };

static Value compare_chain(Proc *p, int how, const char *fname, Value *args, uint32_t nargs) {
    for (uint32_t i = 0; i < nargs; i++)
        if (!is_number(args[i])) return err_type(p, fname, args[i], "number");
    for (uint32_t i = 0; i + 1 < nargs; i++) {
        bool unordered;
        int c = num_cmp(args[i], args[i + 1], &unordered);
        bool ok = !unordered && (how == CMP_LT   ? c < 0
                                 : how == CMP_GT ? c > 0
                                 : how == CMP_LE ? c <= 0
                                                 : c >= 0);
        if (!ok) return LV_FALSE;
    }
    return LV_TRUE;
}

static Value cn_lt(Proc *p, Value *args, uint32_t nargs) {
    return compare_chain(p, CMP_LT, "<", args, nargs);
}
static Value cn_gt(Proc *p, Value *args, uint32_t nargs) {
    return compare_chain(p, CMP_GT, ">", args, nargs);
}
static Value cn_le(Proc *p, Value *args, uint32_t nargs) {
    return compare_chain(p, CMP_LE, "<=", args, nargs);
}
static Value cn_ge(Proc *p, Value *args, uint32_t nargs) {
    return compare_chain(p, CMP_GE, ">=", args, nargs);
}

/* ---- predicates ------------------------------------------------------- */

static Value cn_number_p(Proc *p, Value *args, uint32_t nargs) { return lv_bool(is_number(args[0])); }
static Value cn_integer_p(Proc *p, Value *args, uint32_t nargs) {
    return lv_bool(is_integer(args[0]));
}
static Value cn_float_p(Proc *p, Value *args, uint32_t nargs) {
    return lv_bool(is_float(args[0]) || is_f32(args[0]));
}
static Value cn_ratio_p(Proc *p, Value *args, uint32_t nargs) { return lv_bool(is_ratio(args[0])); }

enum { SIGN_POS, SIGN_NEG, SIGN_ZERO };

static Value sign_test(Proc *p, int which, const char *fname, Value x) {
    if (!is_number(x)) return err_type(p, fname, x, "number");
    bool nan;
    int s = num_sign(x, &nan);
    if (nan) return LV_FALSE;
    return lv_bool(which == SIGN_POS ? s > 0 : which == SIGN_NEG ? s < 0 : s == 0);
}

static Value cn_pos_p(Proc *p, Value *args, uint32_t nargs) {
    return sign_test(p, SIGN_POS, "pos?", args[0]);
}
static Value cn_neg_p(Proc *p, Value *args, uint32_t nargs) {
    return sign_test(p, SIGN_NEG, "neg?", args[0]);
}
static Value cn_zero_p(Proc *p, Value *args, uint32_t nargs) {
    return sign_test(p, SIGN_ZERO, "zero?", args[0]);
}

static Value parity(Proc *p, bool odd, const char *fname, Value x) {
    if (!is_integer(x)) return err_type(p, fname, x, "integer");
    uint64_t low = is_plain_int(x) ? int_low64(x) : fx_bits(x, num_fixed_kind(x));
    return lv_bool((low & 1) == odd);
}

static Value cn_even_p(Proc *p, Value *args, uint32_t nargs) {
    return parity(p, false, "even?", args[0]);
}
static Value cn_odd_p(Proc *p, Value *args, uint32_t nargs) { return parity(p, true, "odd?", args[0]); }

/* ---- coercions -------------------------------------------------------- */

/* Integer part (truncated toward zero) of a number or character, as a
 * plain integer or fixed-width value; LV_EXC for NaN/Inf (:badarg) or a
 * non-number (:type-error). */
static Value truncate_to_int(Proc *p, const char *fname, Value *x) {
    Value v = *x;
    switch (num_cat(v)) {
    case NC_INT:
    case NC_FIXED: return v;
    case NC_RATIO: {
        Value q;
        int_tdiv(p, ratio_num(v), ratio_den(v), false, &q, NULL);
        return q;
    }
    case NC_F32:
    case NC_F64: {
        double d = num_to_double(v);
        return isfinite(d) ? int_from_double(p, d) : err_badarg(p, fname, x, 1);
    }
    default:
        if (is_char(v)) return fix(char_val(v));
        return err_type(p, fname, v, "number or char");
    }
}

static Value coerce_fixed(Proc *p, int k, Value *args) {
    const char *fname = fx_info[k].name;
    Value x = args[0];
    if (num_fixed_kind(x) == k) return x;
    if (num_is_float_cat(num_cat(x))) {
        /* Wrap straight from the double: no bignum for a huge float. */
        double d = num_to_double(x);
        if (!isfinite(d)) return err_badarg(p, fname, args, 1);
        return fx_make(p, k, flo_low64(d));
    }
    Value n = truncate_to_int(p, fname, args);
    return n == LV_EXC ? n : fx_make(p, k, fx_bits_of_int(n, k));
}

#define COERCE_FIXED(name, K) \
    static Value cn_##name(Proc *p, Value *args, uint32_t nargs) { return coerce_fixed(p, K, args); }
COERCE_FIXED(u8, FX_U8)
COERCE_FIXED(u16, FX_U16)
COERCE_FIXED(u32, FX_U32)
COERCE_FIXED(u64, FX_U64)
COERCE_FIXED(i8, FX_I8)
COERCE_FIXED(i16, FX_I16)
COERCE_FIXED(i32, FX_I32)
COERCE_FIXED(i64, FX_I64)
#undef COERCE_FIXED

static Value cn_int(Proc *p, Value *args, uint32_t nargs) {
    Value n = truncate_to_int(p, "int", args);
    if (n == LV_EXC || is_plain_int(n)) return n;
    IntView v;
    iv_of(&v, n);
    return int_from_view(p, &v, false);
}

static Value cn_f64(Proc *p, Value *args, uint32_t nargs) {
    Value x = args[0];
    if (is_float(x)) return x;
    if (!is_number(x)) return err_type(p, "f64", x, "number");
    return mk_float(p, num_to_double(x));
}

static Value cn_f32(Proc *p, Value *args, uint32_t nargs) {
    Value x = args[0];
    if (is_f32(x)) return x;
    if (!is_number(x)) return err_type(p, "f32", x, "number");
    return mk_f32(num_to_float(x));
}

static Value cn_char(Proc *p, Value *args, uint32_t nargs) {
    Value x = args[0];
    if (is_char(x)) return x;
    if (!is_integer(x)) return err_type(p, "char", x, "integer or char");
    int64_t cp;
    if (!num_to_i64(x, &cp) || cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return err_badarg(p, "char", args, 1);
    return mk_char((uint32_t)cp);
}

/* ---- table ------------------------------------------------------------ */

#define V ARITY_VARIADIC
#define CORE "lona.core"

LONA_INTRINSICS(core_num) = {
    {CORE, "+", 0, V, cn_add, "([] [x] [x y & more])", "Sum of the numbers; (+) is 0."},
    {CORE, "-", 1, V, cn_sub, "([x] [x y & more])", "Negation, or left-fold difference."},
    {CORE, "*", 0, V, cn_mul, "([] [x] [x y & more])", "Product of the numbers; (*) is 1."},
    {CORE, "/", 1, V, cn_div, "([x] [x y & more])", "Exact division; (/ x) is (/ 1 x)."},
    {CORE, "quot", 2, 2, cn_quot, "([a b])", "Quotient truncated toward zero."},
    {CORE, "rem", 2, 2, cn_rem, "([a b])", "Remainder with the sign of the dividend."},
    {CORE, "mod", 2, 2, cn_mod, "([a b])", "Modulus with the sign of the divisor."},
    {CORE, "inc", 1, 1, cn_inc, "([x])", "(+ x 1)"},
    {CORE, "dec", 1, 1, cn_dec, "([x])", "(- x 1)"},
    {CORE, "checked-add", 2, 2, cn_checked_add, "([a b])",
     "[:ok sum], or [:error :overflow] when a fixed-width sum leaves its range."},
    {CORE, "saturating-add", 2, 2, cn_saturating_add, "([a b])",
     "Sum; fixed-width sums are clamped to the type's bounds."},
    {CORE, "numerator", 1, 1, cn_numerator, "([r])", "Numerator of a ratio (n for an integer)."},
    {CORE, "denominator", 1, 1, cn_denominator, "([r])",
     "Denominator of a ratio (1 for an integer)."},
    {CORE, "<", 1, V, cn_lt, "([x] [x y & more])", "true if the numbers increase strictly."},
    {CORE, ">", 1, V, cn_gt, "([x] [x y & more])", "true if the numbers decrease strictly."},
    {CORE, "<=", 1, V, cn_le, "([x] [x y & more])", "true if the numbers never decrease."},
    {CORE, ">=", 1, V, cn_ge, "([x] [x y & more])", "true if the numbers never increase."},
    {CORE, "number?", 1, 1, cn_number_p, "([x])", "true for every kind of number."},
    {CORE, "integer?", 1, 1, cn_integer_p, "([x])", "true for plain and fixed-width integers."},
    {CORE, "float?", 1, 1, cn_float_p, "([x])", "true for f64 and f32."},
    {CORE, "ratio?", 1, 1, cn_ratio_p, "([x])", "true for ratios."},
    {CORE, "pos?", 1, 1, cn_pos_p, "([x])", "true if x > 0."},
    {CORE, "neg?", 1, 1, cn_neg_p, "([x])", "true if x < 0."},
    {CORE, "zero?", 1, 1, cn_zero_p, "([x])", "true if x is zero."},
    {CORE, "even?", 1, 1, cn_even_p, "([n])", "true for even integers."},
    {CORE, "odd?", 1, 1, cn_odd_p, "([n])", "true for odd integers."},
    {CORE, "u8", 1, 1, cn_u8, "([x])", "x as u8, wrapping."},
    {CORE, "u16", 1, 1, cn_u16, "([x])", "x as u16, wrapping."},
    {CORE, "u32", 1, 1, cn_u32, "([x])", "x as u32, wrapping."},
    {CORE, "u64", 1, 1, cn_u64, "([x])", "x as u64, wrapping."},
    {CORE, "i8", 1, 1, cn_i8, "([x])", "x as i8, wrapping."},
    {CORE, "i16", 1, 1, cn_i16, "([x])", "x as i16, wrapping."},
    {CORE, "i32", 1, 1, cn_i32, "([x])", "x as i32, wrapping."},
    {CORE, "i64", 1, 1, cn_i64, "([x])", "x as i64, wrapping."},
    {CORE, "int", 1, 1, cn_int, "([x])", "x as a plain integer, truncating."},
    {CORE, "f64", 1, 1, cn_f64, "([x])", "x as a 64-bit float."},
    {CORE, "f32", 1, 1, cn_f32, "([x])", "x as a 32-bit float."},
    {CORE, "char", 1, 1, cn_char, "([n])", "The character with code point n."},
};
LONA_INTRINSICS_COUNT(core_num);
