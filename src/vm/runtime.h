/*
 * runtime.h — the state of one realm's runtime, in one struct.
 *
 * There is no global mutable state outside this struct: the intern table,
 * the literal area, the namespaces, the counters, the process table and the
 * schedulers all hang off a Runtime. Fields marked (shared) are touched by
 * every scheduler thread and are atomics or guarded by the named lock.
 */
#ifndef LONA_RUNTIME_H
#define LONA_RUNTIME_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/console.h"
#include "gc/literal.h"
#include "term/atoms.h"

struct Proc;
struct Sched;
struct ProcTable;
struct Poller;
struct Input;
struct RealmState;

/* How a signal (proc/signal.h: SignalKind and flags) reaches a pid of
 * another realm: installed by the realm layer, which lies above proc/; true
 * if it was sent on its way. */
typedef bool (*RemoteSignalFn)(struct Proc *from, uint64_t to, int kind, uint64_t value, uint64_t ref,
                               uint32_t flags);

typedef struct Runtime {
    AtomTable atoms;                 /* (shared) */
    LitArea lit;                     /* (shared) */
    uint32_t realm_id;               /* this realm's id, 1 for the root */

    /* namespaces: name atom index -> Value (T_NS in the literal area) */
    pthread_mutex_t ns_lock;
    Value *nss;                      /* (shared, guarded by ns_lock to write) */
    size_t nss_len, nss_cap;
    Value core_ns, process_ns, time_ns, kernel_ns, user_ns;
    Value ns_var;                    /* the var lona.core/ *ns* */

    _Atomic uint64_t next_ref;       /* (shared) */
    _Atomic uint64_t next_gensym;    /* (shared) */
    _Atomic uint64_t next_notif;     /* (shared) */
    _Atomic uint64_t next_pid;       /* (shared) */
    _Atomic size_t shared_dict_bytes; /* literal copies of dicts (proc/life.c) (shared) */
    _Atomic size_t defined_bytes;    /* values of vars given by def (vm/ns.c var_define) (shared) */
    _Atomic uint64_t nprocs;         /* (shared) processes in the table */
    uint64_t max_processes;          /* spawn beyond it: :system-limit (rt.c) */
    bool crash_reports;              /* print a report of each error exit (LONA_CRASH_REPORTS) */

    /* Library path for ns loading (colon separated), may be NULL. */
    const char *lib_path;

    struct ProcTable *procs;         /* (shared) pid -> Proc, see proc/ptable.h */
    struct Sched *sched;             /* the scheduler set, see sched/sched.h */
    struct Registry *registry;       /* (shared) names, see proc/registry.h */
    struct NotifTable *notifs;       /* (shared) notifications, see proc/notif.h */
    struct Poller *poller;           /* (shared) waits on descriptors, see sched/poller.h */
    struct Input *input;             /* (shared) standard input, see proc/input.h */
    Console console;                 /* (shared) standard output, see base/console.h */
    struct RealmState *realm;
    _Atomic RemoteSignalFn remote_signal; /* (shared) NULL until the realm layer starts */
    /* Installed with the realm state: ends the child realms and frees the
     * state, from rt_free once no worker and no poller callback runs. */
    /* (shared) name and size of a region for the printer (realm/region.c) */
    bool (*describe_region)(struct Runtime *rt, uint64_t id, Value *name, uint64_t *size);
    void (*free_realm)(struct Runtime *rt);        /* (shared) the realm tree, made on first use, see realm/realm.h */

    /* Intrinsics the VM has fast paths for (IMM_NATIVE values). */
    Value nat_add, nat_sub, nat_lt, nat_le, nat_gt, nat_ge, nat_numeq;
    /* (shared) Set once any var flagged VAR_INLINED is redefined: from then
     * on the arithmetic instructions always call the var's value. */
    _Atomic bool inlined_redefined;
    /* Bumped by every change to namespaces and vars (ns.c): a code image
     * (realm/snapshot.h) written at one count holds while it stays. */
    _Atomic uint64_t code_gen;

} Runtime;

#endif
