/*
 * realm.c — lona.process intrinsics of the realm tree: realm-create,
 * realm-terminate, parent-realm, child-realms, and the pieces the library
 * builds spawn-in and realm-info from (lib/lona/45_realm.lona), and the
 * memory pressure of the realm that memory-pressure-handler watches.
 */
#include <string.h>

#include "base/mem.h"
#include "lib/core_bin.h"
#include "lib/intrinsic.h"
#include "proc/exit.h"
#include "proc/life.h"
#include "proc/ptable.h"
#include "realm/realm.h"
#include "realm/region.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/binary.h"
#include "term/coll.h"
#include "term/num.h"
#include "vm/error.h"
#include "vm/ns.h"
#include "vm/proto.h"
#include "vm/runtime.h"

static Value kw(Runtime *rt, const char *s) { return mk_keyword(atoms_intern_text(&rt->atoms, s, strlen(s))); }
static Value sym(Runtime *rt, const char *s) { return mk_symbol(atoms_intern_text(&rt->atoms, s, strlen(s))); }
static bool is_realm(Value v) { return is_imm_of(v, IMM_REALM); }

static Value nat_realm_create(Proc *p, Value *a, uint32_t n) { return realm_create(p, a[0]); }

static Value nat_realm_terminate(Proc *p, Value *a, uint32_t n) {
    if (!is_realm(a[0])) return err_badarg(p, "realm-terminate", a, n);
    return realm_terminate(p, a[0]);
}

static Value nat_parent_realm(Proc *p, Value *a, uint32_t n) { return realm_parent(p); }
static Value nat_child_realms(Proc *p, Value *a, uint32_t n) { return realm_children(p); }

static Value nat_realm_child_p(Proc *p, Value *a, uint32_t n) {
    return lv_bool(is_realm(a[0]) && realm_is_descendant(p->rt, a[0]));
}

static Value nat_realm_child_info(Proc *p, Value *a, uint32_t n) {
    if (!is_realm(a[0])) return err_badarg(p, "realm-info", a, n);
    return realm_child_info(p, a[0]);
}

/* This realm's own entry of realm-info. */
static Value nat_realm_info_self(Proc *p, Value *a, uint32_t n) {
    Runtime *rt = p->rt;
    uint64_t procs = ptable_count(rt->procs);
    /* The memory budget of this realm (base/mem.h) and how much of it
     * its processes hold. */
    Value usage_kvs[] = {kw(rt, "processes"), num_from_u64(p, procs), kw(rt, "memory-used"),
                         num_from_u64(p, mem_used()), kw(rt, "memory-limit"), num_from_u64(p, mem_limit())};
    Value parent = realm_parent(p);
    Value kvs[] = {
        K_(name), parent == LV_NIL ? sym(rt, "root") : LV_NIL,
        K_(status), K_(running),
        kw(rt, "parent"), parent,
        kw(rt, "children"), realm_children(p),
        kw(rt, "policy"), map_empty(p),
        kw(rt, "resource-usage"), map_from_kvs(p, usage_kvs, sizeof usage_kvs / sizeof usage_kvs[0]),
        kw(rt, "process-count"), num_from_u64(p, procs),
        kw(rt, "enforcement"), realm_enforcement(p),
        kw(rt, "dropped-frames"), num_from_u64(p, realm_dropped_frames(rt)),
    };
    return map_from_kvs(p, kvs, sizeof kvs / sizeof kvs[0]);
}

/* [ns-symbol name-symbol] of the var a spawn-in function stands for, or
 * LV_NONE: a var, a symbol naming one, an intrinsic, or the value of a
 * defn'd function (a closure with no captures whose var still holds it).
 * Anonymous functions and closures cannot cross realms. */
static Value var_name_of(Proc *p, Value f) {
    Runtime *rt = p->rt;
    Value var = LV_NONE;
    if (is_var(f)) {
        var = f;
    } else if (is_symbol(f)) {
        var = ns_resolve(rt, ns_current(p), sym_strip(f));
    } else if (is_native(f)) {
        const IntrinsicDef *d = intrinsic_get(native_index(f));
        return d ? mk_tuple2(p, sym(rt, d->ns), sym(rt, d->name)) : LV_NONE;
    } else if (is_closure(f)) {
        Proto *pr = closure_proto(f);
        if (pr->ncaptured != 0 || !is_symbol(pr->name) || !is_ns(pr->ns)) return LV_NONE;
        var = ns_lookup(rt, pr->ns, sym_strip(pr->name));
        if (var == LV_NONE || as_var(var)->ns != pr->ns || atomic_load(&as_var(var)->root) != f) return LV_NONE;
    }
    if (var == LV_NONE || !is_var(var)) return LV_NONE;
    return mk_tuple2(p, as_ns(as_var(var)->ns)->name, as_var(var)->sym);
}

/* %realm-create and %realm-terminate answer at once in the root; in a
 * child realm they ask the root and return a ref to wait for. */

