/*
 * binlit.c — binary literals (spec/lonala.md 2.8).
 *
 * #bytes[e ...]  all byte literals (plain integers or u8, 0..255) -> a binary;
 *                otherwise (lona.core/bytes e ...) for patterns/constructors,
 *                where every element must be a byte literal, a symbol or a
 *                list (an expression); anything else is :invalid-bytes.
 * #bytes"..."    UTF-8 of the string; /utf8, /ascii, /latin1 choose the
 *                encoding, a character it cannot hold is :invalid-bytes.
 * #bits[seg ...] (lona.core/bits [VALUE BITS ENDIAN SIGNEDNESS] ...), each
 *                segment one token VALUE[:SIZE][/MOD...], or `& NAME` last.
 *                Segments are lexed here, not by the general parser, since
 *                ':' and '/' have their own meaning inside them.
 */
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "reader/rd_internal.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/binary.h"
#include "term/num.h"

/* ---- #bytes[...] ---- */

/* Byte value of an integer literal, or -1 when it is not one in 0..255 of
 * an allowed kind (plain or u8). -2 when x is no integer at all. */
static int byte_value(Value x) {
    if (!is_integer(x)) return -2;
    int k = num_fixed_kind(x);
    if (k >= 0 && k != FX_U8) return -1;
    int64_t n;
    if (!num_to_i64(x, &n) || n < 0 || n > 255) return -1;
    return (int)n;
}

Value rd_bytes_form(Reader *r, const Value *xs, size_t n, uint32_t line, uint32_t col) {
    bool literal = true;
    for (size_t i = 0; i < n; i++) {
        int b = byte_value(xs[i]);
        if (b >= 0) continue;
        if (b == -2 && (is_symbol(xs[i]) || is_cons(xs[i]))) {
            literal = false;
            continue;
        }
        return rd_error_at(r, K_(invalid_bytes), line, col,
                           "#bytes element %zu is not a byte (0..255), a symbol or an expression",
                           i + 1);
    }
    Proc *p = r->p;
    if (!literal) {
        return rd_cons_pos(p, S_(core_bytes), mk_list_from(p, xs, n), line, col);
    }
    Value bin = mk_binary_uninit(p, n);
    uint8_t *bytes = (uint8_t *)binary_bytes(bin);
    for (size_t i = 0; i < n; i++) bytes[i] = (uint8_t)byte_value(xs[i]);
    return bin;
}

/* ---- #bytes"..." ---- */

Value rd_bytes_text(Reader *r, const char *enc, size_t enc_len, uint32_t line, uint32_t col) {
    int limit; /* highest code point the encoding holds */
    if (enc_len == 4 && memcmp(enc, "utf8", 4) == 0)
        limit = 0x10FFFF;
    else if (enc_len == 5 && memcmp(enc, "ascii", 5) == 0)
        limit = 0x7F;
    else if (enc_len == 6 && memcmp(enc, "latin1", 6) == 0)
        limit = 0xFF;
    else
        return rd_error_at(r, K_(invalid_bytes), line, col,
                           "unknown #bytes encoding (utf8, ascii or latin1)");
    RdText t;
    if (!rd_text_read(r, &t)) return LV_EXC;
    Value bin;
    if (limit == 0x10FFFF) {
        bin = mk_binary(r->p, t.bytes, t.len);
    } else {
        bin = mk_binary_uninit(r->p, t.cps);
        uint8_t *out = (uint8_t *)binary_bytes(bin);
        size_t i = 0, o = 0;
        while (i < t.len) {
            uint32_t cp;
            size_t k = utf8_decode(t.bytes + i, t.len - i, &cp);
            if (k == 0 || cp > (uint32_t)limit) {
                rd_text_free(&t);
                return rd_error_at(r, K_(invalid_bytes), line, col,
                                   "character U+%04X not representable in %s", cp,
                                   limit == 0x7F ? "ascii" : "latin1");
            }
            out[o++] = (uint8_t)cp;
            i += k;
        }
    }
    rd_text_free(&t);
    return bin;
}

/* ---- #bits[...] ---- */

typedef struct BitsCtx {
    Reader *r;
    uint32_t line, col;   /* of the #bits literal */
    Value *segs;
    size_t n, cap;
    Value segs_local[16];
} BitsCtx;

