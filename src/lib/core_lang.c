/*
 * core_lang.c — intrinsics of the language machinery: compiling, reading,
 * macro support, apply, namespaces and vars, gensym, refs, time, arch.
 *
 * Names starting with % are internal to lib/lona (the expander, eval,
 * load-file); they are private vars of lona.core.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "compiler/cc.h"
#include "compiler/compiler.h"
#include "lib/intrinsic.h"
#include "lib/stdlib.h"
#include "reader/reader.h"
#include "sched/timer.h"
#include "vm/receive.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/coll.h"
#include "term/num.h"
#include "vm/error.h"
#include "vm/ns.h"
#include "vm/vm.h"

static Value core_var_value(Proc *p, const char *name) {
    Runtime *rt = p->rt;
    Value var = ns_lookup(rt, rt->core_ns, mk_symbol(atoms_intern_text(&rt->atoms, name, strlen(name))));
    if (var == LV_NONE) return LV_NIL;
    Value v = var_get(p, var);
    return v == LV_NONE ? LV_NIL : v;
}

static Value nat_compile(Proc *p, Value *a, uint32_t n) {
    return cc_compile(p, a[0], ns_current(p), core_var_value(p, "*file*"));
}

static Value nat_read_string(Proc *p, Value *a, uint32_t n) {
    if (!is_string(a[0])) return err_type(p, "read-string", a[0], "string");
    return read_string(p, str_bytes(a[0]), str_bytelen(a[0]));
}

/* (%read-next text pos line col) -> [form pos line col], or nil at the end. */
static Value nat_read_next(Proc *p, Value *a, uint32_t n) {
    if (!is_string(a[0]) || !is_fix(a[1]) || !is_fix(a[2]) || !is_fix(a[3]))
        return err_badarg(p, "%read-next", a, n);
    Value file = core_var_value(p, "*file*");
    char fname[512];
    const char *fn = NULL;
    if (is_string(file)) {
        snprintf(fname, sizeof fname, "%s", str_bytes(file));
        fn = fname;
    }
    Reader r;
    reader_init(&r, p, str_bytes(a[0]), str_bytelen(a[0]), fn);
    int64_t pos = fix_val(a[1]);
    if (pos < 0 || (uint64_t)pos > str_bytelen(a[0])) return err_badarg(p, "%read-next", a, n);
    r.pos = (size_t)pos;
    r.line = (uint32_t)fix_val(a[2]);
    r.col = (uint32_t)fix_val(a[3]);
    if (pos == 0) reader_skip_shebang(&r);
    Value form = reader_next(&r);
    if (form == LV_EXC) return LV_EXC;
    if (form == LV_NONE) return LV_NIL;
    Value t = mk_tuple(p, 4);
    tuple_elems(t)[0] = form;
    tuple_elems(t)[1] = fix((int64_t)r.pos);
    tuple_elems(t)[2] = fix(r.line);
    tuple_elems(t)[3] = fix(r.col);
    return t;
}

/* (%macro-fn sym locals) -> the macro's function if sym (not shadowed by
 * a member of the set `locals`) names a macro var, else nil. */
static Value nat_macro_fn(Proc *p, Value *a, uint32_t n) {
    if (!is_symbol(a[0])) return LV_NIL;
    Value sym = sym_strip(a[0]);
    if (a[1] != LV_NIL && is_set(a[1]) && set_contains(a[1], sym)) return LV_NIL;
    if (cc_is_special(sym)) return LV_NIL;
    Value var = ns_resolve(p->rt, ns_current(p), sym);
    if (var == LV_NONE || !(atomic_load(&as_var(var)->flags) & VAR_MACRO)) return LV_NIL;
    Value f = var_get(p, var);
    return f == LV_NONE ? LV_NIL : f;
}

/* (%special? sym) -> true for def fn* match do quote var receive (bare or
 * lona.core-qualified). */
static Value nat_special_p(Proc *p, Value *a, uint32_t n) {
    if (!is_symbol(a[0])) return LV_FALSE;
    Value s = sym_strip(a[0]);
    if (cc_is_special(s)) return LV_TRUE;
    const AtomEntry *e = atoms_get(&p->rt->atoms, atom_index(s));
    return lv_bool(e->ns && strcmp(e->ns, "lona.core") == 0 && cc_is_special(mk_symbol(e->unqualified)));
}

