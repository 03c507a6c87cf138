/*
 * wire.c — the wire format (see wire.h).
 *
 * Tags of the body (one byte each), then:
 *   NIL TRUE FALSE EMPTY      nothing
 *   INT                       zigzag varint (any integer in int64)
 *   BIG                       flags byte (1 negative, 2 N), limb count >= 1, limbs (u64 LE)
 *   FLOAT / F32               8 / 4 bytes, IEEE bits LE
 *   FIXED                     kind byte (FX_*), the value's 64 bits as a varint
 *   CHAR                      varint code point (a Unicode scalar value)
 *   KEYWORD SYMBOL            namespace (length varint, 0 = none), name (length >= 1, bytes)
 *   STRING                    length varint, UTF-8 bytes
 *   BINARY                    length varint, bytes
 *   RATIO                     numerator, denominator: each an INT or a BIG
 *   LIST TUPLE VECTOR SET     count varint, elements
 *   MAP                       pair count, key value key value ...
 *   META                      metadata map, then the collection it belongs to
 *   PID REF                   realm varint (<= 0xffff), number varint (< 2^40)
 *   REALM                     realm varint (<= 0xffff)
 *   NOTIF                     owner realm varint (1..0xffff), token varint (1..2^40-1)
 *   REGION                    owner realm varint (1..0xffff), id there varint (1..2^40-1)
 * and in code mode only (wire.h, WireCode):
 *   NATIVE                    intrinsic index varint
 *   VAR                       namespace name, var name: two SYMBOLs
 *   NS                        name: a SYMBOL
 *   PROTO                     prototype number varint
 *   CLOSURE                   prototype number varint, count varint, captured values
 *   KEYWORD_IX SYMBOL_IX      intern index varint: the image carries the
 *                             atom table in index order (realm/snapshot.c)
 */
#include "realm/wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "proc/notif.h"
#include "realm/region.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/binary.h"
#include "term/coll.h"
#include "term/num.h"
#include "vm/error.h"
#include "vm/ns.h"
#include "vm/proto.h"

enum {
    W_NIL = 1, W_TRUE, W_FALSE, W_EMPTY,
    W_INT, W_BIG, W_FLOAT, W_F32, W_FIXED, W_CHAR,
    W_KEYWORD, W_SYMBOL, W_STRING, W_BINARY, W_RATIO,
    W_LIST, W_TUPLE, W_VECTOR, W_SET, W_MAP, W_META,
    W_PID, W_REF, W_REALM,
    W_NOTIF = 30, W_REGION = 31,
    W_NATIVE = 40, W_VAR, W_NS, W_PROTO, W_CLOSURE, W_KEYWORD_IX, W_SYMBOL_IX,
};

#define WIRE_MAX_REALM 0xffff

const WireLimits wire_default_limits = {
    .max_bytes = (size_t)64 << 20,
    .max_depth = 100000,
    .max_values = (uint64_t)16 << 20,
    .max_name = 1024,
    .max_new_atoms = 1024,
};

static const char *const ERR_NAMES[WIRE_E__COUNT] = {
    [WIRE_OK] = "ok",
    [WIRE_E_REFUSED] = "refused",
    [WIRE_E_TRUNCATED] = "truncated",
    [WIRE_E_VERSION] = "bad-version",
    [WIRE_E_LENGTH] = "bad-length",
    [WIRE_E_TRAILING] = "trailing-bytes",
    [WIRE_E_TAG] = "bad-tag",
    [WIRE_E_VARINT] = "bad-varint",
    [WIRE_E_COUNT] = "bad-count",
    [WIRE_E_UTF8] = "bad-utf8",
    [WIRE_E_NAME] = "bad-name",
    [WIRE_E_NUMBER] = "bad-number",
    [WIRE_E_CHAR] = "bad-char",
    [WIRE_E_META] = "bad-meta",
    [WIRE_E_DUPLICATE] = "duplicate",
    [WIRE_E_TOO_LARGE] = "too-large",
    [WIRE_E_DEPTH] = "too-deep",
    [WIRE_E_VALUES] = "too-many-values",
    [WIRE_E_ATOMS] = "too-many-atoms",
};

const char *wire_err_name(WireErr e) {
    return (unsigned)e < WIRE_E__COUNT ? ERR_NAMES[e] : "unknown";
}

Value wire_reason(Runtime *rt, WireErr e) {
    const char *s = wire_err_name(e);
    uint32_t idx = atoms_intern_text(&rt->atoms, s, strlen(s));
    return idx == UINT32_MAX ? LV_NIL : mk_keyword(idx);
}

Value wire_refusal(Proc *p, Value refused, const char *fname, const Value *args, uint32_t nargs) {
    Value kvs[4] = {K_(value), refused, K_(message), mk_cstring(p, "cannot cross a realm boundary")};
    if (!fname) return err_raise(p, K_(badarg), map_from_kvs(p, kvs, 4));
    return err_badarg_kvs(p, fname, args, nargs, kvs, 4);
}

/* ---- encoding ---------------------------------------------------------------- */

void wire_put_uvarint(Buf *b, uint64_t n) {
    uint8_t tmp[10];
    size_t k = 0;
    do {
        uint8_t byte = n & 0x7f;
        n >>= 7;
        tmp[k++] = byte | (n ? 0x80 : 0);
    } while (n);
    buf_append(b, tmp, k);
}

static void put_byte(Buf *b, uint8_t x) { buf_append(b, &x, 1); }
static void put_svarint(Buf *b, int64_t n) { wire_put_uvarint(b, ((uint64_t)n << 1) ^ (uint64_t)(n >> 63)); }
static void put_u64le(Buf *b, uint64_t x, size_t nbytes) {
    uint8_t tmp[8];
    for (size_t i = 0; i < nbytes; i++) tmp[i] = (uint8_t)(x >> (8 * i));
    buf_append(b, tmp, nbytes);
}

static void put_text(Buf *b, const char *s, size_t n) {
    wire_put_uvarint(b, n);
    buf_append(b, s, n);
}

static void put_atom(Buf *b, Runtime *rt, uint8_t tag, uint32_t idx) {
    const AtomEntry *e = atoms_get(&rt->atoms, idx);
    put_byte(b, tag);
    put_text(b, e->ns ? e->ns : "", e->ns ? e->ns_len : 0);
    put_text(b, e->name, e->name_len);
}

