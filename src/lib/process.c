/*
 * process.c — lona.process intrinsics within one realm: spawning,
 * identity, messages, links, monitors, exits, the registry, realm identity.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/core_bin.h"
#include "lib/intrinsic.h"
#include "proc/exit.h"
#include "proc/life.h"
#include "proc/ptable.h"
#include "proc/registry.h"
#include "proc/send.h"
#include "realm/realm.h"
#include "realm/wire.h"
#include "sched/sched.h"
#include "sched/timer.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/coll.h"
#include "term/num.h"
#include "vm/error.h"
#include "vm/runtime.h"
#include "vm/vm.h"

/* ---- spawn ------------------------------------------------------------------ */

static Value kw(Runtime *rt, const char *s) { return mk_keyword(atoms_intern_text(&rt->atoms, s, strlen(s))); }

/* spawn-link-in and spawn-monitor-in (lib/lona/45_realm.lona): the agent
 * of the realm spawns with :%link-to pid and :%monitor-by [pid ref], which
 * tie the new process to the remote caller before it can run. */
static void tie_to_remote(Proc *p, Proc *c, Value opts) {
    if (!is_map(opts)) return;
    Value link_to = proc_spawn_opt(opts, kw(p->rt, "%link-to")), by = proc_spawn_opt(opts, kw(p->rt, "%monitor-by"));
    if (is_pid(link_to) && !proc_is_local(p->rt, link_to)) exit_link_new_to_remote(c, link_to);
    if (is_tuple(by) && tuple_len(by) == 2 && is_pid(tuple_elems(by)[0]) && is_ref(tuple_elems(by)[1]) &&
        !proc_is_local(p->rt, tuple_elems(by)[0]))
        exit_watch_new_by_remote(c, tuple_elems(by)[0], tuple_elems(by)[1]);
}

/* How the child is tied to its parent; both bits are set before the child
 * can run, as Erlang's spawn_opt([link, monitor]) does, so no exit of the
 * child can fall between the link and the monitor. */
enum { SPAWN_PLAIN = 0, SPAWN_LINK = 1, SPAWN_MONITOR = 2 };

static Value do_spawn(Proc *p, Value *a, uint32_t n, int how, const char *fname) {
    Value fn = a[0];
    SpawnOpts o;
    if (!(is_closure(fn) || is_native(fn)) || !proc_parse_spawn_opts(n > 1 ? a[1] : LV_NIL, &o))
        return err_badarg(p, fname, a, n);
    if (o.name != LV_NIL && registry_lookup(p->rt, o.name) != LV_NIL) return err_badarg(p, fname, a, n);
    /* Spawners running at once may each pass this test: the limit can be
     * overshot by at most one process per scheduler. */
    if (atomic_load_explicit(&p->rt->nprocs, memory_order_relaxed) >= p->rt->max_processes)
        return err_raisef(p, mk_keyword(atoms_intern_text(&p->rt->atoms, "system-limit", 12)),
                          "%s: %llu processes already (LONA_MAX_PROCESSES, --max-processes)", fname,
                          (unsigned long long)p->rt->max_processes);
    Proc *c = proc_create(p->rt, &o, p);
    if (!proc_set_entry(c, fn, p)) {
        /* A bytebuf captured by the function cannot leave this process. */
        exit_process(c, K_(badarg));
        return err_badarg(p, fname, a, n);
    }
    if (o.name != LV_NIL) {
        if (!registry_add(p->rt, o.name, c->pid)) {
            exit_process(c, K_(badarg));
            return err_badarg(p, fname, a, n);
        }
        c->reg_name = o.name;
        atomic_store(&c->has_name, true);
    }
    Value result = c->pid;
    /* The child has not run yet: both sides can be set directly. */
    if (how & SPAWN_LINK) exit_link_new_child(p, c);
    if (how & SPAWN_MONITOR) {
        Value ref = exit_monitor_new_child(p, c);
        result = mk_tuple2(p, c->pid, ref);
    }
    if (n > 1) tie_to_remote(p, c, a[1]);
    sched_start(c, p);
    return result;
}

