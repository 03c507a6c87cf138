/*
 * number.c — numeric literals (spec/lonala.md 2.3).
 *
 *   integer  digits int-suffix?          prefixed  0x/0o/0b digits int-suffix?
 *   radix    R r rdigits                 ratio     digits / digits
 *   float    digits (. digits)? (e [+-]? digits)? float-suffix?
 *
 * A digit run allows single underscores between two digits of the run.
 * Every malformed token is :invalid-number, except a radix outside 2..36
 * (:invalid-radix). Fixed-width literals must fit their type. Floats are
 * converted by strtod/strtof (correctly rounded) from a cleaned copy; a
 * finite literal that overflows is rejected. strtod reads '.' as the
 * decimal point only under the "C" numeric locale, which is what a program
 * that never calls setlocale(LC_NUMERIC, ...) runs in.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reader/rd_internal.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/num.h"

typedef struct NumTok {
    Reader *r;
    const char *tok;     /* the whole token, for messages */
    size_t tok_len;
    uint32_t line, col;
    bool neg;
} NumTok;

static Value bad_number(const NumTok *t, const char *why) {
    char ex[64];
    rd_excerpt(t->tok, t->tok_len, ex);
    return rd_error_at(t->r, K_(invalid_number), t->line, t->col, "invalid number %s: %s", ex,
                       why);
}

static int digit_val(int c, unsigned radix) {
    int v;
    if (c >= '0' && c <= '9')
        v = c - '0';
    else if (c >= 'a' && c <= 'z')
        v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'Z')
        v = c - 'A' + 10;
    else
        return -1;
    return v < (int)radix ? v : -1;
}

/* End of the digit run at s (s itself when empty), or NULL when an
 * underscore is not between two digits of the run. */
static const char *scan_run(const char *s, const char *e, unsigned radix) {
    const char *q = s;
    while (q < e) {
        if (digit_val((unsigned char)*q, radix) >= 0) {
            q++;
        } else if (*q == '_') {
            if (q == s || q + 1 >= e || digit_val((unsigned char)q[1], radix) < 0) return NULL;
            q++;
        } else {
            break;
        }
    }
    return q;
}

/* Magnitude of a digit run (underscores skipped); false on overflow. */
static bool run_u64(const char *s, const char *e, unsigned radix, uint64_t *out) {
    uint64_t m = 0;
    for (; s < e; s++) {
        if (*s == '_') continue;
        uint64_t d = (uint64_t)digit_val((unsigned char)*s, radix);
        if (m > (UINT64_MAX - d) / radix) return false;
        m = m * radix + d;
    }
    *out = m;
    return true;
}

/* Copy of s..e without underscores into buf (or a malloc'd block when it
 * does not fit; *heap tells). Returns the length. */
static size_t clean_copy(const char *s, const char *e, char *buf, size_t cap, char **heap,
                         char **out) {
    size_t n = (size_t)(e - s);
    char *d = buf;
    *heap = NULL;
    if (n + 1 > cap) d = *heap = xmalloc(n + 1);
    size_t k = 0;
    for (; s < e; s++)
        if (*s != '_') d[k++] = *s;
    d[k] = 0;
    *out = d;
    return k;
}

/* Plain integer from a validated digit run. */
static Value plain_int(const NumTok *t, const char *s, const char *e, unsigned radix, bool neg,
                       bool big) {
    uint64_t m;
    if (!big && run_u64(s, e, radix, &m) && m <= (uint64_t)FIX_MAX)
        return fix(neg ? -(int64_t)m : (int64_t)m);
    char small[128], *heap, *digits;
    size_t n = clean_copy(s, e, small, sizeof small, &heap, &digits);
    Value v = num_parse_digits(t->r->p, digits, n, radix, neg, big);
    free(heap);
    if (v == LV_NONE) return bad_number(t, "bad digit");
    return v;
}

typedef struct Suffix {
    const char *text;
    int kind;      /* FX_* or -1 for N */
    unsigned bits;
    bool is_signed;
} Suffix;

static const Suffix int_suffixes[] = {
    {"N", -1, 0, false},       {"u8", FX_U8, 8, false},   {"u16", FX_U16, 16, false},
    {"u32", FX_U32, 32, false}, {"u64", FX_U64, 64, false}, {"i8", FX_I8, 8, true},
    {"i16", FX_I16, 16, true},  {"i32", FX_I32, 32, true},  {"i64", FX_I64, 64, true},
};

static const Suffix *find_int_suffix(const char *s, const char *e) {
    size_t n = (size_t)(e - s);
    for (size_t i = 0; i < ARRAY_LEN(int_suffixes); i++)
        if (strlen(int_suffixes[i].text) == n && memcmp(int_suffixes[i].text, s, n) == 0)
            return &int_suffixes[i];
    return NULL;
}

/* Width of a float suffix s..e: 32 or 64, or -1 when it is not one. */
static int float_suffix(const char *s, const char *e) {
    if (e - s != 3 || s[0] != 'f') return -1;
    if (s[1] == '3' && s[2] == '2') return 32;
    if (s[1] == '6' && s[2] == '4') return 64;
    return -1;
}

/* Integer digit run s..e in radix followed by the suffix sfx (may be NULL). */
static Value int_with_suffix(const NumTok *t, const char *s, const char *e, unsigned radix,
                             const Suffix *sfx) {
    if (!sfx) return plain_int(t, s, e, radix, t->neg, false);
    if (sfx->kind < 0) return plain_int(t, s, e, radix, t->neg, true);
    uint64_t m;
    if (!run_u64(s, e, radix, &m)) return bad_number(t, "out of range");
    uint64_t max = sfx->is_signed ? (UINT64_C(1) << (sfx->bits - 1)) - (t->neg ? 0 : 1)
                                  : (sfx->bits == 64 ? UINT64_MAX : (UINT64_C(1) << sfx->bits) - 1);
    if (!sfx->is_signed && t->neg && m != 0) return bad_number(t, "out of range");
    if (m > max) return bad_number(t, "out of range");
    Proc *p = t->r->p;
    Value plain;
    if (t->neg)
        plain = num_from_i64(p, m == (UINT64_C(1) << 63) ? INT64_MIN : -(int64_t)m);
    else
        plain = num_from_u64(p, m);
    if (plain == LV_EXC) return LV_EXC;
    return num_to_fixed(p, sfx->kind, plain);
}