/* A pending value on the encoder's stack; skip_meta: its metadata has been
 * written already (W_META comes first). */
typedef struct EncItem {
    Value v;
    bool skip_meta;
} EncItem;

typedef struct EncStack {
    EncItem *items;
    size_t n, cap;
} EncStack;

static void enc_push(EncStack *s, Value v, bool skip_meta) {
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->items = xrealloc(s->items, s->cap * sizeof *s->items);
    }
    s->items[s->n++] = (EncItem){v, skip_meta};
}

static void put_bignum(Buf *b, Value v) {
    uint64_t n = box_len(v);
    put_byte(b, W_BIG);
    put_byte(b, (uint8_t)(((box_flags(v) & HF_NEG) ? 1 : 0) | ((box_flags(v) & HF_BIG) ? 2 : 0)));
    wire_put_uvarint(b, n);
    for (uint64_t i = 0; i < n; i++) put_u64le(b, box_payload(v)[i], 8);
}

/* Push the elements of a collection in reverse, so that they pop in order
 * (a map yields key, value, key, value...). */
static void push_children(EncStack *s, Value coll) {
    size_t base = s->n;
    CollCur c;
    HamtWalk hw;
    Value x;
    coll_cur_init(&c, coll);
    bool walk = coll_cur_needs_walk(&c);
    if (walk) coll_cur_start_walk(&c, &hw);
    while (coll_cur_next(&c, walk ? &hw : NULL, &x)) enc_push(s, x, false);
    for (size_t i = base, j = s->n - 1; s->n > base && i < j; i++, j--) {
        EncItem t = s->items[i];
        s->items[i] = s->items[j];
        s->items[j] = t;
    }
}

static size_t list_count(Value v, Value *tail) {
    size_t n = 0;
    while (is_cons(v)) {
        n++;
        v = cdr(v);
    }
    *tail = v;
    return n;
}

static bool is_meta_carrier(Value x) { return is_compound(x) && (box_flags(x) & HF_META) != 0; }

/* Write one container header and queue its elements; false if refused. */
static bool enc_container(Buf *b, EncStack *s, Value v) {
    switch (box_type(v)) {
    case T_CONS: {
        Value tail;
        size_t n = list_count(v, &tail);
        if (tail != LV_EMPTY) return false; /* improper list */
        put_byte(b, W_LIST);
        wire_put_uvarint(b, n);
        push_children(s, v);
        return true;
    }
    case T_TUPLE:
        put_byte(b, W_TUPLE);
        wire_put_uvarint(b, tuple_len(v));
        for (size_t i = tuple_len(v); i > 0; i--) enc_push(s, tuple_elems(v)[i - 1], false);
        return true;
    case T_VECTOR:
        put_byte(b, W_VECTOR);
        wire_put_uvarint(b, vec_count(v));
        push_children(s, v);
        return true;
    case T_MAP:
    case T_HMAP:
        put_byte(b, W_MAP);
        wire_put_uvarint(b, map_count(v));
        push_children(s, v);
        return true;
    case T_SET:
    case T_HSET:
        put_byte(b, W_SET);
        wire_put_uvarint(b, set_count(v));
        push_children(s, v);
        return true;
    default:
        return false;
    }
}

/* One value that needs no stack; false if v is not such a value. *ok:
 * false if it is one but cannot cross. */
static bool enc_scalar(Runtime *rt, Buf *b, Value v, bool *ok) {
    *ok = true;
    if (is_fix(v)) {
        put_byte(b, W_INT);
        put_svarint(b, fix_val(v));
        return true;
    }
    if (is_imm(v)) {
        switch (imm_tag(v)) {
        case IMM_SPECIAL:
            if (v == LV_NIL) put_byte(b, W_NIL);
            else if (v == LV_TRUE) put_byte(b, W_TRUE);
            else if (v == LV_FALSE) put_byte(b, W_FALSE);
            else if (v == LV_EMPTY) put_byte(b, W_EMPTY);
            else *ok = false;
            return true;
        case IMM_CHAR: put_byte(b, W_CHAR); wire_put_uvarint(b, char_val(v)); return true;
        case IMM_KEYWORD: put_atom(b, rt, W_KEYWORD, atom_index(v)); return true;
        case IMM_SYMBOL: put_atom(b, rt, W_SYMBOL, atom_index(v)); return true;
        case IMM_F32: put_byte(b, W_F32); put_u64le(b, (uint32_t)imm_payload(v), 4); return true;
        case IMM_PID:
        case IMM_REF:
            if (pid_realm(v) > WIRE_MAX_REALM) {
                *ok = false;
                return true;
            }
            put_byte(b, imm_tag(v) == IMM_PID ? W_PID : W_REF);
            wire_put_uvarint(b, pid_realm(v));
            wire_put_uvarint(b, pid_local(v));
            return true;
        case IMM_REALM:
            if (imm_payload(v) > WIRE_MAX_REALM) {
                *ok = false;
                return true;
            }
            put_byte(b, W_REALM);
            wire_put_uvarint(b, imm_payload(v));
            return true;
        default:
            if (is_small_fixed(v)) {
                put_byte(b, W_FIXED);
                put_byte(b, (uint8_t)num_fixed_kind(v));
                int64_t n = 0;
                num_to_i64(v, &n);
                wire_put_uvarint(b, (uint64_t)n);
                return true;
            }
            if (imm_tag(v) == IMM_NOTIF) {
                /* Its owner's realm and token (proc/notif.h): one of ours
                 * gets its token now. */
                uint32_t owner = notif_owner(v);
                uint64_t token = owner ? notif_token_of(v) : notif_token(rt, v);
                if (!owner) owner = rt->realm_id;
                *ok = token != 0 && owner <= WIRE_MAX_REALM;
                if (*ok) {
                    put_byte(b, W_NOTIF);
                    wire_put_uvarint(b, owner);
                    wire_put_uvarint(b, token);
                }
                return true;
            }
            if (imm_tag(v) == IMM_REGION) {
                /* The realm that made it and its id there (realm/region.c). */
                uint32_t owner = 0;
                uint64_t id = 0;
                *ok = region_to_wire(rt, v, &owner, &id) && owner >= 1 && owner <= WIRE_MAX_REALM && id >= 1;
                if (*ok) {
                    put_byte(b, W_REGION);
                    wire_put_uvarint(b, owner);
                    wire_put_uvarint(b, id);
                }
                return true;
            }
            /* intrinsics */
            *ok = false;
            return true;
        }
    }
    if (!is_boxed(v)) {
        *ok = false;
        return true;
    }
    switch (box_type(v)) {
    case T_BIGNUM: put_bignum(b, v); return true;
    case T_FLOAT: {
        uint64_t bits;
        double d = float_val(v);
        memcpy(&bits, &d, 8);
        put_byte(b, W_FLOAT);
        put_u64le(b, bits, 8);
        return true;
    }
    case T_U64:
    case T_I64:
        put_byte(b, W_FIXED);
        put_byte(b, box_type(v) == T_U64 ? FX_U64 : FX_I64);
        wire_put_uvarint(b, box_payload(v)[0]);
        return true;
    case T_STRING:
        put_byte(b, W_STRING);
        put_text(b, str_bytes(v), str_bytelen(v));
        return true;
    case T_BIN:
    case T_BINREF:
        put_byte(b, W_BINARY);
        put_text(b, (const char *)binary_bytes(v), binary_size(v));
        return true;
    default:
        return false;
    }
}

