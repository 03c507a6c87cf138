/*
 * lexer.c — the reader's view of the source text: positions, character
 * classes, whitespace and comments, token boundaries, and error values
 * (spec/lonala.md 2.1, 2.2, 2.10).
 *
 * Invariants: r->pos never passes r->len; r->line/r->col describe r->pos
 * (1-based, the column counts code points). Every byte sequence is either
 * decoded with utf8_decode or known to be ASCII before it is classified, so
 * no input can make the lexer read out of bounds.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/utf8.h"
#include "reader/rd_internal.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/coll.h"
#include "vm/error.h"

#define WSD (RC_WS | RC_DELIM)

/* Spec 2.2: delimiters are whitespace , ( ) [ ] { } " ; ` ~ ^ \ ; spec 2.6:
 * symbol constituents are letters, digits and * + ! - _ ' ? < > = . $ & % #
 * plus '/'. Everything else in ASCII may sit in a token but makes it
 * invalid as a symbol. */
const uint8_t rd_ascii_class[128] = {
    ['\t'] = WSD, ['\n'] = WSD, ['\v'] = WSD, ['\f'] = WSD, ['\r'] = WSD,
    [' '] = WSD,  [','] = WSD,
    ['('] = RC_DELIM, [')'] = RC_DELIM, ['['] = RC_DELIM, [']'] = RC_DELIM,
    ['{'] = RC_DELIM, ['}'] = RC_DELIM, ['"'] = RC_DELIM, [';'] = RC_DELIM,
    ['`'] = RC_DELIM, ['~'] = RC_DELIM, ['^'] = RC_DELIM, ['\\'] = RC_DELIM,
    ['a' ... 'z'] = RC_SYM, ['A' ... 'Z'] = RC_SYM,
    ['0' ... '9'] = RC_SYM | RC_DIGIT,
    ['*'] = RC_SYM, ['+'] = RC_SYM, ['!'] = RC_SYM, ['-'] = RC_SYM, ['_'] = RC_SYM,
    ['\''] = RC_SYM, ['?'] = RC_SYM, ['<'] = RC_SYM, ['>'] = RC_SYM, ['='] = RC_SYM,
    ['.'] = RC_SYM, ['$'] = RC_SYM, ['&'] = RC_SYM, ['%'] = RC_SYM, ['#'] = RC_SYM,
    ['/'] = RC_SYM,
};

void reader_init(Reader *r, Proc *p, const char *src, size_t len, const char *file) {
    memset(r, 0, sizeof *r);
    r->p = p;
    r->src = src;
    r->len = src ? len : 0;
    r->file = file;
    r->line = 1;
    r->col = 1;
    r->gensyms = LV_NIL;
}

void reader_skip_shebang(Reader *r) {
    if (r->pos != 0 || r->len < 2 || r->src[0] != '#' || r->src[1] != '!') return;
    const char *nl = memchr(r->src, '\n', r->len);
    rd_advance(r, nl ? (size_t)(nl - r->src) : r->len);
}

