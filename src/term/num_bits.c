/*
 * num_bits.c — bitwise operations on plain integers, which behave as
 * infinite two's complement (spec 7.7): a negative bignum is stored as
 * sign + magnitude, so and/or/xor convert both operands to two's
 * complement limbs one limb wider than the larger, combine, and convert
 * back. Fixed-width operands are handled by the intrinsics on their bits.
 */
#include "term/num_priv.h"

/* Two's complement of v in n limbs (n > v->n) into s. */
static mp_limb_t *twos(Scratch *s, const IntView *v, mp_size_t n) {
    mp_limb_t *r = scratch_get(s, (size_t)n);
    if (v->n > 0) mpn_copyi(r, v->d, v->n);
    memset(r + v->n, 0, (size_t)(n - v->n) * sizeof *r);
    if (v->neg) mpn_neg(r, r, n);
    return r;
}

Value int_bitop(Proc *p, BitOp op, Value a, Value b, bool big) {
    if (is_fix(a) && is_fix(b)) {
        int64_t x = fix_val(a), y = fix_val(b), r;
        switch (op) {
        case BOP_AND: r = x & y; break;
        case BOP_OR: r = x | y; break;
        case BOP_XOR: r = x ^ y; break;
        default: r = x & ~y; break;
        }
        return int_from_i64(p, r, big);
    }
    IntView va, vb;
    iv_of(&va, a);
    iv_of(&vb, b);
    mp_size_t n = (va.n > vb.n ? va.n : vb.n) + 1;
    Scratch sa, sb;
    mp_limb_t *x = twos(&sa, &va, n), *y = twos(&sb, &vb, n);
    switch (op) {
    case BOP_AND: mpn_and_n(x, x, y, n); break;
    case BOP_OR: mpn_ior_n(x, x, y, n); break;
    case BOP_XOR: mpn_xor_n(x, x, y, n); break;
    default: mpn_andn_n(x, x, y, n); break;
    }
    bool neg = (x[n - 1] >> 63) != 0;
    if (neg) mpn_neg(x, x, n);
    num_charge(p, (size_t)n);
    Value r = int_make(p, neg, x, n, big);
    scratch_free(&sa);
    scratch_free(&sb);
    return r;
}

Value int_not(Proc *p, Value a, bool big) {
    return int_addsub(p, fix(-1), a, true, big); /* ~a = -1 - a */
}

Value int_shl(Proc *p, Value a, uint64_t n, bool big) {
    if (is_fix(a)) {
        int64_t x = fix_val(a);
        if (x == 0 || n == 0) return int_with_big(p, a, big);
        if (n < 62) {
            int64_t r = (int64_t)((uint64_t)x << n);
            if (r >> n == x && fix_fits(r)) return int_from_i64(p, r, big);
        }
    }
    IntView v;
    iv_of(&v, a);
    if (v.n == 0) return int_from_i64(p, 0, big);
    mp_size_t ls = (mp_size_t)(n / 64);
    unsigned bs = (unsigned)(n % 64);
    mp_size_t rn = v.n + ls + 1;
    Scratch s;
    mp_limb_t *r = scratch_get(&s, (size_t)rn);
    memset(r, 0, (size_t)ls * sizeof *r);
    if (bs) {
        r[rn - 1] = mpn_lshift(r + ls, v.d, v.n, bs);
    } else {
        mpn_copyi(r + ls, v.d, v.n);
        r[rn - 1] = 0;
    }
    Value res = int_make(p, v.neg, r, rn, big);
    scratch_free(&s);
    return res;
}

Value int_sar(Proc *p, Value a, uint64_t n, bool big) {
    if (is_fix(a)) {
        int64_t x = fix_val(a);
        return int_from_i64(p, n >= 63 ? (x < 0 ? -1 : 0) : x >> n, big);
    }
    IntView v;
    iv_of(&v, a);
    if (v.n == 0) return int_from_i64(p, 0, big);
    Scratch s;
    mp_limb_t *r = scratch_get(&s, (size_t)v.n + 1);
    mp_size_t rn = n >= iv_bits(&v) ? 0 : mag_shr(r, v.d, v.n, n);
    if (v.neg) {
        /* floor(-m / 2^n) = -(m >> n) - 1 when a one bit was shifted out. */
        bool dropped = n > 0 && mpn_scan1(v.d, 0) < n;
        if (dropped) {
            if (rn == 0)
                r[rn++] = 1;
            else if (mpn_add_1(r, r, rn, 1))
                r[rn++] = 1;
        }
    }
    Value res = int_make(p, v.neg, r, rn, big);
    scratch_free(&s);
    return res;
}

static bool mag_bit(const IntView *v, uint64_t i) {
    if (i / 64 >= (uint64_t)v->n) return false;
    return (v->d[i / 64] >> (i % 64)) & 1;
}

bool int_test_bit(Value a, uint64_t i) {
    if (is_fix(a)) {
        int64_t x = fix_val(a);
        return i >= 63 ? x < 0 : ((x >> i) & 1) != 0;
    }
    IntView v;
    iv_of(&v, a);
    if (!v.neg) return mag_bit(&v, i);
    /* -m = ~(m - 1): zeros below m's lowest one bit, a one there, and the
     * complement of m above it. */
    uint64_t tz = mpn_scan1(v.d, 0);
    if (i < tz) return false;
    if (i == tz) return true;
    return !mag_bit(&v, i);
}

Value int_mask(Proc *p, uint64_t n) {
    if (n < 62) return fix((int64_t)((UINT64_C(1) << n) - 1));
    mp_size_t rn = (mp_size_t)(n / 64) + 1;
    Scratch s;
    mp_limb_t *r = scratch_get(&s, (size_t)rn);
    memset(r, 0xff, (size_t)(rn - 1) * sizeof *r);
    r[rn - 1] = (UINT64_C(1) << (n % 64)) - 1;
    Value res = int_make(p, false, r, rn, false);
    scratch_free(&s);
    return res;
}

uint64_t int_popcount(Value a) {
    if (is_fix(a)) return (uint64_t)__builtin_popcountll((uint64_t)fix_val(a));
    IntView v;
    iv_of(&v, a);
    return v.n ? mpn_popcount(v.d, v.n) : 0;
}

uint64_t int_trailing_zeros(Value a) {
    if (is_fix(a)) return (uint64_t)__builtin_ctzll((uint64_t)fix_val(a));
    IntView v;
    iv_of(&v, a);
    return mpn_scan1(v.d, 0);
}
