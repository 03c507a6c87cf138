/*
 * ns.c — namespaces and vars (see ns.h).
 *
 * Namespaces and vars are allocated in the literal area so that every
 * process can point at them; unlike other literals they have mutable parts:
 * a var's root, metadata and flags are atomics, and a namespace's tables
 * are malloc'd hash tables written and read under rt->ns_lock.
 */
#include "vm/ns.h"

#include <stdlib.h>

#include "base/mem.h"
#include "base/util.h"
#include "gc/copy.h"
#include "gc/literal.h"
#include "proc/ptable.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/coll.h"
#include "vm/error.h"

/* ---- symbol -> value tables -------------------------------------------- */

static void table_init(NsTable *t) {
    t->mask = 15;
    t->count = 0;
    t->entries = xmalloc(16 * sizeof *t->entries);
    for (uint32_t i = 0; i < 16; i++) t->entries[i].atom = UINT32_MAX;
}

static NsEntry *table_slot(NsTable *t, uint32_t atom) {
    uint32_t i = (atom * 2654435761u) & t->mask;
    while (t->entries[i].atom != UINT32_MAX && t->entries[i].atom != atom) i = (i + 1) & t->mask;
    return &t->entries[i];
}

static Value table_get(NsTable *t, uint32_t atom) {
    NsEntry *e = table_slot(t, atom);
    return e->atom == atom ? e->target : LV_NONE;
}

static void table_put(NsTable *t, uint32_t atom, Value target) {
    if ((t->count + 1) * 4 > (t->mask + 1) * 3) {
        NsTable bigger = {xmalloc((size_t)(t->mask + 1) * 2 * sizeof(NsEntry)), t->mask * 2 + 1, 0};
        for (uint32_t i = 0; i <= bigger.mask; i++) bigger.entries[i].atom = UINT32_MAX;
        for (uint32_t i = 0; i <= t->mask; i++)
            if (t->entries[i].atom != UINT32_MAX) {
                *table_slot(&bigger, t->entries[i].atom) = t->entries[i];
                bigger.count++;
            }
        free(t->entries);
        *t = bigger;
    }
    NsEntry *e = table_slot(t, atom);
    if (e->atom != atom) {
        e->atom = atom;
        t->count++;
    }
    e->target = target;
}

/* ---- namespaces --------------------------------------------------------- */

static Value find_locked(Runtime *rt, Value sym) {
    for (size_t i = 0; i < rt->nss_len; i++)
        if (as_ns(rt->nss[i])->name == sym) return rt->nss[i];
    return LV_NIL;
}

Value ns_find(Runtime *rt, Value sym) {
    sym = sym_strip(sym);
    pthread_mutex_lock(&rt->ns_lock);
    Value ns = find_locked(rt, sym);
    pthread_mutex_unlock(&rt->ns_lock);
    return ns;
}

Value ns_create(Runtime *rt, Value sym) {
    sym = sym_strip(sym);
    pthread_mutex_lock(&rt->ns_lock);
    Value ns = find_locked(rt, sym);
    if (ns == LV_NIL) {
        size_t words = (sizeof(Namespace) + 7) / 8;
        Value *o = lit_alloc(&rt->lit, words);
        Namespace *n = (Namespace *)o;
        n->header = mk_header(T_NS, 0, words - 1);
        n->name = sym;
        atomic_init(&n->meta, LV_NIL);
        table_init(&n->mappings);
        table_init(&n->aliases);
        ns = box_val(o);
        if (rt->nss_len == rt->nss_cap) {
            rt->nss_cap = rt->nss_cap ? rt->nss_cap * 2 : 16;
            rt->nss = xrealloc(rt->nss, rt->nss_cap * sizeof(Value));
        }
        rt->nss[rt->nss_len++] = ns;
        atomic_fetch_add(&rt->code_gen, 1);
    }
    pthread_mutex_unlock(&rt->ns_lock);
    return ns;
}

Value ns_lookup(Runtime *rt, Value ns, Value sym) {
    pthread_mutex_lock(&rt->ns_lock);
    Value v = table_get(&as_ns(ns)->mappings, atom_index(sym_strip(sym)));
    pthread_mutex_unlock(&rt->ns_lock);
    return v;
}

static Value new_var(Runtime *rt, Value ns, Value sym) {
    size_t words = (sizeof(Var) + 7) / 8;
    Value *o = lit_alloc(&rt->lit, words);
    Var *v = (Var *)o;
    v->header = mk_header(T_VAR, 0, words - 1);
    v->ns = ns;
    v->sym = sym;
    atomic_init(&v->root, LV_NONE);
    atomic_init(&v->meta, LV_NIL);
    atomic_init(&v->flags, 0);
    v->id = (uint32_t)atomic_fetch_add(&rt->next_gensym, 1);
    return box_val(o);
}

