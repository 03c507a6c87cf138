/*
 * num_ratio.c — exact rationals: T_RATIO {numerator, denominator}.
 *
 * Invariants: both parts are plain integers without the big flag, the
 * denominator is > 1, the sign is on the numerator and gcd(n, d) = 1. A
 * result whose denominator would be 1 is returned as an integer, which then
 * carries the big flag if an integer operand did (spec 4.4); a ratio never
 * does.
 *
 * The arithmetic here takes "exact" operands: plain integers or ratios
 * (an integer is n/1). Comparison also accepts fixed-width integers and
 * allocates nothing (cross products go to scratch buffers).
 */
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/num_priv.h"
#include "vm/error.h"

static Value exact_num(Value a) { return is_ratio(a) ? ratio_num(a) : a; }
static Value exact_den(Value a) { return is_ratio(a) ? ratio_den(a) : fix(1); }

/* n/d in lowest terms; d != 0. */
static Value rat_normalise(Proc *p, Value n, Value d, bool big) {
    if (int_is_zero(n)) return int_from_i64(p, 0, big);
    if (int_sign(d) < 0) {
        n = int_neg(p, n, false);
        d = int_neg(p, d, false);
    }
    Value g = int_gcd(p, n, d);
    if (g != fix(1)) {
        int_tdiv(p, n, g, false, &n, NULL);
        int_tdiv(p, d, g, false, &d, NULL);
    }
    if (d == fix(1)) return int_with_big(p, n, big);
    Value r = mk_box(p, T_RATIO, 0, 2);
    box_payload(r)[0] = int_with_big(p, n, false);
    box_payload(r)[1] = int_with_big(p, d, false);
    return r;
}

Value num_make_ratio(Proc *p, Value n, Value d) {
    LONA_ASSERT(is_plain_int(n) && is_plain_int(d));
    if (int_is_zero(d)) return err_raise(p, K_(division_by_zero), LV_NONE);
    return rat_normalise(p, n, d, false);
}

static int rat_sign(Value a) { return int_sign(exact_num(a)); }

Value rat_arith(Proc *p, NumOp op, Value a, Value b, bool big) {
    Value an = exact_num(a), ad = exact_den(a), bn = exact_num(b), bd = exact_den(b);
    switch (op) {
    case NUM_ADD:
    case NUM_SUB: {
        Value x = int_mul(p, an, bd, false), y = int_mul(p, bn, ad, false);
        Value n = int_addsub(p, x, y, op == NUM_SUB, false);
        return rat_normalise(p, n, int_mul(p, ad, bd, false), big);
    }
    case NUM_MUL:
        return rat_normalise(p, int_mul(p, an, bn, false), int_mul(p, ad, bd, false), big);
    default:
        break;
    }
    if (int_is_zero(bn)) return err_raise(p, K_(division_by_zero), LV_NONE);
    Value n = int_mul(p, an, bd, false), d = int_mul(p, ad, bn, false);
    if (op == NUM_DIV) return rat_normalise(p, n, d, big);
    Value q;
    int_tdiv(p, n, d, big, &q, NULL);
    if (op == NUM_QUOT) return q;
    /* a - q*b keeps the sign of a; mod then moves it to the sign of b. */
    Value r = rat_arith(p, NUM_SUB, a, rat_arith(p, NUM_MUL, q, b, big), big);
    if (op == NUM_MOD) {
        int rs = rat_sign(r);
        if (rs != 0 && (rs < 0) != (rat_sign(b) < 0)) r = rat_arith(p, NUM_ADD, r, b, big);
    }
    return r;
}

/* ---- comparison without allocation ------------------------------------ */

/* Numerator and denominator views of an exact number of any integer kind
 * or a ratio. */
static void exact_views(Value a, IntView *n, IntView *d) {
    if (is_ratio(a)) {
        iv_of(n, ratio_num(a));
        iv_of(d, ratio_den(a));
    } else {
        iv_of(n, a);
        iv_mag64(d, false, 1);
    }
}

/* |x| * |y| into s; returns the normalised size. */
static mp_size_t mag_mul(Scratch *s, const IntView *x, const IntView *y, mp_limb_t **out) {
    if (x->n == 0 || y->n == 0) {
        *out = scratch_get(s, 1);
        return 0;
    }
    if (x->n < y->n) {
        const IntView *t = x;
        x = y;
        y = t;
    }
    mp_size_t n = x->n + y->n;
    mp_limb_t *r = *out = scratch_get(s, (size_t)n);
    mpn_mul(r, x->d, x->n, y->d, y->n);
    while (n > 0 && r[n - 1] == 0) n--;
    return n;
}

int rat_cmp(Value a, Value b) {
    IntView an, ad, bn, bd;
    exact_views(a, &an, &ad);
    exact_views(b, &bn, &bd);
    int sa = an.n == 0 ? 0 : an.neg ? -1 : 1;
    int sb = bn.n == 0 ? 0 : bn.neg ? -1 : 1;
    if (sa != sb) return sa < sb ? -1 : 1;
    if (sa == 0) return 0;
    Scratch s1, s2;
    mp_limb_t *x, *y;
    mp_size_t xn = mag_mul(&s1, &an, &bd, &x), yn = mag_mul(&s2, &bn, &ad, &y);
    int c = xn != yn ? (xn < yn ? -1 : 1) : mpn_cmp(x, y, xn);
    scratch_free(&s1);
    scratch_free(&s2);
    return sa < 0 ? -c : c;
}

/* ---- rounding to binary floating point -------------------------------- */

double rat_round(Value r, int prec) {
    IntView n, d;
    iv_of(&n, ratio_num(r));
    iv_of(&d, ratio_den(r));
    /* Shift the numerator so the quotient has at least 66 bits: enough for
     * the rounding bit, with the remainder as the sticky bit. */
    int64_t shift = 66 + (int64_t)iv_bits(&d) - (int64_t)iv_bits(&n);
    if (shift < 0) shift = 0;
    mp_size_t ls = (mp_size_t)(shift / 64);
    unsigned bs = (unsigned)(shift % 64);
    mp_size_t nn = n.n + ls + 1;
    Scratch sn, sq, sr;
    mp_limb_t *x = scratch_get(&sn, (size_t)nn);
    memset(x, 0, (size_t)ls * sizeof *x);
    if (bs)
        x[nn - 1] = mpn_lshift(x + ls, n.d, n.n, bs);
    else {
        mpn_copyi(x + ls, n.d, n.n);
        x[nn - 1] = 0;
    }
    while (x[nn - 1] == 0) nn--;
    mp_size_t qn = nn - d.n + 1;
    mp_limb_t *q = scratch_get(&sq, (size_t)qn);
    mp_limb_t *rem = scratch_get(&sr, (size_t)d.n);
    mpn_tdiv_qr(q, rem, 0, x, nn, d.d, d.n);
    bool sticky = !mpn_zero_p(rem, d.n);
    double v = num_round_mag(n.neg, q, qn, -shift, sticky, prec);
    scratch_free(&sn);
    scratch_free(&sq);
    scratch_free(&sr);
    return v;
}
