/*
 * dispatch.c — `#` dispatch, metadata and anonymous functions
 * (spec/lonala.md 2.8, 2.9).
 *
 *   #{ set   #( anonymous fn   #_ discard   #' var   ##Inf ##-Inf ##NaN
 *   #bytes[ #bytes" #bytes/ENC"  #bits[      anything else :unknown-dispatch
 *
 * Metadata: ^:kw is %{:kw true}; several prefixes merge with the outermost
 * winning, which falls out of applying the inner prefix first and letting
 * each outer map overwrite.
 *
 * Anonymous functions: while a #( is open, rd_symbol turns %, %N and %&
 * into generated parameter symbols recorded in the Reader; closing the
 * literal builds (fn* [p1 .. pN & rest] (body...)).
 */
#include <math.h>
#include <string.h>

#include "reader/rd_internal.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/coll.h"

/* ##Inf, ##-Inf, ##NaN; r->pos at the first '#'. */
static Value special_float(Reader *r) {
    uint32_t line = r->line, col = r->col;
    size_t start = r->pos + 2, end;
    if (start >= r->len) {
        rd_advance(r, 2);
        return rd_error_at(r, K_(unexpected_eof), line, col, "end of input after ##");
    }
    if (!rd_scan_token(r, start, &end)) return LV_EXC;
    const char *t = r->src + start;
    size_t n = end - start;
    rd_advance(r, end - r->pos);
    if (n == 3 && memcmp(t, "Inf", 3) == 0) return mk_float(r->p, INFINITY);
    if (n == 4 && memcmp(t, "-Inf", 4) == 0) return mk_float(r->p, -INFINITY);
    if (n == 3 && memcmp(t, "NaN", 3) == 0) return mk_float(r->p, NAN);
    char ex[64];
    rd_excerpt(t, n, ex);
    return rd_error_at(r, K_(invalid_token), line, col, "invalid ##%s (expected ##Inf, ##-Inf or ##NaN)",
                       ex);
}