static Value nat_gensym(Proc *p, Value *a, uint32_t n) {
    char buf[256];
    uint64_t k = atomic_fetch_add(&p->rt->next_gensym, 1);
    if (n == 0) {
        snprintf(buf, sizeof buf, "G__%llu", (unsigned long long)k);
    } else {
        Value pre = a[0];
        if (is_symbol(pre)) {
            const AtomEntry *e = atoms_get(&p->rt->atoms, atom_index(sym_strip(pre)));
            snprintf(buf, sizeof buf, "%s__%llu", e->name, (unsigned long long)k);
        } else if (is_string(pre)) {
            snprintf(buf, sizeof buf, "%.200s__%llu", str_bytes(pre), (unsigned long long)k);
        } else {
            return err_type(p, "gensym", pre, "string");
        }
    }
    return mk_symbol(atoms_intern(&p->rt->atoms, NULL, 0, buf, strlen(buf)));
}

static Value nat_apply(Proc *p, Value *a, uint32_t n) {
    Value f = a[0];
    if (!is_fn(f) && !is_keyword(f) && !is_map(f) && !is_tuple(f) && !is_vector(f))
        return err_badarg(p, "apply", a, n);
    Value last = a[n - 1];
    size_t count;
    if (!seq_count(last, &count)) return err_type(p, "apply", last, "seqable");
    Value args = mk_tuple(p, (n - 2) + count);
    for (uint32_t i = 1; i + 1 < n; i++) tuple_elems(args)[i - 1] = a[i];
    SeqIter it;
    seq_iter_init(&it, last);
    Value x;
    size_t i = n - 2;
    while (seq_iter_next(p, &it, &x)) tuple_elems(args)[i++] = x;
    p->reductions -= (int32_t)(count / 16);
    p->tc_fn = f;
    p->tc_args = args;
    return LV_TAILCALL;
}

/* (%catch thunk) -> [:ok value] or [:exit reason]: errors and exits inside
 * thunk end only the thunk (used by the REPL and doctest runners). */
static Value nat_catch(Proc *p, Value *a, uint32_t n) {
    if (!is_closure(a[0])) return err_type(p, "%catch", a[0], "Lonala function");
    p->tc_fn = a[0];
    p->tc_args = mk_tuple(p, 0);
    p->push_catch = true;
    return LV_TAILCALL;
}

/* (%last-trace): the stack trace of the last error raised in this process,
 * as [fn-name file line] tuples, innermost first (read it right after
 * %catch returned [:exit [:error ...]]). */
static Value nat_last_trace(Proc *p, Value *a, uint32_t n) {
    (void)a;
    (void)n;
    return is_cons(p->trace) ? p->trace : LV_EMPTY;
}

/* (%raise reason) (%raise reason info): end the process with
 * [:error reason] or [:error reason info], for library code written in
 * Lonala that must fail the way an intrinsic does. */
static Value nat_raise(Proc *p, Value *a, uint32_t n) {
    if (!is_keyword(a[0])) return err_type(p, "%raise", a[0], "keyword");
    return err_raise(p, a[0], n > 1 ? a[1] : LV_NONE);
}

/* (%reraise reason): end the process with a reason caught by %catch,
 * keeping the stack trace of the error that was caught (loading a file
 * catches to restore *ns* and *file*, then goes on failing). */
static Value nat_reraise(Proc *p, Value *a, uint32_t n) {
    (void)n;
    p->exc = a[0];
    vm_keep_trace_once();
    return LV_EXC;
}

/* (%syntax-error message form): how macros report misuse. */
static Value nat_syntax_error(Proc *p, Value *a, uint32_t n) {
    Value kvs[4] = {K_(message), a[0], K_(form), n > 1 ? a[1] : LV_NIL};
    return err_raise(p, K_(syntax_error), map_from_kvs(p, kvs, n > 1 ? 4 : 2));
}

/* ---- namespaces and vars ---- */

static Value as_ns_arg(Proc *p, Value x, const char *fname, bool must_exist, Value *out) {
    if (is_ns(x)) {
        *out = x;
        return LV_NONE;
    }
    if (!is_symbol(x)) return err_type(p, fname, x, "namespace or symbol");
    Value ns = ns_find(p->rt, x);
    if (ns == LV_NIL && must_exist) return err_badarg(p, fname, &x, 1);
    *out = ns;
    return LV_NONE;
}

