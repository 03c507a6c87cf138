/*
 * doctest_parse.c — from markdown text to doctest steps (spec/lonala.md
 * section 12): fenced blocks, assertion markers, expectations and tags.
 *
 * Pure text processing, no Lonala process involved: whether a chunk of
 * source is complete is asked through the DtIncompleteFn callback.
 *
 * Fences follow CommonMark closely enough for documentation: an opening
 * run of three or more backticks (or tildes), closed by a run of the same
 * character at least as long with nothing else on its line; an unclosed
 * fence runs to the end of the text. Leading spaces before a fence are
 * accepted at any depth (fences inside list items), and the content lines
 * lose up to as many leading spaces as the opening fence had.
 *
 * Lexical state: the marker and the end of the expected text are searched
 * outside string literals. A string left open at the end of a line of the
 * pending chunk stays open on the next line, and such a line is part of
 * the string — it is neither blank nor a comment.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"
#include "cli/doctest.h"

#define DT_MARKER "; =>"
#define DT_MARKER_LEN 4

/* ---- small text helpers ---------------------------------------------- */

static bool dt_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

static bool dt_name_char(char c) { return isalnum((unsigned char)c) || c == '_'; }

static char *dt_strndup_trim(const char *s, size_t n) {
    while (n && dt_space(*s)) s++, n--;
    while (n && dt_space(s[n - 1])) n--;
    char *r = xmalloc(n + 1);
    memcpy(r, s, n);
    r[n] = 0;
    return r;
}

bool dt_is_blank(const char *s, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (!dt_space(s[i])) return false;
    return true;
}

bool dt_is_comment(const char *s, size_t len) {
    size_t i = 0;
    while (i < len && dt_space(s[i])) i++;
    return i < len && s[i] == ';';
}

/* ---- markdown fences -------------------------------------------------- */

typedef struct DtFence {
    char ch;           /* '`' or '~' */
    size_t run;        /* length of the opening run */
    size_t indent;     /* spaces before it */
    bool candidate;    /* info string clojure or lonala */
} DtFence;

static size_t dt_leading_spaces(const char *s, size_t n) {
    size_t i = 0;
    while (i < n && s[i] == ' ') i++;
    return i;
}

static size_t dt_run_of(const char *s, size_t n, char c) {
    size_t i = 0;
    while (i < n && s[i] == c) i++;
    return i;
}

static bool dt_word_is(const char *w, size_t n, const char *name) {
    return n == strlen(name) && strncasecmp(w, name, n) == 0;
}

static bool dt_open_fence(const char *s, size_t n, DtFence *f) {
    size_t i = dt_leading_spaces(s, n);
    if (i >= n || (s[i] != '`' && s[i] != '~')) return false;
    size_t run = dt_run_of(s + i, n - i, s[i]);
    if (run < 3) return false;
    const char *info = s + i + run;
    size_t ilen = n - i - run;
    /* CommonMark: the info string of a backtick fence has no backtick. */
    if (s[i] == '`' && memchr(info, '`', ilen)) return false;
    while (ilen && dt_space(*info)) info++, ilen--;
    size_t w = 0;
    while (w < ilen && !dt_space(info[w])) w++;
    f->ch = s[i];
    f->run = run;
    f->indent = i;
    f->candidate = dt_word_is(info, w, "clojure") || dt_word_is(info, w, "lonala");
    return true;
}

static bool dt_close_fence(const char *s, size_t n, const DtFence *f) {
    size_t i = dt_leading_spaces(s, n);
    size_t run = dt_run_of(s + i, n - i, f->ch);
    return run >= f->run && dt_is_blank(s + i + run, n - i - run);
}

static void dt_raw_push_line(DtRawBlock *b, const char *s, size_t n, int lineno) {
    if (b->nlines == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->lines = xrealloc(b->lines, b->cap * sizeof *b->lines);
    }
    b->lines[b->nlines++] = (DtLine){s, n, lineno};
}

