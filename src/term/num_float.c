/*
 * num_float.c — floats: correctly rounded conversion of exact numbers to
 * binary64/binary32, quot/rem/mod on floats, and the printed form (the
 * shortest digit string that reads back to the same value, spec 3).
 *
 * Printing finds the shortest string by asking the C library for the
 * correctly rounded 1, 2, ... 17 significant digits ("%.*e") until strtod
 * (strtof for f32) gives back the same value; integral values below 2^53
 * take a fast path. The C library must run in the "C" numeric locale.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "term/num_priv.h"

/* ---- rounding --------------------------------------------------------- */

double num_round_mag(bool neg, const mp_limb_t *d, mp_size_t n, int64_t e, bool sticky, int prec) {
    while (n > 0 && d[n - 1] == 0) n--;
    if (n == 0) return neg ? -0.0 : 0.0;
    const int64_t emin = prec == 24 ? -126 : -1022, emax = prec == 24 ? 127 : 1023;
    int lz = __builtin_clzll(d[n - 1]);
    /* m: the top 64 bits, MSB set; everything below folds into sticky. */
    uint64_t m = d[n - 1] << lz;
    if (n >= 2) {
        uint64_t next = d[n - 2];
        if (lz) {
            m |= next >> (64 - lz);
            sticky |= (next << lz) != 0;
        } else {
            sticky |= next != 0;
        }
        for (mp_size_t i = 0; i + 2 < n && !sticky; i++) sticky = d[i] != 0;
    }
    int64_t E = e + (int64_t)n * 64 - lz - 1; /* exponent of the MSB */
    if (E > emax) return neg ? -INFINITY : INFINITY;
    int64_t p = E < emin ? prec - (emin - E) : prec;
    double r;
    if (p < 0) {
        r = 0.0;
    } else if (p == 0) {
        /* Between half the smallest subnormal and the smallest subnormal. */
        bool above_half = m != (UINT64_C(1) << 63) || sticky;
        r = above_half ? ldexp(1.0, (int)(E + 1)) : 0.0;
    } else {
        unsigned drop = (unsigned)(64 - p);
        uint64_t q = m >> drop, rest = m & ((UINT64_C(1) << drop) - 1);
        uint64_t half = UINT64_C(1) << (drop - 1);
        if (rest > half || (rest == half && (sticky || (q & 1)))) q++;
        r = ldexp((double)q, (int)(E - p + 1));
    }
    return neg ? -r : r;
}

double int_round(Value v, int prec) {
    IntView iv;
    iv_of(&iv, v);
    int64_t x;
    if (iv_to_i64(&iv, &x)) return prec == 24 ? (double)(float)x : (double)x;
    return num_round_mag(iv.neg, iv.d, iv.n, 0, false, prec);
}

double num_to_double(Value v) {
    switch (num_cat(v)) {
    case NC_INT: return is_fix(v) ? (double)fix_val(v) : int_round(v, 53);
    case NC_FIXED: {
        int k = num_fixed_kind(v);
        uint64_t b = fx_bits(v, k);
        return fx_info[k].is_signed ? (double)(int64_t)b : (double)b;
    }
    case NC_RATIO: return rat_round(v, 53);
    case NC_F32: return (double)f32_val(v);
    case NC_F64: return float_val(v);
    default: return NAN;
    }
}

float num_to_float(Value v) {
    switch (num_cat(v)) {
    case NC_INT: return is_fix(v) ? (float)fix_val(v) : (float)int_round(v, 24);
    case NC_FIXED: {
        int k = num_fixed_kind(v);
        uint64_t b = fx_bits(v, k);
        return fx_info[k].is_signed ? (float)(int64_t)b : (float)b;
    }
    case NC_RATIO: return (float)rat_round(v, 24);
    case NC_F32: return f32_val(v);
    case NC_F64: return (float)float_val(v);
    default: return NAN;
    }
}

uint64_t flo_low64(double d) {
    double t = trunc(d);
    if (fabs(t) < 9223372036854775808.0) return (uint64_t)(int64_t)t; /* 2^63 */
    int e;
    double m = frexp(fabs(t), &e); /* |t| = mant * 2^(e - 53), e >= 64 */
    uint64_t mant = (uint64_t)ldexp(m, 53);
    unsigned shift = (unsigned)(e - 53);
    uint64_t low = shift >= 64 ? 0 : mant << shift;
    return t < 0 ? 0 - low : low;
}

/* ---- quot, rem, mod --------------------------------------------------- */

/* The divisor is nonzero (checked by the caller). quot: the exact quotient
 * (a - rem) / b is an integer, so round to nearest rather than truncate,
 * which would turn n - ulp into n - 1. */
