/*
 * core_bits.c — lona.core bitwise operations (spec 7.7).
 *
 * Operands are plain integers (infinite two's complement, computed by
 * term/num_bits.c) or fixed-width integers (computed here on their 64-bit
 * "bits", see term/num_priv.h, and wrapped back to the kind); mixing
 * follows spec 4.4. Positions, counts and widths are non-negative plain
 * integers; a bignum position reads as "huge" (UINT64_MAX). A plain result
 * wider than BITS_MAX bits is refused with :badarg rather than letting one
 * small call allocate without bound.
 */
#include "lib/intrinsic.h"
#include "term/num_priv.h"
#include "vm/error.h"

#define BITS_MAX (UINT64_C(1) << 26)

/* -1 for a plain integer, else the FX_* kind; :type-error otherwise. */
static bool int_kind(Proc *p, const char *fname, Value a, int *kind) {
    if (is_plain_int(a)) {
        *kind = -1;
        return true;
    }
    *kind = num_fixed_kind(a);
    if (*kind < 0) return err_type(p, fname, a, "integer"), false;
    return true;
}

/* Common kind of two integer operands: fixed wins over plain, two
 * different fixed kinds are a :type-error. */
static bool int_kind2(Proc *p, const char *fname, Value a, Value b, int *kind) {
    int ka, kb;
    if (!int_kind(p, fname, a, &ka) || !int_kind(p, fname, b, &kb)) return false;
    if (ka >= 0 && kb >= 0 && ka != kb) return err_type(p, fname, b, fx_info[ka].name), false;
    *kind = ka >= 0 ? ka : kb;
    return true;
}

static bool bit_index(Proc *p, const char *fname, Value *args, uint32_t nargs, uint32_t i,
                      uint64_t *out) {
    Value v = args[i];
    if (!is_plain_int(v)) return err_type(p, fname, v, "non-negative integer"), false;
    if (int_sign(v) < 0) return err_badarg(p, fname, args, nargs), false;
    *out = is_fix(v) ? (uint64_t)fix_val(v) : UINT64_MAX;
    return true;
}

static uint64_t low_mask(uint64_t w) { return w >= 64 ? UINT64_MAX : (UINT64_C(1) << w) - 1; }

/* ---- and, or, xor, not ------------------------------------------------ */

static uint64_t bits_op(BitOp op, uint64_t x, uint64_t y) {
    switch (op) {
    case BOP_AND: return x & y;
    case BOP_OR: return x | y;
    case BOP_XOR: return x ^ y;
    default: return x & ~y;
    }
}

static Value bitop2(Proc *p, BitOp op, const char *fname, Value a, Value b) {
    int k;
    if (!int_kind2(p, fname, a, b, &k)) return LV_EXC;
    if (k >= 0) return fx_make(p, k, bits_op(op, fx_bits_of_int(a, k), fx_bits_of_int(b, k)));
    return int_bitop(p, op, a, b, int_big(a) || int_big(b));
}

static Value bitop_fold(Proc *p, BitOp op, const char *fname, Value *args, uint32_t nargs) {
    Value acc = args[0];
    for (uint32_t i = 1; i < nargs && acc != LV_EXC; i++) acc = bitop2(p, op, fname, acc, args[i]);
    return acc;
}

static Value cb_and(Proc *p, Value *args, uint32_t nargs) {
    return bitop_fold(p, BOP_AND, "bit-and", args, nargs);
}
static Value cb_or(Proc *p, Value *args, uint32_t nargs) {
    return bitop_fold(p, BOP_OR, "bit-or", args, nargs);
}
static Value cb_xor(Proc *p, Value *args, uint32_t nargs) {
    return bitop_fold(p, BOP_XOR, "bit-xor", args, nargs);
}

static Value cb_not(Proc *p, Value *args, uint32_t nargs) {
    int k;
    Value x = args[0];
    if (!int_kind(p, "bit-not", x, &k)) return LV_EXC;
    if (k >= 0) return fx_make(p, k, ~fx_bits(x, k));
    return int_not(p, x, int_big(x));
}

/* ---- shifts and rotations --------------------------------------------- */

enum { SH_LEFT, SH_LOGICAL, SH_ARITH };

static Value shift(Proc *p, int how, const char *fname, Value *args, uint32_t nargs) {
    int k;
    uint64_t n;
    Value x = args[0];
    if (!int_kind(p, fname, x, &k) || !bit_index(p, fname, args, nargs, 1, &n)) return LV_EXC;
    if (k >= 0) {
        uint64_t b = fx_bits(x, k), w = fx_info[k].width, r;
        if (how == SH_LEFT)
            r = n >= w ? 0 : b << n;
        else if (how == SH_LOGICAL || !fx_info[k].is_signed)
            r = n >= w ? 0 : (b & fx_width_mask(k)) >> n;
        else
            r = (uint64_t)((int64_t)b >> (n >= 63 ? 63 : n));
        return fx_make(p, k, r);
    }
    if (how != SH_LEFT) return int_sar(p, x, n, int_big(x));
    if (int_is_zero(x)) return x;
    if (n > BITS_MAX) return err_badarg(p, fname, args, nargs);
    return int_shl(p, x, n, int_big(x));
}