static Value nat_spawn(Proc *p, Value *a, uint32_t n) { return do_spawn(p, a, n, SPAWN_PLAIN, "spawn"); }
static Value nat_spawn_link(Proc *p, Value *a, uint32_t n) { return do_spawn(p, a, n, SPAWN_LINK, "spawn-link"); }
static Value nat_spawn_monitor(Proc *p, Value *a, uint32_t n) {
    return do_spawn(p, a, n, SPAWN_MONITOR, "spawn-monitor");
}
/* For the library's synchronous starts (start_link): [pid ref]. */
static Value nat_spawn_link_monitor(Proc *p, Value *a, uint32_t n) {
    return do_spawn(p, a, n, SPAWN_LINK | SPAWN_MONITOR, "%spawn-link-monitor");
}

/* ---- identity ------------------------------------------------------------------ */

static Value nat_self_realm(Proc *p, Value *a, uint32_t n) { return IMM(IMM_REALM, p->rt->realm_id); }

static Value nat_alive(Proc *p, Value *a, uint32_t n) {
    if (!is_pid(a[0])) return err_badarg(p, "alive?", a, n);
    if (a[0] == p->pid) return LV_TRUE;
    if (pid_realm(a[0]) != p->rt->realm_id) return realm_ask_about(p, a[0], REALM_OP_ALIVE);
    Proc *t = proc_lookup(p->rt, a[0]);
    if (!t) return LV_FALSE;
    bool alive = atomic_load(&t->state) != PS_EXITED;
    proc_unref(t);
    return lv_bool(alive);
}

static Value nat_pid_realm(Proc *p, Value *a, uint32_t n) {
    if (!is_pid(a[0])) return err_type(p, "pid-realm", a[0], "pid");
    return IMM(IMM_REALM, pid_realm(a[0]));
}

static Value nat_pid_local(Proc *p, Value *a, uint32_t n) {
    if (!is_pid(a[0])) return err_type(p, "pid-local", a[0], "pid");
    return fix((int64_t)pid_local(a[0]));
}

static Value nat_pid_eq(Proc *p, Value *a, uint32_t n) {
    if (!is_pid(a[0])) return err_type(p, "pid=", a[0], "pid");
    if (!is_pid(a[1])) return err_type(p, "pid=", a[1], "pid");
    return lv_bool(a[0] == a[1]);
}


static Value pid_list(Proc *p, const Value *pids, uint32_t n) {
    Value l = LV_EMPTY;
    for (uint32_t i = n; i > 0; i--) l = mk_cons(p, pids[i - 1], l);
    return l;
}

static Value info_map(Proc *p, Proc *t) {
    if (t == p) proc_publish_stats(p);
    Value links, monitors;
    pthread_mutex_lock(&t->info_lock);
    links = pid_list(p, t->links, t->nlinks);
    monitors = LV_EMPTY;
    for (uint32_t i = t->nmonitors; i > 0; i--) monitors = mk_cons(p, t->monitors[i - 1].pid, monitors);
    pthread_mutex_unlock(&t->info_lock);
    int st = atomic_load(&t->state);
    Value status = t == p ? K_(running)
                   : st == PS_QUEUED ? K_(runnable)
                   : st == PS_RUNNING || st == PS_NOTIFIED ? K_(running)
                   : st == PS_EXITED ? K_(exiting) : K_(waiting);
    uint64_t mbox = atomic_load(&t->stat_mailbox);
    Value kvs[] = {
        K_(status), status,
        K_(heap_size), num_from_u64(p, atomic_load(&t->stat_heap_size) * 8),
        K_(heap_used), num_from_u64(p, atomic_load(&t->stat_heap_used) * 8),
        K_(old_heap_size), num_from_u64(p, atomic_load(&t->stat_old_size) * 8),
        K_(old_heap_used), num_from_u64(p, atomic_load(&t->stat_old_used) * 8),
        K_(stack_size), num_from_u64(p, atomic_load(&t->stat_stack)),
        K_(minor_gc_count), num_from_u64(p, atomic_load(&t->stat_minor)),
        K_(major_gc_count), num_from_u64(p, atomic_load(&t->stat_major)),
        K_(total_reclaimed), num_from_u64(p, atomic_load(&t->stat_reclaimed) * 8),
        K_(mailbox_len), num_from_u64(p, mbox),
        K_(priority), fix(t->priority),
        K_(links), links,
        K_(monitors), monitors,
        K_(reductions), num_from_u64(p, atomic_load(&t->stat_reductions) +
                                                  (t == p && p->reductions < VM_BUDGET
                                                       ? (uint64_t)(VM_BUDGET - p->reductions) : 0)),
    };
    return map_from_kvs(p, kvs, sizeof kvs / sizeof kvs[0]);
}

