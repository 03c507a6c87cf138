/*
 * order.c — the order of `compare` (see order.h).
 *
 * Scalars are decided at once (ord_shallow); two sequences that need a
 * look at their elements become a frame of two cursors walked in step on
 * an explicit stack, so the C stack never grows with the depth of the
 * data. As in equality (equal.c), a pair of collections met again is
 * skipped: values hold no cycles, so the first meeting is finished and
 * found them equal (else the walk would have stopped).
 */
#include "term/order.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "term/coll.h"
#include "term/equal.h"
#include "term/num.h"

enum { OK_NONE, OK_NIL, OK_BOOL, OK_NUM, OK_CHAR, OK_STRING, OK_KEYWORD, OK_SYMBOL, OK_LIST,
       OK_TUPLE, OK_VECTOR };

static const char *const kind_names[] = {
    NULL, "nil", "boolean", "number", "character", "string", "keyword", "symbol", "list",
    "tuple", "vector",
};

static int ord_kind(Value v) {
    if (v == LV_NIL) return OK_NIL;
    if (v == LV_TRUE || v == LV_FALSE) return OK_BOOL;
    if (is_number(v)) return OK_NUM;
    if (is_char(v)) return OK_CHAR;
    if (is_string(v)) return OK_STRING;
    if (is_keyword(v)) return OK_KEYWORD;
    if (is_symbol(v)) return OK_SYMBOL;
    if (is_list(v)) return OK_LIST;
    if (is_tuple(v)) return OK_TUPLE;
    if (is_vector(v)) return OK_VECTOR;
    return OK_NONE;
}

const char *lv_order_kind(Value v) { return kind_names[ord_kind(v)]; }

static inline int sign_of(size_t a, size_t b) { return (a > b) - (a < b); }

/* Byte order of UTF-8 text is the order of its code points. */
static int cmp_text(const char *a, size_t an, const char *b, size_t bn) {
    int c = memcmp(a, b, an < bn ? an : bn);
    return c ? (c < 0 ? -1 : 1) : sign_of(an, bn);
}

static bool is_nan(Value v) {
    return (is_float(v) && isnan(float_val(v))) || (is_f32(v) && isnan(f32_val(v)));
}

/* NaN is after every other number and equal to itself: the order stays
 * total, so sorting a collection that holds NaN still sorts the rest. */
static int cmp_numbers(Value a, Value b) {
    bool unordered;
    int c = num_cmp(a, b, &unordered);
    if (!unordered) return (c > 0) - (c < 0);
    bool na = is_nan(a), nb = is_nan(b);
    return na == nb ? 0 : na ? 1 : -1;
}

static int cmp_atoms(const AtomTable *atoms, Value a, Value b) {
    const AtomEntry *x = atoms_get(atoms, atom_index(a));
    const AtomEntry *y = atoms_get(atoms, atom_index(b));
    if (!x->ns != !y->ns) return x->ns ? 1 : -1;
    int c = x->ns ? cmp_text(x->ns, x->ns_len, y->ns, y->ns_len) : 0;
    return c ? c : cmp_text(x->name, x->name_len, y->name, y->name_len);
}

enum { ORD_DEEP = 3 };

/* -1/0/1, ORDER_NONE, or ORD_DEEP: two sequences whose elements decide. */
static int ord_shallow(const AtomTable *atoms, Value a, Value b) {
    if (a == LV_NIL || b == LV_NIL) return (a != LV_NIL) - (b != LV_NIL);
    int k = ord_kind(a);
    if (k == OK_NONE || k != ord_kind(b)) return ORDER_NONE;
    switch (k) {
    case OK_BOOL: return (a == LV_TRUE) - (b == LV_TRUE);
    case OK_NUM: return cmp_numbers(a, b);
    case OK_CHAR: return (char_val(a) > char_val(b)) - (char_val(a) < char_val(b));
    case OK_STRING: return cmp_text(str_bytes(a), str_bytelen(a), str_bytes(b), str_bytelen(b));
    case OK_KEYWORD: return cmp_atoms(atoms, a, b);
    case OK_SYMBOL: return cmp_atoms(atoms, sym_strip(a), sym_strip(b));
    case OK_LIST: return a == b ? 0 : ORD_DEEP;
    case OK_TUPLE:
        if (a == b) return 0;
        return tuple_len(a) != tuple_len(b) ? sign_of(tuple_len(a), tuple_len(b)) : ORD_DEEP;
    default:
        if (a == b) return 0;
        return vec_count(a) != vec_count(b) ? sign_of(vec_count(a), vec_count(b)) : ORD_DEEP;
    }
}

typedef struct OrdFrame {
    CollCur a, b;
} OrdFrame;

typedef struct OrdStack {
    OrdFrame *f;
    size_t n, cap;
    OrdFrame local[8];
    PairMemo seen;
} OrdStack;

static void ord_push(OrdStack *s, Value a, Value b) {
    if (s->n == s->cap) {
        s->f = grow_inline(s->f, s->local, s->n, s->cap * 2, sizeof *s->f);
        s->cap *= 2;
    }
    OrdFrame *f = &s->f[s->n++];
    coll_cur_init(&f->a, a);
    coll_cur_init(&f->b, b);
}

int lv_compare(const AtomTable *atoms, Value a, Value b, Value *bad_a, Value *bad_b,
               size_t *steps) {
    *steps = 1;
    int r = ord_shallow(atoms, a, b);
    if (r == ORDER_NONE) {
        *bad_a = a;
        *bad_b = b;
    }
    if (r != ORD_DEEP) return r;
    OrdStack s = {.n = 0, .cap = ARRAY_LEN(s.local), .seen.ready = false};
    s.f = s.local;
    ord_push(&s, a, b);
    r = 0;
    while (r == 0 && s.n > 0) {
        OrdFrame *f = &s.f[s.n - 1];
        Value x, y;
        bool more_a = coll_cur_next(&f->a, NULL, &x);
        bool more_b = coll_cur_next(&f->b, NULL, &y);
        if (!more_a || !more_b) { /* lists: the shorter one is a prefix */
            r = (int)more_a - (int)more_b;
            s.n--;
            continue;
        }
        ++*steps;
        r = ord_shallow(atoms, x, y);
        if (r == ORD_DEEP) {
            r = 0;
            if (!pair_memo_seen(&s.seen, x, y)) ord_push(&s, x, y);
        } else if (r == ORDER_NONE) {
            *bad_a = x;
            *bad_b = y;
        }
    }
    if (s.f != s.local) free(s.f);
    return r;
}