/* Code mode: an intrinsic, var, namespace, prototype or closure; false if
 * v is none of these. */
static bool enc_code(const WireCode *code, Buf *b, EncStack *s, Value v) {
    if (is_keyword(v) || is_symbol_imm(v)) {
        put_byte(b, is_keyword(v) ? W_KEYWORD_IX : W_SYMBOL_IX);
        wire_put_uvarint(b, atom_index(v));
    } else if (is_native(v)) {
        put_byte(b, W_NATIVE);
        wire_put_uvarint(b, native_index(v));
    } else if (is_var(v)) {
        Var *var = as_var(v);
        put_byte(b, W_VAR);
        enc_push(s, var->sym, false);
        enc_push(s, as_ns(var->ns)->name, false);
    } else if (is_ns(v)) {
        put_byte(b, W_NS);
        enc_push(s, as_ns(v)->name, false);
    } else if (is_box_of(v, T_PROTO)) {
        put_byte(b, W_PROTO);
        wire_put_uvarint(b, code->proto_id(code->ctx, v));
    } else if (is_closure(v)) {
        uint32_t n = closure_proto(v)->ncaptured;
        put_byte(b, W_CLOSURE);
        wire_put_uvarint(b, code->proto_id(code->ctx, box_ptr(v)[1]));
        wire_put_uvarint(b, n);
        for (uint32_t i = n; i > 0; i--) enc_push(s, closure_captured(v)[i - 1], false);
    } else {
        return false;
    }
    return true;
}

static WireErr encode(Runtime *rt, Value v, const WireCode *code, const WireLimits *lim, Buf *out,
                      Value *refused) {
    if (!lim) lim = &wire_default_limits;
    Buf body;
    buf_init(&body);
    EncStack s = {0};
    enc_push(&s, v, false);
    WireErr err = WIRE_OK;
    while (err == WIRE_OK && s.n > 0) {
        EncItem it = s.items[--s.n];
        Value x = it.v;
        if (is_box_of(x, T_SYMMETA)) x = sym_strip(x); /* a symbol's metadata stays home */
        bool ok = true;
        if (!it.skip_meta && is_meta_carrier(x)) {
            put_byte(&body, W_META);
            enc_push(&s, x, true);
            enc_push(&s, box_meta(x), false);
        } else if (code && (is_native(x) || is_keyword(x) || is_symbol_imm(x))) {
            enc_code(code, &body, &s, x);
        } else if (enc_scalar(rt, &body, x, &ok)) {
            /* done */
        } else if (box_type(x) == T_RATIO) {
            put_byte(&body, W_RATIO);
            enc_push(&s, box_payload(x)[1], false);
            enc_push(&s, box_payload(x)[0], false);
        } else if (is_coll(x)) {
            ok = enc_container(&body, &s, x);
        } else {
            ok = code && enc_code(code, &body, &s, x); /* else closures, vars, namespaces, bytebufs... */
        }
        if (!ok) {
            err = WIRE_E_REFUSED;
            if (refused) *refused = x;
        } else if (body.len + 11 > lim->max_bytes) {
            err = WIRE_E_TOO_LARGE;
        }
    }
    free(s.items);
    if (err == WIRE_OK) {
        put_byte(out, WIRE_VERSION);
        wire_put_uvarint(out, body.len);
        buf_append(out, body.data, body.len);
    }
    buf_free(&body);
    return err;
}

WireErr wire_encode(Runtime *rt, Value v, const WireLimits *lim, Buf *out, Value *refused) {
    return encode(rt, v, NULL, lim, out, refused);
}

WireErr wire_encode_code(Runtime *rt, Value v, const WireCode *code, const WireLimits *lim, Buf *out,
                         Value *refused) {
    return encode(rt, v, code, lim, out, refused);
}

/* ---- reading ------------------------------------------------------------------- */

WireErr wire_get_uvarint(const uint8_t **pp, const uint8_t *end, uint64_t *out) {
    const uint8_t *p = *pp;
    uint64_t n = 0;
    for (unsigned shift = 0; shift < 70; shift += 7) {
        if (p >= end) return WIRE_E_TRUNCATED;
        uint8_t byte = *p++;
        if (shift == 63 && byte > 1) return WIRE_E_VARINT; /* beyond 64 bits */
        n |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            *out = n;
            *pp = p;
            return WIRE_OK;
        }
    }
    return WIRE_E_VARINT;
}

typedef struct Rd {
    const uint8_t *p, *end;
} Rd;

#define TRY(x)                                                                                     \
    do {                                                                                           \
        WireErr e_ = (x);                                                                          \
        if (e_ != WIRE_OK) return e_;                                                              \
    } while (0)

static WireErr get_uv(Rd *r, uint64_t *out) { return wire_get_uvarint(&r->p, r->end, out); }

