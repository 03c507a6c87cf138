/*
 * core_str.c — string, symbol and keyword intrinsics of lona.core (spec
 * 7.6), `format` and the console printing functions (spec 8.2, 7.10).
 *
 * Text is built in a C Buf and turned into one string at the end, so an
 * intrinsic allocates its result once. Everything printed to standard
 * output goes through console_write (base/console.h).
 */
#include <gmp.h>

#include "base/console.h"
#include "base/utf8.h"
#include "lib/core_bin.h"
#include "lib/core_coll.h"
#include "lib/intrinsic.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/num.h"
#include "term/print.h"
#include "term/string.h"
#include "vm/error.h"
#include "vm/runtime.h"

/* Bytes of text one call may build: as much as the heap may hold (see
 * core_heap_room), where the text ends up as a string (print builds it in
 * memory first too). Without this bound, printing a small value with
 * shared parts could take all memory. */
static size_t text_room(Proc *p) {
    size_t words = core_heap_room(p);
    return words > SIZE_MAX / sizeof(Value) ? SIZE_MAX : words * sizeof(Value);
}

/* ---- str and subs ------------------------------------------------------- */

static Value core_str(Proc *p, Value *args, uint32_t nargs) {
    if (nargs == 1 && is_string(args[0])) return args[0];
    size_t room = text_room(p);
    Buf b;
    buf_init(&b);
    for (uint32_t i = 0; i < nargs; i++) {
        if (!str_append_display(p->rt, &b, args[i], room)) {
            buf_free(&b);
            return core_oom(p);
        }
    }
    lib_charge(p, b.len + nargs);
    Value r = str_from_buf(p, &b);
    buf_free(&b);
    return r;
}

/* A code-point index argument of subs: LV_NONE when fine, else LV_EXC. */
static Value subs_index(Proc *p, Value *args, uint32_t nargs, Value v, size_t count, size_t *out) {
    int64_t n;
    ArgInt k = lib_arg_int(v, &n);
    if (k == ARG_NOT_INT) return err_type(p, "subs", v, "integer");
    if (k != ARG_INT_OK || n < 0 || (uint64_t)n > count)
        return lib_raise_args(p, K_(index_out_of_bounds), "subs", args, nargs);
    *out = (size_t)n;
    return LV_NONE;
}

static Value core_subs(Proc *p, Value *args, uint32_t nargs) {
    Value s = args[0];
    if (!is_string(s)) return err_type(p, "subs", s, "string");
    size_t count = str_cplen(s), start, end = count;
    if (subs_index(p, args, nargs, args[1], count, &start) == LV_EXC) return LV_EXC;
    if (nargs > 2 && subs_index(p, args, nargs, args[2], count, &end) == LV_EXC) return LV_EXC;
    if (start > end) return lib_raise_args(p, K_(index_out_of_bounds), "subs", args, nargs);
    lib_charge(p, str_is_ascii(s) ? end - start : str_cp_offset(s, end));
    return str_substring(p, s, start, end);
}

/* ---- symbols and keywords ----------------------------------------------- */

static const AtomEntry *atom_entry(Proc *p, Value symkw) {
    return atoms_get(&p->rt->atoms, atom_index(is_keyword(symkw) ? symkw : sym_strip(symkw)));
}

/* Text of a name argument: a string, or the name part of a symbol/keyword. */
static bool name_text(Proc *p, Value v, const char **s, size_t *len) {
    if (is_string(v)) {
        *s = str_bytes(v);
        *len = str_bytelen(v);
        return true;
    }
    if (is_symbol(v) || is_keyword(v)) {
        const AtomEntry *e = atom_entry(p, v);
        *s = e->name;
        *len = e->name_len;
        return true;
    }
    return false;
}

/* (symbol ...) and (keyword ...): the atom index, or LV_EXC. */
static Value make_atom(Proc *p, Value *args, uint32_t nargs, const char *fname, uint32_t *idx) {
    AtomTable *t = &p->rt->atoms;
    if (nargs == 1) {
        Value x = args[0];
        if (is_symbol(x) || is_keyword(x)) {
            *idx = atom_index(is_keyword(x) ? x : sym_strip(x));
            return LV_NONE;
        }
        if (!is_string(x)) return err_type(p, fname, x, "string, symbol or keyword");
        *idx = atoms_intern_text(t, str_bytes(x), str_bytelen(x));
    } else {
        Value ns = args[0];
        if (ns != LV_NIL && !is_string(ns)) return err_type(p, fname, ns, "string or nil");
        const char *name;
        size_t name_len;
        if (!name_text(p, args[1], &name, &name_len))
            return err_type(p, fname, args[1], "string, symbol or keyword");
        if (ns == LV_NIL)
            *idx = atoms_intern(t, NULL, 0, name, name_len);
        else
            *idx = atoms_intern(t, str_bytes(ns), str_bytelen(ns), name, name_len);
    }
    if (*idx == UINT32_MAX) return err_oomf(p, "%s: the atom table is full", fname);
    return LV_NONE;
}