static Value nat_process_info(Proc *p, Value *a, uint32_t n) {
    if (n == 0) return info_map(p, p);
    if (!is_pid(a[0])) return err_badarg(p, "process-info", a, n);
    if (a[0] == p->pid) return info_map(p, p);
    if (pid_realm(a[0]) != p->rt->realm_id) return realm_ask_about(p, a[0], REALM_OP_PROCESS_INFO);
    Proc *t = proc_lookup(p->rt, a[0]);
    if (!t) return LV_NIL;
    Value m = atomic_load(&t->state) == PS_EXITED ? LV_NIL : info_map(p, t);
    proc_unref(t);
    return m;
}

/* ---- messages ------------------------------------------------------------------ */

static Value nat_send(Proc *p, Value *a, uint32_t n) {
    if (!is_pid(a[0])) return err_badarg(p, "send", a, n);
    Value refused;
    if (pid_realm(a[0]) != p->rt->realm_id)
        return realm_send(p, a[0], a[1], LV_NONE, NULL, &refused) ? K_(ok) : wire_refusal(p, refused, "send", a, n);
    size_t want = 0;
    SendResult r = send_message(p, a[0], a[1], LV_NONE, &want);
    if (r == SEND_BYTEBUF) return err_badarg(p, "send", a, n);
    if (r == SEND_OOM) return err_oom(p, "send", want);
    return K_(ok);
}

static Value nat_send_named(Proc *p, Value *a, uint32_t n) {
    if (!is_symbol(a[0])) return err_badarg(p, "send-named", a, n);
    Value pid = registry_lookup(p->rt, a[0]);
    if (pid == LV_NIL) return kw(p->rt, "not-found");
    size_t want = 0;
    SendResult r = send_message(p, pid, a[1], LV_NONE, &want);
    if (r == SEND_BYTEBUF) return err_badarg(p, "send-named", a, n);
    if (r == SEND_OOM) return err_oom(p, "send-named", want);
    return r == SEND_DEAD ? kw(p->rt, "not-found") : K_(ok);
}

static Value nat_send_sync(Proc *p, Value *a, uint32_t n) {
    if (!is_pid(a[0])) return err_badarg(p, "send-sync", a, n);
    int64_t ms = 5000;
    if (n > 2 && (!is_integer(a[2]) || !num_to_i64(a[2], &ms) || ms < 0)) return err_badarg(p, "send-sync", a, n);
    Value ref = mk_ref(p->rt->realm_id, atomic_fetch_add(&p->rt->next_ref, 1));
    SendResult r;
    size_t want = 0;
    if (pid_realm(a[0]) != p->rt->realm_id) {
        bool routed = false;
        Value refused;
        if (!realm_send(p, a[0], a[1], ref, &routed, &refused)) return wire_refusal(p, refused, "send-sync", a, n);
        r = routed ? SEND_OK : SEND_DEAD;
    } else {
        r = send_message(p, a[0], a[1], ref, &want);
    }
    if (r == SEND_BYTEBUF) return err_badarg(p, "send-sync", a, n);
    if (r == SEND_OOM) return err_oom(p, "send-sync", want);
    if (r == SEND_DEAD || ms == 0) return K_(timeout);
    timer_cancel(p);
    p->park = PARK_SYNC;
    p->park_ref = ref;
    p->wait_deadline = timer_deadline_ms(ms);
    return LV_SUSPEND;
}

/* ---- links, monitors, exits -------------------------------------------------------- */

/* An exit signal to oneself (exit/2, link to a dead pid) takes effect
 * before the process goes on: park it for an instant, and the scheduler
 * ends it before running it again (see sched.c run_one). */
static Value ok_or_end(Proc *p) {
    if (p->pending_exit == LV_NONE) return K_(ok);
    p->resume_value = K_(ok);
    p->park = PARK_YIELD;
    return LV_SUSPEND;
}

static Value nat_link(Proc *p, Value *a, uint32_t n) {
    if (!is_pid(a[0])) return err_badarg(p, "link", a, n);
    exit_link(p, a[0]);
    return ok_or_end(p);
}

static Value nat_unlink(Proc *p, Value *a, uint32_t n) {
    if (!is_pid(a[0])) return err_badarg(p, "unlink", a, n);
    exit_unlink(p, a[0]);
    return K_(ok);
}

static Value nat_trap_exit(Proc *p, Value *a, uint32_t n) {
    if (a[0] != LV_TRUE && a[0] != LV_FALSE) return err_badarg(p, "trap-exit", a, n);
    p->trap_exit = a[0] == LV_TRUE;
    return K_(ok);
}

