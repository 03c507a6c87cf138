/*
 * core_bin.c — binary intrinsics of lona.core (spec 7.8) and the argument
 * helpers of core_bin.h.
 *
 * Binaries are immutable: every operation builds a new value, and slices
 * of large binaries share their parent's off-heap bytes (term/binary.c).
 * Offsets and lengths are integers of any kind; a range outside the binary
 * is :out-of-bounds, a non-integer :type-error.
 */
#include "lib/core_bin.h"

#include "base/utf8.h"
#include "lib/intrinsic.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/binary.h"
#include "term/coll.h"
#include "term/num.h"
#include "term/string.h"
#include "vm/error.h"
#include "vm/runtime.h"

/* ---- helpers shared with core_str.c and core_bytebuf.c ----------------- */

ArgInt lib_arg_int(Value v, int64_t *out) {
    if (is_fix(v)) {
        *out = fix_val(v);
        return ARG_INT_OK;
    }
    if (!is_integer(v)) return ARG_NOT_INT;
    return num_to_i64(v, out) ? ARG_INT_OK : ARG_INT_HUGE;
}

bool lib_int_low64(Proc *p, Value v, uint64_t *bits, bool *in_u64) {
    int64_t n;
    if (is_fix(v)) {
        n = fix_val(v);
    } else if (is_small_fixed(v)) {
        uint32_t raw = (uint32_t)imm_payload(v);
        unsigned t = imm_tag(v);
        bool is_signed = t == IMM_I8 || t == IMM_I16 || t == IMM_I32;
        n = is_signed ? (int64_t)(int32_t)raw : (int64_t)raw;
    } else if (is_box_of(v, T_U64)) {
        *bits = box_ptr(v)[1];
        *in_u64 = true;
        return true;
    } else if (is_box_of(v, T_I64)) {
        n = (int64_t)box_ptr(v)[1];
    } else if (is_bignum(v)) {
        if (!num_to_i64(v, &n)) {
            /* Wrap into u64; the value fits exactly when wrapping kept it. */
            Value w = num_to_fixed(p, FX_U64, v);
            *bits = box_ptr(w)[1];
            *in_u64 = num_equal(v, w);
            return true;
        }
    } else {
        return false;
    }
    *bits = (uint64_t)n;
    *in_u64 = n >= 0;
    return true;
}

Value lib_raise_args(Proc *p, Value reason, const char *fname, const Value *args, uint32_t nargs) {
    Value t = mk_tuple(p, nargs);
    for (uint32_t i = 0; i < nargs; i++) tuple_elems(t)[i] = args[i];
    uint32_t idx = atoms_intern_text(&p->rt->atoms, fname, strlen(fname));
    Value kvs[4] = {K_(fn), idx == UINT32_MAX ? LV_NIL : mk_symbol(idx), K_(args), t};
    return err_raise(p, reason, map_from_kvs(p, kvs, 4));
}

Value lib_check_range(Proc *p, const char *fname, Value *args, uint32_t nargs, Value voff,
                      Value vlen, size_t size, size_t *off, size_t *len) {
    int64_t o, l = 1;
    ArgInt ko = lib_arg_int(voff, &o);
    if (ko == ARG_NOT_INT) return err_type(p, fname, voff, "integer offset");
    ArgInt kl = ARG_INT_OK;
    if (vlen != LV_NONE) {
        kl = lib_arg_int(vlen, &l);
        if (kl == ARG_NOT_INT) return err_type(p, fname, vlen, "integer length");
    }
    if (ko != ARG_INT_OK || kl != ARG_INT_OK || o < 0 || l < 0 || (uint64_t)o > size ||
        (uint64_t)l > size - (uint64_t)o)
        return lib_raise_oob(p, fname, args, nargs);
    *off = (size_t)o;
    *len = (size_t)l;
    return LV_NONE;
}

Value lib_mk_u64(Proc *p, uint64_t n) { return num_to_fixed(p, FX_U64, num_from_u64(p, n)); }

Value lib_mk_i64(Proc *p, int64_t n) { return num_to_fixed(p, FX_I64, num_from_i64(p, n)); }

/* ---- binary construction ---------------------------------------------- */

