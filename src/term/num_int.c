/*
 * num_int.c — plain integers: fixnums and bignums (GMP mpn limbs in a
 * T_BIGNUM box on the process heap, sign in HF_NEG, big flag in HF_BIG).
 *
 * Invariants kept by int_make, the only constructor of bignums: no high
 * zero limbs (zero with the big flag is one zero limb), and a value that
 * fits a fixnum is a fixnum unless it carries the big flag. Readers still
 * strip high zero limbs (iv_of), so a stray unnormalised box is harmless.
 *
 * Every operation has a fixnum fast path; the general path reads operands
 * through IntViews, computes into scratch buffers and copies the result to
 * the heap once.
 */
#include <math.h>

#include "term/alloc.h"
#include "term/num_priv.h"

/* ---- views ------------------------------------------------------------ */

uint64_t num_mix64(uint64_t x) {
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    x ^= x >> 31;
    return x;
}

void iv_of(IntView *o, Value v) {
    if (is_fix(v)) {
        iv_i64(o, fix_val(v));
        return;
    }
    if (is_bignum(v)) {
        const mp_limb_t *d = (const mp_limb_t *)box_payload(v);
        mp_size_t n = (mp_size_t)box_size(v);
        while (n > 0 && d[n - 1] == 0) n--;
        o->d = d;
        o->n = n;
        o->neg = n > 0 && (box_flags(v) & HF_NEG) != 0;
        return;
    }
    int k = num_fixed_kind(v);
    LONA_ASSERT(k >= 0);
    fx_view(o, k, fx_bits(v, k));
}

bool iv_to_i64(const IntView *v, int64_t *out) {
    if (v->n == 0) {
        *out = 0;
        return true;
    }
    if (v->n > 1) return false;
    uint64_t m = v->d[0];
    if (!v->neg) {
        if (m > (uint64_t)INT64_MAX) return false;
        *out = (int64_t)m;
    } else {
        if (m > (uint64_t)INT64_MAX + 1) return false;
        *out = (int64_t)(0 - m);
    }
    return true;
}

uint64_t iv_bits(const IntView *v) {
    if (v->n == 0) return 0;
    return (uint64_t)v->n * 64 - (uint64_t)__builtin_clzll(v->d[v->n - 1]);
}

static int mag_cmp(const mp_limb_t *a, mp_size_t an, const mp_limb_t *b, mp_size_t bn) {
    if (an != bn) return an < bn ? -1 : 1;
    return an == 0 ? 0 : mpn_cmp(a, b, an);
}

int iv_cmp(const IntView *a, const IntView *b) {
    if (a->neg != b->neg) return a->neg ? -1 : 1;
    int c = mag_cmp(a->d, a->n, b->d, b->n);
    return a->neg ? -c : c;
}

uint64_t iv_hash(const IntView *v) {
    int64_t x;
    if (iv_to_i64(v, &x)) return num_mix64((uint64_t)x);
    uint64_t h = v->neg ? UINT64_C(0x6a09e667f3bcc909) : UINT64_C(0xbb67ae8584caa73b);
    for (mp_size_t i = 0; i < v->n; i++) h = num_mix64(h ^ v->d[i]) + (uint64_t)i;
    return h;
}

/* ---- construction ----------------------------------------------------- */

Value int_make(Proc *p, bool neg, const mp_limb_t *d, mp_size_t n, bool big) {
    while (n > 0 && d[n - 1] == 0) n--;
    if (!big) {
        if (n == 0) return fix(0);
        if (n == 1) {
            if (!neg && d[0] <= (uint64_t)FIX_MAX) return fix((int64_t)d[0]);
            if (neg && d[0] <= (uint64_t)FIX_MAX + 1) return fix(-(int64_t)d[0]);
        }
    }
    size_t size = n > 0 ? (size_t)n : 1;
    uint64_t flags = (neg && n > 0 ? HF_NEG : 0) | (big ? HF_BIG : 0);
    Value b = mk_box(p, T_BIGNUM, flags, size);
    Value *pl = box_payload(b);
    if (n > 0)
        memcpy(pl, d, (size_t)n * sizeof(mp_limb_t));
    else
        pl[0] = 0;
    num_charge(p, (size_t)n);
    return b;
}

