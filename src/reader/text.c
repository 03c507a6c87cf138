/*
 * text.c — character literals (spec/lonala.md 2.4) and string literals
 * (2.5), whose decoder #bytes"..." shares.
 *
 * A string is read in two passes: the first finds the closing quote
 * (stepping over escaped bytes), the second decodes escapes into a buffer
 * that is never longer than the source span. A string without escapes is
 * taken straight from the source. Every result is checked to be valid
 * UTF-8 before it becomes a string value.
 */
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "reader/rd_internal.h"
#include "term/alloc.h"
#include "term/atoms.h"

/* Four hex digits at s[0..4) (the caller checked they exist). */
static bool hex4(const char *s, uint32_t *out) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int c = (unsigned char)s[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return false;
        v = v * 16 + (uint32_t)d;
    }
    *out = v;
    return true;
}

static bool is_surrogate(uint32_t cp) { return cp >= 0xD800 && cp <= 0xDFFF; }

/* ---- characters ---- */

static const struct {
    const char *name;
    uint32_t cp;
} char_names[] = {
    {"newline", 0x0A}, {"space", 0x20},     {"tab", 0x09},
    {"return", 0x0D},  {"backspace", 0x08}, {"formfeed", 0x0C},
};

static bool char_is_space(const Reader *r, size_t i, uint32_t cp) {
    unsigned char c = (unsigned char)r->src[i];
    if (c < 0x80) return (rd_ascii_class[c] & RC_WS) && c != ',';
    return unicode_is_whitespace(cp);
}

Value rd_char(Reader *r) {
    uint32_t line = r->line, col = r->col;
    size_t start = r->pos + 1;
    if (start >= r->len) {
        rd_advance(r, 1);
        return rd_error_at(r, K_(unexpected_eof), line, col, "end of input after a backslash");
    }
    uint32_t cp;
    size_t k = utf8_decode(r->src + start, r->len - start, &cp);
    if (k == 0)
        return rd_error_at(r, K_(invalid_character), line, col, "invalid UTF-8 after a backslash");
    if (char_is_space(r, start, cp))
        return rd_error_at(r, K_(invalid_character), line, col, "backslash followed by whitespace");
    size_t end;
    if (!rd_scan_token(r, start + k, &end)) return LV_EXC;
    const char *t = r->src + start;
    size_t n = end - start;
    rd_advance(r, end - r->pos);
    if (n == k) return mk_char(cp);
    for (size_t i = 0; i < ARRAY_LEN(char_names); i++)
        if (strlen(char_names[i].name) == n && memcmp(char_names[i].name, t, n) == 0)
            return mk_char(char_names[i].cp);
    if (n == 5 && t[0] == 'u' && hex4(t + 1, &cp) && !is_surrogate(cp)) return mk_char(cp);
    char ex[64];
    rd_excerpt(t, n, ex);
    return rd_error_at(r, K_(invalid_character), line, col, "invalid character literal \\%s", ex);
}

/* ---- strings ---- */

static bool bad_escape(Reader *r, size_t at, const char *why) {
    uint32_t line, col;
    rd_pos_of(r, at, &line, &col);
    rd_error_at(r, K_(invalid_escape), line, col, "%s", why);
    return false;
}

/* Decode the escapes of s[from..to) into out; *olen gets the length. */
static bool decode_escapes(Reader *r, size_t from, size_t to, char *out, size_t *olen) {
    const char *s = r->src;
    size_t o = 0, j = from;
    while (j < to) {
        const char *bs = memchr(s + j, '\\', to - j);
        size_t run = bs ? (size_t)(bs - (s + j)) : to - j;
        memcpy(out + o, s + j, run);
        o += run;
        j += run;
        if (j >= to) break;
        /* s[j] is a backslash and, by the first pass, j + 1 < to. */
        char e = s[j + 1];
        switch (e) {
        case 'n': out[o++] = '\n'; j += 2; continue;
        case 't': out[o++] = '\t'; j += 2; continue;
        case 'r': out[o++] = '\r'; j += 2; continue;
        case '\\': out[o++] = '\\'; j += 2; continue;
        case '"': out[o++] = '"'; j += 2; continue;
        case 'u': break;
        default: return bad_escape(r, j, "unknown escape");
        }
        uint32_t cp, lo;
        if (j + 6 > to || !hex4(s + j + 2, &cp)) return bad_escape(r, j, "\\u needs four hex digits");
        size_t used = 6;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return bad_escape(r, j, "lone low surrogate");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (j + 12 > to || s[j + 6] != '\\' || s[j + 7] != 'u' || !hex4(s + j + 8, &lo) ||
                lo < 0xDC00 || lo > 0xDFFF)
                return bad_escape(r, j, "lone high surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            used = 12;
        }
        o += utf8_encode(cp, out + o);
        j += used;
    }
    *olen = o;
    return true;
}

bool rd_text_read(Reader *r, RdText *t) {
    t->owned = NULL;
    uint32_t line = r->line, col = r->col;
    const char *s = r->src;
    size_t i = r->pos + 1;
    bool esc = false;
    for (;;) {
        while (i < r->len && s[i] != '"' && s[i] != '\\') i++;
        if (i >= r->len) {
            rd_error_at(r, K_(unexpected_eof), line, col, "end of input inside a string");
            return false;
        }
        if (s[i] == '"') break;
        esc = true;
        i += 2;
    }
    size_t from = r->pos + 1, to = i;
    if (!esc) {
        t->bytes = s + from;
        t->len = to - from;
    } else {
        char *out = t->local;
        if (to - from > sizeof t->local) out = t->owned = xmalloc(to - from);
        if (!decode_escapes(r, from, to, out, &t->len)) {
            rd_text_free(t);
            return false;
        }
        t->bytes = out;
    }
    if (!utf8_validate(t->bytes, t->len, &t->cps)) {
        rd_text_free(t);
        rd_error_at(r, K_(invalid_token), line, col, "invalid UTF-8 in a string");
        return false;
    }
    rd_advance(r, to + 1 - r->pos);
    return true;
}

void rd_text_free(RdText *t) {
    free(t->owned);
    t->owned = NULL;
}

Value rd_string(Reader *r) {
    RdText t;
    if (!rd_text_read(r, &t)) return LV_EXC;
    Value v = mk_string_n(r->p, t.bytes, t.len, t.cps);
    rd_text_free(&t);
    return v;
}