static void bits_push(BitsCtx *b, Value v) {
    if (b->n == b->cap) {
        size_t ncap = b->cap * 2;
        Value *nv = b->segs == b->segs_local ? xmalloc(ncap * sizeof *nv)
                                              : xrealloc(b->segs, ncap * sizeof *nv);
        if (b->segs == b->segs_local) memcpy(nv, b->segs, b->n * sizeof *nv);
        b->segs = nv;
        b->cap = ncap;
    }
    b->segs[b->n++] = v;
}

static Value bits_error(BitsCtx *b, uint32_t line, uint32_t col, const char *why, const char *s,
                        size_t n) {
    char ex[64];
    rd_excerpt(s, n, ex);
    return rd_error_at(b->r, K_(invalid_bits), line, col, "#bits segment %s: %s", ex, why);
}

static bool span_is(const char *s, size_t n, const char *lit) {
    return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* A simple (unqualified) symbol that is not nil/true/false? */
static bool is_simple_symbol(const char *s, size_t n) {
    unsigned char c0 = (unsigned char)s[0];
    if (rd_is_digit(c0) || c0 == '\'' || c0 == '#') return false;
    if ((c0 == '+' || c0 == '-') && n > 1 && rd_is_digit(s[1])) return false;
    if (span_is(s, n, "nil") || span_is(s, n, "true") || span_is(s, n, "false")) return false;
    return rd_valid_name(s, n);
}

/* VALUE of a segment: integer literal, `_` or a simple symbol. */
static Value seg_value(BitsCtx *b, const char *s, size_t n, uint32_t line, uint32_t col) {
    Reader *r = b->r;
    unsigned char c0 = (unsigned char)s[0];
    if (rd_is_digit(c0) || ((c0 == '+' || c0 == '-') && n > 1 && rd_is_digit(s[1]))) {
        Value v = rd_number(r, s, n, line, col);
        if (v == LV_EXC) return v;
        if (!is_integer(v)) return bits_error(b, line, col, "value must be an integer", s, n);
        return v;
    }
    if (!is_simple_symbol(s, n))
        return bits_error(b, line, col, "value must be a symbol, _ or an integer", s, n);
    return rd_symbol(r, s, n, line, col);
}

enum { END_NONE, END_BE, END_LE };
enum { SIGN_NONE, SIGN_UNSIGNED, SIGN_SIGNED };

static int native_order(void) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return END_BE;
#else
    return END_LE;
#endif
}

/* One segment token s[0..n) -> [VALUE BITS ENDIAN SIGNEDNESS]. */
static Value bits_segment(BitsCtx *b, const char *s, size_t n, uint32_t line, uint32_t col) {
    size_t v_end = 0;
    while (v_end < n && s[v_end] != ':' && s[v_end] != '/') v_end++;
    if (v_end == 0) return bits_error(b, line, col, "missing value", s, n);
    Value value = seg_value(b, s, v_end, line, col);
    if (value == LV_EXC) return value;
    size_t i = v_end;
    uint64_t size = 8;
    if (i < n && s[i] == ':') {
        size_t d = ++i;
        size = 0;
        while (i < n && rd_is_digit(s[i])) {
            if (size <= UINT32_MAX) size = size * 10 + (uint64_t)(s[i] - '0');
            i++;
        }
        if (i == d || size == 0 || size > UINT32_MAX)
            return bits_error(b, line, col, "size must be a positive decimal integer", s, n);
    }
    int endian = END_NONE, sign = SIGN_NONE;
    bool bytes = false, endian_native = false;
    while (i < n) {
        if (s[i] != '/') return bits_error(b, line, col, "malformed segment", s, n);
        size_t m = ++i;
        while (i < n && s[i] != '/') i++;
        const char *mod = s + m;
        size_t ml = i - m;
        int e = END_NONE, sg = SIGN_NONE;
        bool nat = false;
        if (span_is(mod, ml, "be"))
            e = END_BE;
        else if (span_is(mod, ml, "le"))
            e = END_LE;
        else if (span_is(mod, ml, "native"))
            e = native_order(), nat = true;
        else if (span_is(mod, ml, "unsigned"))
            sg = SIGN_UNSIGNED;
        else if (span_is(mod, ml, "signed"))
            sg = SIGN_SIGNED;
        else if (span_is(mod, ml, "bytes"))
            bytes = true;
        else
            return bits_error(b, line, col, "unknown modifier", s, n);
        if (e != END_NONE) {
            if (endian != END_NONE && (endian != e || endian_native != nat))
                return bits_error(b, line, col, "contradictory byte orders", s, n);
            endian = e;
            endian_native = nat;
        }
        if (sg != SIGN_NONE) {
            if (sign != SIGN_NONE && sign != sg)
                return bits_error(b, line, col, "contradictory signedness", s, n);
            sign = sg;
        }
    }
    uint64_t bits = bytes ? size * 8 : size;
    if (endian == END_LE || endian_native) {
        if (bits % 8) return bits_error(b, line, col, "le/native need a multiple of 8 bits", s, n);
    }
    Value t = mk_tuple(b->r->p, 4);
    tuple_elems(t)[0] = value;
    tuple_elems(t)[1] = fix((int64_t)bits);
    tuple_elems(t)[2] = endian == END_LE ? K_(le) : K_(be);
    tuple_elems(t)[3] = sign == SIGN_SIGNED ? K_(signed_) : K_(unsigned_);
    return t;
}