static bool is_word_char(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* #bytes followed by [, " or /ENC". r->pos is just past "#bytes". */
static int bytes_literal(RdState *s, Value *form, uint32_t line, uint32_t col) {
    Reader *r = s->r;
    int c = rd_peek(r);
    if (c == '[') {
        rd_bump(r);
        return rd_push_frame(s, FK_BYTES, line, col) ? RD_PUSHED : RD_ERR;
    }
    if (c == '"') {
        *form = rd_bytes_text(r, "utf8", 4, line, col);
        return *form == LV_EXC ? RD_ERR : RD_FORM;
    }
    if (c == '/') {
        size_t i = r->pos + 1;
        while (i < r->len && is_word_char((unsigned char)r->src[i])) i++;
        const char *enc = r->src + r->pos + 1;
        size_t n = i - (r->pos + 1);
        if (i < r->len && r->src[i] == '"') {
            rd_advance(r, i - r->pos);
            *form = rd_bytes_text(r, enc, n, line, col);
            return *form == LV_EXC ? RD_ERR : RD_FORM;
        }
    }
    if (c < 0)
        rd_error_at(r, K_(unexpected_eof), line, col, "end of input after #bytes");
    else
        rd_error_at(r, K_(invalid_bytes), line, col,
                    "#bytes must be followed by [, \" or /ENCODING\"");
    return RD_ERR;
}

int rd_dispatch(RdState *s, Value *form) {
    Reader *r = s->r;
    uint32_t line = r->line, col = r->col;
    int c = rd_peek_at(r, 1);
    switch (c) {
    case -1:
        rd_bump(r);
        rd_error_at(r, K_(unexpected_eof), line, col, "end of input after #");
        return RD_ERR;
    case '{':
        rd_advance(r, 2);
        return rd_push_frame(s, FK_SET, line, col) ? RD_PUSHED : RD_ERR;
    case '(':
        if (r->in_anon_fn) {
            rd_error(r, K_(nested_anon_fn), "#( inside #(");
            return RD_ERR;
        }
        rd_advance(r, 2);
        if (!rd_push_frame(s, FK_ANON, line, col)) return RD_ERR;
        rd_anon_begin(r);
        return RD_PUSHED;
    case '_':
        rd_advance(r, 2);
        return rd_push_frame(s, FK_DISCARD, line, col) ? RD_PUSHED : RD_ERR;
    case '\'':
        rd_advance(r, 2);
        return rd_push_frame(s, FK_VAR, line, col) ? RD_PUSHED : RD_ERR;
    case '#':
        *form = special_float(r);
        return *form == LV_EXC ? RD_ERR : RD_FORM;
    default:
        break;
    }
    size_t i = r->pos + 1;
    while (i < r->len && is_word_char((unsigned char)r->src[i])) i++;
    const char *w = r->src + r->pos + 1;
    size_t n = i - (r->pos + 1);
    if (n == 5 && memcmp(w, "bytes", 5) == 0) {
        rd_advance(r, 6);
        return bytes_literal(s, form, line, col);
    }
    if (n == 4 && memcmp(w, "bits", 4) == 0) {
        rd_advance(r, 5);
        if (rd_peek(r) == '[') {
            rd_bump(r);
            *form = rd_bits(r, line, col);
            return *form == LV_EXC ? RD_ERR : RD_FORM;
        }
        if (rd_at_end(r))
            rd_error_at(r, K_(unexpected_eof), line, col, "end of input after #bits");
        else
            rd_error_at(r, K_(invalid_bits), line, col, "#bits must be followed by [");
        return RD_ERR;
    }
    char ex[64];
    rd_excerpt(r->src + r->pos, n ? n + 1 : (r->len - r->pos > 1 ? 2 : 1), ex);
    rd_error_at(r, K_(unknown_dispatch), line, col, "unknown dispatch %s", ex);
    return RD_ERR;
}

/* ---- metadata ---- */

Value rd_meta_map(Reader *r, Value item, uint32_t line, uint32_t col) {
    if (is_keyword(item)) {
        Value kv[2] = {item, LV_TRUE};
        return map_from_kvs(r->p, kv, 2);
    }
    if (is_map(item)) return item;
    return rd_error_at(r, K_(invalid_metadata), line, col, "metadata must be a map or a keyword");
}

static Value meta_of(Value x) {
    if (!is_boxed(x)) return LV_NIL;
    if (box_flags(x) & HF_META) return box_meta(x);
    if (is_box_of(x, T_SYMMETA)) return box_ptr(x)[2];
    return LV_NIL;
}

Value rd_merge_meta(Reader *r, Value inner, Value outer) {
    if (!is_map(inner) || map_count(inner) == 0) return outer;
    Value merged = inner, kv;
    SeqIter it;
    if (seq_iter_init(&it, outer))
        while (seq_iter_next(r->p, &it, &kv))
            merged = map_put(r->p, merged, tuple_elems(kv)[0], tuple_elems(kv)[1]);
    return merged;
}

Value rd_apply_meta(Reader *r, Value meta, Value target, uint32_t line, uint32_t col) {
    if (!(is_symbol(target) || is_cons(target) || is_tuple(target) || is_vector(target) ||
          is_map(target) || is_set(target)))
        return rd_error_at(r, K_(invalid_metadata), line, col,
                           target == LV_EMPTY ? "the empty list cannot carry metadata"
                                              : "metadata can only be attached to a symbol or "
                                                "a collection");
    return coll_with_meta(r->p, target, rd_merge_meta(r, meta_of(target), meta));
}

/* ---- anonymous functions ---- */

void rd_anon_begin(Reader *r) {
    r->in_anon_fn = 1;
    r->anon_max = 0;
    r->anon_bare = r->anon_one = false;
    for (int i = 0; i <= READER_MAX_ANON_ARGS; i++) r->anon_params[i] = LV_NONE;
}

Value rd_anon_finish(Reader *r, const Value *body, size_t n, uint32_t line, uint32_t col) {
    Proc *p = r->p;
    r->in_anon_fn = 0;
    Value body_list = rd_list_pos(p, body, n, line, col);
    int arity = r->anon_max;
    bool rest = r->anon_params[0] != LV_NONE;
    Value params = mk_tuple(p, (size_t)arity + (rest ? 2 : 0));
    for (int i = 1; i <= arity; i++) {
        Value sym = rd_anon_param(r, i);
        if (sym == LV_EXC) return LV_EXC;
        tuple_elems(params)[i - 1] = sym;
    }
    if (rest) {
        tuple_elems(params)[arity] = S_(amp);
        tuple_elems(params)[arity + 1] = r->anon_params[0];
    }
    Value xs[3] = {S_(fn_star), params, body_list};
    return rd_list_pos(p, xs, 3, line, col);
}