static Value nat_monitor(Proc *p, Value *a, uint32_t n) {
    if (!is_pid(a[0])) return err_badarg(p, "monitor", a, n);
    return exit_monitor(p, a[0]);
}

static Value nat_demonitor(Proc *p, Value *a, uint32_t n) {
    if (!is_ref(a[0])) return err_badarg(p, "demonitor", a, n);
    exit_demonitor(p, a[0]);
    return K_(ok);
}

static Value nat_exit(Proc *p, Value *a, uint32_t n) {
    if (n == 1) {
        p->exc = a[0];
        return LV_EXC;
    }
    if (!is_pid(a[0])) return err_badarg(p, "exit", a, n);
    exit_send_exit(p, a[0], a[1]);
    return ok_or_end(p);
}

/* (halt) (halt status): end the whole runtime (this realm's OS process)
 * at once with exit status 0-255, from any process, as erlang:halt/1
 * does. Output already written is flushed; both streams stay locked until
 * the end, so no other scheduler leaves half a line behind. Nothing else
 * runs: no process is told, no memory is given back. */
static Value nat_halt(Proc *p, Value *a, uint32_t n) {
    int64_t status = 0;
    if (n > 0 && (!is_integer(a[0]) || !num_to_i64(a[0], &status) || status < 0 || status > 255))
        return err_badarg(p, "halt", a, n);
    flockfile(stdout);
    flockfile(stderr);
    fflush(stdout);
    fflush(stderr);
    _exit((int)status);
}

/* ---- registry --------------------------------------------------------------------- */

static Value nat_register(Proc *p, Value *a, uint32_t n) {
    Value name = a[0], pid = n > 1 ? a[1] : p->pid;
    if (!is_symbol(name) || !is_pid(pid)) return err_badarg(p, "register", a, n);
    Proc *t = pid == p->pid ? p : proc_lookup(p->rt, pid);
    if (!t) return err_badarg(p, "register", a, n);
    bool expected = false;
    bool ok = atomic_compare_exchange_strong(&t->has_name, &expected, true);
    if (ok && !registry_add(p->rt, sym_strip(name), pid)) {
        atomic_store(&t->has_name, false);
        ok = false;
    }
    /* An exit racing with this registration removes the name itself if it
     * saw has_name; if it ran before, the name is removed here. */
    if (ok && atomic_load(&t->state) == PS_EXITED) {
        registry_remove(p->rt, sym_strip(name), pid);
        ok = false;
    }
    if (t != p) proc_unref(t);
    return ok ? K_(ok) : err_badarg(p, "register", a, n);
}

static Value nat_unregister(Proc *p, Value *a, uint32_t n) {
    if (!is_symbol(a[0])) return err_badarg(p, "unregister", a, n);
    Value pid = registry_lookup(p->rt, a[0]);
    if (pid == LV_NIL || !registry_remove(p->rt, a[0], pid)) return err_badarg(p, "unregister", a, n);
    Proc *t = pid == p->pid ? p : proc_lookup(p->rt, pid);
    if (t) {
        atomic_store(&t->has_name, false);
        if (t != p) proc_unref(t);
    }
    return K_(ok);
}

static Value whereis_named(Proc *p, Value *a, uint32_t n, const char *fname) {
    if (!is_symbol(a[0])) return err_badarg(p, fname, a, n);
    return registry_lookup(p->rt, a[0]);
}

/* ---- introspection: what lives in this realm ------------------------------------- */

typedef struct PidList {
    uint64_t *ids;
    size_t n, cap;
} PidList;

static void collect_live(void *ctx, Proc *t) {
    PidList *l = ctx;
    if (atomic_load(&t->state) == PS_EXITED) return;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->ids = xrealloc(l->ids, l->cap * sizeof *l->ids);
    }
    l->ids[l->n++] = t->local_id;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The pids of the live processes of this realm, oldest first. */
static Value nat_processes(Proc *p, Value *a, uint32_t n) {
    PidList l = {0};
    ptable_each(p->rt->procs, collect_live, &l);
    if (l.n) qsort(l.ids, l.n, sizeof *l.ids, cmp_u64);
    Value out = LV_EMPTY;
    for (size_t i = l.n; i > 0; i--) out = mk_cons(p, mk_pid(p->rt->realm_id, l.ids[i - 1]), out);
    lib_charge(p, l.n);
    free(l.ids);
    return out;
}