static Value core_symbol(Proc *p, Value *args, uint32_t nargs) {
    if (nargs == 1 && is_symbol(args[0])) return args[0];
    uint32_t idx;
    if (make_atom(p, args, nargs, "symbol", &idx) == LV_EXC) return LV_EXC;
    return mk_symbol(idx);
}

static Value core_keyword(Proc *p, Value *args, uint32_t nargs) {
    uint32_t idx;
    if (make_atom(p, args, nargs, "keyword", &idx) == LV_EXC) return LV_EXC;
    return mk_keyword(idx);
}

static Value core_name(Proc *p, Value *args, uint32_t nargs) {
    Value x = args[0];
    if (is_string(x)) return x;
    if (!is_symbol(x) && !is_keyword(x)) return err_type(p, "name", x, "symbol, keyword or string");
    const AtomEntry *e = atom_entry(p, x);
    return mk_string(p, e->name, e->name_len);
}

static Value core_namespace(Proc *p, Value *args, uint32_t nargs) {
    Value x = args[0];
    if (!is_symbol(x) && !is_keyword(x)) return err_type(p, "namespace", x, "symbol or keyword");
    const AtomEntry *e = atom_entry(p, x);
    return e->ns ? mk_string(p, e->ns, e->ns_len) : LV_NIL;
}

/* ---- format ------------------------------------------------------------- */

/* Width in bits of a fixed-width integer, 0 for a plain one. */
static unsigned fixed_width_bits(Value v) {
    if (is_small_fixed(v)) {
        switch (imm_tag(v)) {
        case IMM_U8: case IMM_I8: return 8;
        case IMM_U16: case IMM_I16: return 16;
        default: return 32;
        }
    }
    return is_box_of(v, T_U64) || is_box_of(v, T_I64) ? 64 : 0;
}

static void append_radix(Buf *out, uint64_t mag, unsigned radix, bool upper) {
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[64];
    size_t n = 0;
    do {
        tmp[n++] = digits[mag % radix];
        mag /= radix;
    } while (mag);
    while (n) buf_putc(out, tmp[--n]);
}

/* A plain integer beyond 64 bits in radix 2 or 16, by way of its decimal
 * printed form (the bignum layout belongs to the numbers module). */
static void append_big_radix(Buf *out, Value v, unsigned radix, bool upper) {
    Buf dec;
    buf_init(&dec);
    num_print(&dec, v, false);
    if (dec.len && dec.data[dec.len - 1] == 'N') dec.data[--dec.len] = 0;
    mpz_t z;
    mpz_init_set_str(z, dec.data, 10);
    buf_free(&dec);
    char *s = mpz_get_str(NULL, upper ? -(int)radix : (int)radix, z);
    buf_puts(out, s);
    void (*gmp_free)(void *, size_t);
    mp_get_memory_functions(NULL, NULL, &gmp_free);
    gmp_free(s, strlen(s) + 1);
    mpz_clear(z);
}

/* %d %x %X %b: false when v is not an integer. Fixed-width values print
 * their bits in their own width (so -1i8 is "ff" in hex); plain integers
 * print sign and magnitude. */
static bool format_integer(Proc *p, Buf *out, Value v, unsigned radix, bool upper) {
    if (!is_integer(v)) return false;
    if (radix == 10) {
        num_print(out, v, false);
        return true;
    }
    unsigned width = fixed_width_bits(v);
    uint64_t bits;
    bool in_u64;
    if (width) {
        lib_int_low64(p, v, &bits, &in_u64);
        if (width < 64) bits &= (UINT64_C(1) << width) - 1;
        append_radix(out, bits, radix, upper);
        return true;
    }
    int64_t n;
    if (!num_to_i64(v, &n)) {
        append_big_radix(out, v, radix, upper);
        return true;
    }
    if (n < 0) buf_putc(out, '-');
    append_radix(out, n < 0 ? -(uint64_t)n : (uint64_t)n, radix, upper);
    return true;
}

/* One directive applied to arg; false when they do not fit together.
 * Printing stops early past max bytes (the caller checks out->len). */
static bool format_directive(Proc *p, Buf *out, char d, Value arg, size_t max) {
    switch (d) {
    case 's': str_append_joined(p->rt, out, &arg, 1, false, max); return true;
    case 'p': str_append_joined(p->rt, out, &arg, 1, true, max); return true;
    case 'd': return format_integer(p, out, arg, 10, false);
    case 'x': return format_integer(p, out, arg, 16, false);
    case 'X': return format_integer(p, out, arg, 16, true);
    case 'b': return format_integer(p, out, arg, 2, false);
    default: return false;
    }
}