Value ns_intern(Runtime *rt, Value ns, Value sym) {
    sym = sym_strip(sym);
    pthread_mutex_lock(&rt->ns_lock);
    NsTable *t = &as_ns(ns)->mappings;
    Value v = table_get(t, atom_index(sym));
    if (v == LV_NONE || as_var(v)->ns != ns) {
        v = new_var(rt, ns, sym);
        table_put(t, atom_index(sym), v);
        atomic_fetch_add(&rt->code_gen, 1);
    }
    pthread_mutex_unlock(&rt->ns_lock);
    return v;
}

void ns_refer_var(Runtime *rt, Value ns, Value sym, Value var) {
    sym = sym_strip(sym);
    pthread_mutex_lock(&rt->ns_lock);
    NsTable *t = &as_ns(ns)->mappings;
    Value old = table_get(t, atom_index(sym));
    if (old == LV_NONE || as_var(old)->ns != ns) table_put(t, atom_index(sym), var);
    atomic_fetch_add(&rt->code_gen, 1);
    pthread_mutex_unlock(&rt->ns_lock);
}

void ns_add_alias(Runtime *rt, Value ns, Value alias, Value target) {
    pthread_mutex_lock(&rt->ns_lock);
    table_put(&as_ns(ns)->aliases, atom_index(sym_strip(alias)), target);
    atomic_fetch_add(&rt->code_gen, 1);
    pthread_mutex_unlock(&rt->ns_lock);
}

Value ns_alias_target(Runtime *rt, Value ns, Value alias) {
    pthread_mutex_lock(&rt->ns_lock);
    Value t = table_get(&as_ns(ns)->aliases, atom_index(sym_strip(alias)));
    pthread_mutex_unlock(&rt->ns_lock);
    return t == LV_NONE ? LV_NIL : t;
}

static bool is_public_own(Value var, Value ns) {
    return var != LV_NONE && as_var(var)->ns == ns &&
           !(atomic_load(&as_var(var)->flags) & VAR_PRIVATE);
}

Value ns_resolve(Runtime *rt, Value ns, Value sym) {
    sym = sym_strip(sym);
    const AtomEntry *e = atoms_get(&rt->atoms, atom_index(sym));
    if (e->ns) {
        uint32_t q = atoms_intern(&rt->atoms, NULL, 0, e->ns, e->ns_len);
        Value target = ns_alias_target(rt, ns, mk_symbol(q));
        if (target == LV_NIL) target = ns_find(rt, mk_symbol(q));
        if (target == LV_NIL) return LV_NONE;
        return ns_lookup(rt, target, mk_symbol(e->unqualified));
    }
    Value v = ns_lookup(rt, ns, sym);
    if (v != LV_NONE) return v;
    Value fallbacks[4] = {rt->core_ns, rt->process_ns, rt->time_ns, rt->kernel_ns};
    for (int i = 0; i < 4; i++) {
        if (fallbacks[i] == ns) continue;
        v = ns_lookup(rt, fallbacks[i], sym);
        if (is_public_own(v, fallbacks[i])) return v;
    }
    return LV_NONE;
}

/* Under rt->ns_lock. */
static void each_entry(NsTable *t, Value owner, void (*fn)(void *ctx, uint32_t atom), void *ctx) {
    for (uint32_t i = 0; i <= t->mask; i++) {
        NsEntry *e = &t->entries[i];
        if (e->atom != UINT32_MAX && (owner == LV_NONE || is_public_own(e->target, owner))) fn(ctx, e->atom);
    }
}

void ns_each_visible(Runtime *rt, Value ns, void (*fn)(void *ctx, uint32_t atom), void *ctx) {
    Value fallbacks[5] = {ns, rt->core_ns, rt->process_ns, rt->time_ns, rt->kernel_ns};
    pthread_mutex_lock(&rt->ns_lock);
    for (int k = 0; k < 5; k++) {
        if (k > 0 && fallbacks[k] == ns) continue;
        each_entry(&as_ns(fallbacks[k])->mappings, k == 0 ? LV_NONE : fallbacks[k], fn, ctx);
    }
    pthread_mutex_unlock(&rt->ns_lock);
}

void ns_each_public(Runtime *rt, Value ns, void (*fn)(void *ctx, uint32_t atom), void *ctx) {
    pthread_mutex_lock(&rt->ns_lock);
    each_entry(&as_ns(ns)->mappings, ns, fn, ctx);
    pthread_mutex_unlock(&rt->ns_lock);
}

void ns_each_alias(Runtime *rt, Value ns, void (*fn)(void *ctx, uint32_t atom), void *ctx) {
    pthread_mutex_lock(&rt->ns_lock);
    each_entry(&as_ns(ns)->aliases, LV_NONE, fn, ctx);
    pthread_mutex_unlock(&rt->ns_lock);
}

void ns_each_namespace(Runtime *rt, void (*fn)(void *ctx, uint32_t atom), void *ctx) {
    pthread_mutex_lock(&rt->ns_lock);
    for (size_t i = 0; i < rt->nss_len; i++) fn(ctx, atom_index(as_ns(rt->nss[i])->name));
    pthread_mutex_unlock(&rt->ns_lock);
}