static Value nat_create_ns(Proc *p, Value *a, uint32_t n) {
    if (!is_symbol(a[0])) return err_type(p, "create-ns", a[0], "symbol");
    return ns_create(p->rt, a[0]);
}

static Value nat_find_ns(Proc *p, Value *a, uint32_t n) {
    if (!is_symbol(a[0])) return err_type(p, "find-ns", a[0], "symbol");
    return ns_find(p->rt, a[0]);
}

static Value nat_ns_name(Proc *p, Value *a, uint32_t n) {
    if (!is_ns(a[0])) return err_type(p, "ns-name", a[0], "namespace");
    return as_ns(a[0])->name;
}

static Value nat_ns_map(Proc *p, Value *a, uint32_t n) {
    Value ns;
    if (as_ns_arg(p, a[0], "ns-map", true, &ns) == LV_EXC) return LV_EXC;
    return ns_map_value(p, ns);
}

static Value nat_all_ns(Proc *p, Value *a, uint32_t n) { return ns_all(p); }

/* Public: owned by ns, not private, not named %... (the runtime's helpers). */
static Value nat_ns_publics(Proc *p, Value *a, uint32_t n) {
    Value ns;
    if (as_ns_arg(p, a[0], "ns-publics", true, &ns) == LV_EXC) return LV_EXC;
    Value all = ns_map_value(p, ns), out = map_empty(p);
    SeqIter it;
    seq_iter_init(&it, all);
    Value kv;
    while (seq_iter_next(p, &it, &kv)) {
        Value sym = tuple_elems(kv)[0], var = tuple_elems(kv)[1];
        Var *v = as_var(var);
        if (v->ns != ns || (atomic_load(&v->flags) & VAR_PRIVATE)) continue;
        if (atoms_get(&p->rt->atoms, atom_index(sym))->name[0] == '%') continue;
        out = map_put(p, out, sym, var);
    }
    return out;
}

static Value nat_resolve(Proc *p, Value *a, uint32_t n) {
    if (!is_symbol(a[0])) return err_type(p, "resolve", a[0], "symbol");
    Value var = ns_resolve(p->rt, ns_current(p), a[0]);
    return var == LV_NONE ? LV_NIL : var;
}

static Value nat_intern(Proc *p, Value *a, uint32_t n) {
    Value ns;
    if (as_ns_arg(p, a[0], "intern", false, &ns) == LV_EXC) return LV_EXC;
    if (ns == LV_NIL) ns = ns_create(p->rt, a[0]);
    if (!is_symbol(a[1])) return err_type(p, "intern", a[1], "symbol");
    Value var = ns_intern(p->rt, ns, a[1]);
    Value m = is_box_of(a[1], T_SYMMETA) ? box_meta(a[1]) : LV_NIL;
    if (is_map(m)) {
        Value old = atomic_load(&as_var(var)->meta);
        Value merged = is_map(old) ? old : map_empty(p);
        SeqIter it;
        seq_iter_init(&it, m);
        Value kv;
        while (seq_iter_next(p, &it, &kv)) merged = map_put(p, merged, tuple_elems(kv)[0], tuple_elems(kv)[1]);
        var_set_meta(p->rt, var, merged);
    }
    if (n == 3 && !var_define(p, var, a[2])) return LV_EXC;
    return var;
}

static Value nat_refer(Proc *p, Value *a, uint32_t n) {
    Value src;
    if (as_ns_arg(p, a[0], "refer", true, &src) == LV_EXC) return LV_EXC;
    Value cur = ns_current(p);
    Value m = ns_map_value(p, src);
    SeqIter it;
    seq_iter_init(&it, m);
    Value kv;
    while (seq_iter_next(p, &it, &kv)) {
        Value var = tuple_elems(kv)[1];
        if (as_var(var)->ns != src) continue;
        if (atomic_load(&as_var(var)->flags) & VAR_PRIVATE) continue;
        if (n == 2 && a[1] != LV_NIL) {
            /* (refer ns only): a seqable of symbols to refer */
            bool wanted = false;
            SeqIter it2;
            if (!seq_iter_init(&it2, a[1])) return err_type(p, "refer", a[1], "seqable of symbols");
            Value s;
            while (seq_iter_next(p, &it2, &s))
                if (is_symbol(s) && sym_strip(s) == tuple_elems(kv)[0]) wanted = true;
            if (!wanted) continue;
        }
        ns_refer_var(p->rt, cur, tuple_elems(kv)[0], var);
    }
    return LV_NIL;
}

