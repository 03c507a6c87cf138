/*
 * vm_ops.c — instruction bodies kept out of the loop (see vm_ops.h).
 */
#include "vm/vm_ops.h"

#include "term/alloc.h"
#include "term/atoms.h"
#include "term/binary.h"
#include "term/coll.h"
#include "term/equal.h"
#include "term/num.h"
#include "vm/ns.h"

bool vmop_def(Proc *p, Value var, Value v, bool creating) {
    if (v == LV_NONE) return true;
    Var *x = as_var(var);
    if ((atomic_load(&x->flags) & VAR_PROCESS_BOUND) && !creating) {
        var_set_local(p, var, v);
        return true;
    }
    return var_define(p, var, v);
}

bool vmop_list_len_is(Value x, uint32_t n, bool at_least) {
    if (!is_list(x)) return false;
    uint32_t i = 0;
    for (; i < n; i++) {
        if (!is_cons(x)) return false;
        x = cdr(x);
    }
    return at_least || x == LV_EMPTY;
}

Value vmop_elem(Value x, uint32_t i) {
    if (is_tuple(x)) return tuple_elems(x)[i];
    if (is_vector(x)) return vec_nth(x, i);
    while (i--) x = cdr(x);
    return car(x);
}

Value vmop_rest(Proc *p, Value x, uint32_t i) {
    if (is_cons(x) || x == LV_EMPTY) {
        while (i--) x = cdr(x);
        return x;
    }
    size_t n = is_tuple(x) ? tuple_len(x) : vec_count(x);
    Value l = LV_EMPTY;
    for (size_t k = n; k > i; k--) l = mk_cons(p, vmop_elem(x, (uint32_t)(k - 1)), l);
    return l;
}

void vmop_set_rest(Value s, Value literals, Value *out, uint32_t n) {
    SeqIter it;
    seq_iter_init(&it, s);
    Value x;
    uint32_t k = 0;
    while (k < n && seq_iter_next(NULL, &it, &x)) {
        bool literal = false;
        for (uint64_t j = 0; j < tuple_len(literals); j++)
            if (lv_equal(tuple_elems(literals)[j], x)) literal = true;
        if (!literal) out[k++] = x;
    }
}

/* Read `bits` bits starting at bit offset `off` (MSB first). */
static uint64_t read_bits(const uint8_t *b, size_t off, unsigned bits) {
    uint64_t v = 0;
    for (unsigned i = 0; i < bits; i++) {
        size_t bit = off + i;
        v = (v << 1) | ((b[bit >> 3] >> (7 - (bit & 7))) & 1);
    }
    return v;
}

static uint64_t swap_bytes(uint64_t v, unsigned bits) {
    uint64_t r = 0;
    for (unsigned i = 0; i < bits / 8; i++) {
        r = (r << 8) | (v & 0xff);
        v >>= 8;
    }
    return r;
}

int vmop_binmatch(Proc *p, Value x, Value spec, Value *out) {
    if (!is_binary(x)) return 0;
    const uint8_t *b = binary_bytes(x);
    size_t total = binary_size(x) * 8, off = 0;
    uint32_t nout = 0;
    uint64_t nseg = tuple_len(spec);
    for (uint64_t s = 0; s < nseg; s++) {
        Value seg = tuple_elems(spec)[s];
        if (seg == K_(rest)) {
            if (off % 8) return 0;
            out[nout++] = mk_binary(p, b + off / 8, (total - off) / 8);
            off = total;
            break;
        }
        Value *f = tuple_elems(seg);
        unsigned bits = (unsigned)fix_val(f[1]);
        if (total - off < bits) return 0;
        Value result;
        if (bits <= 64) {
            uint64_t v = read_bits(b, off, bits);
            if (f[2] == K_(le) || (f[2] == K_(native) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__))
                v = swap_bytes(v, bits);
            if (f[3] == K_(signed_) && bits < 64 && (v >> (bits - 1)) & 1) v |= ~UINT64_C(0) << bits;
            result = f[3] == K_(signed_) ? num_from_i64(p, (int64_t)v) : num_from_u64(p, v);
        } else {
            /* Wide fields: big-endian unsigned via digits. */
            Value acc = fix(0);
            for (unsigned i = 0; i < bits; i += 8) {
                unsigned take = bits - i < 8 ? bits - i : 8;
                acc = num_add(p, num_mul(p, acc, fix(1 << take)), fix((int64_t)read_bits(b, off + i, take)));
            }
            result = acc;
        }
        off += bits;
        if (f[0] == K_(value)) out[nout++] = result; /* bind */
        else if (f[0] != S_(underscore) && !num_equal(f[0], result)) return 0;
    }
    return off == total ? 1 : 0;
}