static WireErr get_byte(Rd *r, uint8_t *out) {
    if (r->p >= r->end) return WIRE_E_TRUNCATED;
    *out = *r->p++;
    return WIRE_OK;
}

static WireErr get_bytes(Rd *r, uint64_t n, const uint8_t **out) {
    if ((uint64_t)(r->end - r->p) < n) return WIRE_E_TRUNCATED;
    *out = r->p;
    r->p += n;
    return WIRE_OK;
}

static uint64_t get_u64le_unchecked(const uint8_t *b, size_t nbytes) {
    uint64_t x = 0;
    for (size_t i = 0; i < nbytes; i++) x |= (uint64_t)b[i] << (8 * i);
    return x;
}

/* A count of items each taking at least min_bytes: never more than the
 * bytes left could hold, so a small hostile input cannot ask for a large
 * allocation. */
static WireErr get_count(Rd *r, size_t min_bytes, uint64_t *out) {
    TRY(get_uv(r, out));
    return *out <= (uint64_t)(r->end - r->p) / min_bytes ? WIRE_OK : WIRE_E_COUNT;
}

static WireErr get_len(Rd *r, const uint8_t **s, size_t *len) {
    uint64_t n;
    TRY(get_uv(r, &n));
    if (n > (uint64_t)(r->end - r->p)) return WIRE_E_COUNT;
    *len = (size_t)n;
    return get_bytes(r, n, s);
}

/* ---- pass 1: validate and size -------------------------------------------- */

/* Names new to the atom table, counted once each (pointers into the input). */
typedef struct NewName {
    const uint8_t *ns, *name; /* ns NULL: unqualified */
    size_t ns_len, name_len;
} NewName;

typedef struct Chk {
    Runtime *rt;
    const WireLimits *lim;
    const WireCode *code;   /* code mode, else NULL */
    Rd r;
    uint64_t values;
    NewName *names;
    size_t names_cap; /* power of two, or 0 */
    uint32_t new_atoms;
} Chk;

static uint64_t name_hash(const uint8_t *ns, size_t ns_len, const uint8_t *name, size_t name_len) {
    uint64_t h = 1469598103934665603ull ^ (ns ? 0x9e37 : 0);
    for (size_t i = 0; i < ns_len; i++) h = (h ^ ns[i]) * 1099511628211ull;
    h = (h ^ '/') * 1099511628211ull;
    for (size_t i = 0; i < name_len; i++) h = (h ^ name[i]) * 1099511628211ull;
    return h;
}

/* Count (ns, name) if neither the atom table nor this input has it yet. */
static WireErr note_name(Chk *c, const uint8_t *ns, size_t ns_len, const uint8_t *name, size_t name_len) {
    if (atoms_lookup(&c->rt->atoms, (const char *)ns, ns_len, (const char *)name, name_len) != UINT32_MAX)
        return WIRE_OK;
    if (!c->names) {
        c->names_cap = 16;
        while (c->names_cap < 2 * ((size_t)c->lim->max_new_atoms + 1)) c->names_cap *= 2;
        c->names = xcalloc(c->names_cap, sizeof *c->names);
    }
    size_t mask = c->names_cap - 1;
    for (size_t i = name_hash(ns, ns_len, name, name_len) & mask;; i = (i + 1) & mask) {
        NewName *e = &c->names[i];
        if (!e->name) {
            if (c->new_atoms >= c->lim->max_new_atoms) return WIRE_E_ATOMS;
            c->new_atoms++;
            *e = (NewName){ns, name, ns_len, name_len};
            return WIRE_OK;
        }
        if ((e->ns == NULL) == (ns == NULL) && e->ns_len == ns_len && e->name_len == name_len &&
            (!ns || memcmp(e->ns, ns, ns_len) == 0) && memcmp(e->name, name, name_len) == 0)
            return WIRE_OK;
    }
}

static WireErr chk_text(Chk *c, size_t max, const uint8_t **s, size_t *len) {
    TRY(get_len(&c->r, s, len));
    if (*len > max) return WIRE_E_NAME;
    size_t cps;
    return utf8_validate((const char *)*s, *len, &cps) ? WIRE_OK : WIRE_E_UTF8;
}

static WireErr chk_atom(Chk *c) {
    const uint8_t *ns, *name;
    size_t ns_len, name_len;
    TRY(chk_text(c, c->lim->max_name, &ns, &ns_len));
    TRY(chk_text(c, c->lim->max_name, &name, &name_len));
    if (name_len == 0) return WIRE_E_NAME;
    if (c->lim->max_new_atoms == UINT32_MAX) return WIRE_OK; /* no limit: nothing to count */
    if (ns_len) TRY(note_name(c, ns, ns_len, name, name_len)); /* and its unqualified twin: */
    return note_name(c, NULL, 0, name, name_len);
}

/* BIG after its tag; *zero: every limb is 0. */
static WireErr chk_big(Chk *c, bool *zero) {
    uint8_t flags;
    uint64_t n;
    const uint8_t *limbs;
    TRY(get_byte(&c->r, &flags));
    if (flags > 3) return WIRE_E_NUMBER;
    TRY(get_count(&c->r, 8, &n));
    if (n == 0) return WIRE_E_NUMBER;
    TRY(get_bytes(&c->r, n * 8, &limbs));
    *zero = true;
    for (uint64_t i = 0; i < n * 8; i++)
        if (limbs[i]) *zero = false;
    return WIRE_OK;
}

static WireErr count_value(Chk *c) {
    return ++c->values > c->lim->max_values ? WIRE_E_VALUES : WIRE_OK;
}

/* A ratio's part after RATIO: an INT or a BIG; *zero: it is 0. */
static WireErr chk_ratio_part(Chk *c, bool *zero) {
    uint8_t tag;
    uint64_t n;
    TRY(count_value(c));
    TRY(get_byte(&c->r, &tag));
    if (tag == W_INT) {
        TRY(get_uv(&c->r, &n));
        *zero = n == 0;
        return WIRE_OK;
    }
    if (tag == W_BIG) return chk_big(c, zero);
    return WIRE_E_NUMBER;
}