Value ns_map_value(Proc *p, Value ns) {
    Runtime *rt = p->rt;
    Value m = map_empty(p);
    pthread_mutex_lock(&rt->ns_lock);
    NsTable *t = &as_ns(ns)->mappings;
    for (uint32_t i = 0; i <= t->mask; i++)
        if (t->entries[i].atom != UINT32_MAX)
            m = map_put(p, m, mk_symbol(t->entries[i].atom), t->entries[i].target);
    pthread_mutex_unlock(&rt->ns_lock);
    return m;
}

Value ns_all(Proc *p) {
    Runtime *rt = p->rt;
    pthread_mutex_lock(&rt->ns_lock);
    Value l = LV_EMPTY;
    for (size_t i = rt->nss_len; i > 0; i--) l = mk_cons(p, rt->nss[i - 1], l);
    pthread_mutex_unlock(&rt->ns_lock);
    return l;
}

/* ---- vars ----------------------------------------------------------------- */

Value ns_current(Proc *p) {
    Value ns = var_get(p, p->rt->ns_var);
    return is_ns(ns) ? ns : p->rt->core_ns;
}

Value var_get(Proc *p, Value var) {
    Var *v = as_var(var);
    if ((atomic_load_explicit(&v->flags, memory_order_relaxed) & VAR_PROCESS_BOUND) &&
        p->dict != LV_NIL) {
        Value x = map_get(p->dict, var);
        if (x != LV_NONE) return x;
    }
    return atomic_load_explicit(&v->root, memory_order_acquire);
}

static void turn_inlining_off(void *ctx, Proc *p) {
    (void)ctx;
    atomic_store(&p->inlining_off, true);
}

/* Called before a var's root or metadata changes: redefining one of the
 * inlined vars turns the VM's inlining off in every process, once. */
static void note_redefinition(Runtime *rt, Value var) {
    if (!(atomic_load_explicit(&as_var(var)->flags, memory_order_relaxed) & VAR_INLINED)) return;
    if (atomic_exchange(&rt->inlined_redefined, true)) return;
    ptable_each(rt->procs, turn_inlining_off, NULL);
}

void var_set_root(Runtime *rt, Value var, Value v) {
    Value lit = v == LV_NONE ? LV_NONE : lit_copy(rt, v);
    note_redefinition(rt, var);
    atomic_store_explicit(&as_var(var)->root, lit, memory_order_release);
    atomic_fetch_add(&rt->code_gen, 1);
}

bool var_define(Proc *p, Value var, Value v) {
    Runtime *rt = p->rt;
    /* What lit_copy will add: the parts not in the literal area already.
     * Values of vars may take half the budget at most: the rest stays for
     * the processes, which a runaway def would otherwise starve for good. */
    size_t bytes = term_flat_size(&rt->lit, v).words * sizeof(Value);
    size_t defined = atomic_load_explicit(&rt->defined_bytes, memory_order_relaxed);
    if (bytes && (mem_refuses(bytes) || defined + bytes > mem_limit() / 2)) {
        err_oomf(p,
                 "def: a value of %zu bytes does not fit in the memory budget (the values of vars are kept "
                 "for the life of the runtime and may take half of it: %zu bytes taken)",
                 bytes, defined);
        return false;
    }
    atomic_fetch_add_explicit(&rt->defined_bytes, bytes, memory_order_relaxed);
    mem_charge(bytes);
    var_set_root(rt, var, v);
    return true;
}

void var_set_local(Proc *p, Value var, Value v) {
    if (p->dict == LV_NIL) p->dict = map_empty(p);
    p->dict = map_put(p, p->dict, var, v);
}

void var_set_meta(Runtime *rt, Value var, Value meta) {
    Var *v = as_var(var);
    Value lit = meta == LV_NIL ? LV_NIL : lit_copy(rt, meta);
    uint32_t flags = atomic_load(&v->flags) & (VAR_PROCESS_BOUND | VAR_INLINED); /* sticky */
    if (is_map(lit)) {
        static const struct { uint32_t atom, flag; } keys[] = {
            {ATOM_macro, VAR_MACRO},     {ATOM_process_bound, VAR_PROCESS_BOUND},
            {ATOM_private_, VAR_PRIVATE}, {ATOM_native, VAR_NATIVE},
            {ATOM_special_form, VAR_SPECIAL_FORM},
        };
        for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
            Value x = map_get(lit, mk_keyword(keys[i].atom));
            if (x != LV_NONE && truthy(x)) flags |= keys[i].flag;
        }
    }
    /* A process-bound binding of an inlined var must be seen too. */
    if (flags & VAR_PROCESS_BOUND) note_redefinition(rt, var);
    atomic_store(&v->meta, lit);
    atomic_store(&v->flags, flags);
    atomic_fetch_add(&rt->code_gen, 1);
}

void ns_free_all(Runtime *rt) {
    for (size_t i = 0; i < rt->nss_len; i++) {
        free(as_ns(rt->nss[i])->mappings.entries);
        free(as_ns(rt->nss[i])->aliases.entries);
    }
}
