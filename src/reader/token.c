/*
 * token.c — plain tokens (spec/lonala.md 2.2, 2.6): numbers are handed to
 * number.c; nil/true/false; keywords; symbols, including the %-placeholders
 * of an anonymous function literal (2.9).
 *
 * Shape rules: a name is made of letters, ASCII digits and
 * * + ! - _ ' ? < > = . $ & % #; a qualified name is ns/name with both parts
 * non-empty; "/" and "ns//" name the division symbol. Anything else is
 * :invalid-token.
 */
#include <stdio.h>
#include <string.h>

#include "base/utf8.h"
#include "reader/rd_internal.h"
#include "term/atoms.h"

bool rd_valid_name(const char *s, size_t n) {
    if (n == 0) return false;
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            if (!(rd_ascii_class[c] & RC_SYM) || c == '/') return false;
            i++;
            continue;
        }
        uint32_t cp;
        size_t k = utf8_decode(s + i, n - i, &cp);
        if (k == 0 || !unicode_is_letter(cp)) return false;
        i += k;
    }
    return true;
}

/* Split s[0..n) into namespace and name; false on a bad use of '/'. */
static bool split_name(const char *s, size_t n, size_t *ns_len, const char **name,
                       size_t *name_len) {
    if (n == 1 && s[0] == '/') {
        *ns_len = 0;
        *name = s;
        *name_len = 1;
        return true;
    }
    const char *slash = memchr(s, '/', n);
    if (!slash) {
        *ns_len = 0;
        *name = s;
        *name_len = n;
        return rd_valid_name(s, n);
    }
    size_t nl = (size_t)(slash - s);
    const char *nm = slash + 1;
    size_t ml = n - nl - 1;
    if (nl == 0 || !rd_valid_name(s, nl)) return false;
    *ns_len = nl;
    *name = nm;
    *name_len = ml;
    if (ml == 1 && nm[0] == '/') return true;
    return rd_valid_name(nm, ml);
}

static Value intern(Reader *r, const char *s, size_t ns_len, const char *name, size_t name_len,
                    uint32_t line, uint32_t col, bool keyword) {
    AtomTable *t = &r->p->rt->atoms;
    uint32_t idx = ns_len ? atoms_intern(t, s, ns_len, name, name_len)
                          : atoms_intern(t, NULL, 0, name, name_len);
    if (idx == UINT32_MAX)
        return rd_error_at(r, K_(invalid_token), line, col, "too many distinct names");
    return keyword ? mk_keyword(idx) : mk_symbol(idx);
}

static Value bad_token(Reader *r, const char *s, size_t n, uint32_t line, uint32_t col,
                       const char *what) {
    char ex[64];
    rd_excerpt(s, n, ex);
    return rd_error_at(r, K_(invalid_token), line, col, "invalid %s %s", what, ex);
}

/* Inside #( ): the placeholder index of s[0..n) (1.., 0 for %&), -1 when it
 * is not a placeholder, -2 when the index is too large. */
static int placeholder_index(const char *s, size_t n) {
    if (n == 0 || s[0] != '%') return -1;
    if (n == 1) return 1;
    if (n == 2 && s[1] == '&') return 0;
    if (s[1] < '1' || s[1] > '9') return -1;
    int v = 0;
    for (size_t i = 1; i < n; i++) {
        if (!rd_is_digit(s[i])) return -1;
        if (v <= READER_MAX_ANON_ARGS) v = v * 10 + (s[i] - '0');
    }
    return v <= READER_MAX_ANON_ARGS ? v : -2;
}

Value rd_anon_param(Reader *r, int i) {
    if (r->anon_params[i] != LV_NONE) return r->anon_params[i];
    unsigned long long g = atomic_fetch_add(&r->p->rt->next_gensym, 1);
    char buf[64];
    int len = i == 0 ? snprintf(buf, sizeof buf, "rest__%llu", g)
                     : snprintf(buf, sizeof buf, "p%d__%llu", i, g);
    uint32_t idx = atoms_intern(&r->p->rt->atoms, NULL, 0, buf, (size_t)len);
    if (idx == UINT32_MAX) return rd_error(r, K_(invalid_token), "too many distinct names");
    r->anon_params[i] = mk_symbol(idx);
    if (i > r->anon_max) r->anon_max = i;
    return r->anon_params[i];
}

static Value placeholder(Reader *r, const char *s, size_t n, int i, uint32_t line, uint32_t col) {
    if (i == -2)
        return rd_error_at(r, K_(invalid_token), line, col,
                           "placeholder beyond %%%d in an anonymous function",
                           READER_MAX_ANON_ARGS);
    if (n == 1)
        r->anon_bare = true;
    else if (i == 1)
        r->anon_one = true;
    if (r->anon_bare && r->anon_one)
        return rd_error_at(r, K_(mixed_placeholders), line, col,
                           "%% and %%1 used in the same anonymous function");
    return rd_anon_param(r, i);
}

Value rd_symbol(Reader *r, const char *s, size_t n, uint32_t line, uint32_t col) {
    if (r->in_anon_fn && n > 0 && s[0] == '%') {
        int i = placeholder_index(s, n);
        if (i != -1) return placeholder(r, s, n, i, line, col);
    }
    size_t ns_len, name_len;
    const char *name;
    if (!split_name(s, n, &ns_len, &name, &name_len)) return bad_token(r, s, n, line, col, "symbol");
    return intern(r, s, ns_len, name, name_len, line, col, false);
}

static Value keyword(Reader *r, const char *s, size_t n, uint32_t line, uint32_t col) {
    size_t ns_len, name_len;
    const char *name;
    if (n < 2 || !split_name(s + 1, n - 1, &ns_len, &name, &name_len))
        return bad_token(r, s, n, line, col, "keyword");
    return intern(r, s + 1, ns_len, name, name_len, line, col, true);
}

Value rd_token(Reader *r) {
    uint32_t line = r->line, col = r->col;
    size_t end;
    if (!rd_scan_token(r, r->pos, &end)) return LV_EXC;
    const char *s = r->src + r->pos;
    size_t n = end - r->pos;
    rd_advance(r, n);
    unsigned char c0 = (unsigned char)s[0];
    if (rd_is_digit(c0) || ((c0 == '+' || c0 == '-') && n > 1 && rd_is_digit(s[1])))
        return rd_number(r, s, n, line, col);
    if (n == 3 && memcmp(s, "nil", 3) == 0) return LV_NIL;
    if (n == 4 && memcmp(s, "true", 4) == 0) return LV_TRUE;
    if (n == 5 && memcmp(s, "false", 5) == 0) return LV_FALSE;
    if (c0 == ':') return keyword(r, s, n, line, col);
    return rd_symbol(r, s, n, line, col);
}