Value int_from_view(Proc *p, const IntView *v, bool big) {
    return int_make(p, v->neg, v->d, v->n, big);
}

Value int_from_i64(Proc *p, int64_t x, bool big) {
    if (!big && fix_fits(x)) return fix(x);
    IntView v;
    iv_i64(&v, x);
    return int_from_view(p, &v, big);
}

Value num_from_i64(Proc *p, int64_t n) { return int_from_i64(p, n, false); }

Value num_from_u64(Proc *p, uint64_t n) {
    if (n <= (uint64_t)FIX_MAX) return fix((int64_t)n);
    return int_make(p, false, &n, 1, false);
}

Value int_with_big(Proc *p, Value a, bool big) {
    if (int_big(a) == big) return a;
    IntView v;
    iv_of(&v, a);
    return int_from_view(p, &v, big);
}

int int_sign(Value a) {
    if (is_fix(a)) {
        int64_t x = fix_val(a);
        return (x > 0) - (x < 0);
    }
    IntView v;
    iv_of(&v, a);
    return v.n == 0 ? 0 : v.neg ? -1 : 1;
}

int int_cmp(Value a, Value b) {
    if (is_fix(a) && is_fix(b)) {
        int64_t x = fix_val(a), y = fix_val(b);
        return (x > y) - (x < y);
    }
    IntView va, vb;
    iv_of(&va, a);
    iv_of(&vb, b);
    return iv_cmp(&va, &vb);
}

uint64_t int_low64(Value a) {
    if (is_fix(a)) return (uint64_t)fix_val(a);
    IntView v;
    iv_of(&v, a);
    if (v.n == 0) return 0;
    return v.neg ? 0 - v.d[0] : v.d[0];
}

bool num_to_i64(Value v, int64_t *out) {
    if (is_fix(v)) {
        *out = fix_val(v);
        return true;
    }
    if (!is_integer(v)) return false;
    IntView iv;
    iv_of(&iv, v);
    return iv_to_i64(&iv, out);
}

Value int_from_double(Proc *p, double d) {
    double t = trunc(d);
    if (fabs(t) < 4611686018427387904.0) return fix((int64_t)t); /* 2^62 */
    int e;
    double m = frexp(fabs(t), &e); /* |t| = m * 2^e, 0.5 <= m < 1, e >= 63 */
    uint64_t mant = (uint64_t)ldexp(m, 53);
    uint64_t shift = (uint64_t)e - 53;
    mp_size_t n = (mp_size_t)(shift / 64) + 2;
    Scratch s;
    mp_limb_t *r = scratch_get(&s, (size_t)n);
    memset(r, 0, (size_t)n * sizeof *r);
    unsigned bs = shift % 64;
    r[shift / 64] = mant << bs;
    if (bs) r[shift / 64 + 1] = mant >> (64 - bs);
    Value v = int_make(p, t < 0, r, n, false);
    scratch_free(&s);
    return v;
}

/* ---- addition and subtraction ---------------------------------------- */

/* r = |a| + |b|; r has room for max(an, bn) + 1 limbs. */
static mp_size_t mag_add(mp_limb_t *r, const mp_limb_t *a, mp_size_t an, const mp_limb_t *b,
                         mp_size_t bn) {
    if (an < bn) {
        const mp_limb_t *t = a;
        a = b;
        b = t;
        mp_size_t tn = an;
        an = bn;
        bn = tn;
    }
    if (bn == 0) {
        if (an > 0) mpn_copyi(r, a, an);
        return an;
    }
    r[an] = mpn_add(r, a, an, b, bn);
    return an + 1;
}

/* r = |a| - |b|, |a| >= |b|; r has room for an limbs. */
static mp_size_t mag_sub(mp_limb_t *r, const mp_limb_t *a, mp_size_t an, const mp_limb_t *b,
                         mp_size_t bn) {
    if (bn == 0) {
        if (an > 0) mpn_copyi(r, a, an);
        return an;
    }
    mpn_sub(r, a, an, b, bn);
    return an;
}