void rd_pos_of(const Reader *r, size_t off, uint32_t *line, uint32_t *col) {
    uint32_t l = r->line, c = r->col;
    for (size_t i = r->pos; i < off && i < r->len; i++) {
        unsigned char b = (unsigned char)r->src[i];
        if (b == '\n') {
            l++;
            c = 1;
        } else if ((b & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

void rd_advance(Reader *r, size_t n) {
    size_t end = r->pos + n;
    if (end > r->len) end = r->len;
    rd_pos_of(r, end, &r->line, &r->col);
    r->pos = end;
}

void rd_skip_ws(Reader *r) {
    const char *s = r->src;
    while (r->pos < r->len) {
        unsigned char c = (unsigned char)s[r->pos];
        if (c == '\n') {
            r->pos++;
            r->line++;
            r->col = 1;
        } else if (c < 0x80 && (rd_ascii_class[c] & RC_WS)) {
            rd_bump(r);
        } else if (c == ';') {
            const char *nl = memchr(s + r->pos, '\n', r->len - r->pos);
            rd_advance(r, nl ? (size_t)(nl - (s + r->pos)) : r->len - r->pos);
        } else if (c >= 0x80) {
            uint32_t cp;
            size_t k = utf8_decode(s + r->pos, r->len - r->pos, &cp);
            if (k == 0 || !unicode_is_whitespace(cp)) return;
            r->pos += k;
            r->col++;
        } else {
            return;
        }
    }
}

int rd_delim_at(const Reader *r, size_t i, size_t *bytes) {
    unsigned char c = (unsigned char)r->src[i];
    if (c < 0x80) {
        *bytes = 1;
        return (rd_ascii_class[c] & RC_DELIM) != 0;
    }
    uint32_t cp;
    size_t k = utf8_decode(r->src + i, r->len - i, &cp);
    if (k == 0) return -1;
    *bytes = k;
    return unicode_is_whitespace(cp);
}

bool rd_scan_token(Reader *r, size_t start, size_t *end) {
    const char *s = r->src;
    size_t i = start;
    bool at = false;
    while (i < r->len) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            if (rd_ascii_class[c] & RC_DELIM) break;
            at |= c == '@';
            i++;
            continue;
        }
        size_t k;
        int d = rd_delim_at(r, i, &k);
        if (d < 0) {
            uint32_t line, col;
            rd_pos_of(r, i, &line, &col);
            rd_error_at(r, K_(invalid_token), line, col, "invalid UTF-8 in source text");
            return false;
        }
        if (d) break;
        i += k;
    }
    *end = i;
    if (at) {
        uint32_t line, col;
        rd_pos_of(r, start, &line, &col);
        rd_error_at(r, K_(invalid_token), line, col, "`@` is reserved");
        return false;
    }
    return true;
}

void rd_excerpt(const char *s, size_t n, char out[64]) {
    size_t o = 0, i = 0;
    while (i < n && o < 40) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            out[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
            i++;
            continue;
        }
        uint32_t cp;
        size_t k = utf8_decode(s + i, n - i, &cp);
        if (k == 0) {
            out[o++] = '?';
            i++;
        } else {
            memcpy(out + o, s + i, k);
            o += k;
            i += k;
        }
    }
    if (i < n) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = 0;
}

static Value rd_error_v(Reader *r, Value reason, uint32_t line, uint32_t col, const char *fmt,
                        va_list ap) {
    Proc *p = r->p;
    char msg[256];
    vsnprintf(msg, sizeof msg, fmt, ap);
    Value kvs[8];
    size_t n = 0;
    kvs[n++] = K_(line);
    kvs[n++] = fix(line);
    kvs[n++] = K_(column);
    kvs[n++] = fix(col);
    if (r->file) {
        kvs[n++] = K_(file);
        kvs[n++] = mk_cstring(p, r->file);
    }
    kvs[n++] = K_(message);
    kvs[n++] = mk_cstring(p, msg);
    return err_raise(p, reason, map_from_kvs(p, kvs, n));
}

Value rd_error_at(Reader *r, Value reason, uint32_t line, uint32_t col, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    Value v = rd_error_v(r, reason, line, col, fmt, ap);
    va_end(ap);
    return v;
}

Value rd_error(Reader *r, Value reason, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    Value v = rd_error_v(r, reason, r->line, r->col, fmt, ap);
    va_end(ap);
    return v;
}

/* Position word of an HF_POS cell; columns beyond 20 bits saturate. */
static Value pos_word(uint32_t line, uint32_t col) {
    uint64_t c = col > 0xFFFFF ? 0xFFFFF : col;
    return fix((int64_t)(((uint64_t)line << 20) | c));
}

Value rd_cons_pos(Proc *p, Value head, Value tail, uint32_t line, uint32_t col) {
    Value *o = lv_alloc(p, 4);
    o[0] = mk_header(T_CONS, HF_POS, 3);
    o[1] = head;
    o[2] = tail;
    o[3] = pos_word(line, col);
    return box_val(o);
}

Value rd_list_pos(Proc *p, const Value *xs, size_t n, uint32_t line, uint32_t col) {
    if (n == 0) return LV_EMPTY;
    return rd_cons_pos(p, xs[0], mk_list_from(p, xs + 1, n - 1), line, col);
}

Value rd_list2_pos(Proc *p, Value a, Value b, uint32_t line, uint32_t col) {
    Value xs[2] = {a, b};
    return rd_list_pos(p, xs, 2, line, col);
}

bool reader_pos(Value form, uint32_t *line, uint32_t *col) {
    if (!is_cons(form) || !(box_flags(form) & HF_POS)) return false;
    uint64_t w = (uint64_t)fix_val(box_ptr(form)[3]);
    *line = (uint32_t)(w >> 20);
    *col = (uint32_t)(w & 0xFFFFF);
    return true;
}
