/*
 * suggest.c — what to suggest when a symbol does not resolve: the visible
 * names a small edit away (a typo), and the Lonala name of a Clojure
 * function that Lonala spells differently (assoc is put).
 *
 * Runs only when compilation fails on that error, on the compiling
 * process; it walks the visible names once (ns_each_visible), so a
 * failed lookup costs one pass over a few hundred names and a correct
 * program costs nothing.
 */
#include <string.h>

#include "compiler/cc.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "base/util.h"
#include "term/coll.h"
#include "vm/ns.h"

#define MAX_SUGGESTIONS 4
#define MAX_NAME 64

/* Clojure names whose Lonala counterpart has another name (spec §1, §7). */
static const struct {
    const char *clojure, *lonala;
} clojure_names[] = {
    {"assoc", "put"},       {"cons", "prepend"}, {"next", "rest"},   {"set", "hash-set"},
    {"nthrest", "drop"},    {"long", "i64"},     {"double", "f64"},  {"float", "f32"},
    {"throw", "exit"},
};

typedef struct Candidate {
    uint32_t atom;
    int dist;
} Candidate;

typedef struct Search {
    const AtomTable *atoms;
    const char *name;
    size_t len;
    int limit;
    Candidate best[MAX_SUGGESTIONS];
    int nbest;
} Search;

/* Optimal string alignment distance (Levenshtein plus swapping two
 * neighbours), or limit + 1 once it is sure to exceed limit. */
static int edit_distance(const char *a, size_t la, const char *b, size_t lb, int limit) {
    if (la > MAX_NAME || lb > MAX_NAME) return limit + 1;
    if ((int)(la > lb ? la - lb : lb - la) > limit) return limit + 1;
    int d[MAX_NAME + 1][MAX_NAME + 1];
    for (size_t i = 0; i <= la; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int row_min = limit + 1;
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j - 1] + cost;
            if (d[i - 1][j] + 1 < v) v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
            if (v < row_min) row_min = v;
        }
        if (row_min > limit) return limit + 1;
    }
    return d[la][lb];
}

static bool better(Candidate x, Candidate y, const AtomTable *atoms) {
    if (x.dist != y.dist) return x.dist < y.dist;
    return strcmp(atoms_get(atoms, x.atom)->name, atoms_get(atoms, y.atom)->name) < 0;
}

/* Keep the MAX_SUGGESTIONS closest names, sorted, each once. */
static void consider(void *ctx, uint32_t atom) {
    Search *s = ctx;
    const AtomEntry *e = atoms_get(s->atoms, atom);
    if (e->name[0] == '%' && s->name[0] != '%') return;
    int dist = edit_distance(s->name, s->len, e->name, e->name_len, s->limit);
    if (dist > s->limit || dist == 0) return;
    for (int i = 0; i < s->nbest; i++)
        if (s->best[i].atom == atom) return;
    Candidate c = {atom, dist};
    int at = s->nbest;
    while (at > 0 && better(c, s->best[at - 1], s->atoms)) at--;
    if (at >= MAX_SUGGESTIONS) return;
    int last = s->nbest < MAX_SUGGESTIONS ? s->nbest : MAX_SUGGESTIONS - 1;
    memmove(&s->best[at + 1], &s->best[at], (size_t)(last - at) * sizeof(Candidate));
    s->best[at] = c;
    if (s->nbest < MAX_SUGGESTIONS) s->nbest++;
}

static Value lonala_name_of(Compiler *cc, const char *name) {
    for (size_t i = 0; i < sizeof clojure_names / sizeof clojure_names[0]; i++) {
        if (strcmp(clojure_names[i].clojure, name) != 0) continue;
        const char *l = clojure_names[i].lonala;
        Value sym = mk_symbol(atoms_intern(&cc->rt->atoms, NULL, 0, l, strlen(l)));
        return ns_resolve(cc->rt, cc->ns, sym) == LV_NONE ? LV_NONE : sym;
    }
    return LV_NONE;
}

Value cc_suggest(Compiler *cc, Value sym) {
    const AtomEntry *e = atoms_get(&cc->rt->atoms, atom_index(sym_strip(sym)));
    if (e->ns) return LV_EMPTY;
    Search s = {.atoms = &cc->rt->atoms, .name = e->name, .len = e->name_len};
    s.limit = s.len <= 2 ? 0 : s.len <= 4 ? 1 : 2;
    if (s.limit > 0) ns_each_visible(cc->rt, cc->ns, consider, &s);
    Value out = LV_EMPTY;
    for (int i = s.nbest; i > 0; i--) out = mk_cons(cc->p, mk_symbol(s.best[i - 1].atom), out);
    Value lonala = lonala_name_of(cc, e->name);
    if (lonala != LV_NONE) out = mk_cons(cc->p, lonala, out);
    return out;
}

_Noreturn void cc_fail_undef(Compiler *cc, Value sym, const char *what) {
    Value names = cc_suggest(cc, sym);
    Buf b;
    buf_init(&b);
    const AtomEntry *e = atoms_get(&cc->rt->atoms, atom_index(sym_strip(sym)));
    buf_printf(&b, "unable to resolve %s: ", what);
    if (e->ns) buf_printf(&b, "%s/", e->ns);
    buf_printf(&b, "%s", e->name);
    for (Value l = names; is_cons(l); l = cdr(l)) {
        const AtomEntry *n = atoms_get(&cc->rt->atoms, atom_index(car(l)));
        buf_printf(&b, "%s%s", l == names ? " (did you mean " : ", ", n->name);
    }
    if (names != LV_EMPTY) buf_printf(&b, "?)");
    buf_putc(&b, '\0');
    Value msg = mk_cstring(cc->p, b.data);
    buf_free(&b);
    uint32_t n = 0;
    for (Value l = names; is_cons(l); l = cdr(l)) n++;
    if (n == 0) cc_fail_info(cc, K_(undef), sym, msg, LV_NONE, LV_NONE);
    Value t = mk_tuple(cc->p, n);
    n = 0;
    for (Value l = names; is_cons(l); l = cdr(l)) tuple_elems(t)[n++] = car(l);
    Value key = mk_keyword(atoms_intern_text(&cc->rt->atoms, "did-you-mean", 12));
    cc_fail_info(cc, K_(undef), sym, msg, key, t);
}
