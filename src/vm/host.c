/*
 * host.c — driving Lonala processes from C (see host.h).
 */
#include "vm/host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "compiler/compiler.h"
#include "lib/stdlib.h"
#include "proc/ptable.h"
#include "reader/reader.h"
#include "sched/timer.h"
#include "term/alloc.h"
#include "term/coll.h"
#include "term/print.h"
#include "vm/error.h"
#include "vm/ns.h"
#include "vm/rt.h"
#include "vm/vm.h"
#include "proc/exit.h"
#include "proc/life.h"
#include "sched/sched.h"
#include <sched.h>

Proc *host_proc_new(Runtime *rt) {
    Proc *p = proc_create(rt, NULL, NULL);
    atomic_store(&p->state, PS_IDLE); /* never queued by sched_start: host_call wakes it */
    proc_ref(p); /* the host's reference */
    HostLink *h = xcalloc(1, sizeof *h);
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->cond, NULL);
    p->host = h;
    var_set_local(p, rt->ns_var, rt->user_ns);
    return p;
}

/* Take the process for the host thread: nobody else runs it until
 * host_release. Waits while a worker is busy with it (draining signals). */
bool host_claim(Proc *p) {
    for (;;) {
        int st = atomic_load(&p->state);
        if (st == PS_EXITED) return false;
        if (st == PS_IDLE && atomic_compare_exchange_weak(&p->state, &st, PS_RUNNING)) return true;
        sched_yield();
    }
}

/* Give the process back: parked, or queued if woken meanwhile. */
void host_release(Proc *p) {
    int st = PS_RUNNING;
    if (!atomic_compare_exchange_strong(&p->state, &st, PS_IDLE)) {
        atomic_store(&p->state, PS_IDLE);
        sched_wake(p, NULL);
    }
}

/* The HostLink is not freed here but with the process (proc_free_bare):
 * an exit signal that arrived between calls may have a worker ending the
 * process right now, and that worker hands it to the host (hand_to_host)
 * after host_claim has already seen it exited; the worker's reference
 * keeps the process, and so the link, alive until it is done. */
void host_proc_free(Proc *p) {
    if (host_claim(p)) exit_process(p, K_(normal));
    proc_unref(p);
}

/* Wait for the call to finish; after timeout_ms (if > 0) the process is
 * killed (exit signal :kill), and the wait goes on until it has ended. */
static void host_wait(Proc *p, HostLink *h, int64_t timeout_ms) {
    pthread_mutex_lock(&h->lock);
    if (timeout_ms > 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += timeout_ms / 1000;
        ts.tv_nsec += (timeout_ms % 1000) * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        while (!h->done)
            if (pthread_cond_timedwait(&h->cond, &h->lock, &ts) != 0) break;
        if (!h->done) {
            pthread_mutex_unlock(&h->lock);
            exit_kill_from_host(p);
            pthread_mutex_lock(&h->lock);
        }
    }
    while (!h->done) pthread_cond_wait(&h->cond, &h->lock);
    pthread_mutex_unlock(&h->lock);
}

HostStatus host_call(Proc *p, Value fn, const Value *args, uint32_t nargs, bool catching, Value *out) {
    return host_call_timeout(p, fn, args, nargs, catching, 0, out);
}

HostStatus host_call_timeout(Proc *p, Value fn, const Value *args, uint32_t nargs, bool catching,
                             int64_t timeout_ms, Value *out) {
    if (!host_claim(p)) {
        *out = p->exit_reason;
        return HOST_EXITED;
    }
    if (!vm_push_call(p, fn, args, nargs, catching)) {
        *out = p->exc != LV_NONE ? p->exc : K_(badarg);
        p->exc = LV_NONE;
        HostStatus st = HOST_EXITED;
        if (catching) {
            *out = mk_tuple2(p, K_(exit), *out);
            st = HOST_OK;
        }
        host_release(p);
        return st;
    }
    HostLink *h = p->host;
    pthread_mutex_lock(&h->lock);
    h->done = false;
    pthread_mutex_unlock(&h->lock);
    atomic_store(&p->state, PS_IDLE);
    sched_wake(p, NULL);
    host_wait(p, h, timeout_ms);
    int status = h->status;
    if (status == VM_EXIT || !host_claim(p)) {
        *out = p->exit_reason;
        return HOST_EXITED;
    }
    *out = p->result;
    p->result = LV_NIL;
    host_release(p);
    return HOST_OK;
}