/* One element of (binary coll): an integer 0..255, else LV_EXC. */
static Value binary_elem(Proc *p, Value *args, Value x, uint8_t *out) {
    int64_t n;
    if (lib_arg_int(x, &n) != ARG_INT_OK || n < 0 || n > 255)
        return err_badarg(p, "binary", args, 1);
    *out = (uint8_t)n;
    return LV_NONE;
}

static Value core_binary(Proc *p, Value *args, uint32_t nargs) {
    Value c = args[0];
    size_t n;
    if (is_list(c)) {
        n = 0;
        for (Value l = c; is_cons(l); l = cdr(l)) n++;
    } else if (is_tuple(c)) {
        n = tuple_len(c);
    } else if (is_vector(c)) {
        n = vec_count(c);
    } else {
        return err_type(p, "binary", c, "list, tuple or vector of bytes");
    }
    lib_charge(p, n);
    Value r = mk_binary_uninit(p, n);
    uint8_t *dst = (uint8_t *)binary_bytes(r);
    Value l = c;
    for (size_t i = 0; i < n; i++) {
        Value x;
        if (is_list(c)) {
            x = car(l);
            l = cdr(l);
        } else {
            x = is_tuple(c) ? tuple_elems(c)[i] : vec_nth(c, i);
        }
        if (binary_elem(p, args, x, &dst[i]) == LV_EXC) return LV_EXC;
    }
    return r;
}

/* ---- access ------------------------------------------------------------ */

static Value core_binary_size(Proc *p, Value *args, uint32_t nargs) {
    if (!is_binary(args[0])) return err_type(p, "binary-size", args[0], "binary");
    return fix((int64_t)binary_size(args[0]));
}

static Value core_binary_ref(Proc *p, Value *args, uint32_t nargs) {
    Value b = args[0];
    if (!is_binary(b)) return err_type(p, "binary-ref", b, "binary");
    size_t off, len;
    if (lib_check_range(p, "binary-ref", args, 2, args[1], LV_NONE, binary_size(b), &off, &len) ==
        LV_EXC)
        return LV_EXC;
    return fix(binary_bytes(b)[off]);
}

static Value core_binary_slice(Proc *p, Value *args, uint32_t nargs) {
    Value b = args[0];
    if (!is_binary(b)) return err_type(p, "binary-slice", b, "binary");
    size_t off, len;
    if (lib_check_range(p, "binary-slice", args, 3, args[1], args[2], binary_size(b), &off, &len) ==
        LV_EXC)
        return LV_EXC;
    if (len <= BIN_HEAP_MAX) lib_charge(p, len);
    return binary_slice(p, b, off, len);
}

static Value core_binary_concat(Proc *p, Value *args, uint32_t nargs) {
    size_t total = 0;
    for (uint32_t i = 0; i < nargs; i++) {
        if (!is_binary(args[i])) return err_type(p, "binary-concat", args[i], "binary");
        total += binary_size(args[i]);
    }
    lib_charge(p, total);
    if (nargs == 0) return mk_binary(p, "", 0);
    Value r = binary_concat(p, args, nargs);
    if (r != LV_NONE) return r;
    return err_oom(p, "binary-concat", total);
}

/* ---- text encodings ---------------------------------------------------- */

typedef enum { ENC_UTF8, ENC_ASCII, ENC_LATIN1 } Encoding;

/* Encoding named by args[1] (default UTF-8), or LV_EXC. */
static Value encoding_arg(Proc *p, const char *fname, Value *args, uint32_t nargs, Encoding *enc) {
    *enc = ENC_UTF8;
    if (nargs < 2) return LV_NONE;
    Value e = args[1];
    if (e == K_(utf_8))
        *enc = ENC_UTF8;
    else if (e == K_(ascii))
        *enc = ENC_ASCII;
    else if (e == K_(latin1))
        *enc = ENC_LATIN1;
    else
        return err_badarg(p, fname, args, nargs);
    return LV_NONE;
}

/* [:error reason %{:index i}]: the byte or character index that failed. */
static Value raise_encoding(Proc *p, Value reason, size_t index) {
    Value kvs[2] = {K_(index), fix((int64_t)index)};
    return err_raise(p, reason, map_from_kvs(p, kvs, 2));
}