static Value cb_shl(Proc *p, Value *args, uint32_t nargs) {
    return shift(p, SH_LEFT, "bit-shl", args, nargs);
}
static Value cb_shr(Proc *p, Value *args, uint32_t nargs) {
    return shift(p, SH_LOGICAL, "bit-shr", args, nargs);
}
static Value cb_sar(Proc *p, Value *args, uint32_t nargs) {
    return shift(p, SH_ARITH, "bit-sar", args, nargs);
}

/* Rotate the low w bits of x left by s (0 < w, s < w); higher bits stay. */
static Value rotate_plain(Proc *p, Value x, uint64_t s, uint64_t w) {
    bool big = int_big(x);
    if (is_fix(x) && w <= 62) {
        uint64_t b = (uint64_t)fix_val(x), m = low_mask(w), low = b & m;
        uint64_t rot = s == 0 ? low : ((low << s) | (low >> (w - s))) & m;
        return int_from_i64(p, (int64_t)((b & ~m) | rot), big);
    }
    Value mask = int_mask(p, w);
    Value low = int_bitop(p, BOP_AND, x, mask, false), rot = low;
    if (s != 0) {
        Value hi = int_shl(p, low, s, false), lo = int_sar(p, low, w - s, false);
        rot = int_bitop(p, BOP_AND, int_bitop(p, BOP_OR, hi, lo, false), mask, false);
    }
    return int_bitop(p, BOP_OR, int_bitop(p, BOP_ANDNOT, x, mask, false), rot, big);
}

static Value rotate(Proc *p, bool left, const char *fname, Value *args, uint32_t nargs) {
    int k;
    uint64_t n, w;
    Value x = args[0];
    if (!int_kind(p, fname, x, &k) || !bit_index(p, fname, args, nargs, 1, &n) ||
        !bit_index(p, fname, args, nargs, 2, &w))
        return LV_EXC;
    if ((k >= 0 && w > fx_info[k].width) || (k < 0 && w > BITS_MAX))
        return err_badarg(p, fname, args, nargs);
    if (w == 0) return x;
    uint64_t s = n % w;
    if (!left) s = (w - s) % w;
    if (k < 0) return rotate_plain(p, x, s, w);
    uint64_t b = fx_bits(x, k), m = low_mask(w), low = b & m;
    uint64_t rot = s == 0 ? low : ((low << s) | (low >> (w - s))) & m;
    return fx_make(p, k, (b & ~m) | rot);
}

static Value cb_rol(Proc *p, Value *args, uint32_t nargs) {
    return rotate(p, true, "bit-rol", args, nargs);
}
static Value cb_ror(Proc *p, Value *args, uint32_t nargs) {
    return rotate(p, false, "bit-ror", args, nargs);
}

/* ---- single bits ------------------------------------------------------ */

static Value cb_test(Proc *p, Value *args, uint32_t nargs) {
    int k;
    uint64_t i;
    Value x = args[0];
    if (!int_kind(p, "bit-test", x, &k) || !bit_index(p, "bit-test", args, nargs, 1, &i))
        return LV_EXC;
    if (k < 0) return lv_bool(int_test_bit(x, i));
    uint64_t b = fx_bits(x, k);
    return lv_bool(i >= 64 ? (int64_t)b < 0 && fx_info[k].is_signed : ((b >> i) & 1) != 0);
}

/* bit-set, bit-clear, bit-flip: x op (1 << i). */
static Value one_bit(Proc *p, BitOp op, const char *fname, Value *args, uint32_t nargs) {
    int k;
    uint64_t i;
    Value x = args[0];
    if (!int_kind(p, fname, x, &k) || !bit_index(p, fname, args, nargs, 1, &i)) return LV_EXC;
    if (k >= 0) {
        /* Bits at or above the width are discarded by the wrap. */
        if (i >= fx_info[k].width) return x;
        return fx_make(p, k, bits_op(op, fx_bits(x, k), UINT64_C(1) << i));
    }
    if (is_fix(x) && i < 62) {
        int64_t r = (int64_t)bits_op(op, (uint64_t)fix_val(x), UINT64_C(1) << i);
        return int_from_i64(p, r, int_big(x));
    }
    if (i > BITS_MAX) return err_badarg(p, fname, args, nargs);
    return int_bitop(p, op, x, int_shl(p, fix(1), i, false), int_big(x));
}

