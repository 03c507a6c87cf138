/*
 * read.c — reader_next: the parser proper (spec/lonala.md 2.7, 2.9).
 *
 * The parser never recurses. Open constructs (collections and the prefix
 * reader macros ' ` ~ ~@ ^ #' #_) are frames on an explicit stack; the
 * elements of open collections sit on a value stack. A finished form is
 * "delivered" to the innermost frame: a collection takes it as an element,
 * a prefix macro wraps it and delivers the result further out, #_ drops it.
 * When no frame is open, the delivered form is the result.
 *
 * Both stacks start in the RdState (on the C stack) and move to malloc'd
 * memory when they grow; everything is released before reader_next returns.
 * Values held there stay valid: nothing collects while C code runs.
 */
#include <stdlib.h>
#include <string.h>

#include "reader/rd_internal.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/coll.h"

static const char *const frame_what[] = {
    [FK_LIST] = "a list",
    [FK_TUPLE] = "a tuple",
    [FK_VECTOR] = "a vector",
    [FK_MAP] = "a map",
    [FK_SET] = "a set",
    [FK_ANON] = "an anonymous function",
    [FK_BYTES] = "#bytes[",
    [FK_QUOTE] = "'",
    [FK_VAR] = "#'",
    [FK_UNQUOTE] = "~",
    [FK_SPLICE] = "~@",
    [FK_SQUOTE] = "`",
    [FK_META] = "^",
    [FK_DISCARD] = "#_",
};

/* The closing delimiter of a collection frame, 0 for prefix frames. */
static int closer_of(FrameKind k) {
    switch (k) {
    case FK_LIST:
    case FK_ANON:
        return ')';
    case FK_TUPLE:
    case FK_BYTES:
        return ']';
    case FK_VECTOR:
    case FK_MAP:
    case FK_SET:
        return '}';
    default:
        return 0;
    }
}

static void st_init(RdState *s, Reader *r) {
    s->r = r;
    s->frames = s->frames_local;
    s->frames_cap = ARRAY_LEN(s->frames_local);
    s->nframes = 0;
    s->vals = s->vals_local;
    s->vals_cap = ARRAY_LEN(s->vals_local);
    s->nvals = 0;
}

static void st_free(RdState *s) {
    if (s->frames != s->frames_local) free(s->frames);
    if (s->vals != s->vals_local) free(s->vals);
}

/* Grow one of the two stacks, moving it off the C stack the first time. */
static void *grow(void *buf, void *local, size_t *cap, size_t elem) {
    void *n = grow_inline(buf, local, *cap, *cap * 2, elem);
    *cap *= 2;
    return n;
}

static void push_val(RdState *s, Value v) {
    if (s->nvals == s->vals_cap) s->vals = grow(s->vals, s->vals_local, &s->vals_cap, sizeof(Value));
    s->vals[s->nvals++] = v;
}

bool rd_push_frame(RdState *s, FrameKind kind, uint32_t line, uint32_t col) {
    if (s->nframes >= READER_MAX_DEPTH) {
        rd_error_at(s->r, K_(syntax_error), line, col, "nesting too deep (more than %d levels)",
                    READER_MAX_DEPTH);
        return false;
    }
    bool in_sq = s->nframes > 0 && s->frames[s->nframes - 1].in_sq;
    if (kind == FK_SQUOTE && in_sq) {
        rd_error_at(s->r, K_(syntax_error), line, col, "nested syntax-quote is not supported");
        return false;
    }
    if (s->nframes == s->frames_cap)
        s->frames = grow(s->frames, s->frames_local, &s->frames_cap, sizeof(RdFrame));
    RdFrame *f = &s->frames[s->nframes++];
    f->kind = (uint8_t)kind;
    f->state = 0;
    f->in_sq = kind == FK_SQUOTE || (in_sq && kind != FK_UNQUOTE && kind != FK_SPLICE);
    f->line = line;
    f->col = col;
    f->base = s->nvals;
    f->meta = LV_NIL;
    return true;
}

/* Consume `skip` ASCII bytes and open a frame there. */
static int open_at(RdState *s, FrameKind kind, size_t skip) {
    Reader *r = s->r;
    uint32_t line = r->line, col = r->col;
    while (skip--) rd_bump(r);
    return rd_push_frame(s, kind, line, col) ? RD_PUSHED : RD_ERR;
}

static Value build_coll(RdState *s, const RdFrame *f, const Value *xs, size_t n) {
    Reader *r = s->r;
    Proc *p = r->p;
    switch ((FrameKind)f->kind) {
    case FK_LIST:
        return rd_list_pos(p, xs, n, f->line, f->col);
    case FK_ANON:
        return rd_anon_finish(r, xs, n, f->line, f->col);
    case FK_TUPLE: {
        Value t = mk_tuple(p, n);
        if (n) memcpy(tuple_elems(t), xs, n * sizeof(Value));
        return t;
    }
    case FK_VECTOR:
        return vec_from(p, xs, n);
    case FK_MAP:
        if (n % 2)
            return rd_error_at(r, K_(odd_map_entries), f->line, f->col,
                               "map literal with an odd number of forms (%zu)", n);
        return map_from_kvs(p, xs, n);
    case FK_SET:
        return set_from(p, xs, n);
    case FK_BYTES:
        return rd_bytes_form(r, xs, n, f->line, f->col);
    default:
        return LV_EXC; /* not reached: only collection frames are closed */
    }
}