size_t dt_md_blocks(const char *text, size_t len, DtRawBlock **out) {
    DtRawBlock *blocks = NULL;
    size_t nblocks = 0, cap = 0;
    DtFence fence = {0};
    bool in_fence = false;
    DtRawBlock *cur = NULL;
    int lineno = 0;
    for (size_t pos = 0; pos < len;) {
        const char *eol = memchr(text + pos, '\n', len - pos);
        size_t end = eol ? (size_t)(eol - text) : len;
        const char *s = text + pos;
        size_t n = end - pos;
        if (n && s[n - 1] == '\r') n--;
        lineno++;
        pos = end + 1;
        if (!in_fence) {
            if (!dt_open_fence(s, n, &fence)) continue;
            in_fence = true;
            cur = NULL;
            if (!fence.candidate) continue;
            if (nblocks == cap) {
                cap = cap ? cap * 2 : 8;
                blocks = xrealloc(blocks, cap * sizeof *blocks);
            }
            cur = &blocks[nblocks++];
            *cur = (DtRawBlock){.fence_line = lineno};
        } else if (dt_close_fence(s, n, &fence)) {
            in_fence = false;
            cur = NULL;
        } else if (cur) {
            size_t strip = dt_leading_spaces(s, n);
            if (strip > fence.indent) strip = fence.indent;
            dt_raw_push_line(cur, s + strip, n - strip, lineno);
        }
    }
    *out = blocks;
    return nblocks;
}

void dt_raw_blocks_free(DtRawBlock *blocks, size_t n) {
    for (size_t i = 0; i < n; i++) free(blocks[i].lines);
    free(blocks);
}

/* ---- markers, expectations, tags -------------------------------------- */

long dt_find_marker(const char *s, size_t len, bool *in_string) {
    bool str = *in_string, comment = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (str) {
            if (c == '\\') i++;
            else if (c == '"') str = false;
            continue;
        }
        if (c == ';' && len - i >= DT_MARKER_LEN && memcmp(s + i, DT_MARKER, DT_MARKER_LEN) == 0) {
            *in_string = false;
            return (long)i;
        }
        /* Inside a comment quotes and backslashes mean nothing, but the
         * marker may still follow. */
        if (comment) continue;
        if (c == ';') comment = true;
        else if (c == '"') str = true;
        else if (c == '\\') i++;   /* character literal: \" and \; are not syntax */
    }
    *in_string = str;
    return -1;
}

unsigned dt_scan_tags(const char *s, size_t len) {
    unsigned tags = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '@' || (i > 0 && dt_name_char(s[i - 1]))) continue;
        size_t j = i + 1;
        while (j < len && dt_name_char(s[j])) j++;
        const char *name = s + i + 1;
        size_t n = j - i - 1;
        if (n == 4 && memcmp(name, "todo", 4) == 0) tags |= DT_TAG_TODO;
        else if (n == 6 && memcmp(name, "x86_64", 6) == 0) tags |= DT_TAG_X86_64;
        else if (n == 7 && memcmp(name, "aarch64", 7) == 0) tags |= DT_TAG_AARCH64;
        i = j - 1;
    }
    return tags;
}

bool dt_is_tag_line(const char *s, size_t len) {
    size_t i = 0;
    while (i < len && dt_space(s[i])) i++;
    if (i >= len || s[i] != ';') return false;
    while (i < len && (s[i] == ';' || dt_space(s[i]))) i++;
    return i < len && s[i] == '@';
}

/* End of the expected text: a ';' outside string and character literals,
 * or an '@' starting a whitespace-preceded token. */
static size_t dt_expect_end(const char *s, size_t len) {
    bool str = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (str) {
            if (c == '\\') i++;
            else if (c == '"') str = false;
            continue;
        }
        if (c == ';') return i;
        if (c == '@' && (i == 0 || dt_space(s[i - 1]))) return i;
        if (c == '"') str = true;
        else if (c == '\\') i++;
    }
    return len;
}

/* A lone keyword token such as :type-error or :a/b. */
static bool dt_single_keyword(const char *s) {
    if (s[0] != ':' || !s[1]) return false;
    for (const char *c = s + 1; *c; c++)
        if (dt_space(*c) || strchr(",;\"()[]{}@^`~\\", *c)) return false;
    return true;
}

void dt_parse_expect(const char *s, size_t len, DtExpect *out) {
    size_t end = dt_expect_end(s, len);
    *out = (DtExpect){.kind = DT_EXPECT_VALUE, .text = dt_strndup_trim(s, end)};
    out->tags = dt_scan_tags(s + end, len - end);
    const char *t = out->text;
    if (strncmp(t, "ERROR", 5) != 0 || (t[5] && !dt_space(t[5]))) return;
    out->kind = DT_EXPECT_ERROR;
    char *rest = dt_strndup_trim(t + 5, strlen(t + 5));
    if (dt_single_keyword(rest)) {
        out->kind = DT_EXPECT_ERROR_REASON;
        out->reason = rest;
    } else {
        free(rest);
    }
}

void dt_expect_free(DtExpect *e) {
    free(e->text);
    free(e->reason);
    e->text = e->reason = NULL;
}