static Value cb_set(Proc *p, Value *args, uint32_t nargs) {
    return one_bit(p, BOP_OR, "bit-set", args, nargs);
}
static Value cb_clear(Proc *p, Value *args, uint32_t nargs) {
    return one_bit(p, BOP_ANDNOT, "bit-clear", args, nargs);
}
static Value cb_flip(Proc *p, Value *args, uint32_t nargs) {
    return one_bit(p, BOP_XOR, "bit-flip", args, nargs);
}

/* ---- fields ----------------------------------------------------------- */

static Value cb_field(Proc *p, Value *args, uint32_t nargs) {
    const char *fname = "bit-field";
    int k;
    uint64_t off, w;
    Value x = args[0];
    if (!int_kind(p, fname, x, &k) || !bit_index(p, fname, args, nargs, 1, &off) ||
        !bit_index(p, fname, args, nargs, 2, &w))
        return LV_EXC;
    if (k >= 0) {
        uint64_t b = fx_bits(x, k), s;
        if (fx_info[k].is_signed)
            s = (uint64_t)((int64_t)b >> (off >= 63 ? 63 : off));
        else
            s = off >= 64 ? 0 : b >> off;
        return fx_make(p, k, s & low_mask(w));
    }
    bool big = int_big(x);
    Value s = int_sar(p, x, off, big);
    if (int_sign(s) >= 0) {
        IntView v;
        iv_of(&v, s);
        if (iv_bits(&v) <= w) return s;
    }
    if (w > BITS_MAX) return err_badarg(p, fname, args, nargs);
    return int_bitop(p, BOP_AND, s, int_mask(p, w), big);
}

static Value cb_field_set(Proc *p, Value *args, uint32_t nargs) {
    const char *fname = "bit-field-set";
    int k;
    uint64_t off, w;
    Value x = args[0], v = args[3];
    if (!int_kind2(p, fname, x, v, &k) || !bit_index(p, fname, args, nargs, 1, &off) ||
        !bit_index(p, fname, args, nargs, 2, &w))
        return LV_EXC;
    if (k >= 0) {
        uint64_t b = fx_bits_of_int(x, k);
        if (off >= 64) return fx_make(p, k, b);
        uint64_t m = low_mask(w) << off;
        return fx_make(p, k, (b & ~m) | ((fx_bits_of_int(v, k) << off) & m));
    }
    if (off > BITS_MAX || w > BITS_MAX) return err_badarg(p, fname, args, nargs);
    Value m = int_shl(p, int_mask(p, w), off, false);
    Value bits = int_bitop(p, BOP_AND, int_shl(p, v, off, false), m, false);
    return int_bitop(p, BOP_OR, int_bitop(p, BOP_ANDNOT, x, m, false), bits,
                     int_big(x) || int_big(v));
}

/* ---- counting --------------------------------------------------------- */

static Value cb_count(Proc *p, Value *args, uint32_t nargs) {
    int k;
    Value x = args[0];
    if (!int_kind(p, "bit-count", x, &k)) return LV_EXC;
    if (k >= 0) return fix(__builtin_popcountll(fx_bits(x, k) & fx_width_mask(k)));
    if (int_sign(x) < 0) return err_badarg(p, "bit-count", args, nargs);
    return num_from_u64(p, int_popcount(x));
}

static Value cb_leading_zeros(Proc *p, Value *args, uint32_t nargs) {
    Value x = args[0];
    int k = num_fixed_kind(x);
    if (k < 0) return err_type(p, "leading-zeros", x, "fixed-width integer");
    uint64_t b = fx_bits(x, k) & fx_width_mask(k), w = fx_info[k].width;
    return fix(b == 0 ? (int64_t)w : (int64_t)w - (64 - __builtin_clzll(b)));
}

static Value cb_trailing_zeros(Proc *p, Value *args, uint32_t nargs) {
    int k;
    Value x = args[0];
    if (!int_kind(p, "trailing-zeros", x, &k)) return LV_EXC;
    if (k >= 0) {
        uint64_t b = fx_bits(x, k) & fx_width_mask(k);
        return fix(b == 0 ? (int64_t)fx_info[k].width : __builtin_ctzll(b));
    }
    if (int_is_zero(x)) return err_badarg(p, "trailing-zeros", args, nargs);
    return num_from_u64(p, int_trailing_zeros(x));
}

/* ---- byte order and masks --------------------------------------------- */

