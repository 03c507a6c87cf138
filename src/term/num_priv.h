/*
 * num_priv.h — pieces shared by the files of the numeric tower (term/num*.c)
 * and its intrinsics (lib/core_num.c, lib/core_bits.c). Not for other
 * modules: they use term/num.h.
 *
 * Plain integers are read through an IntView (sign + GMP limbs, no
 * allocation), computed into scratch limb buffers (stack or xmalloc, never
 * GMP's allocator) and only then copied to the process heap by int_make,
 * which normalises: no high zero limbs, and a fixnum whenever the value
 * fits one and carries no big flag.
 *
 * Fixed-width values are handled as uint64_t "bits": the value wrapped to
 * its width, sign-extended to 64 bits for signed kinds (so (int64_t)bits
 * is the value) and zero-extended for unsigned ones.
 */
#ifndef LONA_NUM_PRIV_H
#define LONA_NUM_PRIV_H

#include <gmp.h>
#include <stdlib.h>

#include "term/num.h"

_Static_assert(GMP_NUMB_BITS == 64 && sizeof(mp_limb_t) == 8, "the tower assumes 64-bit limbs");

/* ---- categories ------------------------------------------------------- */

typedef enum { NC_NONE = 0, NC_INT, NC_FIXED, NC_RATIO, NC_F32, NC_F64 } NumCat;

static inline NumCat num_cat(Value v) {
    if (is_fix(v)) return NC_INT;
    if (is_imm(v)) {
        unsigned t = imm_tag(v);
        if (t >= IMM_U8 && t <= IMM_I32) return NC_FIXED;
        return t == IMM_F32 ? NC_F32 : NC_NONE;
    }
    if (!is_boxed(v)) return NC_NONE;
    switch (box_type(v)) {
    case T_BIGNUM: return NC_INT;
    case T_U64:
    case T_I64: return NC_FIXED;
    case T_RATIO: return NC_RATIO;
    case T_FLOAT: return NC_F64;
    default: return NC_NONE;
    }
}

static inline bool num_is_float_cat(NumCat c) { return c == NC_F32 || c == NC_F64; }

/* Charge reductions for work proportional to `limbs`. */
static inline void num_charge(Proc *p, size_t limbs) {
    if (limbs > 16) p->reductions -= (int32_t)(limbs >> 4);
}

/* ---- dispatch (num.c) -------------------------------------------------- */

typedef enum { NUM_ADD, NUM_SUB, NUM_MUL, NUM_DIV, NUM_QUOT, NUM_REM, NUM_MOD } NumOp;

/* How the two operands of a binary operation combine (spec 4.4): the
 * category of the result, the fixed kind when it is NC_FIXED, and whether
 * an integer operand carries the big flag. */
typedef struct NumMix {
    NumCat cat;
    int kind;
    bool big;
} NumMix;
/* Resolve a op b; on a non-number or a forbidden mix raise :type-error
 * naming fname and return false. */
bool num_mix(Proc *p, const char *fname, Value a, Value b, NumMix *m);
Value num_arith_mixed(Proc *p, NumOp op, const NumMix *m, Value a, Value b);
/* num_mix + num_arith_mixed. */
Value num_binop(Proc *p, NumOp op, const char *fname, Value a, Value b);
/* Sign of a real number (-1, 0, 1); *nan set for NaN (sign 0). */
int num_sign(Value a, bool *nan);

/* ---- scratch limb buffers --------------------------------------------- */

#define SCRATCH_LOCAL 16
typedef struct Scratch {
    mp_limb_t *d;
    mp_limb_t local[SCRATCH_LOCAL];
} Scratch;

static inline mp_limb_t *scratch_get(Scratch *s, size_t n) {
    s->d = n <= SCRATCH_LOCAL ? s->local : xmalloc(n * sizeof(mp_limb_t));
    return s->d;
}
static inline void scratch_free(Scratch *s) {
    if (s->d != s->local) free(s->d);
}

/* ---- integer views (num_int.c) ---------------------------------------- */

/* Magnitude d[0..n) (n == 0 for zero, else d[n-1] != 0) and sign. d may
 * point into the view itself, so a view is used in place, never copied. */
typedef struct IntView {
    const mp_limb_t *d;
    mp_size_t n;
    bool neg;
    mp_limb_t small;
} IntView;

/* View of any integer kind (plain or fixed-width). */
void iv_of(IntView *o, Value v);
static inline void iv_mag64(IntView *o, bool neg, uint64_t mag) {
    o->small = mag;
    o->d = &o->small;
    o->n = mag != 0;
    o->neg = neg && mag != 0;
}
static inline void iv_i64(IntView *o, int64_t x) {
    iv_mag64(o, x < 0, x < 0 ? 0 - (uint64_t)x : (uint64_t)x);
}
/* Value fits int64_t: store it. */
bool iv_to_i64(const IntView *v, int64_t *out);
/* Number of significant bits of the magnitude (0 for zero). */
uint64_t iv_bits(const IntView *v);
int iv_cmp(const IntView *a, const IntView *b);
/* Hash of the mathematical value (shared by every integer kind). */
uint64_t iv_hash(const IntView *v);
uint64_t num_mix64(uint64_t x);

/* ---- plain integers (num_int.c) --------------------------------------- */

