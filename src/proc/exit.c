/*
 * exit.c — exits, links and monitors (see exit.h).
 *
 * The tables of the spec, as implemented by exit_handle_signal:
 *
 *   exit signal from exit/2     :kill        -> ends with :killed (untrappable)
 *                               trapping     -> message [:EXIT from reason]
 *                               :normal      -> ignored
 *                               other        -> ends with reason
 *   exit signal from a link     unlinked     -> ignored (unlink won the race)
 *                               trapping     -> message [:EXIT from reason]
 *                               :normal      -> ignored
 *                               other        -> ends with reason
 *   monitor fired               still held   -> message [:DOWN ref pid reason]
 *
 * Linking or monitoring a process that is gone answers :noproc at once,
 * as Erlang does.
 */
#include "proc/exit.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/console.h"
#include "base/util.h"
#include "gc/copy.h"
#include "proc/keyindex.h"
#include "proc/life.h"
#include "proc/proc.h"
#include "proc/ptable.h"
#include "proc/registry.h"
#include "proc/send.h"
#include "sched/sched.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/print.h"
#include "vm/error.h"
#include "vm/runtime.h"
#include "vm/vm.h"

/* ---- sending signals ------------------------------------------------------ */

static Signal *make_signal(Proc *from, SignalKind kind, Value value, Value ref, uint32_t flags) {
    const LitArea *lit = &from->rt->lit;
    CopySize sz = {0, false, false, false};
    if (value != LV_NONE) sz = term_flat_size(lit, value);
    Signal *s = signal_alloc(sz.words);
    s->frag->offheap = sz.has_offheap;
    s->kind = kind;
    s->flags = flags;
    s->from = from->pid;
    s->ref = ref;
    s->value = value == LV_NONE ? LV_NIL : term_copy_flat(lit, value, s->frag->words, NULL);
    return s;
}

/* To a process in hand (a reference held). */
static void push_signal(Proc *from, Proc *target, SignalKind kind, Value value, Value ref, uint32_t flags) {
    sigq_push(&target->sigq, make_signal(from, kind, value, ref, flags));
    sched_wake(target, from);
}

/* A signal to a pid of another realm goes through the realm layer's hook
 * (realm/realm.c installs it); false if there is none or no way there. */
static bool remote_signal(Proc *from, Value to, SignalKind kind, Value value, Value ref, uint32_t flags) {
    RemoteSignalFn fn = atomic_load_explicit(&from->rt->remote_signal, memory_order_acquire);
    return is_pid(to) && to != LV_NIL && fn && fn(from, to, kind, value, ref, flags);
}

bool signal_send(Proc *from, Value to, SignalKind kind, Value value, Value ref, uint32_t flags) {
    if (!proc_is_local(from->rt, to)) return remote_signal(from, to, kind, value, ref, flags);
    Signal *s = make_signal(from, kind, value, ref, flags);
    if (proc_deliver(from->rt, to, s, from)) return true;
    heap_frag_release(s->frag); /* nobody there: dropped */
    return false;
}

/* ---- bookkeeping of links and monitors ----------------------------------- */

static KeyArray link_keys(Proc *p) { return (KeyArray){p->links, 1, p->nlinks}; }

static bool links_has(Proc *p, Value pid) { return ki_find(&p->links_index, link_keys(p), pid) >= 0; }

static void links_add(Proc *p, Value pid) {
    if (links_has(p, pid)) return;
    pthread_mutex_lock(&p->info_lock);
    if (p->nlinks == p->caplinks) {
        p->caplinks = p->caplinks ? p->caplinks * 2 : 4;
        p->links = xrealloc(p->links, p->caplinks * sizeof(Value));
    }
    p->links[p->nlinks++] = pid;
    ki_added(&p->links_index, link_keys(p));
    pthread_mutex_unlock(&p->info_lock);
}