HostStatus host_call_var(Proc *p, const char *ns, const char *name, const Value *args,
                         uint32_t nargs, bool catching, Value *out) {
    Runtime *rt = p->rt;
    Value nsv = ns_find(rt, mk_symbol(atoms_intern_text(&rt->atoms, ns, strlen(ns))));
    Value var = nsv == LV_NIL ? LV_NONE
                              : ns_lookup(rt, nsv, mk_symbol(atoms_intern_text(&rt->atoms, name, strlen(name))));
    Value fn = var == LV_NONE ? LV_NONE : var_get(p, var);
    if (fn == LV_NONE) {
        err_raisef(p, K_(undef), "%s/%s is not defined", ns, name);
        *out = p->exc;
        p->exc = LV_NONE;
        return HOST_EXITED;
    }
    return host_call(p, fn, args, nargs, catching, out);
}

static Value core_var(Runtime *rt, const char *name) {
    return ns_lookup(rt, rt->core_ns, mk_symbol(atoms_intern_text(&rt->atoms, name, strlen(name))));
}

HostStatus host_load_source(Proc *p, const char *text, size_t len, const char *file, Value *out) {
    Runtime *rt = p->rt;
    Value file_var = core_var(rt, "*file*");
    if (file_var != LV_NONE) var_set_local(p, file_var, file ? mk_cstring(p, file) : LV_NIL);
    Reader r;
    reader_init(&r, p, text, len, file);
    reader_skip_shebang(&r);
    *out = LV_NIL;
    for (;;) {
        /* The reader and compiler work on p's heap from this thread: hold
         * the process so no worker touches it meanwhile. */
        if (!host_claim(p)) {
            *out = p->exit_reason;
            return HOST_EXITED;
        }
        Value form = reader_next(&r);
        host_release(p);
        if (form == LV_NONE) return HOST_OK;
        if (form == LV_EXC) {
            *out = p->exc;
            p->exc = LV_NONE;
            return HOST_EXITED;
        }
        Value eval_var = core_var(rt, "eval");
        Value eval = eval_var == LV_NONE ? LV_NONE : var_get(p, eval_var);
        HostStatus st;
        if (eval != LV_NONE && !is_native(eval)) {
            st = host_call(p, eval, &form, 1, false, out);
        } else {
            host_claim(p);
            Value thunk = cc_compile(p, form, ns_current(p), file ? mk_cstring(p, file) : LV_NIL);
            host_release(p);
            if (thunk == LV_EXC) {
                *out = p->exc;
                p->exc = LV_NONE;
                return HOST_EXITED;
            }
            st = host_call(p, thunk, NULL, 0, false, out);
        }
        if (st != HOST_OK) return st;
    }
}

bool host_load_stdlib(Runtime *rt) {
    Proc *p = host_proc_new(rt);
    var_set_local(p, rt->ns_var, rt->core_ns);
    bool ok = true;
    for (const StdlibFile *f = lona_stdlib_files; f->name; f++) {
        /* NN_name.lona files make up lona.core and are loaded in order at
         * start-up; the others are libraries loaded when required. */
        if (f->name[0] < '0' || f->name[0] > '9') continue;
        char path[256];
        snprintf(path, sizeof path, "lib/lona/%s", f->name);
        Value out;
        if (host_load_source(p, f->text, f->len, path, &out) != HOST_OK) {
            host_report_exit(p, out);
            ok = false;
            break;
        }
        var_set_local(p, rt->ns_var, rt->core_ns);
    }
    host_proc_free(p);
    return ok;
}

/* Bytes of an exit reason printed in a report: a reason can hold a value
 * whose printed form is larger than memory (see pr_value_max). */
#define HOST_REPORT_MAX ((size_t)1 << 20)

void host_report_exit(Proc *p, Value reason) {
    Runtime *rt = p->rt;
    Buf b;
    buf_init(&b);
    buf_puts(&b, "error: ");
    pr_value_cut(rt, &b, reason, HOST_REPORT_MAX);
    buf_putc(&b, '\n');
    if (is_pid(p->exit_from) && p->exit_from != p->pid) {
        /* Not its own error: a linked process's exit (or exit/2) ended it. */
        buf_puts(&b, "  ended by the exit signal of ");
        pr_value(rt, &b, p->exit_from);
        buf_puts(&b, " (a linked process, or exit/2)\n");
    }
    err_report_line(p, &b, reason);
    vm_print_trace(rt, &b, p->trace);
    fputs(b.data, stderr);
    buf_free(&b);
}