/* A closing delimiter `c` at line/col (already consumed). */
static int close_frame(RdState *s, int c, uint32_t line, uint32_t col, Value *form) {
    Reader *r = s->r;
    if (s->nframes == 0)
        return rd_error_at(r, K_(unmatched_delimiter), line, col, "`%c` closes nothing", c),
               RD_ERR;
    RdFrame f = s->frames[s->nframes - 1];
    if (closer_of((FrameKind)f.kind) != c)
        return rd_error_at(r, K_(unmatched_delimiter), line, col,
                           "`%c` does not close %s started at line %u, column %u", c,
                           frame_what[f.kind], f.line, f.col),
               RD_ERR;
    *form = build_coll(s, &f, s->vals + f.base, s->nvals - f.base);
    s->nvals = f.base;
    s->nframes--;
    return *form == LV_EXC ? RD_ERR : RD_FORM;
}

static Value wrap(Reader *r, Value head, Value form, const RdFrame *f) {
    return rd_list2_pos(r->p, head, form, f->line, f->col);
}

/* Apply the metadata of every consecutive finished ^ frame on top of the
 * stack to form at once (the outermost wins on duplicate keys), so a long
 * run of prefixes costs one copy of the target, not one per prefix. Pops
 * those frames. */
static Value apply_metas(RdState *s, Value form) {
    Reader *r = s->r;
    size_t i = s->nframes;
    while (i > 0 && s->frames[i - 1].kind == FK_META && s->frames[i - 1].state == 1) i--;
    Value meta = s->frames[s->nframes - 1].meta;
    for (size_t k = s->nframes - 1; k > i; k--) meta = rd_merge_meta(r, meta, s->frames[k - 1].meta);
    const RdFrame *outer = &s->frames[i];
    s->nframes = i;
    return rd_apply_meta(r, meta, form, outer->line, outer->col);
}

/* Hand a finished form to the innermost frame. RD_FORM with *out set when
 * no frame is left, RD_PUSHED to keep reading, RD_ERR. */
static int deliver(RdState *s, Value form, Value *out) {
    Reader *r = s->r;
    for (;;) {
        if (s->nframes == 0) {
            *out = form;
            return RD_FORM;
        }
        RdFrame *f = &s->frames[s->nframes - 1];
        switch ((FrameKind)f->kind) {
        case FK_DISCARD:
            s->nframes--;
            return RD_PUSHED;
        case FK_QUOTE:
            form = wrap(r, S_(quote), form, f);
            break;
        case FK_VAR:
            form = wrap(r, S_(var), form, f);
            break;
        case FK_UNQUOTE:
            form = wrap(r, S_(core_unquote), form, f);
            break;
        case FK_SPLICE:
            form = wrap(r, S_(core_unquote_splicing), form, f);
            break;
        case FK_SQUOTE:
            form = rd_syntax_quote(r, form, f->line, f->col);
            break;
        case FK_META:
            if (f->state == 0) {
                f->meta = rd_meta_map(r, form, f->line, f->col);
                if (f->meta == LV_EXC) return RD_ERR;
                f->state = 1;
                return RD_PUSHED;
            }
            form = apply_metas(s, form);
            if (form == LV_EXC) return RD_ERR;
            continue;
        default:
            push_val(s, form);
            return RD_PUSHED;
        }
        if (form == LV_EXC) return RD_ERR;
        s->nframes--;
    }
}

/* Read one item at r->pos (not whitespace, not end of input). */
static int read_one(RdState *s, Value *form) {
    Reader *r = s->r;
    uint32_t line = r->line, col = r->col;
    int c = rd_peek(r);
    switch (c) {
    case '(': return open_at(s, FK_LIST, 1);
    case '[': return open_at(s, FK_TUPLE, 1);
    case '{': return open_at(s, FK_VECTOR, 1);
    case ')':
    case ']':
    case '}':
        rd_bump(r);
        return close_frame(s, c, line, col, form);
    case '\'': return open_at(s, FK_QUOTE, 1);
    case '`': return open_at(s, FK_SQUOTE, 1);
    case '~': return rd_peek_at(r, 1) == '@' ? open_at(s, FK_SPLICE, 2) : open_at(s, FK_UNQUOTE, 1);
    case '^': return open_at(s, FK_META, 1);
    case '#': return rd_dispatch(s, form);
    case '"': *form = rd_string(r); break;
    case '\\': *form = rd_char(r); break;
    case '@':
        rd_error(r, K_(invalid_token), "`@` is reserved");
        return RD_ERR;
    case '%':
        if (rd_peek_at(r, 1) == '{') return open_at(s, FK_MAP, 2);
        *form = rd_token(r);
        break;
    default:
        *form = rd_token(r);
        break;
    }
    return *form == LV_EXC ? RD_ERR : RD_FORM;
}

static Value eof_error(RdState *s) {
    Reader *r = s->r;
    const RdFrame *f = &s->frames[s->nframes - 1];
    return rd_error_at(r, K_(unexpected_eof), f->line, f->col, "end of input inside %s",
                       frame_what[f->kind]);
}

Value reader_next(Reader *r) {
    RdState s;
    st_init(&s, r);
    r->in_anon_fn = 0;
    Value result = LV_NONE;
    for (;;) {
        rd_skip_ws(r);
        if (rd_at_end(r)) {
            result = s.nframes == 0 ? LV_NONE : eof_error(&s);
            break;
        }
        Value form;
        int rc = read_one(&s, &form);
        if (rc == RD_PUSHED) continue;
        if (rc == RD_FORM) rc = deliver(&s, form, &result);
        if (rc == RD_FORM) break;
        if (rc == RD_ERR) {
            result = LV_EXC;
            break;
        }
    }
    r->in_anon_fn = 0;
    st_free(&s);
    return result;
}

Value read_string(Proc *p, const char *src, size_t len) {
    Reader r;
    reader_init(&r, p, src, len, NULL);
    Value v = reader_next(&r);
    if (v == LV_NONE) return rd_error(&r, K_(unexpected_eof), "no form in the input");
    return v;
}
