/*
 * string.c — string values: code-point indexing, slicing, concatenation
 * and the text `str` and the print functions build (see string.h).
 *
 * Invariant relied on throughout: the bytes of a T_STRING are valid UTF-8
 * and its code-point count is exact, so decoding here never fails and
 * ASCII strings (byte length == count) are indexed directly.
 */
#include "term/string.h"

#include "base/utf8.h"
#include "term/alloc.h"
#include "term/print.h"

size_t str_cp_offset(Value s, size_t i) {
    if (str_is_ascii(s)) return i;
    return utf8_offset(str_bytes(s), str_bytelen(s), i);
}

size_t str_next_cp(Value s, size_t off, uint32_t *cp) {
    const char *b = str_bytes(s);
    size_t len = str_bytelen(s);
    if ((unsigned char)b[off] < 0x80) {
        *cp = (unsigned char)b[off];
        return off + 1;
    }
    size_t n = utf8_decode(b + off, len - off, cp);
    LONA_ASSERT(n > 0);
    return off + n;
}

Value str_nth_char(Value s, size_t i) {
    uint32_t cp;
    str_next_cp(s, str_cp_offset(s, i), &cp);
    return mk_char(cp);
}

Value str_substring(Proc *p, Value s, size_t start, size_t end) {
    size_t from = str_cp_offset(s, start);
    size_t to;
    if (str_is_ascii(s))
        to = end;
    else /* continue from `from` rather than rescanning the prefix */
        to = from + utf8_offset(str_bytes(s) + from, str_bytelen(s) - from, end - start);
    return mk_string_n(p, str_bytes(s) + from, to - from, end - start);
}

Value str_concat(Proc *p, Value a, Value b) {
    size_t la = str_bytelen(a), lb = str_bytelen(b);
    if (lb == 0) return a;
    if (la == 0) return b;
    Buf buf;
    buf_init(&buf);
    buf_append(&buf, str_bytes(a), la);
    buf_append(&buf, str_bytes(b), lb);
    Value r = mk_string_n(p, buf.data, buf.len, str_cplen(a) + str_cplen(b));
    buf_free(&buf);
    return r;
}

bool str_equal(Value a, Value b) {
    return str_bytelen(a) == str_bytelen(b) &&
           memcmp(str_bytes(a), str_bytes(b), str_bytelen(a)) == 0;
}

Value str_from_utf8(Proc *p, const char *bytes, size_t len) {
    size_t cp;
    if (!utf8_validate(bytes, len, &cp)) return LV_NONE;
    return mk_string_n(p, bytes, len, cp);
}

Value str_from_bytes_lossy(Proc *p, const char *bytes, size_t len) {
    Value s = str_from_utf8(p, bytes, len);
    if (s != LV_NONE) return s;
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = utf8_decode(bytes + i, len - i, &cp);
        if (k == 0) {
            buf_append(&b, "\xEF\xBF\xBD", 3); /* U+FFFD */
            i++;
        } else {
            buf_append(&b, bytes + i, k);
            i += k;
        }
    }
    s = str_from_buf(p, &b);
    buf_free(&b);
    return s;
}

Value str_from_buf(Proc *p, const Buf *b) { return mk_string(p, b->len ? b->data : "", b->len); }

/* Display form, with strings and characters (the common arguments of str
 * and println) written directly. */
static bool append_display(Runtime *rt, Buf *out, Value v, size_t max) {
    if (is_string(v)) {
        buf_append(out, str_bytes(v), str_bytelen(v));
    } else if (is_char(v)) {
        char tmp[4];
        buf_append(out, tmp, utf8_encode(char_val(v), tmp));
    } else {
        return pr_display_max(rt, out, v, max);
    }
    return out->len <= max;
}

bool str_append_display(Runtime *rt, Buf *out, Value v, size_t max) {
    return v == LV_NIL ? out->len <= max : append_display(rt, out, v, max);
}

bool str_append_joined(Runtime *rt, Buf *out, const Value *xs, size_t n, bool readable,
                       size_t max) {
    for (size_t i = 0; i < n; i++) {
        if (i) buf_putc(out, ' ');
        bool fits = readable ? pr_value_max(rt, out, xs[i], max) : append_display(rt, out, xs[i], max);
        if (!fits) return false;
    }
    return out->len <= max;
}
