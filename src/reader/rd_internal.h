/*
 * rd_internal.h — what the reader's source files share (not a public API).
 *
 * The reader is split by concern:
 *   lexer.c        positions, character classes, whitespace, token scanning,
 *                  error building, reader_init/reader_pos
 *   number.c       numeric literals (spec 2.3)
 *   text.c         character and string literals (2.4, 2.5)
 *   token.c        symbols, keywords, nil/true/false, #( ) placeholders (2.6)
 *   read.c         reader_next: the explicit-stack parser, collections (2.7)
 *   dispatch.c     `#` dispatch, metadata, anonymous functions (2.9)
 *   binlit.c       #bytes and #bits (2.8)
 *   syntax_quote.c syntax-quote expansion (2.9)
 *
 * Conventions: a function returning Value returns LV_EXC after raising the
 * error (p->exc set); a function returning bool returns false after raising.
 * Nothing here recurses in proportion to the depth of the input.
 *
 * Invariant: r->line/r->col always describe r->pos; every advance goes
 * through rd_advance (or rd_bump for one ASCII byte that is not '\n').
 */
#ifndef LONA_RD_INTERNAL_H
#define LONA_RD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "reader/reader.h"
#include "vm/runtime.h"

/* ---- character classes (ASCII; bytes >= 0x80 are decoded) ---- */

enum {
    RC_WS = 1,     /* whitespace, including ',' */
    RC_DELIM = 2,  /* ends a token (whitespace included) */
    RC_SYM = 4,    /* symbol constituent (letters, digits, *+!-_'?<>=.$&%# and /) */
    RC_DIGIT = 8,  /* 0-9 */
};

extern const uint8_t rd_ascii_class[128];

static inline bool rd_is_digit(int c) { return c >= '0' && c <= '9'; }

static inline bool rd_at_end(const Reader *r) { return r->pos >= r->len; }
/* Byte at r->pos + off, or -1 past the end. */
static inline int rd_peek_at(const Reader *r, size_t off) {
    return r->pos + off < r->len ? (unsigned char)r->src[r->pos + off] : -1;
}
static inline int rd_peek(const Reader *r) { return rd_peek_at(r, 0); }

/* Advance over one ASCII byte that is not a newline. */
static inline void rd_bump(Reader *r) {
    r->pos++;
    r->col++;
}
/* Advance over n bytes, keeping line and column right. */
void rd_advance(Reader *r, size_t n);
/* Line and column of byte offset `off` (>= r->pos) without moving. */
void rd_pos_of(const Reader *r, size_t off, uint32_t *line, uint32_t *col);

/* Skip whitespace, commas and comments. Stops at the first other byte
 * (including an invalid UTF-8 sequence, which the caller then rejects). */
void rd_skip_ws(Reader *r);

/* Is the code point at src[i] (i < len) a token delimiter? Sets *bytes to its
 * length; returns -1 on invalid UTF-8. */
int rd_delim_at(const Reader *r, size_t i, size_t *bytes);

/* Scan a token starting at `start` up to the next delimiter; *end is the
 * offset past it. Raises :invalid-token on invalid UTF-8 or `@` inside. */
bool rd_scan_token(Reader *r, size_t start, size_t *end);