/* (%realm-request realm op data): a ref to wait on, or [:error :not-descendant].
 * For :spawn, data is [f args opts]: f is checked and replaced by its var's
 * name, opts checked as spawn checks them (all but a :name taken, which
 * only the realm that registers it can tell). Its :badarg names spawn-in
 * and these arguments; the library's spawn-in names the user's call
 * instead (lib/lona/45_realm.lona). */
static Value nat_realm_request(Proc *p, Value *a, uint32_t n) {
    Runtime *rt = p->rt;
    if (!is_realm(a[0])) return err_badarg(p, "spawn-in", a, n);
    if (a[1] == kw(rt, "info")) return realm_request(p, a[0], REALM_OP_INFO, LV_NIL);
    if (a[1] != kw(rt, "spawn") || !is_tuple(a[2]) || tuple_len(a[2]) != 3) return err_badarg(p, "spawn-in", a, n);
    Value f = tuple_elems(a[2])[0];
    Value opts = tuple_elems(a[2])[2];
    SpawnOpts o;
    if (!proc_parse_spawn_opts(opts, &o)) return err_badarg(p, "spawn-in", a, n);
    Value name = var_name_of(p, f);
    if (name == LV_NONE)
        return err_badarg_msg(p, "spawn-in", a, n,
                              "spawn-in: the function must be a var (defined with def or defn); anonymous "
                              "functions and closures cannot cross realms, pass their data as arguments");
    Value data = mk_tuple3(p, name, tuple_elems(a[2])[1], opts);
    return realm_request(p, a[0], REALM_OP_SPAWN, data);
}

/* (%realm-ask-parent op data): a ref; the answer comes as [:%realm-reply ref v]. */
static Value nat_realm_ask_parent(Proc *p, Value *a, uint32_t n) {
    if (a[0] != kw(p->rt, "whereis") || !is_symbol(a[1])) return err_badarg(p, "whereis", a, n);
    return realm_ask_parent(p, REALM_OP_WHEREIS, sym_strip(a[1]));
}

/* (%memory :request|:return bytes): see realm_memory. */
static Value nat_memory(Proc *p, Value *a, uint32_t n) {
    Runtime *rt = p->rt;
    bool more = a[0] == kw(rt, "request");
    const char *fname = more ? "request-memory" : "return-memory";
    int64_t bytes;
    if ((!more && a[0] != kw(rt, "return")) || !is_integer(a[1]) || !num_to_i64(a[1], &bytes) || bytes < 0)
        return err_badarg(p, fname, a + 1, n - 1);
    return realm_memory(p, more, (size_t)bytes);
}

/* Shared regions (realm/region.c). */
static Value nat_make_shared_region(Proc *p, Value *a, uint32_t n) { return region_make(p, a[0], a[1]); }
static Value nat_region_size(Proc *p, Value *a, uint32_t n) { return region_size(p, a[0]); }
static Value nat_region_name(Proc *p, Value *a, uint32_t n) { return region_name(p, a[0]); }
static Value nat_region_read(Proc *p, Value *a, uint32_t n) {
    size_t size, off, len;
    if (!region_lookup(p, a[0], &size)) return err_badarg(p, "region-read", a, n);
    if (lib_check_range(p, "region-read", a, n, a[1], a[2], size, &off, &len) == LV_EXC) return LV_EXC;
    return region_read(p, a[0], off, len);
}
static Value nat_region_write(Proc *p, Value *a, uint32_t n) {
    size_t size, off, len;
    if (!region_lookup(p, a[0], &size) || !is_binary(a[2])) return err_badarg(p, "region-write!", a, n);
    if (lib_check_range(p, "region-write!", a, n, a[1], num_from_u64(p, binary_size(a[2])), size, &off, &len) ==
        LV_EXC)
        return LV_EXC;
    return region_write(p, a[0], off, binary_bytes(a[2]), len);
}
static Value nat_share_region(Proc *p, Value *a, uint32_t n) { return region_share(p, a[0], a[1], a[2]); }
static Value nat_unshare_region(Proc *p, Value *a, uint32_t n) { return region_unshare(p, a[0], a[1]); }
static Value nat_get_shared_region(Proc *p, Value *a, uint32_t n) { return region_get(p, a[0]); }

/* (memory-pressure): how much of this realm's memory budget (base/mem.h)
 * its processes hold: :normal below 3/4 of the limit, :low from 3/4,
 * :critical from 9/10. Compared as limit - used against limit / 4 and
 * limit / 10, which no limit can overflow. */
static Value nat_memory_pressure(Proc *p, Value *a, uint32_t n) {
    size_t used = mem_used(), limit = mem_limit();
    size_t room = used < limit ? limit - used : 0;
    if (room <= limit / 10) return kw(p->rt, "critical");
    if (room <= limit / 4) return kw(p->rt, "low");
    return K_(normal);
}