static Value nat_alias(Proc *p, Value *a, uint32_t n) {
    if (!is_symbol(a[0])) return err_type(p, "alias", a[0], "symbol");
    Value target;
    if (as_ns_arg(p, a[1], "alias", true, &target) == LV_EXC) return LV_EXC;
    ns_add_alias(p->rt, ns_current(p), a[0], target);
    return LV_NIL;
}

static Value nat_var_get(Proc *p, Value *a, uint32_t n) {
    if (!is_var(a[0])) return err_type(p, "var-get", a[0], "var");
    Value v = var_get(p, a[0]);
    if (v == LV_NONE) {
        Value kvs[2] = {K_(var), a[0]};
        return err_raise(p, K_(unbound), map_from_kvs(p, kvs, 2));
    }
    return v;
}

static Value nat_ns_set_meta(Proc *p, Value *a, uint32_t n) {
    if (!is_ns(a[0])) return err_type(p, "%ns-set-meta", a[0], "namespace");
    atomic_store(&as_ns(a[0])->meta, a[1] == LV_NIL ? LV_NIL : lit_copy(p->rt, a[1]));
    atomic_fetch_add(&p->rt->code_gen, 1); /* a code image holds namespace metadata */
    return LV_NIL;
}

/* ---- files ---- */

static Value nat_slurp(Proc *p, Value *a, uint32_t n) {
    if (!is_string(a[0])) return err_type(p, "load-file", a[0], "string");
    FILE *f = fopen(str_bytes(a[0]), "rb");
    if (!f) {
        /* Refused (the permissions, or a child realm's sandbox, which
         * refuses every file) is not the same as missing. */
        int e = errno;
        bool refused = e == EACCES || e == EPERM;
        char text[200];
        snprintf(text, sizeof text, "%s%s", strerror(e),
                 refused && p->rt->realm_id != 1 ? ": code in a child realm opens no files (its sandbox refuses them)"
                                                 : "");
        Value kvs[4] = {K_(file), a[0], K_(message), mk_cstring(p, text)};
        Value reason = refused ? mk_keyword(atoms_intern_text(&p->rt->atoms, "permission-denied", 17)) : K_(file_not_found);
        return err_raise(p, reason, map_from_kvs(p, kvs, 4));
    }
    Buf b;
    buf_init(&b);
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) buf_append(&b, chunk, got);
    fclose(f);
    Value s = mk_string(p, b.data ? b.data : "", b.len);
    p->reductions -= (int32_t)(b.len / 256);
    buf_free(&b);
    return s;
}

/* (%lib-path) -> list of directories searched for namespaces. */
static Value nat_lib_path(Proc *p, Value *a, uint32_t n) {
    const char *path = p->rt->lib_path ? p->rt->lib_path : getenv("LONA_PATH");
    Value dirs = LV_EMPTY;
    if (path) {
        const char *s = path;
        while (*s) {
            const char *e = strchr(s, ':');
            size_t len = e ? (size_t)(e - s) : strlen(s);
            if (len) dirs = mk_cons(p, mk_string(p, s, len), dirs);
            s += len + (e ? 1 : 0);
            if (!e) break;
        }
    }
    dirs = mk_cons(p, mk_cstring(p, "."), dirs);
    return list_reverse(p, dirs);
}

/* (%embedded-source "lona/x.lona") -> the text of lib/lona/x.lona built
 * into the runtime, or nil. */
static Value nat_embedded_source(Proc *p, Value *a, uint32_t n) {
    if (!is_string(a[0])) return LV_NIL;
    const char *path = str_bytes(a[0]);
    if (strncmp(path, "lona/", 5) != 0) return LV_NIL;
    for (const StdlibFile *f = lona_stdlib_files; f->name; f++)
        if (strcmp(f->name, path + 5) == 0 && (f->name[0] < '0' || f->name[0] > '9'))
            return mk_string(p, f->text, f->len);
    return LV_NIL;
}

/* ---- refs, time, arch ---- */

static Value nat_make_ref(Proc *p, Value *a, uint32_t n) {
    Value ref = mk_ref(p->rt->realm_id, atomic_fetch_add(&p->rt->next_ref, 1));
    recv_mark(p, ref);
    return ref;
}

