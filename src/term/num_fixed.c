/*
 * num_fixed.c — fixed-width integers u8 u16 u32 u64 i8 i16 i32 i64.
 *
 * The six narrow kinds are immediates (IMM_U8..IMM_I32) whose payload is
 * the low 32 bits of the two's complement value; u64 and i64 are boxed
 * (T_U64, T_I64) with the 64-bit value in their one payload word. Reading
 * always wraps the stored bits again, so a payload built by another module
 * without sign extension still reads as the right value.
 *
 * Every operation wraps modulo 2^width (spec 4.4); only the kinds and the
 * mixing rules are checked elsewhere (num.c).
 */
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/num_priv.h"
#include "vm/error.h"

const FxInfo fx_info[FX__COUNT] = {
    [FX_U8] = {8, false, "u8"},    [FX_U16] = {16, false, "u16"},
    [FX_U32] = {32, false, "u32"}, [FX_U64] = {64, false, "u64"},
    [FX_I8] = {8, true, "i8"},     [FX_I16] = {16, true, "i16"},
    [FX_I32] = {32, true, "i32"},  [FX_I64] = {64, true, "i64"},
};

static const ImmTag fx_imm_tag[FX__COUNT] = {
    [FX_U8] = IMM_U8, [FX_U16] = IMM_U16, [FX_U32] = IMM_U32, [FX_I8] = IMM_I8,
    [FX_I16] = IMM_I16, [FX_I32] = IMM_I32,
};

int num_fixed_kind(Value v) {
    if (is_imm(v)) {
        switch (imm_tag(v)) {
        case IMM_U8: return FX_U8;
        case IMM_U16: return FX_U16;
        case IMM_U32: return FX_U32;
        case IMM_I8: return FX_I8;
        case IMM_I16: return FX_I16;
        case IMM_I32: return FX_I32;
        default: return -1;
        }
    }
    if (is_box_of(v, T_U64)) return FX_U64;
    if (is_box_of(v, T_I64)) return FX_I64;
    return -1;
}

uint64_t fx_bits(Value v, int k) {
    if (is_imm(v)) return fx_wrap(k, imm_payload(v) & 0xffffffffu);
    return box_payload(v)[0];
}

Value fx_make(Proc *p, int k, uint64_t bits) {
    bits = fx_wrap(k, bits);
    if (k == FX_U64 || k == FX_I64) {
        Value b = mk_box(p, k == FX_U64 ? T_U64 : T_I64, 0, 1);
        box_payload(b)[0] = bits;
        return b;
    }
    return mk_small_fixed(fx_imm_tag[k], (int64_t)bits);
}

uint64_t fx_bits_of_int(Value v, int k) {
    if (is_fix(v)) return fx_wrap(k, (uint64_t)fix_val(v));
    int vk = num_fixed_kind(v);
    if (vk >= 0) return fx_wrap(k, fx_bits(v, vk));
    return fx_wrap(k, int_low64(v));
}

void fx_view(IntView *o, int k, uint64_t bits) {
    if (fx_info[k].is_signed)
        iv_i64(o, (int64_t)bits);
    else
        iv_mag64(o, false, bits);
}

Value num_to_fixed(Proc *p, int kind, Value v) {
    LONA_ASSERT(kind >= 0 && kind < FX__COUNT && is_integer(v));
    return fx_make(p, kind, fx_bits_of_int(v, kind));
}

bool num_fixed_fits(int kind, Value v) {
    if (!is_integer(v)) return false;
    IntView iv;
    iv_of(&iv, v);
    unsigned w = fx_info[kind].width;
    if (fx_info[kind].is_signed) {
        int64_t x;
        if (!iv_to_i64(&iv, &x)) return false;
        if (w == 64) return true;
        int64_t lim = INT64_C(1) << (w - 1);
        return x >= -lim && x < lim;
    }
    if (iv.neg || iv.n > 1) return false;
    return w == 64 || iv.n == 0 || iv.d[0] < (UINT64_C(1) << w);
}

/* ---- arithmetic ------------------------------------------------------- */

Value fx_arith(Proc *p, NumOp op, int k, uint64_t a, uint64_t b) {
    bool sgn = fx_info[k].is_signed;
    uint64_t r;
    switch (op) {
    case NUM_ADD: r = a + b; break;
    case NUM_SUB: r = a - b; break;
    case NUM_MUL: r = a * b; break;
    default:
        if (b == 0) return err_raise(p, K_(division_by_zero), LV_NONE);
        if (!sgn) {
            r = op == NUM_DIV || op == NUM_QUOT ? a / b : a % b;
        } else {
            int64_t x = (int64_t)a, y = (int64_t)b;
            if (y == -1) {
                /* The minimum divided by -1 wraps to itself; avoid C's trap. */
                r = op == NUM_DIV || op == NUM_QUOT ? 0 - a : 0;
            } else if (op == NUM_DIV || op == NUM_QUOT) {
                r = (uint64_t)(x / y);
            } else {
                int64_t m = x % y;
                if (op == NUM_MOD && m != 0 && (m < 0) != (y < 0)) m += y;
                r = (uint64_t)m;
            }
        }
        break;
    }
    return fx_make(p, k, r);
}

/* Exact sum of two values of kind k, for checked and saturating adds:
 * returns false on overflow and sets *hi (true: above the maximum). */
bool fx_add_exact(int k, uint64_t a, uint64_t b, uint64_t *out, bool *hi) {
    unsigned w = fx_info[k].width;
    if (fx_info[k].is_signed) {
        int64_t s;
        bool ovf = __builtin_add_overflow((int64_t)a, (int64_t)b, &s);
        if (!ovf && w < 64) {
            int64_t lim = INT64_C(1) << (w - 1);
            ovf = s < -lim || s >= lim;
        }
        if (ovf) *hi = (int64_t)b > 0;
        *out = (uint64_t)s;
        return !ovf;
    }
    uint64_t s;
    bool ovf = __builtin_add_overflow(a, b, &s) || (w < 64 && s > fx_width_mask(k));
    *hi = true;
    *out = s;
    return !ovf;
}

uint64_t fx_max_bits(int k) {
    return fx_info[k].is_signed ? fx_width_mask(k) >> 1 : fx_width_mask(k);
}

/* Sign-extended minimum: the complement of the maximum for signed kinds. */
uint64_t fx_min_bits(int k) { return fx_info[k].is_signed ? ~fx_max_bits(k) : 0; }
