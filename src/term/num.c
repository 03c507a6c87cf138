/*
 * num.c — the tower's entry points: + - * / quot rem mod with the operand
 * rules of spec 4.4 (contagion, fixed-width mixing), negation, comparison,
 * `=` on numbers and the hash that agrees with it.
 *
 * Every binary operation first tries two fixnums (the VM inlines that case
 * for + - < and calls here only on its slow path, so the check is cheap to
 * repeat), then resolves the operands' common category with num_mix and
 * hands the work to the category's file.
 */
#include <math.h>

#include "term/alloc.h"
#include "term/atoms.h"
#include "term/num_priv.h"
#include "vm/error.h"

static Value err_div0(Proc *p) { return err_raise(p, K_(division_by_zero), LV_NONE); }

bool num_mix(Proc *p, const char *fname, Value a, Value b, NumMix *m) {
    NumCat ca = num_cat(a), cb = num_cat(b);
    if (ca == NC_NONE) return err_type(p, fname, a, "number"), false;
    if (cb == NC_NONE) return err_type(p, fname, b, "number"), false;
    m->big = int_big(a) || int_big(b);
    m->kind = -1;
    if (ca == NC_FIXED || cb == NC_FIXED) {
        int ka = num_fixed_kind(a), kb = num_fixed_kind(b);
        int k = ka >= 0 ? ka : kb;
        /* The operand that is not of kind k must be a plain integer. */
        Value other = ka >= 0 ? b : a;
        NumCat co = ka >= 0 ? cb : ca;
        if (co != NC_INT && num_fixed_kind(other) != k)
            return err_type(p, fname, other, fx_info[k].name), false;
        m->cat = NC_FIXED;
        m->kind = k;
        return true;
    }
    if (ca == NC_F64 || cb == NC_F64)
        m->cat = NC_F64;
    else if (ca == NC_F32 || cb == NC_F32)
        m->cat = NC_F32;
    else if (ca == NC_RATIO || cb == NC_RATIO)
        m->cat = NC_RATIO;
    else
        m->cat = NC_INT;
    return true;
}

static Value int_arith(Proc *p, NumOp op, Value a, Value b, bool big) {
    switch (op) {
    case NUM_ADD: return int_addsub(p, a, b, false, big);
    case NUM_SUB: return int_addsub(p, a, b, true, big);
    case NUM_MUL: return int_mul(p, a, b, big);
    default: break;
    }
    if (int_is_zero(b)) return err_div0(p);
    Value q, r;
    switch (op) {
    case NUM_DIV:
        int_tdiv(p, a, b, big, &q, &r);
        return int_is_zero(r) ? q : rat_arith(p, NUM_DIV, a, b, big);
    case NUM_QUOT: int_tdiv(p, a, b, big, &q, NULL); return q;
    case NUM_REM: int_tdiv(p, a, b, big, NULL, &r); return r;
    default: return int_fmod(p, a, b, big);
    }
}

Value num_arith_mixed(Proc *p, NumOp op, const NumMix *m, Value a, Value b) {
    switch (m->cat) {
    case NC_FIXED:
        return fx_arith(p, op, m->kind, fx_bits_of_int(a, m->kind), fx_bits_of_int(b, m->kind));
    case NC_F64: {
        double x = num_to_double(a), y = num_to_double(b);
        if (op >= NUM_QUOT && y == 0) return err_div0(p);
        return mk_float(p, flo_arith(op, x, y));
    }
    case NC_F32: {
        float x = num_to_float(a), y = num_to_float(b);
        if (op >= NUM_QUOT && y == 0) return err_div0(p);
        return mk_f32(flo_arith32(op, x, y));
    }
    case NC_RATIO: return rat_arith(p, op, a, b, m->big);
    default: return int_arith(p, op, a, b, m->big);
    }
}

Value num_binop(Proc *p, NumOp op, const char *fname, Value a, Value b) {
    NumMix m;
    if (!num_mix(p, fname, a, b, &m)) return LV_EXC;
    return num_arith_mixed(p, op, &m, a, b);
}

/* ---- the public operations, fixnum fast paths first ------------------- */

static inline bool both_fix(Value a, Value b) { return (a & b & 1) != 0; }

Value num_add(Proc *p, Value a, Value b) {
    int64_t r;
    /* Tagged 2x+1 plus 2y: the sum is tagged 2(x+y)+1; int64 overflow is
     * exactly fixnum overflow. */
    if (LIKELY(both_fix(a, b)) && !__builtin_add_overflow((int64_t)a, (int64_t)b - 1, &r))
        return (Value)r;
    return num_binop(p, NUM_ADD, "+", a, b);
}

Value num_sub(Proc *p, Value a, Value b) {
    int64_t r;
    if (LIKELY(both_fix(a, b)) && !__builtin_sub_overflow((int64_t)a, (int64_t)b - 1, &r))
        return (Value)r;
    return num_binop(p, NUM_SUB, "-", a, b);
}