static bool links_remove(Proc *p, Value pid) {
    int64_t i = ki_find(&p->links_index, link_keys(p), pid);
    if (i < 0) return false;
    pthread_mutex_lock(&p->info_lock);
    ki_removing(&p->links_index, link_keys(p), (uint32_t)i);
    p->links[i] = p->links[--p->nlinks];
    pthread_mutex_unlock(&p->info_lock);
    return true;
}

/* Monitors held and monitors on this process: arrays of {ref, pid} keyed
 * by ref, each with its index. */
typedef struct MonSet {
    MonEntry **arr;
    uint32_t *n, *cap;
    KeyIndex *ki;
} MonSet;

static MonSet monitors_of(Proc *p) { return (MonSet){&p->monitors, &p->nmonitors, &p->capmonitors, &p->monitors_index}; }
static MonSet watchers_of(Proc *p) { return (MonSet){&p->watchers, &p->nwatchers, &p->capwatchers, &p->watchers_index}; }
static KeyArray mon_keys(MonSet m) { return (KeyArray){(const Value *)*m.arr, 2, *m.n}; }

static void mons_add(Proc *p, MonSet m, Value ref, Value pid) {
    pthread_mutex_lock(&p->info_lock);
    if (*m.n == *m.cap) {
        *m.cap = *m.cap ? *m.cap * 2 : 4;
        *m.arr = xrealloc(*m.arr, *m.cap * sizeof(MonEntry));
    }
    (*m.arr)[(*m.n)++] = (MonEntry){ref, pid};
    ki_added(m.ki, mon_keys(m));
    pthread_mutex_unlock(&p->info_lock);
}

/* Remove the entry with ref; returns its pid or LV_NONE. */
static Value mons_remove(Proc *p, MonSet m, Value ref) {
    int64_t i = ki_find(m.ki, mon_keys(m), ref);
    if (i < 0) return LV_NONE;
    Value pid = (*m.arr)[i].pid;
    pthread_mutex_lock(&p->info_lock);
    ki_removing(m.ki, mon_keys(m), (uint32_t)i);
    (*m.arr)[i] = (*m.arr)[--*m.n];
    pthread_mutex_unlock(&p->info_lock);
    return pid;
}

/* ---- receiving signals ----------------------------------------------------- */

/* Done with a signal: a block holding a value joins p's heap (values built
 * from it may point into it until the next collection), else it is freed.
 * The record must not be touched afterwards. */
static void retire_signal(Proc *p, Signal *s) {
    if (s->frag->used)
        heap_adopt_frag(&p->heap, s->frag);
    else
        signal_free(s);
}

static void deliver_message(Proc *p, Value msg) { mbox_append_local(&p->mbox, msg); }

static void end_with(Proc *p, Value reason) {
    if (p->pending_exit == LV_NONE) p->pending_exit = reason;
}

/* Ended by the exit signal of another process: say whose, for reports. */
static void end_by_signal(Proc *p, Signal *s, Value reason) {
    if (p->pending_exit == LV_NONE) p->exit_from = s->from;
    end_with(p, reason);
}

static void handle_exit_signal(Proc *p, Signal *s) {
    Value reason = s->value;
    if (s->flags & SF_LINK) {
        if (!links_remove(p, s->from)) return;
    } else if (reason == K_(kill)) {
        end_by_signal(p, s, K_(killed));
        return;
    }
    if (p->trap_exit) {
        deliver_message(p, mk_tuple3(p, mk_keyword(ATOM_EXIT), s->from, reason));
    } else if (reason != K_(normal)) {
        end_by_signal(p, s, reason);
    }
}

static void answer_signal_of_dead(Proc *p, Signal *s);

