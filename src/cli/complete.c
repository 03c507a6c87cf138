/*
 * complete.c — the names the REPL offers on TAB (see complete.h).
 */
#include "cli/complete.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "term/atoms.h"
#include "vm/ns.h"

/* Characters that end a symbol or keyword (the reader's delimiters and
 * reader-macro characters). */
static bool is_delimiter(char c) {
    return c == 0 || strchr(" \t\r\n,()[]{}\"';`~@^\\#", c) != NULL;
}

size_t complete_word_start(const char *line, size_t cursor) {
    size_t i = cursor;
    while (i > 0 && !is_delimiter(line[i - 1])) i--;
    return i;
}

/* What a walk over names collects: those starting with `want`, written
 * with `prefix` before them and `suffix` after. */
typedef struct Gather {
    const AtomTable *atoms;
    Completions *out;
    const char *prefix, *suffix;
    const char *want;
    size_t want_len;
} Gather;

static void add_name(Completions *c, char *name) {
    if (c->count == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->names = xrealloc(c->names, c->cap * sizeof *c->names);
    }
    c->names[c->count++] = name;
}

/* Adds the full text of an atom (ns/name or name) if it matches. */
static void consider(void *ctx, uint32_t atom) {
    Gather *g = ctx;
    const AtomEntry *e = atoms_get(g->atoms, atom);
    Buf b;
    buf_init(&b);
    if (e->ns) buf_printf(&b, "%s/", e->ns);
    buf_append(&b, e->name, e->name_len);
    if (b.len >= g->want_len && memcmp(b.data, g->want, g->want_len) == 0) {
        Buf full;
        buf_init(&full);
        buf_printf(&full, "%s%.*s%s", g->prefix, (int)b.len, b.data, g->suffix);
        add_name(g->out, buf_take(&full));
    }
    buf_free(&b);
}

static int by_text(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sort_unique(Completions *c) {
    if (c->count == 0) return;
    qsort(c->names, c->count, sizeof *c->names, by_text);
    size_t kept = 1;
    for (size_t i = 1; i < c->count; i++) {
        if (strcmp(c->names[i], c->names[kept - 1]) == 0)
            free(c->names[i]);
        else
            c->names[kept++] = c->names[i];
    }
    c->count = kept;
}

/* ns/na: the public vars of the namespace an alias or a name stands for. */
static void qualified(Runtime *rt, Value ns, const char *word, size_t slash, size_t len, Completions *out) {
    uint32_t q = atoms_lookup(&rt->atoms, NULL, 0, word, slash);
    if (q == UINT32_MAX) return;
    Value target = ns_alias_target(rt, ns, mk_symbol(q));
    if (target == LV_NIL) target = ns_find(rt, mk_symbol(q));
    if (target == LV_NIL) return;
    char *prefix = xmalloc(slash + 2);
    memcpy(prefix, word, slash + 1);
    prefix[slash + 1] = 0;
    Gather g = {&rt->atoms, out, prefix, "", word + slash + 1, len - slash - 1};
    ns_each_public(rt, target, consider, &g);
    free(prefix);
}

/* :na: every interned name (a symbol and a keyword share an entry). */
static void keywords(Runtime *rt, const char *word, size_t len, Completions *out) {
    Gather g = {&rt->atoms, out, ":", "", word + 1, len - 1};
    uint32_t n = atomic_load_explicit(&rt->atoms.count, memory_order_acquire);
    for (uint32_t i = 0; i < n; i++) consider(&g, i);
}

void complete_names(Runtime *rt, Value ns, const char *word, size_t len, Completions *out) {
    memset(out, 0, sizeof *out);
    const char *slash = len > 1 ? memchr(word + 1, '/', len - 1) : NULL;
    if (len > 0 && word[0] == ':') {
        keywords(rt, word, len, out);
    } else if (slash) {
        qualified(rt, ns, word, (size_t)(slash - word), len, out);
    } else {
        Gather g = {&rt->atoms, out, "", "", word, len};
        ns_each_visible(rt, ns, consider, &g);
        ns_each_namespace(rt, consider, &g);
        g.suffix = "/";
        ns_each_alias(rt, ns, consider, &g);
    }
    sort_unique(out);
}

size_t complete_common(const Completions *c) {
    if (c->count == 0) return 0;
    size_t n = strlen(c->names[0]);
    for (size_t i = 1; i < c->count; i++) {
        size_t k = 0;
        while (k < n && c->names[i][k] == c->names[0][k]) k++;
        n = k;
    }
    /* never half a UTF-8 character */
    while (n > 0 && ((unsigned char)c->names[0][n] & 0xC0) == 0x80) n--;
    return n;
}

void complete_free(Completions *c) {
    for (size_t i = 0; i < c->count; i++) free(c->names[i]);
    free(c->names);
    memset(c, 0, sizeof *c);
}