static Value byte_reverse(Proc *p, int k, const char *fname, Value *args, uint32_t nargs) {
    Value x = args[0];
    if (!is_integer(x)) return err_type(p, fname, x, "integer");
    IntView v;
    iv_of(&v, x);
    unsigned w = fx_info[k].width;
    if (v.neg || iv_bits(&v) > w) return err_badarg(p, fname, args, nargs);
    uint64_t b = v.n ? v.d[0] : 0;
    b = w == 16 ? __builtin_bswap16((uint16_t)b)
        : w == 32 ? __builtin_bswap32((uint32_t)b)
                  : __builtin_bswap64(b);
    return fx_make(p, k, b);
}

static Value cb_bswap16(Proc *p, Value *args, uint32_t nargs) {
    return byte_reverse(p, FX_U16, "byte-reverse16", args, nargs);
}
static Value cb_bswap32(Proc *p, Value *args, uint32_t nargs) {
    return byte_reverse(p, FX_U32, "byte-reverse32", args, nargs);
}
static Value cb_bswap64(Proc *p, Value *args, uint32_t nargs) {
    return byte_reverse(p, FX_U64, "byte-reverse64", args, nargs);
}

static Value cb_mask_bits(Proc *p, Value *args, uint32_t nargs) {
    uint64_t n;
    if (!bit_index(p, "mask-bits", args, nargs, 0, &n)) return LV_EXC;
    if (n > BITS_MAX) return err_badarg(p, "mask-bits", args, nargs);
    return int_mask(p, n);
}

static Value cb_mask_range(Proc *p, Value *args, uint32_t nargs) {
    uint64_t lo, hi;
    if (!bit_index(p, "mask-range", args, nargs, 0, &lo) ||
        !bit_index(p, "mask-range", args, nargs, 1, &hi))
        return LV_EXC;
    if (lo > hi || hi > BITS_MAX) return err_badarg(p, "mask-range", args, nargs);
    return int_shl(p, int_mask(p, hi - lo), lo, false);
}

/* ---- table ------------------------------------------------------------ */

#define V ARITY_VARIADIC
#define CORE "lona.core"

LONA_INTRINSICS(core_bits) = {
    {CORE, "bit-and", 2, V, cb_and, "([x y & more])", "Bitwise and."},
    {CORE, "bit-or", 2, V, cb_or, "([x y & more])", "Bitwise or."},
    {CORE, "bit-xor", 2, V, cb_xor, "([x y & more])", "Bitwise exclusive or."},
    {CORE, "bit-not", 1, 1, cb_not, "([x])", "Bitwise complement."},
    {CORE, "bit-shl", 2, 2, cb_shl, "([x n])", "Shift left by n bits."},
    {CORE, "bit-shr", 2, 2, cb_shr, "([x n])",
     "Logical shift right (arithmetic for plain integers)."},
    {CORE, "bit-sar", 2, 2, cb_sar, "([x n])", "Arithmetic shift right."},
    {CORE, "bit-rol", 3, 3, cb_rol, "([x n width])", "Rotate the low width bits left by n."},
    {CORE, "bit-ror", 3, 3, cb_ror, "([x n width])", "Rotate the low width bits right by n."},
    {CORE, "bit-test", 2, 2, cb_test, "([x i])", "true if bit i of x is set."},
    {CORE, "bit-set", 2, 2, cb_set, "([x i])", "x with bit i set."},
    {CORE, "bit-clear", 2, 2, cb_clear, "([x i])", "x with bit i cleared."},
    {CORE, "bit-flip", 2, 2, cb_flip, "([x i])", "x with bit i toggled."},
    {CORE, "bit-field", 3, 3, cb_field, "([x offset width])",
     "(x >> offset) & (2^width - 1)."},
    {CORE, "bit-field-set", 4, 4, cb_field_set, "([x offset width v])",
     "x with width bits at offset replaced by the low bits of v."},
    {CORE, "bit-count", 1, 1, cb_count, "([x])", "Number of one bits."},
    {CORE, "leading-zeros", 1, 1, cb_leading_zeros, "([x])",
     "Leading zero bits of a fixed-width integer."},
    {CORE, "trailing-zeros", 1, 1, cb_trailing_zeros, "([x])", "Trailing zero bits."},
    {CORE, "byte-reverse16", 1, 1, cb_bswap16, "([x])", "Bytes of a 16-bit value reversed (u16)."},
    {CORE, "byte-reverse32", 1, 1, cb_bswap32, "([x])", "Bytes of a 32-bit value reversed (u32)."},
    {CORE, "byte-reverse64", 1, 1, cb_bswap64, "([x])", "Bytes of a 64-bit value reversed (u64)."},
    {CORE, "mask-bits", 1, 1, cb_mask_bits, "([n])", "2^n - 1."},
    {CORE, "mask-range", 2, 2, cb_mask_range, "([lo hi])", "Ones in bit positions lo .. hi-1."},
};
LONA_INTRINSICS_COUNT(core_bits);