/* ---- blocks into steps ------------------------------------------------ */

static DtStep *dt_push_step(DtBlock *b, DtStepKind kind, int line, char *code) {
    if (b->nsteps == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 8;
        b->steps = xrealloc(b->steps, b->cap * sizeof *b->steps);
    }
    DtStep *st = &b->steps[b->nsteps++];
    *st = (DtStep){.kind = kind, .line = line, .code = code};
    if (kind == DT_STEP_ASSERT) b->nasserts++;
    return st;
}

/* The pending chunk: lines waiting to form complete forms. */
typedef struct DtPending {
    Buf text;
    int first_line;
    bool in_string;    /* the chunk ends inside a string literal */
} DtPending;

static void dt_pending_add(DtPending *pd, const char *s, size_t n, int lineno) {
    if (pd->text.len) buf_putc(&pd->text, '\n');
    else pd->first_line = lineno;
    buf_append(&pd->text, s, n);
}

static char *dt_pending_take(DtPending *pd) {
    char *code = xmalloc(pd->text.len + 1);
    memcpy(code, pd->text.data ? pd->text.data : "", pd->text.len);
    code[pd->text.len] = 0;
    pd->text.len = 0;
    pd->in_string = false;
    return code;
}

static void dt_block_line(DtBlock *b, DtPending *pd, const DtLine *ln, DtIncompleteFn incomplete, void *ctx) {
    bool str = pd->in_string;
    long m = dt_find_marker(ln->s, ln->len, &str);
    if (m >= 0) {
        dt_pending_add(pd, ln->s, (size_t)m, ln->lineno);
        char *all = dt_pending_take(pd);
        DtStep *st = dt_push_step(b, DT_STEP_ASSERT, ln->lineno, dt_strndup_trim(all, strlen(all)));
        free(all);
        const char *after = ln->s + m + DT_MARKER_LEN;
        dt_parse_expect(after, ln->len - (size_t)m - DT_MARKER_LEN, &st->expect);
        return;
    }
    dt_pending_add(pd, ln->s, ln->len, ln->lineno);
    pd->in_string = str;
    if (str || incomplete(ctx, pd->text.data, pd->text.len)) return;
    int first = pd->first_line;
    dt_push_step(b, DT_STEP_SETUP, first, dt_pending_take(pd));
}

static void dt_block_steps(const DtRawBlock *raw, DtIncompleteFn incomplete, void *ctx, DtBlock *b) {
    DtPending pd = {0};
    buf_init(&pd.text);
    bool seen_nonblank = false;
    for (size_t i = 0; i < raw->nlines; i++) {
        const DtLine *ln = &raw->lines[i];
        if (!pd.in_string) {
            if (dt_is_blank(ln->s, ln->len)) continue;
            bool first = !seen_nonblank;
            seen_nonblank = true;
            if (dt_is_comment(ln->s, ln->len)) {
                if (first && dt_is_tag_line(ln->s, ln->len)) b->tags = dt_scan_tags(ln->s, ln->len);
                continue;
            }
        }
        dt_block_line(b, &pd, ln, incomplete, ctx);
    }
    if (pd.text.len) {
        int first = pd.first_line;
        dt_push_step(b, DT_STEP_INCOMPLETE, first, dt_pending_take(&pd));
    }
    buf_free(&pd.text);
}

static void dt_block_free(DtBlock *b) {
    for (size_t i = 0; i < b->nsteps; i++) {
        free(b->steps[i].code);
        dt_expect_free(&b->steps[i].expect);
    }
    free(b->steps);
}

void dt_parse(const char *text, size_t len, DtIncompleteFn incomplete, void *ctx, DtDoc *out) {
    *out = (DtDoc){0};
    DtRawBlock *raw;
    size_t n = dt_md_blocks(text, len, &raw);
    for (size_t i = 0; i < n; i++) {
        DtBlock b = {.line = raw[i].fence_line};
        dt_block_steps(&raw[i], incomplete, ctx, &b);
        if (!b.nasserts) {
            dt_block_free(&b);
            continue;
        }
        if (out->nblocks == out->cap) {
            out->cap = out->cap ? out->cap * 2 : 8;
            out->blocks = xrealloc(out->blocks, out->cap * sizeof *out->blocks);
        }
        out->blocks[out->nblocks++] = b;
    }
    dt_raw_blocks_free(raw, n);
}

void dt_doc_free(DtDoc *d) {
    for (size_t i = 0; i < d->nblocks; i++) dt_block_free(&d->blocks[i]);
    free(d->blocks);
    *d = (DtDoc){0};
}