/* Skip whitespace; false (error raised) at end of input. */
static bool bits_skip(BitsCtx *b) {
    rd_skip_ws(b->r);
    if (!rd_at_end(b->r)) return true;
    rd_error_at(b->r, K_(unexpected_eof), b->line, b->col, "end of input inside #bits[");
    return false;
}

/* Next token at r->pos as s/n with its position; false on error. */
static bool bits_token(BitsCtx *b, const char **s, size_t *n, uint32_t *line, uint32_t *col) {
    Reader *r = b->r;
    *line = r->line;
    *col = r->col;
    int c = rd_peek(r);
    size_t end;
    if (c < 0x80 && (rd_ascii_class[c] & RC_DELIM)) {
        rd_error(r, K_(invalid_bits), "#bits segments are tokens like v:16/le");
        return false;
    }
    if (!rd_scan_token(r, r->pos, &end)) return false;
    *s = r->src + r->pos;
    *n = end - r->pos;
    rd_advance(r, *n);
    return true;
}

/* `& NAME ]` ending the segment list. */
static bool bits_rest(BitsCtx *b) {
    const char *s;
    size_t n;
    uint32_t line, col;
    if (!bits_skip(b)) return false;
    if (rd_peek(b->r) == ']') {
        rd_error(b->r, K_(invalid_bits), "`&` must be followed by a name");
        return false;
    }
    if (!bits_token(b, &s, &n, &line, &col)) return false;
    if (!is_simple_symbol(s, n)) {
        bits_error(b, line, col, "rest must be a simple symbol", s, n);
        return false;
    }
    Value name = rd_symbol(b->r, s, n, line, col);
    if (name == LV_EXC) return false;
    if (!bits_skip(b)) return false;
    if (rd_peek(b->r) != ']') {
        rd_error(b->r, K_(invalid_bits), "`& NAME` must be the last segment");
        return false;
    }
    rd_bump(b->r);
    bits_push(b, S_(amp));
    bits_push(b, name);
    return true;
}

static Value bits_parse(BitsCtx *b) {
    for (;;) {
        if (!bits_skip(b)) return LV_EXC;
        if (rd_peek(b->r) == ']') {
            rd_bump(b->r);
            break;
        }
        const char *s;
        size_t n;
        uint32_t line, col;
        if (!bits_token(b, &s, &n, &line, &col)) return LV_EXC;
        if (n == 1 && s[0] == '&') {
            if (!bits_rest(b)) return LV_EXC;
            break;
        }
        Value seg = bits_segment(b, s, n, line, col);
        if (seg == LV_EXC) return seg;
        bits_push(b, seg);
    }
    Proc *p = b->r->p;
    return rd_cons_pos(p, S_(core_bits), mk_list_from(p, b->segs, b->n), b->line, b->col);
}

Value rd_bits(Reader *r, uint32_t line, uint32_t col) {
    BitsCtx b = {.r = r, .line = line, .col = col, .n = 0, .cap = ARRAY_LEN(b.segs_local)};
    b.segs = b.segs_local;
    Value v = bits_parse(&b);
    if (b.segs != b.segs_local) free(b.segs);
    return v;
}