static Value iv_addsub(Proc *p, const IntView *a, const IntView *b, bool negate_b, bool big) {
    bool bneg = b->n > 0 && (b->neg != negate_b);
    mp_size_t cap = (a->n > b->n ? a->n : b->n) + 1;
    Scratch s;
    mp_limb_t *r = scratch_get(&s, (size_t)cap);
    mp_size_t rn;
    bool rneg;
    if (a->neg == bneg) {
        rn = mag_add(r, a->d, a->n, b->d, b->n);
        rneg = a->neg;
    } else if (mag_cmp(a->d, a->n, b->d, b->n) >= 0) {
        rn = mag_sub(r, a->d, a->n, b->d, b->n);
        rneg = a->neg;
    } else {
        rn = mag_sub(r, b->d, b->n, a->d, a->n);
        rneg = bneg;
    }
    Value v = int_make(p, rneg, r, rn, big);
    scratch_free(&s);
    return v;
}

Value int_addsub(Proc *p, Value a, Value b, bool negate_b, bool big) {
    if (is_fix(a) && is_fix(b)) {
        int64_t x = fix_val(a), y = fix_val(b);
        return int_from_i64(p, negate_b ? x - y : x + y, big);
    }
    IntView va, vb;
    iv_of(&va, a);
    iv_of(&vb, b);
    return iv_addsub(p, &va, &vb, negate_b, big);
}

Value int_neg(Proc *p, Value a, bool big) {
    if (is_fix(a)) return int_from_i64(p, -fix_val(a), big);
    IntView v;
    iv_of(&v, a);
    return int_make(p, !v.neg, v.d, v.n, big);
}

/* ---- multiplication --------------------------------------------------- */

Value int_mul(Proc *p, Value a, Value b, bool big) {
    if (is_fix(a) && is_fix(b)) {
        int64_t r;
        if (!__builtin_mul_overflow(fix_val(a), fix_val(b), &r)) return int_from_i64(p, r, big);
    }
    IntView va, vb;
    iv_of(&va, a);
    iv_of(&vb, b);
    if (va.n == 0 || vb.n == 0) return int_from_i64(p, 0, big);
    const IntView *x = &va, *y = &vb;
    if (x->n < y->n) {
        x = &vb;
        y = &va;
    }
    Scratch s;
    mp_limb_t *r = scratch_get(&s, (size_t)(x->n + y->n));
    if (y->n == 1)
        r[x->n] = mpn_mul_1(r, x->d, x->n, y->d[0]);
    else
        mpn_mul(r, x->d, x->n, y->d, y->n);
    num_charge(p, (size_t)(x->n + y->n));
    Value v = int_make(p, va.neg != vb.neg, r, x->n + y->n, big);
    scratch_free(&s);
    return v;
}

/* ---- division --------------------------------------------------------- */

void int_tdiv(Proc *p, Value a, Value b, bool big, Value *q, Value *r) {
    if (is_fix(a) && is_fix(b)) {
        int64_t x = fix_val(a), y = fix_val(b);
        if (q) *q = int_from_i64(p, x / y, big);
        if (r) *r = int_from_i64(p, x % y, big);
        return;
    }
    IntView va, vb;
    iv_of(&va, a);
    iv_of(&vb, b);
    LONA_ASSERT(vb.n > 0);
    if (va.n < vb.n) {
        if (q) *q = int_from_i64(p, 0, big);
        if (r) *r = int_with_big(p, a, big);
        return;
    }
    mp_size_t qn = va.n - vb.n + 1;
    Scratch sq, sr;
    mp_limb_t *qd = scratch_get(&sq, (size_t)qn);
    mp_limb_t *rd = scratch_get(&sr, (size_t)vb.n);
    mpn_tdiv_qr(qd, rd, 0, va.d, va.n, vb.d, vb.n);
    num_charge(p, (size_t)va.n);
    if (q) *q = int_make(p, va.neg != vb.neg, qd, qn, big);
    if (r) *r = int_make(p, va.neg, rd, vb.n, big);
    scratch_free(&sq);
    scratch_free(&sr);
}

Value int_fmod(Proc *p, Value a, Value b, bool big) {
    Value r;
    int_tdiv(p, a, b, big, NULL, &r);
    int rs = int_sign(r);
    if (rs != 0 && (rs < 0) != (int_sign(b) < 0)) r = int_addsub(p, r, b, false, big);
    return r;
}

/* ---- gcd -------------------------------------------------------------- */