static Value core_format(Proc *p, Value *args, uint32_t nargs) {
    Value fmt = args[0];
    if (!is_string(fmt)) return err_type(p, "format", fmt, "string");
    const char *s = str_bytes(fmt);
    size_t len = str_bytelen(fmt);
    uint32_t next = 1;
    size_t room = text_room(p);
    Buf out;
    buf_init(&out);
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '%') {
            buf_putc(&out, s[i]);
            continue;
        }
        char d = ++i < len ? s[i] : 0;
        if (d == '%') {
            buf_putc(&out, '%');
            continue;
        }
        if (next >= nargs || !format_directive(p, &out, d, args[next++], room)) goto badarg;
        if (out.len > room) {
            buf_free(&out);
            return core_oom(p);
        }
    }
    if (next != nargs) goto badarg;
    lib_charge(p, out.len + len);
    Value r = str_from_buf(p, &out);
    buf_free(&out);
    return r;
badarg:
    buf_free(&out);
    return err_badarg(p, "format", args, nargs);
}

/* ---- printing ----------------------------------------------------------- */

/* Write the forms of args joined by spaces (plus a newline) to the
 * console's standard output, or its standard error (reports). */
static Value write_joined(Proc *p, Value *args, uint32_t nargs, bool readable, bool newline, bool to_err) {
    Buf b;
    buf_init(&b);
    if (!str_append_joined(p->rt, &b, args, nargs, readable, text_room(p))) {
        buf_free(&b);
        return core_oom(p);
    }
    if (newline) buf_putc(&b, '\n');
    lib_charge(p, b.len);
    if (to_err)
        console_write_err(&p->rt->console, b.data, b.len);
    else
        console_write(&p->rt->console, b.data, b.len);
    buf_free(&b);
    return LV_NIL;
}

static Value print_joined(Proc *p, Value *args, uint32_t nargs, bool readable, bool newline) {
    return write_joined(p, args, nargs, readable, newline, false);
}

/* (%println-err & xs): println to standard error, as crash reports are. */
static Value core_println_err(Proc *p, Value *args, uint32_t nargs) {
    return write_joined(p, args, nargs, false, true, true);
}

static Value core_print(Proc *p, Value *args, uint32_t nargs) {
    return print_joined(p, args, nargs, false, false);
}

static Value core_println(Proc *p, Value *args, uint32_t nargs) {
    return print_joined(p, args, nargs, false, true);
}

static Value core_prn(Proc *p, Value *args, uint32_t nargs) {
    return print_joined(p, args, nargs, true, true);
}

static Value core_kprint(Proc *p, Value *args, uint32_t nargs) {
    return print_joined(p, args, 1, false, false);
}

static Value core_pr_str(Proc *p, Value *args, uint32_t nargs) {
    Buf b;
    buf_init(&b);
    if (!str_append_joined(p->rt, &b, args, nargs, true, text_room(p))) {
        buf_free(&b);
        return core_oom(p);
    }
    lib_charge(p, b.len);
    Value r = str_from_buf(p, &b);
    buf_free(&b);
    return r;
}

LONA_INTRINSICS(core_str) = {
    {"lona.core", "str", 0, ARITY_VARIADIC, core_str, "([& xs])",
     "Concatenation of the display forms of the arguments; nil adds nothing."},
    {"lona.core", "subs", 2, 3, core_subs, "([s start] [s start end])",
     "Code points start (inclusive) to end (exclusive) of s."},
    {"lona.core", "symbol", 1, 2, core_symbol, "([name] [ns name])", "Symbol of that name."},
    {"lona.core", "keyword", 1, 2, core_keyword, "([name] [ns name])", "Keyword of that name."},
    {"lona.core", "name", 1, 1, core_name, "([x])",
     "Name part of a symbol or keyword; a string is returned as is."},
    {"lona.core", "namespace", 1, 1, core_namespace, "([x])",
     "Namespace part of a symbol or keyword, or nil."},
    {"lona.core", "format", 1, ARITY_VARIADIC, core_format, "([fmt & args])",
     "Format with %s %p %d %x %X %b %%."},
    {"lona.core", "%println-err", 0, ARITY_VARIADIC, core_println_err, "([& xs])", NULL},
    {"lona.core", "print", 0, ARITY_VARIADIC, core_print, "([& xs])",
     "Write display forms separated by spaces."},
    {"lona.core", "println", 0, ARITY_VARIADIC, core_println, "([& xs])",
     "Write display forms separated by spaces, then a newline."},
    {"lona.core", "prn", 0, ARITY_VARIADIC, core_prn, "([& xs])",
     "Write printed forms separated by spaces, then a newline."},
    {"lona.core", "pr-str", 0, ARITY_VARIADIC, core_pr_str, "([& xs])",
     "Printed forms separated by spaces, as a string."},
    {"lona.core", "kprint", 1, 1, core_kprint, "([x])", "Write the display form of x."},
};
LONA_INTRINSICS_COUNT(core_str);