double flo_arith(NumOp op, double a, double b) {
    switch (op) {
    case NUM_ADD: return a + b;
    case NUM_SUB: return a - b;
    case NUM_MUL: return a * b;
    case NUM_DIV: return a / b;
    default: break;
    }
    double r = fmod(a, b);
    if (op == NUM_QUOT) {
        double q = rint((a - r) / b);
        return q == 0 ? copysign(0.0, a) * copysign(1.0, b) : q;
    }
    if (op == NUM_MOD && r != 0 && (r < 0) != (b < 0)) r += b;
    return r;
}

float flo_arith32(NumOp op, float a, float b) {
    switch (op) {
    case NUM_ADD: return a + b;
    case NUM_SUB: return a - b;
    case NUM_MUL: return a * b;
    case NUM_DIV: return a / b;
    default: break;
    }
    float r = fmodf(a, b);
    if (op == NUM_QUOT) {
        float q = rintf((a - r) / b);
        return q == 0 ? copysignf(0.0f, a) * copysignf(1.0f, b) : q;
    }
    if (op == NUM_MOD && r != 0 && (r < 0) != (b < 0)) r += b;
    return r;
}

/* ---- printing --------------------------------------------------------- */

/* d correctly rounded to prec significant digits ("D.DDDe+K") into tmp;
 * true when that reads back as d. */
static bool digits_roundtrip(char *tmp, size_t cap, int prec, double d, bool f32) {
    snprintf(tmp, cap, "%.*e", prec - 1, d);
    return f32 ? strtof(tmp, NULL) == (float)d : strtod(tmp, NULL) == d;
}

/* Shortest significant digits of d (finite, > 0) into dig (no point, no
 * trailing zeros); returns their count, *exp10 = exponent of the first. */
static int shortest_digits(double d, bool f32, char dig[32], int *exp10) {
    if (d < (f32 ? 16777216.0 : 9007199254740992.0) && d == floor(d)) {
        /* An integer below 2^53 (2^24 for f32): its own digits are the
         * shortest (any shorter string is another integer, and values of
         * the format are at most 1 apart there). */
        int n = snprintf(dig, 32, "%.0f", d);
        *exp10 = n - 1;
        while (n > 1 && dig[n - 1] == '0') n--;
        dig[n] = 0;
        return n;
    }
    char tmp[48];
    /* The error of the nearest p-digit string never grows with p, so one
     * probe at 15 digits tells whether to search below it (short values)
     * or above it (most computed doubles need 16 or 17). */
    int prec = 1, maxp = f32 ? 9 : 17;
    if (!f32 && !digits_roundtrip(tmp, sizeof tmp, 15, d, false)) prec = 16;
    while (prec < maxp && !digits_roundtrip(tmp, sizeof tmp, prec, d, f32)) prec++;
    if (prec == maxp) digits_roundtrip(tmp, sizeof tmp, prec, d, f32);
    int n = 0;
    const char *s = tmp;
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9') dig[n++] = *s;
    *exp10 = *s == 'e' ? atoi(s + 1) : 0;
    while (n > 1 && dig[n - 1] == '0') n--;
    dig[n] = 0;
    return n;
}

static void put_zeros(Buf *out, int n) {
    for (int i = 0; i < n; i++) buf_putc(out, '0');
}

void num_print_double(Buf *out, double d, bool is_f32) {
    if (isnan(d)) {
        buf_puts(out, "##NaN");
        return;
    }
    if (isinf(d)) {
        buf_puts(out, d > 0 ? "##Inf" : "##-Inf");
        return;
    }
    if (d == 0) {
        buf_puts(out, signbit(d) ? "-0.0" : "0.0");
        return;
    }
    if (d < 0) {
        buf_putc(out, '-');
        d = -d;
    }
    char dig[32];
    int k;
    int n = shortest_digits(d, is_f32, dig, &k);
    if (k >= -4 && k < 16) {
        if (k < 0) {
            buf_puts(out, "0.");
            put_zeros(out, -k - 1);
            buf_append(out, dig, (size_t)n);
        } else if (n <= k + 1) {
            buf_append(out, dig, (size_t)n);
            put_zeros(out, k + 1 - n);
            buf_puts(out, ".0");
        } else {
            buf_append(out, dig, (size_t)k + 1);
            buf_putc(out, '.');
            buf_append(out, dig + k + 1, (size_t)(n - k - 1));
        }
        return;
    }
    buf_putc(out, dig[0]);
    if (n > 1) {
        buf_putc(out, '.');
        buf_append(out, dig + 1, (size_t)n - 1);
    }
    buf_printf(out, "e%d", k);
}