static uint64_t gcd64(uint64_t u, uint64_t v) {
    if (u == 0) return v;
    if (v == 0) return u;
    int k = __builtin_ctzll(u | v);
    u >>= __builtin_ctzll(u);
    do {
        v >>= __builtin_ctzll(v);
        if (u > v) {
            uint64_t t = u;
            u = v;
            v = t;
        }
        v -= u;
    } while (v != 0);
    return u << k;
}

/* dst = src >> shift (src has n limbs, n > 0); returns the normalised size. */
mp_size_t mag_shr(mp_limb_t *dst, const mp_limb_t *src, mp_size_t n, uint64_t shift) {
    mp_size_t ls = (mp_size_t)(shift / 64);
    unsigned bs = (unsigned)(shift % 64);
    if (ls >= n) return 0;
    mp_size_t m = n - ls;
    if (bs)
        mpn_rshift(dst, src + ls, m, bs);
    else
        mpn_copyi(dst, src + ls, m);
    while (m > 0 && dst[m - 1] == 0) m--;
    return m;
}

Value int_gcd(Proc *p, Value a, Value b) {
    IntView va, vb;
    iv_of(&va, a);
    iv_of(&vb, b);
    LONA_ASSERT(va.n > 0 && vb.n > 0);
    if (va.n == 1 && vb.n == 1) {
        uint64_t g = gcd64(va.d[0], vb.d[0]);
        return int_make(p, false, &g, 1, false);
    }
    /* mpn_gcd wants one odd operand: strip the common power of two. */
    uint64_t za = mpn_scan1(va.d, 0), zb = mpn_scan1(vb.d, 0);
    uint64_t k = za < zb ? za : zb;
    Scratch sx, sy, sg;
    mp_limb_t *x = scratch_get(&sx, (size_t)va.n);
    mp_limb_t *y = scratch_get(&sy, (size_t)vb.n);
    mp_size_t xn = mag_shr(x, va.d, va.n, za);
    mp_size_t yn = mag_shr(y, vb.d, vb.n, zb);
    if (xn < yn) {
        mp_limb_t *t = x;
        x = y;
        y = t;
        mp_size_t tn = xn;
        xn = yn;
        yn = tn;
    }
    mp_size_t gcap = yn + (mp_size_t)(k / 64) + 1;
    mp_limb_t *g = scratch_get(&sg, (size_t)gcap);
    mp_size_t gn = mpn_gcd(g, x, xn, y, yn);
    num_charge(p, (size_t)xn * 4);
    mp_size_t ls = (mp_size_t)(k / 64);
    unsigned bs = (unsigned)(k % 64);
    if (ls || bs) {
        mp_limb_t top = bs ? mpn_lshift(g + ls, g, gn, bs) : 0;
        if (!bs) memmove(g + ls, g, (size_t)gn * sizeof *g);
        memset(g, 0, (size_t)ls * sizeof *g);
        gn += ls;
        g[gn++] = top;
    }
    Value v = int_make(p, false, g, gn, false);
    scratch_free(&sx);
    scratch_free(&sy);
    scratch_free(&sg);
    return v;
}

/* ---- parsing ---------------------------------------------------------- */

static int digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'z') return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
    return 99;
}

Value num_parse_digits(Proc *p, const char *digits, size_t len, unsigned radix, bool negative,
                       bool big) {
    if (len == 0 || radix < 2 || radix > 36) return LV_NONE;
    uint64_t acc = 0;
    bool overflow = false;
    for (size_t i = 0; i < len; i++) {
        int dv = digit_value(digits[i]);
        if ((unsigned)dv >= radix) return LV_NONE;
        if (!overflow && (__builtin_mul_overflow(acc, radix, &acc) ||
                          __builtin_add_overflow(acc, (uint64_t)dv, &acc)))
            overflow = true;
    }
    if (!overflow) return int_make(p, negative, &acc, 1, big);
    unsigned char *dv = xmalloc(len);
    for (size_t i = 0; i < len; i++) dv[i] = (unsigned char)digit_value(digits[i]);
    Scratch s;
    mp_limb_t *r = scratch_get(&s, len * 6 / 64 + 2);
    mp_size_t n = mpn_set_str(r, dv, len, (int)radix);
    num_charge(p, (size_t)n);
    Value v = int_make(p, negative, r, n, big);
    scratch_free(&s);
    free(dv);
    return v;
}
