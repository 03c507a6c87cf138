/*
 * ns.h — namespaces and vars.
 *
 * Both live in the literal area and are shared by every process of the
 * realm. A var's root is swapped atomically; a namespace's table of
 * mappings (own vars and referrals) and aliases is guarded by rt->ns_lock
 * and is only consulted at compile time, never by running code (compiled
 * code holds the Var pointer itself).
 *
 * Process-bound vars (*ns* and friends) keep per-process values in p->dict.
 */
#ifndef LONA_NS_H
#define LONA_NS_H

#include <stdatomic.h>

#include "proc/proc.h"
#include "term/term.h"
#include "vm/runtime.h"

enum {
    VAR_MACRO = 1,
    VAR_PROCESS_BOUND = 2,
    VAR_PRIVATE = 4,
    VAR_NATIVE = 8,
    VAR_SPECIAL_FORM = 16,
    /* One of the vars the VM's arithmetic instructions inline (+ - < <= > >=
     * = inc dec): changing its root or metadata turns the inlining off for
     * good. */
    VAR_INLINED = 32,
};

typedef struct Var {
    Value header;            /* T_VAR */
    Value ns;                /* T_NS */
    Value sym;               /* unqualified symbol (immediate) */
    _Atomic Value root;      /* LV_NONE while unbound */
    _Atomic Value meta;      /* map in the literal area, or nil */
    _Atomic uint32_t flags;  /* VAR_* */
    uint32_t id;             /* runtime-unique */
} Var;

typedef struct NsEntry {
    uint32_t atom;           /* symbol atom index, UINT32_MAX = empty */
    Value target;            /* Var (mappings) or NS (aliases) */
} NsEntry;

typedef struct NsTable {
    NsEntry *entries;
    uint32_t mask, count;    /* capacity mask+1 (power of two) */
} NsTable;

typedef struct Namespace {
    Value header;            /* T_NS */
    Value name;              /* symbol */
    _Atomic Value meta;
    NsTable mappings;        /* symbol -> var (own and referred) */
    NsTable aliases;         /* symbol -> namespace */
    /* Snapshot of the mappings for lock-free iteration (ns-map), rebuilt lazily. */
} Namespace;

static inline Var *as_var(Value v) { return (Var *)box_ptr(v); }
static inline Namespace *as_ns(Value v) { return (Namespace *)box_ptr(v); }

/* Namespace named sym, or LV_NIL. */
Value ns_find(Runtime *rt, Value sym);
/* Find or create. */
Value ns_create(Runtime *rt, Value sym);
/* The var mapped to sym (own or referred) in ns, or LV_NONE. */
Value ns_lookup(Runtime *rt, Value ns, Value sym);
/* Find or create a var owned by ns (replacing a referral of that name). */
Value ns_intern(Runtime *rt, Value ns, Value sym);
/* Map sym to a var of another namespace (refer). Own vars are kept. */
void ns_refer_var(Runtime *rt, Value ns, Value sym, Value var);
/* alias -> target namespace. */
void ns_add_alias(Runtime *rt, Value ns, Value alias, Value target);
/* Namespace an alias stands for in ns, or LV_NIL. */
Value ns_alias_target(Runtime *rt, Value ns, Value alias);
/* Resolve a symbol as the compiler does (spec 6.1): unqualified -> ns's
 * mapping, then public vars of lona.core, lona.process, lona.time,
 * lona.kernel; qualified a/s -> alias a or namespace a, then var s there.
 * Returns the var or LV_NONE. */
Value ns_resolve(Runtime *rt, Value ns, Value sym);
/* Calls fn(ctx, atom) with the atom index of every unqualified name that
 * ns_resolve would find from ns (a name may come twice), under
 * rt->ns_lock: fn must be short and must not call back into ns. */
void ns_each_visible(Runtime *rt, Value ns, void (*fn)(void *ctx, uint32_t atom), void *ctx);
/* The same, under the same conditions, for the public vars owned by ns,
 * for the aliases of ns, and for the name of every namespace. */
void ns_each_public(Runtime *rt, Value ns, void (*fn)(void *ctx, uint32_t atom), void *ctx);
void ns_each_alias(Runtime *rt, Value ns, void (*fn)(void *ctx, uint32_t atom), void *ctx);
void ns_each_namespace(Runtime *rt, void (*fn)(void *ctx, uint32_t atom), void *ctx);
/* All (symbol, var) mappings of ns, as a Lonala map on p's heap. */
Value ns_map_value(Proc *p, Value ns);
/* Every namespace, in creation order, as a list on p's heap. */
Value ns_all(Proc *p);

/* Free the tables of every namespace (runtime shutdown). */
void ns_free_all(Runtime *rt);

/* The calling process's current namespace (*ns*). */
Value ns_current(Proc *p);

/* Value of a var as the process sees it (LV_NONE if unbound). */
Value var_get(Proc *p, Value var);
/* Set the root (the value is copied into the literal area). */
void var_set_root(Runtime *rt, Value var, Value v);
/* The same for a def run by p: the copy stays in the literal area for the
 * life of the runtime, so it is counted in the memory budget (base/mem.h),
 * of which such values may take half; false, with [:error :oom] raised in
 * p, when it does not fit. */
bool var_define(Proc *p, Value var, Value v);
/* Set the calling process's binding of a process-bound var. */
void var_set_local(Proc *p, Value var, Value v);
/* Replace the metadata (copied into the literal area); updates flags. */
void var_set_meta(Runtime *rt, Value var, Value meta);

#endif