/* Errors: [:error reason %{:line :column [:file] :message}]. */
Value rd_error_at(Reader *r, Value reason, uint32_t line, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* At the current position. */
Value rd_error(Reader *r, Value reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Printable excerpt of source text for messages: at most about 40 bytes,
 * cut at a code-point boundary. Writes a NUL-terminated string to out. */
void rd_excerpt(const char *s, size_t n, char out[64]);

/* A cons cell carrying the position (HF_POS). */
Value rd_cons_pos(Proc *p, Value head, Value tail, uint32_t line, uint32_t col);
/* A list whose first cell carries the position (HF_POS); () for n == 0. */
Value rd_list_pos(Proc *p, const Value *xs, size_t n, uint32_t line, uint32_t col);
Value rd_list2_pos(Proc *p, Value a, Value b, uint32_t line, uint32_t col);

/* ---- literals ---- */

/* Number token s[0..n) (starts with a digit, or a sign and a digit). */
Value rd_number(Reader *r, const char *s, size_t n, uint32_t line, uint32_t col);
/* Character literal at r->pos (a backslash). */
Value rd_char(Reader *r);
/* String literal at r->pos (a double quote). */
Value rd_string(Reader *r);

/* Decoded body of a string literal: bytes point into the source when it has
 * no escapes, else into `local` or `owned` (free with rd_text_free). */
typedef struct RdText {
    const char *bytes;
    size_t len, cps;
    char *owned;
    char local[256];
} RdText;
/* Read the string literal at r->pos (a double quote) into t. */
bool rd_text_read(Reader *r, RdText *t);
void rd_text_free(RdText *t);

/* Token at r->pos that is not a string, character or dispatch: number,
 * nil/true/false, keyword or symbol. */
Value rd_token(Reader *r);
/* Symbol from validated-or-not token text (placeholders inside #( )
 * included); raises :invalid-token on a bad shape. */
Value rd_symbol(Reader *r, const char *s, size_t n, uint32_t line, uint32_t col);
/* Is s[0..n) a valid unqualified symbol/keyword name? */
bool rd_valid_name(const char *s, size_t n);

/* ---- parser frames (read.c) ---- */

typedef enum {
    FK_LIST,
    FK_TUPLE,
    FK_VECTOR,
    FK_MAP,
    FK_SET,
    FK_ANON,       /* #( ... ) */
    FK_BYTES,      /* #bytes[ ... ] */
    FK_QUOTE,      /* 'F */
    FK_VAR,        /* #'F */
    FK_UNQUOTE,    /* ~F */
    FK_SPLICE,     /* ~@F */
    FK_SQUOTE,     /* `F */
    FK_META,       /* ^M F: state 0 reads M, state 1 holds M and reads F */
    FK_DISCARD,    /* #_F */
} FrameKind;

typedef struct RdFrame {
    uint8_t kind;
    uint8_t state;
    bool in_sq;          /* inside a syntax-quote and not unquoted */
    uint32_t line, col;  /* where the construct starts */
    size_t base;         /* its first element on the value stack */
    Value meta;          /* FK_META state 1: the metadata map */
} RdFrame;

typedef struct RdState {
    Reader *r;
    RdFrame *frames;
    size_t nframes, frames_cap;
    Value *vals;
    size_t nvals, vals_cap;
    RdFrame frames_local[32];
    Value vals_local[128];
} RdState;

/* Open a construct that starts at line/col. Raises :syntax-error when too
 * deep, or for a syntax-quote directly inside another (each level would
 * quote the expansion of the one inside, so n levels cost exponential
 * space); one inside ~ or ~@ is fine. */
bool rd_push_frame(RdState *s, FrameKind kind, uint32_t line, uint32_t col);

/* Results of reading one item. */
enum { RD_ERR = -1, RD_PUSHED = 0, RD_FORM = 1 };

/* `#` dispatch at r->pos: either a finished form or an opened frame. */
int rd_dispatch(RdState *s, Value *form);

/* Metadata item (keyword or map) as a map; :invalid-metadata otherwise. */
Value rd_meta_map(Reader *r, Value item, uint32_t line, uint32_t col);
/* inner with outer's entries put over it (outer wins on duplicate keys,
 * inner's keys keep their order). */
Value rd_merge_meta(Reader *r, Value inner, Value outer);
/* Attach meta to target, merging with metadata it already carries
 * (the new, outer map wins on duplicate keys). */
Value rd_apply_meta(Reader *r, Value meta, Value target, uint32_t line, uint32_t col);
/* Start and finish a #( ) literal. */
void rd_anon_begin(Reader *r);
Value rd_anon_finish(Reader *r, const Value *body, size_t n, uint32_t line, uint32_t col);
/* Placeholder symbol for index i (0 = rest), generated on first use. */
Value rd_anon_param(Reader *r, int i);

/* #bytes[...] contents closed by ']'. */
Value rd_bytes_form(Reader *r, const Value *xs, size_t n, uint32_t line, uint32_t col);
/* #bytes"..." / #bytes/ENC"..." with r->pos at the quote. */
Value rd_bytes_text(Reader *r, const char *enc, size_t enc_len, uint32_t line, uint32_t col);
/* #bits[...] with r->pos just past the '['. */
Value rd_bits(Reader *r, uint32_t line, uint32_t col);

/* Syntax-quote expansion of a form read after '`'. */
Value rd_syntax_quote(Reader *r, Value form, uint32_t line, uint32_t col);

#endif