/* (%realm-reply to ref value): the agent answers a request. */
static Value nat_realm_reply(Proc *p, Value *a, uint32_t n) {
    if (!is_pid(a[0]) || !is_ref(a[1])) return err_badarg(p, "%realm-reply", a, n);
    return realm_reply(p, a[0], a[1], a[2]);
}

/* (%monitor-to-come realm): the ref of a monitor of a process about to be
 * spawned in realm; (%monitor-arrived ref pid-or-nil) points it at the pid,
 * or drops it (nil: the spawn failed). For spawn-monitor-in. */
static Value nat_monitor_to_come(Proc *p, Value *a, uint32_t n) {
    if (!is_realm(a[0])) return err_badarg(p, "spawn-monitor-in", a, n);
    return exit_monitor_to_come(p, (uint32_t)imm_payload(a[0]));
}

static Value nat_monitor_arrived(Proc *p, Value *a, uint32_t n) {
    if (!is_ref(a[0]) || !(is_pid(a[1]) || a[1] == LV_NIL)) return err_badarg(p, "spawn-monitor-in", a, n);
    exit_monitor_arrived(p, a[0], a[1] == LV_NIL ? LV_NONE : a[1]);
    return K_(ok);
}

/* (%realm-resolve [ns name]): the value of that var here, or nil. */
static Value nat_realm_resolve(Proc *p, Value *a, uint32_t n) {
    Value t = a[0];
    if (!is_tuple(t) || tuple_len(t) != 2 || !is_symbol(tuple_elems(t)[0]) || !is_symbol(tuple_elems(t)[1]))
        return LV_NIL;
    Value ns = ns_find(p->rt, sym_strip(tuple_elems(t)[0]));
    if (ns == LV_NIL) return LV_NIL;
    Value var = ns_lookup(p->rt, ns, sym_strip(tuple_elems(t)[1]));
    if (var == LV_NONE) return LV_NIL;
    Value root = atomic_load(&as_var(var)->root);
    return root == LV_NONE ? LV_NIL : root;
}

LONA_INTRINSICS(realm) = {
    {"lona.process", "%realm-create", 1, 1, nat_realm_create, "([opts])", NULL},
    {"lona.process", "%realm-terminate", 1, 1, nat_realm_terminate, "([realm])", NULL},
    {"lona.process", "parent-realm", 0, 0, nat_parent_realm, "([])", "the parent realm, or nil"},
    {"lona.process", "child-realms", 0, 0, nat_child_realms, "([])", "the set of child realms"},
    {"lona.process", "%realm-child?", 1, 1, nat_realm_child_p, "([realm])", NULL},
    {"lona.process", "%realm-child-info", 1, 1, nat_realm_child_info, "([realm])", NULL},
    {"lona.process", "%realm-info-self", 0, 0, nat_realm_info_self, "([])", NULL},
    {"lona.process", "%realm-request", 3, 3, nat_realm_request, "([realm op data])", NULL},
    {"lona.process", "%realm-ask-parent", 2, 2, nat_realm_ask_parent, "([op data])", NULL},
    {"lona.process", "%realm-reply", 3, 3, nat_realm_reply, "([to ref value])", NULL},
    {"lona.process", "%memory", 2, 2, nat_memory, "([op bytes])", NULL},
    {"lona.process", "make-shared-region", 2, 2, nat_make_shared_region, "([size name])",
     "a new shared memory region of size bytes (zeroed), named by a symbol"},
    {"lona.process", "region-size", 1, 1, nat_region_size, "([region])", "the size of a region in bytes"},
    {"lona.process", "region-name", 1, 1, nat_region_name, "([region])", "the name of a region (a symbol)"},
    {"lona.process", "region-read", 3, 3, nat_region_read, "([region offset length])",
     "a binary of the bytes of a region at offset, as they are now"},
    {"lona.process", "region-write!", 3, 3, nat_region_write, "([region offset binary])",
     "writes the bytes of a binary into a region at offset: :ok"},
    {"lona.process", "share-region", 3, 3, nat_share_region, "([region realm access])",
     "shares a region with a child realm, access :read-only or :read-write: :ok"},
    {"lona.process", "unshare-region", 2, 2, nat_unshare_region, "([region realm])",
     "takes a shared region back from a child realm: :ok"},
    {"lona.process", "get-shared-region", 1, 1, nat_get_shared_region, "([name])",
     "the region the parent realm shares under name, or nil"},
    {"lona.process", "memory-pressure", 0, 0, nat_memory_pressure, "([])",
     "this realm's memory pressure: :normal, :low (3/4 of its budget in use) or :critical (9/10)"},
    {"lona.process", "%realm-resolve", 1, 1, nat_realm_resolve, "([name])", NULL},
    {"lona.process", "%monitor-to-come", 1, 1, nat_monitor_to_come, "([realm])", NULL},
    {"lona.process", "%monitor-arrived", 2, 2, nat_monitor_arrived, "([ref pid])", NULL},
};
LONA_INTRINSICS_COUNT(realm);