/* Float from the validated text s..e (digits, point, exponent; no suffix),
 * binary32 when width is 32. */
static Value make_float(const NumTok *t, const char *s, const char *e, int width) {
    char small[128];
    size_t n = (size_t)(e - s) + 2;
    char *buf = n <= sizeof small ? small : xmalloc(n);
    size_t k = 0;
    buf[k++] = t->neg ? '-' : '+';
    for (; s < e; s++)
        if (*s != '_') buf[k++] = *s;
    buf[k] = 0;
    Value v;
    if (width == 32) {
        float f = strtof(buf, NULL);
        v = isinf(f) ? bad_number(t, "float overflow") : mk_f32(f);
    } else {
        double d = strtod(buf, NULL);
        v = isinf(d) ? bad_number(t, "float overflow") : mk_float(t->r->p, d);
    }
    if (buf != small) free(buf);
    return v;
}

/* Radix form: s..e is "R" "r" digits, R already scanned up to `rpos`. */
static Value radix_form(const NumTok *t, const char *s, const char *rpos, const char *e) {
    unsigned base = 0;
    for (const char *q = s; q < rpos; q++) {
        if (*q == '_') return bad_number(t, "underscore in radix");
        if (base < 1000) base = base * 10 + (unsigned)(*q - '0');
    }
    if (base < 2 || base > 36) {
        char ex[64];
        rd_excerpt(t->tok, t->tok_len, ex);
        return rd_error_at(t->r, K_(invalid_radix), t->line, t->col,
                           "invalid radix in %s: must be 2..36", ex);
    }
    const char *ds = rpos + 1;
    const char *de = scan_run(ds, e, base);
    if (!de) return bad_number(t, "misplaced underscore");
    if (de == ds) return bad_number(t, "no digits");
    if (de != e) return bad_number(t, "digit not valid in that radix");
    return plain_int(t, ds, de, base, t->neg, false);
}

static Value ratio_form(const NumTok *t, const char *s, const char *slash, const char *e) {
    const char *ds = slash + 1;
    const char *de = scan_run(ds, e, 10);
    if (!de) return bad_number(t, "misplaced underscore");
    if (de == ds || de != e) return bad_number(t, "malformed ratio");
    uint64_t dm;
    if (run_u64(ds, de, 10, &dm) && dm == 0) return bad_number(t, "zero denominator");
    Value n = plain_int(t, s, slash, 10, t->neg, false);
    if (n == LV_EXC) return n;
    Value d = plain_int(t, ds, de, 10, false, false);
    if (d == LV_EXC) return d;
    return num_make_ratio(t->r->p, n, d);
}

/* Decimal digits at s..run_end followed by ".", "e" or a float suffix. */
static Value float_form(const NumTok *t, const char *s, const char *q, const char *e) {
    if (q < e && *q == '.') {
        const char *fe = scan_run(q + 1, e, 10);
        if (!fe) return bad_number(t, "misplaced underscore");
        if (fe == q + 1) return bad_number(t, "digits needed after the point");
        q = fe;
    }
    if (q < e && (*q == 'e' || *q == 'E')) {
        const char *x = q + 1;
        if (x < e && (*x == '+' || *x == '-')) x++;
        const char *xe = scan_run(x, e, 10);
        if (!xe) return bad_number(t, "misplaced underscore");
        if (xe == x) return bad_number(t, "digits needed in the exponent");
        q = xe;
    }
    int width = 64;
    if (q < e) {
        width = float_suffix(q, e);
        if (width < 0) return bad_number(t, "unknown suffix");
    }
    return make_float(t, s, q, width);
}

Value rd_number(Reader *r, const char *tok, size_t len, uint32_t line, uint32_t col) {
    NumTok t = {.r = r, .tok = tok, .tok_len = len, .line = line, .col = col};
    const char *s = tok, *e = tok + len;
    if (*s == '+' || *s == '-') {
        t.neg = *s == '-';
        s++;
    }
    if (e - s >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b')) {
        unsigned radix = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
        const char *ds = s + 2;
        const char *de = scan_run(ds, e, radix);
        if (!de) return bad_number(&t, "misplaced underscore");
        if (de == ds) return bad_number(&t, "no digits after the prefix");
        const Suffix *sfx = NULL;
        if (de < e && !(sfx = find_int_suffix(de, e))) return bad_number(&t, "unknown suffix");
        return int_with_suffix(&t, ds, de, radix, sfx);
    }
    const char *q = scan_run(s, e, 10);
    if (!q) return bad_number(&t, "misplaced underscore");
    if (q == e) return plain_int(&t, s, q, 10, t.neg, false);
    switch (*q) {
    case 'r':
        return radix_form(&t, s, q, e);
    case '/':
        return ratio_form(&t, s, q, e);
    case '.':
    case 'e':
    case 'E':
        return float_form(&t, s, q, e);
    default:
        break;
    }
    const Suffix *sfx = find_int_suffix(q, e);
    if (sfx) return int_with_suffix(&t, s, q, 10, sfx);
    if (float_suffix(q, e) > 0) return float_form(&t, s, q, e);
    return bad_number(&t, "malformed");
}