static WireErr chk_fixed(Chk *c) {
    uint8_t kind;
    uint64_t bits;
    TRY(get_byte(&c->r, &kind));
    if (kind >= FX__COUNT) return WIRE_E_NUMBER;
    TRY(get_uv(&c->r, &bits));
    int64_t s = (int64_t)bits;
    bool fits;
    switch (kind) {
    case FX_U8: fits = bits <= UINT8_MAX; break;
    case FX_U16: fits = bits <= UINT16_MAX; break;
    case FX_U32: fits = bits <= UINT32_MAX; break;
    case FX_I8: fits = s >= INT8_MIN && s <= INT8_MAX; break;
    case FX_I16: fits = s >= INT16_MIN && s <= INT16_MAX; break;
    case FX_I32: fits = s >= INT32_MIN && s <= INT32_MAX; break;
    default: fits = true; break; /* U64, I64: any 64 bits */
    }
    return fits ? WIRE_OK : WIRE_E_NUMBER;
}

static WireErr chk_pidlike(Chk *c) {
    uint64_t realm, n;
    TRY(get_uv(&c->r, &realm));
    TRY(get_uv(&c->r, &n));
    return realm <= WIRE_MAX_REALM && n <= PID_LOCAL_MASK ? WIRE_OK : WIRE_E_NUMBER;
}

/* A notification or a region: the realm that made it and its token or
 * id there, neither 0. */
static WireErr chk_owned(Chk *c) {
    uint64_t realm, token;
    TRY(get_uv(&c->r, &realm));
    TRY(get_uv(&c->r, &token));
    return realm >= 1 && realm <= WIRE_MAX_REALM && token >= 1 && token <= NOTIF_TOKEN_MASK ? WIRE_OK : WIRE_E_NUMBER;
}

/* What the next value must be (metadata's constraints). */
enum { C_ANY, C_METAMAP, C_MAP, C_COLL };

typedef struct ChkFrame {
    uint64_t left;       /* values still to come */
    uint64_t base_live;  /* values on the build stack below this container's */
    uint8_t tag;
    bool want_map;       /* META: its value must be a map (metadata of metadata) */
} ChkFrame;

/* The body in c->r: exactly one value. */
static WireErr chk_body(Chk *c, uint32_t *depth_out, uint64_t *peak_out) {
    const WireLimits *lim = c->lim;
    /* Most values are shallow: frames on the C stack until they are not. */
    ChkFrame local[16];
    size_t cap = 16;
    ChkFrame *fs = local;
    size_t nf = 1;
    fs[0] = (ChkFrame){1, 0, 0, false}; /* the outermost value */
    uint64_t live = 0, peak = 0;
    uint32_t depth = 0;
    WireErr err = WIRE_OK;
    while (err == WIRE_OK) {
        ChkFrame *f = &fs[nf - 1];
        if (f->left == 0) {
            live = f->base_live + 1;
            if (live > peak) peak = live;
            if (--nf == 0) break;
            continue;
        }
        int want = C_ANY;
        bool child_want_map = false;
        if (f->tag == W_META) {
            if (f->left == 2) want = C_METAMAP;
            else want = f->want_map ? C_MAP : C_COLL;
        }
        f->left--;
        uint8_t tag;
        if ((err = count_value(c)) != WIRE_OK || (err = get_byte(&c->r, &tag)) != WIRE_OK) break;
        if (want == C_METAMAP) {
            if (tag != W_MAP && tag != W_META) err = WIRE_E_META;
            child_want_map = tag == W_META;
        } else if (want == C_MAP) {
            if (tag != W_MAP) err = WIRE_E_META;
        } else if (want == C_COLL) {
            if (tag != W_LIST && tag != W_TUPLE && tag != W_VECTOR && tag != W_SET && tag != W_MAP)
                err = WIRE_E_META;
        }
        if (err) break;
        uint64_t n = 0, k = 0;
        bool zero;
        const uint8_t *s;
        size_t len;
        switch (tag) {
        case W_NIL:
        case W_TRUE:
        case W_FALSE:
        case W_EMPTY: break;
        case W_INT: err = get_uv(&c->r, &n); break;
        case W_BIG: err = chk_big(c, &zero); break;
        case W_FLOAT: err = get_bytes(&c->r, 8, &s); break;
        case W_F32: err = get_bytes(&c->r, 4, &s); break;
        case W_FIXED: err = chk_fixed(c); break;
        case W_CHAR:
            err = get_uv(&c->r, &n);
            if (!err && (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff))) err = WIRE_E_CHAR;
            break;
        case W_KEYWORD:
        case W_SYMBOL: err = chk_atom(c); break;
        case W_STRING: err = chk_text(c, SIZE_MAX, &s, &len); break;
        case W_BINARY: err = get_len(&c->r, &s, &len); break;
        case W_RATIO:
            err = chk_ratio_part(c, &zero);
            if (!err) err = chk_ratio_part(c, &zero);
            if (!err && zero) err = WIRE_E_NUMBER; /* a zero denominator */
            break;
        case W_PID:
        case W_REF: err = chk_pidlike(c); break;
        case W_REALM:
            err = get_uv(&c->r, &n);
            if (!err && n > WIRE_MAX_REALM) err = WIRE_E_NUMBER;
            break;
        case W_LIST:
        case W_TUPLE:
        case W_VECTOR:
        case W_SET:
            err = get_count(&c->r, 1, &n);
            if (!err && want == C_COLL && tag == W_LIST && n == 0) err = WIRE_E_META; /* () has none */
            k = n;
            break;
        case W_MAP:
            err = get_count(&c->r, 2, &n);
            k = 2 * n;
            break;
        case W_META: k = 2; break;
        case W_NOTIF:
        case W_REGION: err = chk_owned(c); break;
        case W_NATIVE:
            err = c->code ? get_uv(&c->r, &n) : WIRE_E_TAG;
            if (!err && n >= c->code->natives) err = WIRE_E_NUMBER;
            break;
        case W_PROTO: err = c->code ? get_uv(&c->r, &n) : WIRE_E_TAG; break;
        case W_KEYWORD_IX:
        case W_SYMBOL_IX:
            err = c->code ? get_uv(&c->r, &n) : WIRE_E_TAG;
            if (!err && n >= atomic_load(&c->rt->atoms.count)) err = WIRE_E_NAME;
            break;
        case W_VAR: k = 2; err = c->code ? WIRE_OK : WIRE_E_TAG; break;
        case W_NS: k = 1; err = c->code ? WIRE_OK : WIRE_E_TAG; break;
        case W_CLOSURE:
            err = c->code ? get_uv(&c->r, &n) : WIRE_E_TAG;
            if (!err) err = get_count(&c->r, 1, &k);
            break;
        default: err = WIRE_E_TAG; break;
        }
        if (err) break;
        bool container = (tag >= W_LIST && tag <= W_META) || tag == W_VAR || tag == W_NS || tag == W_CLOSURE;
        if (!container) {
            if (++live > peak) peak = live;
            continue;
        }
        if (nf > lim->max_depth) {
            err = WIRE_E_DEPTH;
            break;
        }
        if (nf == cap) {
            cap *= 2;
            if (fs == local) {
                fs = xmalloc(cap * sizeof *fs);
                memcpy(fs, local, sizeof local);
            } else {
                fs = xrealloc(fs, cap * sizeof *fs);
            }
        }
        fs[nf++] = (ChkFrame){k, live, tag, child_want_map};
        if (nf - 1 > depth) depth = (uint32_t)(nf - 1);
    }
    if (fs != local) free(fs);
    if (err == WIRE_OK && c->r.p != c->r.end) err = WIRE_E_TRAILING;
    if (peak < 1) peak = 1;
    *depth_out = depth;
    *peak_out = peak;
    return err;
}