void exit_handle_signal(Proc *p, Signal *s) {
    if (EXIT_PENDING(p) && (s->kind == SIG_LINK || s->kind == SIG_MONITOR)) {
        /* An exit signal taken before this one has ended the process: as
         * on the BEAM, a link or monitor that comes after it finds the
         * process gone (:noproc), not about to go with its reason. */
        answer_signal_of_dead(p, s);
        return;
    }
    switch (s->kind) {
    case SIG_EXIT:
        handle_exit_signal(p, s);
        break;
    case SIG_LINK:
        links_add(p, s->from);
        break;
    case SIG_UNLINK:
        links_remove(p, s->from);
        break;
    case SIG_MONITOR:
        mons_add(p, watchers_of(p), s->ref, s->from);
        break;
    case SIG_DEMONITOR:
        mons_remove(p, watchers_of(p), s->ref);
        break;
    case SIG_DOWN:
        if (mons_remove(p, monitors_of(p), s->ref) != LV_NONE) {
            Value t = mk_tuple(p, 4);
            tuple_elems(t)[0] = mk_keyword(ATOM_DOWN);
            tuple_elems(t)[1] = s->ref;
            tuple_elems(t)[2] = s->from;
            tuple_elems(t)[3] = s->value;
            deliver_message(p, t);
        }
        break;
    case SIG_SYNC_ACK:
        if (p->park == PARK_SYNC && p->park_ref == s->ref) {
            p->park = PARK_NONE;
            p->resume_value = K_(ok);
        }
        break;
    case SIG_MESSAGE:
        break;
    }
    retire_signal(p, s);
}

/* ---- requests from the running process -------------------------------------- */

/* Linking or monitoring a pid of a realm that cannot be reached. */
static Value noconnection(Runtime *rt) { return mk_keyword(atoms_intern_text(&rt->atoms, "noconnection", 12)); }

void exit_link(Proc *p, Value pid) {
    if (pid == p->pid || links_has(p, pid)) return;
    if (!proc_is_local(p->rt, pid)) {
        /* Across realms: the other side answers :noproc if nobody is there. */
        links_add(p, pid);
        if (remote_signal(p, pid, SIG_LINK, LV_NONE, LV_NONE, 0)) return;
        links_remove(p, pid);
        if (p->trap_exit)
            deliver_message(p, mk_tuple3(p, mk_keyword(ATOM_EXIT), pid, noconnection(p->rt)));
        else
            end_with(p, noconnection(p->rt));
        return;
    }
    Proc *t = proc_lookup(p->rt, pid);
    if (!t) {
        /* As if the link had been made and the process had died with :noproc. */
        if (p->trap_exit)
            deliver_message(p, mk_tuple3(p, mk_keyword(ATOM_EXIT), pid, K_(noproc)));
        else
            end_with(p, K_(noproc));
        return;
    }
    links_add(p, pid);
    push_signal(p, t, SIG_LINK, LV_NONE, LV_NONE, 0);
    proc_unref(t);
}

void exit_unlink(Proc *p, Value pid) {
    if (!links_remove(p, pid)) return;
    signal_send(p, pid, SIG_UNLINK, LV_NONE, LV_NONE, 0);
}

Value exit_monitor(Proc *p, Value pid) {
    Value ref = mk_ref(p->rt->realm_id, atomic_fetch_add(&p->rt->next_ref, 1));
    bool remote = !proc_is_local(p->rt, pid);
    if (remote) {
        mons_add(p, monitors_of(p), ref, pid);
        if (remote_signal(p, pid, SIG_MONITOR, LV_NONE, ref, 0)) return ref;
        mons_remove(p, monitors_of(p), ref);
    }
    Proc *t = remote ? NULL : proc_lookup(p->rt, pid);
    if (!t) {
        Value m = mk_tuple(p, 4);
        tuple_elems(m)[0] = mk_keyword(ATOM_DOWN);
        tuple_elems(m)[1] = ref;
        tuple_elems(m)[2] = pid;
        tuple_elems(m)[3] = remote ? noconnection(p->rt) : K_(noproc);
        deliver_message(p, m);
        return ref;
    }
    mons_add(p, monitors_of(p), ref, pid);
    push_signal(p, t, SIG_MONITOR, LV_NONE, ref, 0);
    proc_unref(t);
    return ref;
}

void exit_demonitor(Proc *p, Value ref) {
    Value pid = mons_remove(p, monitors_of(p), ref);
    if (pid != LV_NONE) signal_send(p, pid, SIG_DEMONITOR, LV_NONE, ref, 0);
}