Value num_mul(Proc *p, Value a, Value b) {
    int64_t r;
    if (LIKELY(both_fix(a, b)) && !__builtin_mul_overflow(fix_val(a), fix_val(b), &r) &&
        fix_fits(r))
        return fix(r);
    return num_binop(p, NUM_MUL, "*", a, b);
}

Value num_div(Proc *p, Value a, Value b) {
    if (both_fix(a, b)) {
        int64_t x = fix_val(a), y = fix_val(b);
        if (y != 0 && x % y == 0) return num_from_i64(p, x / y);
    }
    return num_binop(p, NUM_DIV, "/", a, b);
}

Value num_quot(Proc *p, Value a, Value b) {
    if (both_fix(a, b) && b != fix(0)) return num_from_i64(p, fix_val(a) / fix_val(b));
    return num_binop(p, NUM_QUOT, "quot", a, b);
}

Value num_rem(Proc *p, Value a, Value b) {
    if (both_fix(a, b) && b != fix(0)) return fix(fix_val(a) % fix_val(b));
    return num_binop(p, NUM_REM, "rem", a, b);
}

Value num_mod(Proc *p, Value a, Value b) {
    if (both_fix(a, b) && b != fix(0)) {
        int64_t y = fix_val(b), r = fix_val(a) % y;
        if (r != 0 && (r < 0) != (y < 0)) r += y;
        return fix(r);
    }
    return num_binop(p, NUM_MOD, "mod", a, b);
}

Value num_neg(Proc *p, Value a) {
    switch (num_cat(a)) {
    case NC_INT: return int_neg(p, a, int_big(a));
    case NC_FIXED: {
        int k = num_fixed_kind(a);
        return fx_make(p, k, 0 - fx_bits(a, k));
    }
    case NC_RATIO: {
        Value r = mk_box(p, T_RATIO, 0, 2);
        box_payload(r)[0] = int_neg(p, ratio_num(a), false);
        box_payload(r)[1] = ratio_den(a);
        return r;
    }
    case NC_F64: return mk_float(p, -float_val(a));
    case NC_F32: return mk_f32(-f32_val(a));
    default: return err_type(p, "-", a, "number");
    }
}

/* ---- comparison, equality, hashing ------------------------------------ */

int num_cmp(Value a, Value b, bool *unordered) {
    *unordered = false;
    if (both_fix(a, b)) {
        int64_t x = (int64_t)a, y = (int64_t)b; /* tagging keeps the order */
        return (x > y) - (x < y);
    }
    NumCat ca = num_cat(a), cb = num_cat(b);
    if (num_is_float_cat(ca) || num_is_float_cat(cb)) {
        double x = num_to_double(a), y = num_to_double(b);
        if (isnan(x) || isnan(y)) {
            *unordered = true;
            return 0;
        }
        return (x > y) - (x < y);
    }
    if (ca == NC_RATIO || cb == NC_RATIO) return rat_cmp(a, b);
    IntView va, vb;
    iv_of(&va, a);
    iv_of(&vb, b);
    return iv_cmp(&va, &vb);
}

int num_sign(Value a, bool *nan) {
    *nan = false;
    switch (num_cat(a)) {
    case NC_INT: return int_sign(a);
    case NC_FIXED: {
        IntView v;
        iv_of(&v, a);
        return v.n == 0 ? 0 : v.neg ? -1 : 1;
    }
    case NC_RATIO: return int_sign(ratio_num(a));
    case NC_F32:
    case NC_F64: {
        double d = num_to_double(a);
        *nan = isnan(d);
        return (d > 0) - (d < 0);
    }
    default: return 0;
    }
}

static bool is_int_cat(NumCat c) { return c == NC_INT || c == NC_FIXED; }

bool num_equal(Value a, Value b) {
    if (both_fix(a, b)) return a == b;
    NumCat ca = num_cat(a), cb = num_cat(b);
    if (is_int_cat(ca) && is_int_cat(cb)) {
        IntView va, vb;
        iv_of(&va, a);
        iv_of(&vb, b);
        return iv_cmp(&va, &vb) == 0;
    }
    if (ca == NC_RATIO && cb == NC_RATIO)
        return int_cmp(ratio_num(a), ratio_num(b)) == 0 && int_cmp(ratio_den(a), ratio_den(b)) == 0;
    if (num_is_float_cat(ca) && num_is_float_cat(cb)) return num_to_double(a) == num_to_double(b);
    return false;
}

uint64_t num_hash(Value a) {
    if (is_fix(a)) return num_mix64((uint64_t)fix_val(a));
    NumCat c = num_cat(a);
    if (is_int_cat(c)) {
        IntView v;
        iv_of(&v, a);
        return iv_hash(&v);
    }
    if (c == NC_RATIO)
        return num_mix64(num_hash(ratio_num(a)) * UINT64_C(31) ^ num_hash(ratio_den(a)) ^
                         UINT64_C(0x3c6ef372fe94f82b));
    double d = num_to_double(a);
    if (d == 0) d = 0.0; /* -0.0 = 0.0 */
    if (isnan(d)) return UINT64_C(0x7ff8000000000000);
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    return num_mix64(bits ^ UINT64_C(0xa54ff53a5f1d36f1));
}