/* The envelope: *body and *body_len on success. */
static WireErr open_envelope(const uint8_t *data, size_t n, const WireLimits *lim, Rd *body) {
    if (n > lim->max_bytes) return WIRE_E_TOO_LARGE;
    if (n == 0) return WIRE_E_TRUNCATED;
    if (data[0] != WIRE_VERSION) return WIRE_E_VERSION;
    const uint8_t *p = data + 1, *end = data + n;
    uint64_t len;
    TRY(wire_get_uvarint(&p, end, &len));
    if (len > (uint64_t)(end - p)) return WIRE_E_TRUNCATED;
    if (len < (uint64_t)(end - p)) return WIRE_E_LENGTH;
    *body = (Rd){p, end};
    return WIRE_OK;
}

static WireErr check(Runtime *rt, const uint8_t *data, size_t n, const WireLimits *lim, const WireCode *code,
                     WireInfo *info, uint64_t *peak) {
    Chk c = {.rt = rt, .lim = lim, .code = code};
    memset(info, 0, sizeof *info);
    WireErr err = open_envelope(data, n, lim, &c.r);
    if (err) {
        info->off = 0;
        return err;
    }
    info->body = (size_t)(c.r.end - c.r.p);
    err = chk_body(&c, &info->depth, peak);
    info->values = c.values;
    info->new_atoms = c.new_atoms;
    info->off = (size_t)(c.r.p - data);
    free(c.names);
    return err;
}

WireErr wire_check(Runtime *rt, const uint8_t *data, size_t n, const WireLimits *lim, WireInfo *info) {
    WireInfo tmp;
    uint64_t peak;
    return check(rt, data, n, lim ? lim : &wire_default_limits, NULL, info ? info : &tmp, &peak);
}

/* ---- pass 2: build ---------------------------------------------------------------- */

/* Input that passed wire_check: the reads below cannot fail, but every
 * step that memory safety depends on checks again (bytes left, UTF-8, the
 * sizes of the work space), so that input changed between the passes (a
 * buffer shared with the peer) or a bug here is a refusal, not an overrun. */

static WireErr get_atom(Proc *p, Rd *r, uint32_t *idx) {
    const uint8_t *ns, *name;
    size_t ns_len, name_len;
    TRY(get_len(r, &ns, &ns_len));
    TRY(get_len(r, &name, &name_len));
    *idx = atoms_intern(&p->rt->atoms, ns_len ? (const char *)ns : NULL, ns_len, (const char *)name, name_len);
    return *idx == UINT32_MAX ? WIRE_E_ATOMS : WIRE_OK;
}

static WireErr get_bignum(Proc *p, Rd *r, Value *out) {
    uint8_t flags;
    uint64_t n;
    const uint8_t *limbs;
    TRY(get_byte(r, &flags));
    TRY(get_count(r, 8, &n));
    if (n == 0 || flags > 3) return WIRE_E_NUMBER;
    TRY(get_bytes(r, n * 8, &limbs));
    /* Through hexadecimal digits: num_parse_digits normalises (a value that
     * fits a fixnum comes back as one). */
    char *hex = xmalloc((size_t)n * 16 + 1);
    for (uint64_t i = n; i-- > 0;) /* most significant first: each NUL is overwritten */
        snprintf(hex + (n - 1 - i) * 16, 17, "%016llx",
                 (unsigned long long)get_u64le_unchecked(limbs + 8 * i, 8));
    *out = num_parse_digits(p, hex, (size_t)n * 16, 16, flags & 1, (flags & 2) != 0);
    free(hex);
    return *out != LV_EXC && *out != LV_NONE ? WIRE_OK : WIRE_E_NUMBER;
}

static WireErr get_fixed(Proc *p, Rd *r, Value *out) {
    uint8_t kind;
    uint64_t bits;
    TRY(get_byte(r, &kind));
    if (kind >= FX__COUNT) return WIRE_E_NUMBER;
    TRY(get_uv(r, &bits));
    bool is_signed = kind >= FX_I8;
    Value plain = is_signed ? num_from_i64(p, (int64_t)bits) : num_from_u64(p, bits);
    if (!num_fixed_fits(kind, plain)) return WIRE_E_NUMBER;
    *out = num_to_fixed(p, kind, plain);
    return *out != LV_EXC ? WIRE_OK : WIRE_E_NUMBER;
}

/* A container waiting for its elements. */
typedef struct BuildFrame {
    uint8_t tag;
    uint64_t need;  /* elements in all */
    size_t base;    /* where they start on the value stack */
    uint64_t proto; /* CLOSURE: its prototype's number */
} BuildFrame;