void exit_send_exit(Proc *p, Value pid, Value reason) {
    if (pid == p->pid) {
        /* exit/2 to oneself: :kill is untrappable, :normal ends the
         * process too (Erlang), anything else follows the table. */
        if (reason == K_(kill))
            end_with(p, K_(killed));
        else if (p->trap_exit)
            deliver_message(p, mk_tuple3(p, mk_keyword(ATOM_EXIT), p->pid, reason));
        else
            end_with(p, reason);
        return;
    }
    signal_send(p, pid, SIG_EXIT, reason, LV_NONE, 0);
}

/* ---- dying ------------------------------------------------------------------- */

static bool is_error_reason(Value r) {
    return is_tuple(r) && tuple_len(r) >= 2 && tuple_elems(r)[0] == K_(error);
}

static void crash_report(Proc *p, Value reason) {
    Runtime *rt = p->rt;
    Buf b;
    buf_init(&b);
    buf_puts(&b, "=CRASH REPORT= process ");
    pr_value(rt, &b, p->pid);
    if (rt->realm_id != 1) {
        /* A child realm writes to its parent's standard error: say whose. */
        buf_puts(&b, " in realm ");
        pr_value(rt, &b, IMM(IMM_REALM, rt->realm_id));
    }
    buf_puts(&b, " exited with ");
    pr_value(rt, &b, reason);
    buf_putc(&b, '\n');
    err_report_line(p, &b, reason);
    vm_print_trace(rt, &b, p->trace);
    console_write_err(&rt->console, b.data, b.len);
    buf_free(&b);
}

static void answer_signal_of_dead(Proc *p, Signal *s) {
    Runtime *rt = p->rt;
    Proc *asker = NULL;
    bool asks = s->kind == SIG_LINK || s->kind == SIG_MONITOR;
    if (asks && is_pid(s->from) && !proc_is_local(rt, s->from)) {
        if (s->kind == SIG_LINK) remote_signal(p, s->from, SIG_EXIT, K_(noproc), LV_NONE, SF_LINK);
        else remote_signal(p, s->from, SIG_DOWN, K_(noproc), s->ref, 0);
    } else if (asks) {
        asker = proc_lookup(rt, s->from);
    }
    if (asker) {
        if (s->kind == SIG_LINK)
            push_signal(p, asker, SIG_EXIT, K_(noproc), LV_NONE, SF_LINK);
        else
            push_signal(p, asker, SIG_DOWN, K_(noproc), s->ref, 0);
        proc_unref(asker);
    }
    heap_frag_release(s->frag);
}

void exit_answer_late_signals(Proc *p) {
    Signal *s;
    while ((s = sigq_pop(&p->sigq, &p->sigq_tail)) != NULL) answer_signal_of_dead(p, s);
}

void exit_process(Proc *p, Value reason) {
    Runtime *rt = p->rt;
    atomic_store(&p->state, PS_EXITED);
    p->exit_reason = reason;
    if (atomic_load(&p->has_name)) registry_remove_pid(rt, p->pid);
    ptable_remove(rt->procs, p->local_id);
    atomic_fetch_sub_explicit(&rt->nprocs, 1, memory_order_relaxed);
    for (uint32_t i = 0; i < p->nlinks; i++) signal_send(p, p->links[i], SIG_EXIT, reason, LV_NONE, SF_LINK);
    for (uint32_t i = 0; i < p->nwatchers; i++)
        signal_send(p, p->watchers[i].pid, SIG_DOWN, reason, p->watchers[i].ref, 0);
    for (uint32_t i = 0; i < p->nmonitors; i++)
        signal_send(p, p->monitors[i].pid, SIG_DEMONITOR, LV_NONE, p->monitors[i].ref, 0);
    pthread_mutex_lock(&p->info_lock);
    p->nlinks = p->nwatchers = p->nmonitors = 0;
    ki_free(&p->links_index);
    ki_free(&p->monitors_index);
    ki_free(&p->watchers_index);
    pthread_mutex_unlock(&p->info_lock);
    /* Every error exit is reported, linked or monitored or not, as the
     * BEAM's logger does; LONA_CRASH_REPORTS=off silences them. */
    if (is_error_reason(reason) && rt->crash_reports && !p->host) crash_report(p, reason);
    exit_answer_late_signals(p);
    send_cache_drop(p);
    mbox_release(&p->mbox);
    if (!p->host) {
        /* Nobody will look at this process again: give its memory back
         * now, even if references keep the struct alive a little longer. */
        heap_release(&p->heap);
        heap_init(&p->heap, 64, 0);
        p->sp = 0;
        p->nframes = 0;
        p->exit_reason = p->dict = p->trace = LV_NIL;
        free(p->oom_note);
        p->oom_note = NULL;
    }
    proc_unref(p); /* the table's reference */
}

