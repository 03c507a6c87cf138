/*
 * num_print.c — printed and display forms of numbers (spec 3): integers in
 * decimal (with N for the big flag), fixed-width with their suffix, ratios
 * as num/den, floats through num_print_double (num_float.c). Display forms
 * drop the suffixes. Also integers in any radix, for format's %x and %b.
 */
#include <math.h>

#include "term/num_priv.h"

static const char digits_lower[] = "0123456789abcdefghijklmnopqrstuvwxyz";
static const char digits_upper[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

static void put_u64(Buf *out, uint64_t x, unsigned radix, bool upper) {
    const char *dg = upper ? digits_upper : digits_lower;
    char tmp[64];
    int i = 64;
    do {
        tmp[--i] = dg[x % radix];
        x /= radix;
    } while (x);
    buf_append(out, tmp + i, (size_t)(64 - i));
}

void iv_print(Buf *out, const IntView *v, unsigned radix, bool upper) {
    if (v->neg) buf_putc(out, '-');
    if (v->n <= 1) {
        put_u64(out, v->n ? v->d[0] : 0, radix, upper);
        return;
    }
    /* mpn_get_str clobbers its input (one spare limb) and writes raw digit
     * values; at most 64 digits per limb in radix 2. */
    Scratch s;
    mp_limb_t *copy = scratch_get(&s, (size_t)v->n + 1);
    mpn_copyi(copy, v->d, v->n);
    size_t cap = (size_t)v->n * 64 + 2;
    unsigned char *raw = xmalloc(cap);
    size_t len = mpn_get_str(raw, (int)radix, copy, v->n);
    const char *dg = upper ? digits_upper : digits_lower;
    size_t i = 0;
    while (i + 1 < len && raw[i] == 0) i++;
    buf_reserve(out, len - i);
    for (; i < len; i++) out->data[out->len++] = dg[raw[i]];
    out->data[out->len] = 0;
    free(raw);
    scratch_free(&s);
}

void num_print_radix(Buf *out, Value v, unsigned radix, bool upper) {
    LONA_ASSERT(is_integer(v) && radix >= 2 && radix <= 36);
    IntView iv;
    iv_of(&iv, v);
    iv_print(out, &iv, radix, upper);
}

static void put_fix(Buf *out, int64_t x) {
    if (x < 0) buf_putc(out, '-');
    put_u64(out, x < 0 ? 0 - (uint64_t)x : (uint64_t)x, 10, false);
}

void num_print(Buf *out, Value v, bool readable) {
    switch (num_cat(v)) {
    case NC_INT:
        if (is_fix(v)) {
            put_fix(out, fix_val(v));
        } else {
            num_print_radix(out, v, 10, false);
            if (readable && int_big(v)) buf_putc(out, 'N');
        }
        return;
    case NC_FIXED: {
        int k = num_fixed_kind(v);
        uint64_t b = fx_bits(v, k);
        if (fx_info[k].is_signed)
            put_fix(out, (int64_t)b);
        else
            put_u64(out, b, 10, false);
        if (readable) buf_puts(out, fx_info[k].name);
        return;
    }
    case NC_RATIO:
        num_print_radix(out, ratio_num(v), 10, false);
        buf_putc(out, '/');
        num_print_radix(out, ratio_den(v), 10, false);
        return;
    case NC_F64:
        num_print_double(out, float_val(v), false);
        return;
    case NC_F32: {
        float f = f32_val(v);
        num_print_double(out, (double)f, true);
        if (readable && isfinite(f)) buf_puts(out, "f32");
        return;
    }
    default:
        LONA_ASSERT(!"num_print: not a number");
    }
}