/* Code mode: a closure of the prototype numbered id over n captured values. */
static WireErr build_closure(Proc *p, const WireCode *code, uint64_t id, const Value *xs, size_t n, Value *out) {
    Value proto = code->proto_at(code->ctx, id);
    if (proto == LV_NONE || as_proto(proto)->ncaptured != n) return WIRE_E_NUMBER;
    if (n == 0 && as_proto(proto)->shared_closure != LV_NONE) {
        *out = as_proto(proto)->shared_closure;
        return WIRE_OK;
    }
    Value c = mk_box(p, T_CLOSURE, 0, 1 + n);
    box_payload(c)[0] = proto;
    if (n) memcpy(box_payload(c) + 1, xs, n * sizeof *xs);
    *out = c;
    return WIRE_OK;
}

/* A finished container from its n elements xs. */
static WireErr build(Proc *p, const WireCode *code, const BuildFrame *f, const Value *xs, size_t n, Value *out) {
    uint8_t tag = f->tag;
    switch (tag) {
    case W_LIST: *out = mk_list_from(p, xs, n); return WIRE_OK;
    case W_TUPLE: {
        Value t = mk_tuple(p, n);
        if (n) memcpy(tuple_elems(t), xs, n * sizeof *xs);
        *out = t;
        return WIRE_OK;
    }
    case W_VECTOR: *out = vec_from(p, xs, n); return WIRE_OK;
    case W_SET:
        *out = set_from(p, xs, n);
        return set_count(*out) == n ? WIRE_OK : WIRE_E_DUPLICATE;
    case W_MAP:
        *out = map_from_kvs(p, xs, n);
        return map_count(*out) == n / 2 ? WIRE_OK : WIRE_E_DUPLICATE;
    case W_META:
        if (n != 2 || !is_map(xs[0]) || !is_boxed(xs[1]) || !is_coll(xs[1])) return WIRE_E_META;
        *out = coll_with_meta(p, xs[1], xs[0]);
        return *out != LV_EXC ? WIRE_OK : WIRE_E_META;
    case W_VAR:
        if (!code || n != 2 || !is_symbol_imm(xs[0]) || !is_symbol_imm(xs[1])) return WIRE_E_TAG;
        *out = ns_intern(p->rt, ns_create(p->rt, xs[0]), xs[1]);
        return WIRE_OK;
    case W_NS:
        if (!code || n != 1 || !is_symbol_imm(xs[0])) return WIRE_E_TAG;
        *out = ns_create(p->rt, xs[0]);
        return WIRE_OK;
    case W_CLOSURE:
        if (!code) return WIRE_E_TAG;
        return build_closure(p, code, f->proto, xs, n, out);
    default: return WIRE_E_TAG;
    }
}

/* One number of a ratio (INT or BIG). */
static WireErr get_int(Proc *p, Rd *r, Value *out) {
    uint8_t tag;
    uint64_t n;
    TRY(get_byte(r, &tag));
    if (tag == W_INT) {
        TRY(get_uv(r, &n));
        *out = num_from_i64(p, (int64_t)(n >> 1) ^ -(int64_t)(n & 1));
        return WIRE_OK;
    }
    if (tag == W_BIG) return get_bignum(p, r, out);
    return WIRE_E_NUMBER;
}

/* Code mode's tags (build_step). */
static WireErr build_code_step(Proc *p, Rd *r, const WireCode *code, uint8_t tag, Value *out, uint64_t *open_n,
                               uint64_t *proto) {
    uint64_t n;
    switch (tag) {
    case W_NATIVE:
        TRY(get_uv(r, &n));
        if (n >= code->natives) return WIRE_E_NUMBER;
        *out = mk_native((uint32_t)n);
        return WIRE_OK;
    case W_PROTO:
        TRY(get_uv(r, &n));
        *out = code->proto_at(code->ctx, n);
        return *out != LV_NONE ? WIRE_OK : WIRE_E_NUMBER;
    case W_KEYWORD_IX:
    case W_SYMBOL_IX:
        TRY(get_uv(r, &n));
        if (n >= atomic_load(&p->rt->atoms.count)) return WIRE_E_NAME;
        *out = tag == W_KEYWORD_IX ? mk_keyword((uint32_t)n) : mk_symbol((uint32_t)n);
        return WIRE_OK;
    case W_VAR: *open_n = 2; return WIRE_OK;
    case W_NS: *open_n = 1; return WIRE_OK;
    case W_CLOSURE:
        TRY(get_uv(r, proto));
        return get_count(r, 1, open_n);
    default: return WIRE_E_TAG;
    }
}

/* Read one tag: a finished value (*out) or a container to open (*open_n,
 * and for a closure its prototype's number in *proto). */