static Value nat_monotonic_time(Proc *p, Value *a, uint32_t n) { return num_from_i64(p, timer_now_ns()); }
static Value nat_system_time(Proc *p, Value *a, uint32_t n) { return num_from_i64(p, timer_wall_ns()); }

static Value nat_arch(Proc *p, Value *a, uint32_t n) {
#if defined(__x86_64__)
    return K_(x86_64);
#elif defined(__aarch64__)
    return K_(aarch64);
#else
    struct utsname u;
    uname(&u);
    return mk_keyword(atoms_intern_text(&p->rt->atoms, u.machine, strlen(u.machine)));
#endif
}

static Value nat_self(Proc *p, Value *a, uint32_t n) { return p->pid; }

LONA_INTRINSICS(core_lang) = {
    {"lona.core", "%compile", 1, 1, nat_compile, "([form])", "compile a macro-expanded form into a function of no arguments"},
    {"lona.core", "read-string", 1, 1, nat_read_string, "([s])", "the first form of the string s"},
    {"lona.core", "%read-next", 4, 4, nat_read_next, "([text pos line col])", NULL},
    {"lona.core", "%macro-fn", 2, 2, nat_macro_fn, "([sym locals])", NULL},
    {"lona.core", "%special?", 1, 1, nat_special_p, "([sym])", NULL},
    {"lona.core", "gensym", 0, 1, nat_gensym, "([] [prefix])", "a fresh symbol"},
    {"lona.core", "apply", 2, ARITY_VARIADIC, nat_apply, "([f args] [f x & args])", "call f with the arguments"},
    {"lona.core", "%catch", 1, 1, nat_catch, "([thunk])", NULL},
    {"lona.core", "%last-trace", 0, 0, nat_last_trace, "([])", NULL},
    {"lona.core", "%raise", 1, 2, nat_raise, "([reason] [reason info])", NULL},
    {"lona.core", "%reraise", 1, 1, nat_reraise, "([reason])", NULL},
    {"lona.core", "%syntax-error", 1, 2, nat_syntax_error, "([message] [message form])", NULL},
    {"lona.core", "create-ns", 1, 1, nat_create_ns, "([sym])", "find or create a namespace"},
    {"lona.core", "find-ns", 1, 1, nat_find_ns, "([sym])", "the namespace named sym, or nil"},
    {"lona.core", "ns-name", 1, 1, nat_ns_name, "([ns])", "the name symbol of a namespace"},
    {"lona.core", "ns-map", 1, 1, nat_ns_map, "([ns])", "map of symbols to the vars of a namespace"},
    {"lona.core", "all-ns", 0, 0, nat_all_ns, "([])", "every namespace"},
    {"lona.core", "ns-publics", 1, 1, nat_ns_publics, "([ns])",
     "map of the public names of ns (owned, not private, not %...) to their vars"},
    {"lona.core", "resolve", 1, 1, nat_resolve, "([sym])",
     "the var sym names in the current namespace, as the compiler resolves it, or nil"},
    {"lona.core", "intern", 2, 3, nat_intern, "([ns sym] [ns sym val])", "find or create a var"},
    {"lona.core", "refer", 1, 2, nat_refer, "([ns] [ns only])", "map the public vars of ns into the current namespace"},
    {"lona.core", "alias", 2, 2, nat_alias, "([alias ns])", "make alias/x mean ns/x"},
    {"lona.core", "var-get", 1, 1, nat_var_get, "([v])", "the value of a var"},
    {"lona.core", "%ns-set-meta", 2, 2, nat_ns_set_meta, "([ns meta])", NULL},
    {"lona.core", "%slurp", 1, 1, nat_slurp, "([path])", NULL},
    {"lona.core", "%lib-path", 0, 0, nat_lib_path, "([])", NULL},
    {"lona.core", "%embedded-source", 1, 1, nat_embedded_source, "([path])", NULL},
    {"lona.core", "make-ref", 0, 0, nat_make_ref, "([])", "a new unique ref"},
    {"lona.process", "self", 0, 0, nat_self, "([])", "the calling process's pid"},
    {"lona.time", "monotonic-time", 0, 0, nat_monotonic_time, "([])", "nanoseconds from a monotonic clock"},
    {"lona.time", "system-time", 0, 0, nat_system_time, "([])", "wall-clock nanoseconds since the epoch"},
    {"lona.kernel", "arch", 0, 0, nat_arch, "([])", "the CPU architecture"},
};
LONA_INTRINSICS_COUNT(core_lang);