static Value nat_process_count(Proc *p, Value *a, uint32_t n) {
    return num_from_u64(p, atomic_load_explicit(&p->rt->nprocs, memory_order_relaxed));
}

static Value nat_registered(Proc *p, Value *a, uint32_t n) {
    uint32_t count;
    uint32_t *atoms = registry_names(p->rt, &count);
    Value out = LV_EMPTY;
    for (uint32_t i = 0; i < count; i++) out = mk_cons(p, mk_symbol(atoms[i]), out);
    free(atoms);
    return out;
}

/* whereis and send-named, which also ask up the realm tree, are written in
 * Lonala on these (lib/lona/40_process.lona). */
static Value nat_whereis_local(Proc *p, Value *a, uint32_t n) { return whereis_named(p, a, n, "whereis-local"); }
/* whereis-local as the first step of whereis, whose :badarg it raises. */
static Value nat_whereis_here(Proc *p, Value *a, uint32_t n) { return whereis_named(p, a, n, "whereis"); }

LONA_INTRINSICS(process) = {
    {"lona.process", "spawn", 1, 2, nat_spawn, "([f] [f opts])", "start a process running (f)"},
    {"lona.process", "spawn-link", 1, 2, nat_spawn_link, "([f] [f opts])", "spawn and link"},
    {"lona.process", "spawn-monitor", 1, 2, nat_spawn_monitor, "([f] [f opts])", "spawn and monitor: [pid ref]"},
    {"lona.process", "%spawn-link-monitor", 1, 2, nat_spawn_link_monitor, "([f] [f opts])",
     "spawn, link and monitor at once: [pid ref]"},
    {"lona.process", "self-realm", 0, 0, nat_self_realm, "([])", "the calling process's realm"},
    /* alive? and process-info (lib/lona/45_realm.lona) wait for the answer
     * of another realm when these return a ref. */
    {"lona.process", "%alive?", 1, 1, nat_alive, "([pid])", NULL},
    {"lona.process", "%process-info", 0, 1, nat_process_info, "([] [pid])", NULL},
    {"lona.core", "pid-realm", 1, 1, nat_pid_realm, "([pid])", "the realm of a pid"},
    {"lona.core", "pid-local", 1, 1, nat_pid_local, "([pid])", "the local number of a pid"},
    {"lona.core", "pid=", 2, 2, nat_pid_eq, "([a b])", "same pid?"},
    {"lona.process", "send", 2, 2, nat_send, "([pid msg])", "send a copy of msg"},
    {"lona.process", "%send-named-local", 2, 2, nat_send_named, "([name msg])", NULL},
    {"lona.process", "send-sync", 2, 3, nat_send_sync, "([pid msg] [pid msg timeout-ms])",
     "send and wait until the receiver takes the message"},
    {"lona.process", "link", 1, 1, nat_link, "([pid])", "link to a process"},
    {"lona.process", "unlink", 1, 1, nat_unlink, "([pid])", "remove a link"},
    {"lona.process", "trap-exit", 1, 1, nat_trap_exit, "([flag])", "turn exit signals into messages"},
    {"lona.process", "monitor", 1, 1, nat_monitor, "([pid])", "monitor a process: a ref"},
    {"lona.process", "demonitor", 1, 1, nat_demonitor, "([ref])", "stop monitoring"},
    {"lona.process", "exit", 1, 2, nat_exit, "([reason] [pid reason])", "end this process, or send an exit signal"},
    {"lona.process", "halt", 0, 1, nat_halt, "([] [status])",
     "end the whole runtime with exit status 0-255 (default 0), flushing output"},
    {"lona.process", "register", 1, 2, nat_register, "([name] [name pid])", "register a name"},
    {"lona.process", "unregister", 1, 1, nat_unregister, "([name])", "remove a registration"},
    {"lona.process", "processes", 0, 0, nat_processes, "([])", "the pids of the live processes of this realm, oldest first"},
    {"lona.process", "process-count", 0, 0, nat_process_count, "([])", "the number of processes of this realm"},
    {"lona.process", "registered", 0, 0, nat_registered, "([])", "the names registered in this realm (unordered)"},
    {"lona.process", "whereis-local", 1, 1, nat_whereis_local, "([name])", "the pid registered in this realm, or nil"},
    {"lona.process", "%whereis-here", 1, 1, nat_whereis_here, "([name])", NULL},
};
LONA_INTRINSICS_COUNT(process);