/* Index of the first byte >= 0x80 in s[0..n), or n. */
static size_t first_non_ascii(const uint8_t *s, size_t n) {
    size_t i = 0;
    while (i < n && s[i] < 0x80) i++;
    return i;
}

static Value core_binary_to_string(Proc *p, Value *args, uint32_t nargs) {
    Value b = args[0];
    if (!is_binary(b)) return err_type(p, "binary->string", b, "binary");
    Encoding enc;
    if (encoding_arg(p, "binary->string", args, nargs, &enc) == LV_EXC) return LV_EXC;
    const uint8_t *s = binary_bytes(b);
    size_t n = binary_size(b);
    lib_charge(p, n);
    size_t ascii = first_non_ascii(s, n);
    if (ascii == n) return mk_string_n(p, (const char *)s, n, n);
    if (enc == ENC_ASCII) return raise_encoding(p, K_(invalid_ascii), ascii);
    if (enc == ENC_UTF8) {
        Value r = str_from_utf8(p, (const char *)s, n);
        if (r != LV_NONE) return r;
        /* Report where decoding stopped. */
        size_t i = ascii;
        uint32_t cp;
        for (size_t k; (k = utf8_decode((const char *)s + i, n - i, &cp)) != 0;) i += k;
        return raise_encoding(p, K_(invalid_utf8), i);
    }
    /* Latin-1: every byte is the code point of the same value. */
    Buf out;
    buf_init(&out);
    buf_reserve(&out, n + (n - ascii));
    for (size_t i = 0; i < n; i++) {
        char tmp[4];
        buf_append(&out, tmp, utf8_encode(s[i], tmp));
    }
    Value r = mk_string_n(p, out.data, out.len, n);
    buf_free(&out);
    return r;
}

static Value core_string_to_binary(Proc *p, Value *args, uint32_t nargs) {
    Value s = args[0];
    if (!is_string(s)) return err_type(p, "string->binary", s, "string");
    Encoding enc;
    if (encoding_arg(p, "string->binary", args, nargs, &enc) == LV_EXC) return LV_EXC;
    size_t n = str_bytelen(s);
    lib_charge(p, n);
    if (enc == ENC_UTF8 || str_is_ascii(s)) return mk_binary(p, str_bytes(s), n);
    if (enc == ENC_ASCII)
        return raise_encoding(p, K_(invalid_ascii),
                              first_non_ascii((const uint8_t *)str_bytes(s), n));
    Value r = mk_binary_uninit(p, str_cplen(s));
    uint8_t *dst = (uint8_t *)binary_bytes(r);
    size_t off = 0;
    for (size_t i = 0; off < n; i++) {
        uint32_t cp;
        off = str_next_cp(s, off, &cp);
        if (cp > 0xFF) return raise_encoding(p, K_(invalid_latin1), i);
        dst[i] = (uint8_t)cp;
    }
    return r;
}

LONA_INTRINSICS(core_bin) = {
    {"lona.core", "binary", 1, 1, core_binary, "([coll])",
     "Binary from a list, tuple or vector of integers 0-255."},
    {"lona.core", "binary-size", 1, 1, core_binary_size, "([b])", "Byte count of a binary."},
    {"lona.core", "binary-ref", 2, 2, core_binary_ref, "([b i])",
     "Byte at offset i as a plain integer."},
    {"lona.core", "binary-slice", 3, 3, core_binary_slice, "([b offset length])",
     "Sub-binary of length bytes from offset."},
    {"lona.core", "binary-concat", 0, ARITY_VARIADIC, core_binary_concat, "([& bs])",
     "Concatenation of binaries."},
    {"lona.core", "binary->string", 1, 2, core_binary_to_string, "([b] [b enc])",
     "Decode a binary (:utf-8, :ascii or :latin1) into a string."},
    {"lona.core", "string->binary", 1, 2, core_string_to_binary, "([s] [s enc])",
     "Encode a string (:utf-8, :ascii or :latin1) into a binary."},
};
LONA_INTRINSICS_COUNT(core_bin);