static inline bool int_big(Value v) {
    return is_bignum(v) && (box_flags(v) & HF_BIG) != 0;
}
/* Normalised plain integer from a sign and magnitude (copied). */
Value int_make(Proc *p, bool neg, const mp_limb_t *d, mp_size_t n, bool big);
Value int_from_view(Proc *p, const IntView *v, bool big);
Value int_from_i64(Proc *p, int64_t x, bool big);
/* Same value with the big flag set or cleared. */
Value int_with_big(Proc *p, Value a, bool big);
int int_sign(Value a);
static inline bool int_is_zero(Value a) { return int_sign(a) == 0; }
int int_cmp(Value a, Value b);
/* a + (negate_b ? -b : b) on plain integers. */
Value int_addsub(Proc *p, Value a, Value b, bool negate_b, bool big);
Value int_mul(Proc *p, Value a, Value b, bool big);
Value int_neg(Proc *p, Value a, bool big);
/* Truncating division, b != 0; q or r may be NULL. */
void int_tdiv(Proc *p, Value a, Value b, bool big, Value *q, Value *r);
/* Floored remainder (sign of b), b != 0. */
Value int_fmod(Proc *p, Value a, Value b, bool big);
/* Greatest common divisor of |a| and |b|, both nonzero; positive. */
Value int_gcd(Proc *p, Value a, Value b);
/* Low 64 bits of the two's complement representation. */
uint64_t int_low64(Value a);
/* Exact integer of trunc(d); d finite. */
Value int_from_double(Proc *p, double d);
/* dst = src >> shift (src: n > 0 limbs); returns the normalised size. */
mp_size_t mag_shr(mp_limb_t *dst, const mp_limb_t *src, mp_size_t n, uint64_t shift);

/* ---- bitwise on plain integers (num_bits.c), infinite two's complement - */

typedef enum { BOP_AND, BOP_OR, BOP_XOR, BOP_ANDNOT } BitOp;
Value int_bitop(Proc *p, BitOp op, Value a, Value b, bool big);
Value int_not(Proc *p, Value a, bool big);
/* a * 2^n and floor(a / 2^n). */
Value int_shl(Proc *p, Value a, uint64_t n, bool big);
Value int_sar(Proc *p, Value a, uint64_t n, bool big);
bool int_test_bit(Value a, uint64_t i);
/* 2^n - 1. */
Value int_mask(Proc *p, uint64_t n);
uint64_t int_popcount(Value a);     /* a >= 0 */
uint64_t int_trailing_zeros(Value a); /* a != 0 */

/* ---- fixed-width (num_fixed.c) ---------------------------------------- */

typedef struct FxInfo {
    unsigned width;
    bool is_signed;
    const char *name; /* "u8" ... also the printed suffix */
} FxInfo;
extern const FxInfo fx_info[FX__COUNT];

static inline uint64_t fx_width_mask(int k) {
    unsigned w = fx_info[k].width;
    return w == 64 ? UINT64_MAX : (UINT64_C(1) << w) - 1;
}
/* Wrap raw bits to kind k (see the file comment). */
static inline uint64_t fx_wrap(int k, uint64_t x) {
    unsigned w = fx_info[k].width;
    if (w == 64) return x;
    if (fx_info[k].is_signed) {
        unsigned s = 64 - w;
        return (uint64_t)((int64_t)(x << s) >> s);
    }
    return x & ((UINT64_C(1) << w) - 1);
}
/* Bits of a fixed-width value of kind k. */
uint64_t fx_bits(Value v, int k);
/* Fixed-width value of kind k from raw bits (wrapped here). */
Value fx_make(Proc *p, int k, uint64_t bits);
/* Bits of any integer (plain wrapped, or fixed of kind k) for kind k. */
uint64_t fx_bits_of_int(Value v, int k);
/* View of kind-k bits as a mathematical integer. */
void fx_view(IntView *o, int k, uint64_t bits);
/* + - * / quot rem mod of two kind-k values (LV_EXC on a zero divisor). */
Value fx_arith(Proc *p, NumOp op, int k, uint64_t a, uint64_t b);
/* Exact a + b: false on overflow, *hi then tells the side (true: above). */
bool fx_add_exact(int k, uint64_t a, uint64_t b, uint64_t *out, bool *hi);
uint64_t fx_min_bits(int k);
uint64_t fx_max_bits(int k);

/* ---- ratios (num_ratio.c) --------------------------------------------- */

static inline Value ratio_num(Value r) { return box_payload(r)[0]; }
static inline Value ratio_den(Value r) { return box_payload(r)[1]; }
/* Arithmetic on exact rationals (plain integers or ratios). */
Value rat_arith(Proc *p, NumOp op, Value a, Value b, bool big);
int rat_cmp(Value a, Value b);
/* Correctly rounded value of a ratio (prec 53: double, 24: float). */
double rat_round(Value r, int prec);

/* ---- floats (num_float.c) --------------------------------------------- */

/* Round sign * d[0..n) * 2^e (+ sticky: nonzero bits below) to nearest even
 * at `prec` significant bits (53: binary64, 24: binary32), with the
 * exponent range of that format; the result is exact in that format. */
double num_round_mag(bool neg, const mp_limb_t *d, mp_size_t n, int64_t e, bool sticky, int prec);
/* Plain or fixed integer, correctly rounded to prec bits. */
double int_round(Value v, int prec);
/* Any real number to float, correctly rounded. */
float num_to_float(Value v);
/* Low 64 bits of the two's complement of trunc(d); d finite. */
uint64_t flo_low64(double d);
/* + - * / quot rem mod of doubles (quot rem mod: divisor nonzero). */
double flo_arith(NumOp op, double a, double b);
float flo_arith32(NumOp op, float a, float b);

/* ---- printing (num_print.c) ------------------------------------------- */

/* Digits of a view in radix 2..36 (lower or upper case), with '-'. */
void iv_print(Buf *out, const IntView *v, unsigned radix, bool upper);

#endif