static WireErr build_step(Proc *p, Rd *r, const WireCode *code, uint8_t *tag_out, Value *out, uint64_t *open_n,
                          uint64_t *proto) {
    uint8_t tag;
    uint64_t n;
    const uint8_t *s;
    size_t len;
    *open_n = UINT64_MAX;
    TRY(get_byte(r, &tag));
    *tag_out = tag;
    switch (tag) {
    case W_NIL: *out = LV_NIL; return WIRE_OK;
    case W_TRUE: *out = LV_TRUE; return WIRE_OK;
    case W_FALSE: *out = LV_FALSE; return WIRE_OK;
    case W_EMPTY: *out = LV_EMPTY; return WIRE_OK;
    case W_INT:
        r->p--;
        return get_int(p, r, out);
    case W_BIG: return get_bignum(p, r, out);
    case W_FLOAT: {
        double d;
        TRY(get_bytes(r, 8, &s));
        uint64_t bits = get_u64le_unchecked(s, 8);
        memcpy(&d, &bits, 8);
        *out = mk_float(p, d);
        return WIRE_OK;
    }
    case W_F32:
        TRY(get_bytes(r, 4, &s));
        *out = IMM(IMM_F32, (uint32_t)get_u64le_unchecked(s, 4));
        return WIRE_OK;
    case W_FIXED: return get_fixed(p, r, out);
    case W_CHAR:
        TRY(get_uv(r, &n));
        if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return WIRE_E_CHAR;
        *out = mk_char((uint32_t)n);
        return WIRE_OK;
    case W_KEYWORD:
    case W_SYMBOL: {
        uint32_t idx;
        TRY(get_atom(p, r, &idx));
        *out = tag == W_KEYWORD ? mk_keyword(idx) : mk_symbol(idx);
        return WIRE_OK;
    }
    case W_STRING: {
        size_t cps;
        TRY(get_len(r, &s, &len));
        if (!utf8_validate((const char *)s, len, &cps)) return WIRE_E_UTF8;
        *out = mk_string_n(p, (const char *)s, len, cps);
        return WIRE_OK;
    }
    case W_BINARY:
        TRY(get_len(r, &s, &len));
        *out = mk_binary(p, s, len);
        return WIRE_OK;
    case W_RATIO: {
        Value num, den;
        TRY(get_int(p, r, &num));
        TRY(get_int(p, r, &den));
        Value v = num_make_ratio(p, num, den);
        if (v == LV_EXC) {
            p->exc = LV_NONE;
            return WIRE_E_NUMBER;
        }
        /* The peer's ratio must be one here too: 4/2 is refused, 4/6 reduced. */
        if (!is_ratio(v)) return WIRE_E_NUMBER;
        *out = v;
        return WIRE_OK;
    }
    case W_PID:
    case W_REF: {
        uint64_t realm;
        TRY(get_uv(r, &realm));
        TRY(get_uv(r, &n));
        if (realm > WIRE_MAX_REALM || n > PID_LOCAL_MASK) return WIRE_E_NUMBER;
        *out = tag == W_PID ? mk_pid((uint32_t)realm, n) : mk_ref((uint32_t)realm, n);
        return WIRE_OK;
    }
    case W_REALM:
        TRY(get_uv(r, &n));
        if (n > WIRE_MAX_REALM) return WIRE_E_NUMBER;
        *out = IMM(IMM_REALM, n);
        return WIRE_OK;
    case W_LIST:
    case W_TUPLE:
    case W_VECTOR:
    case W_SET:
        TRY(get_count(r, 1, open_n));
        return WIRE_OK;
    case W_MAP:
        TRY(get_count(r, 2, &n));
        *open_n = 2 * n;
        return WIRE_OK;
    case W_META: *open_n = 2; return WIRE_OK;
    case W_NOTIF: {
        uint64_t realm;
        TRY(get_uv(r, &realm));
        TRY(get_uv(r, &n));
        if (realm < 1 || realm > WIRE_MAX_REALM || n < 1 || n > NOTIF_TOKEN_MASK) return WIRE_E_NUMBER;
        /* One of ours back home is ours again (the same value); an unknown
         * token of ours stays in the remote form, which signals nothing. */
        Value mine = realm == p->rt->realm_id ? notif_by_token(p->rt, n) : LV_NONE;
        *out = mine != LV_NONE ? mine : mk_remote_notif((uint32_t)realm, n);
        return WIRE_OK;
    }
    case W_REGION: {
        uint64_t realm;
        TRY(get_uv(r, &realm));
        TRY(get_uv(r, &n));
        if (realm < 1 || realm > WIRE_MAX_REALM || n < 1 || n > REGION_ID_MASK) return WIRE_E_NUMBER;
        *out = region_from_wire(p->rt, (uint32_t)realm, n);
        return WIRE_OK;
    }
    default:
        return code ? build_code_step(p, r, code, tag, out, open_n, proto) : WIRE_E_TAG;
    }
}

static WireErr decode(Proc *p, const uint8_t *data, size_t n, const WireCode *code, const WireLimits *lim,
                      Value *out) {
    if (!lim) lim = &wire_default_limits;
    WireInfo info;
    uint64_t peak;
    TRY(check(p->rt, data, n, lim, code, &info, &peak));
    Rd r;
    TRY(open_envelope(data, n, lim, &r));
    /* Work space sized by pass 1: frames for the deepest nesting, values
     * for the most pending at once. */
    BuildFrame local_fs[16];
    Value local_vals[64];
    BuildFrame *fs = info.depth < 16 ? local_fs : xmalloc(((size_t)info.depth + 1) * sizeof *fs);
    Value *vals = peak <= 64 ? local_vals : xmalloc((size_t)peak * sizeof *vals);
    size_t nf = 1, nv = 0;
    fs[0] = (BuildFrame){0, 1, 0, 0};
    WireErr err = WIRE_OK;
    while (err == WIRE_OK) {
        BuildFrame *f = &fs[nf - 1];
        if (nv - f->base < f->need) {
            uint8_t tag;
            uint64_t k, proto = 0;
            Value v = LV_NONE;
            err = build_step(p, &r, code, &tag, &v, &k, &proto);
            if (err) break;
            if (k == UINT64_MAX) {
                if (nv >= peak) err = WIRE_E_VALUES; /* cannot happen after pass 1 */
                else vals[nv++] = v;
            } else if (nf > info.depth) {
                err = WIRE_E_DEPTH; /* cannot happen after pass 1 */
            } else {
                fs[nf++] = (BuildFrame){tag, k, nv, proto};
            }
            continue;
        }
        if (nf == 1) break;
        BuildFrame done = *f;
        nf--;
        Value v;
        err = build(p, code, &done, vals + done.base, nv - done.base, &v);
        nv = done.base;
        if (!err && nv >= peak) err = WIRE_E_VALUES; /* cannot happen after pass 1 */
        if (!err) vals[nv++] = v;
    }
    if (!err && (nv != 1 || r.p != r.end)) err = WIRE_E_TRAILING;
    if (!err) *out = vals[0];
    if (fs != local_fs) free(fs);
    if (vals != local_vals) free(vals);
    return err;
}

WireErr wire_decode(Proc *p, const uint8_t *data, size_t n, const WireLimits *lim, Value *out) {
    return decode(p, data, n, NULL, lim, out);
}

WireErr wire_decode_code(Proc *p, const uint8_t *data, size_t n, const WireCode *code, const WireLimits *lim,
                         Value *out) {
    return decode(p, data, n, code, lim, out);
}

size_t wire_message_len(const uint8_t *data, size_t n) {
    if (n == 0) return 0;
    const uint8_t *p = data + 1, *end = data + n;
    uint64_t len;
    if (wire_get_uvarint(&p, end, &len) != WIRE_OK || len > (uint64_t)(end - p)) return 0;
    return (size_t)(p - data) + (size_t)len;
}