void exit_link_new_child(Proc *p, Proc *child) {
    links_add(p, child->pid);
    links_add(child, p->pid);
}

Value exit_monitor_new_child(Proc *p, Proc *child) {
    Value ref = mk_ref(p->rt->realm_id, atomic_fetch_add(&p->rt->next_ref, 1));
    mons_add(p, monitors_of(p), ref, child->pid);
    mons_add(child, watchers_of(child), ref, p->pid);
    return ref;
}

void exit_link_new_to_remote(Proc *child, Value remote) {
    links_add(child, remote);
    remote_signal(child, remote, SIG_LINK, LV_NONE, LV_NONE, 0);
}

void exit_watch_new_by_remote(Proc *child, Value remote, Value ref) { mons_add(child, watchers_of(child), ref, remote); }

Value exit_monitor_to_come(Proc *p, uint32_t realm) {
    Value ref = mk_ref(p->rt->realm_id, atomic_fetch_add(&p->rt->next_ref, 1));
    mons_add(p, monitors_of(p), ref, mk_pid(realm, 0));
    return ref;
}

void exit_monitor_arrived(Proc *p, Value ref, Value pid) {
    if (mons_remove(p, monitors_of(p), ref) != LV_NONE && pid != LV_NONE) mons_add(p, monitors_of(p), ref, pid);
}

/* ---- a realm gone ------------------------------------------------------------- */

typedef struct RealmGone {
    uint32_t realm;
    Value reason;          /* an immediate */
} RealmGone;

static void push_from_gone(Proc *p, SignalKind kind, Value from, Value ref, Value reason, uint32_t flags) {
    Signal *s = signal_alloc(0);
    s->kind = kind;
    s->flags = flags;
    s->from = from;
    s->ref = ref;
    s->value = reason;
    sigq_push(&p->sigq, s);
}

/* Under the process's table stripe: the signals are only queued here, the
 * process acts on them when it next runs. */
static void fire_realm_gone(void *ctx, Proc *p) {
    const RealmGone *g = ctx;
    bool any = false;
    pthread_mutex_lock(&p->info_lock);
    for (uint32_t i = 0; i < p->nlinks; i++) {
        if (pid_realm(p->links[i]) != g->realm) continue;
        push_from_gone(p, SIG_EXIT, p->links[i], LV_NONE, g->reason, SF_LINK);
        any = true;
    }
    for (uint32_t i = 0; i < p->nmonitors; i++) {
        if (pid_realm(p->monitors[i].pid) != g->realm) continue;
        push_from_gone(p, SIG_DOWN, p->monitors[i].pid, p->monitors[i].ref, g->reason, 0);
        any = true;
    }
    pthread_mutex_unlock(&p->info_lock);
    if (any) sched_wake(p, NULL);
}

void exit_realm_gone(struct Runtime *rt, uint32_t realm, Value reason) {
    RealmGone g = {realm, reason};
    ptable_each(rt->procs, fire_realm_gone, &g);
}

void exit_kill_from_host(Proc *target) {
    Signal *s = signal_alloc(0);
    s->kind = SIG_EXIT;
    s->from = LV_NIL;
    s->value = K_(kill);
    sigq_push(&target->sigq, s);
    sched_wake(target, NULL);
}
