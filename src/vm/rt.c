/*
 * rt.c — creating a runtime: intern table, literal area, the standard
 * namespaces, a var for every intrinsic, then the Lonala library.
 */
#include "vm/rt.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/mem.h"
#include "base/util.h"
#include "compiler/compiler.h"
#include "lib/intrinsic.h"
#include "lib/stdlib.h"
#include "proc/life.h"
#include "proc/ptable.h"
#include "proc/input.h"
#include "proc/notif.h"
#include "proc/registry.h"
#include "proc/send.h"
#include "reader/reader.h"
#include "sched/poller.h"
#include "sched/sched.h"
#include "term/alloc.h"
#include "term/coll.h"
#include "vm/host.h"
#include "vm/ns.h"
#include "vm/vm.h"

static Value sym_of(Runtime *rt, const char *text) {
    return mk_symbol(atoms_intern_text(&rt->atoms, text, strlen(text)));
}

/* Parse an arglists string such as "([x] [x & more])" for the var's metadata. */
static Value arglists_value(Proc *p, const char *text) {
    if (!text) return LV_NONE;
    Value v = read_string(p, text, strlen(text));
    if (v == LV_EXC) {
        p->exc = LV_NONE;
        return LV_NONE;
    }
    return v;
}

static void define_intrinsic_vars(Runtime *rt, Proc *p) {
    uint32_t n = intrinsic_count();
    for (uint32_t i = 0; i < n; i++) {
        const IntrinsicDef *d = intrinsic_get(i);
        Value ns = ns_create(rt, sym_of(rt, d->ns));
        Value name = sym_of(rt, d->name);
        Value var = ns_intern(rt, ns, name);
        Value kvs[12];
        size_t k = 0;
        kvs[k++] = K_(native);
        kvs[k++] = LV_TRUE;
        kvs[k++] = K_(name);
        kvs[k++] = name;
        kvs[k++] = K_(ns);
        kvs[k++] = ns;
        Value al = arglists_value(p, d->arglists);
        if (al != LV_NONE) {
            kvs[k++] = K_(arglists);
            kvs[k++] = al;
        }
        if (d->doc) {
            kvs[k++] = K_(doc);
            kvs[k++] = mk_cstring(p, d->doc);
        }
        if (d->name[0] == '%') {
            kvs[k++] = K_(private_);
            kvs[k++] = LV_TRUE;
        }
        var_set_meta(rt, var, map_from_kvs(p, kvs, k));
        var_set_root(rt, var, mk_native(i));
    }
}

static Value native_of(Runtime *rt, const char *name) {
    uint32_t i = intrinsic_find("lona.core", name);
    (void)rt;
    return i == UINT32_MAX ? LV_NONE : mk_native(i);
}

/* The vars whose intrinsics the VM's arithmetic instructions inline. */
static void mark_inlined_vars(Runtime *rt) {
    static const char *const names[] = {"+", "-", "<", "<=", ">", ">=", "=", "inc", "dec"};
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        Value var = ns_intern(rt, rt->core_ns, sym_of(rt, names[i]));
        atomic_fetch_or(&as_var(var)->flags, VAR_INLINED);
    }
}

static void create_namespaces(Runtime *rt) {
    rt->core_ns = ns_create(rt, S_(lona_core));
    rt->process_ns = ns_create(rt, S_(lona_process));
    rt->time_ns = ns_create(rt, S_(lona_time));
    rt->kernel_ns = ns_create(rt, S_(lona_kernel));
    rt->user_ns = ns_create(rt, S_(user));
    rt->ns_var = ns_intern(rt, rt->core_ns, S_(star_ns_star));
}

/* The most processes a runtime holds: LONA_MAX_PROCESSES (which the
 * --max-processes flag sets), else 2^21, above the million of the
 * benchmarks. Spawning beyond it ends the caller with :system-limit, as
 * the BEAM's process limit does, instead of the machine running out. */
#define DEFAULT_MAX_PROCESSES ((uint64_t)1 << 21)
static uint64_t max_processes_setting(void) {
    const char *s = getenv("LONA_MAX_PROCESSES");
    char *end;
    unsigned long long n = s && *s ? strtoull(s, &end, 10) : 0;
    return s && *s && !*end && n > 0 && n <= RT_MAX_PROCESSES_CEILING ? (uint64_t)n : DEFAULT_MAX_PROCESSES;
}

Runtime *rt_new(const RtOptions *opts) {
    /* Memory is recycled, not returned: a fresh page costs a fault on first
     * touch (about 15 us here), so keep freed heap blocks in the allocator
     * instead of giving them back to the kernel and mapping new ones. */
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
    Runtime *rt = xcalloc(1, sizeof *rt);
    atoms_init(&rt->atoms);
    lit_init(&rt->lit);
    pthread_mutex_init(&rt->ns_lock, NULL);
    console_init(&rt->console);
    rt->realm_id = opts && opts->realm_id ? opts->realm_id : 1;
    rt->max_processes = max_processes_setting();
    const char *reports = getenv("LONA_CRASH_REPORTS");
    rt->crash_reports = !(reports && (strcmp(reports, "off") == 0 || strcmp(reports, "0") == 0));
    mem_init_from_env();
    atomic_init(&rt->next_ref, 1);
    atomic_init(&rt->next_gensym, 1);
    atomic_init(&rt->next_notif, 1);
    atomic_init(&rt->next_pid, 1);
    rt->lib_path = opts && opts->lib_path ? opts->lib_path : NULL;
    rt->procs = ptable_new();
    rt->registry = registry_new();
    rt->notifs = notif_table_new();
    rt->poller = poller_new();
    rt->input = input_new(rt, opts && opts->no_input ? -1 : STDIN_FILENO);
    create_namespaces(rt);
    rt->nat_add = native_of(rt, "+");
    rt->nat_sub = native_of(rt, "-");
    rt->nat_lt = native_of(rt, "<");
    rt->nat_le = native_of(rt, "<=");
    rt->nat_gt = native_of(rt, ">");
    rt->nat_ge = native_of(rt, ">=");
    rt->nat_numeq = native_of(rt, "=");

    Proc *boot = proc_new_bare(rt);
    {
        Value kvs[4] = {K_(process_bound), LV_TRUE, K_(name), S_(star_ns_star)};
        var_set_meta(rt, rt->ns_var, map_from_kvs(boot, kvs, 4));
        var_set_root(rt, rt->ns_var, rt->core_ns);
    }
    define_intrinsic_vars(rt, boot);
    /* Vars documenting the special forms (spec 5): no value, never
     * usable as one (the compiler rejects special-form names as values). */
    static const struct {
        const char *name, *arglists, *doc;
    } special_forms[] = {
        {"def", "([name] [name value])",
         "Sets the root of the var name in the current namespace (creating it), or the calling "
         "process's binding of a process-bound var; the var."},
        {"fn*", "([name? [params] & body] [name? ([params] & body) & more])",
         "A function; params are symbols, & rest for variadics; fn is the macro with patterns."},
        {"match", "([x & clauses])",
         "(match x pattern body pattern when guard body ...): the body of the first pattern that "
         "matches x (and whose guard is truthy); none matches: :badmatch."},
        {"do", "([& body])", "Evaluates the forms in order; the last one's value (nil for none)."},
        {"quote", "([form])", "form, unevaluated."},
        {"var", "([sym])", "The var sym names (#'sym), not its value."},
        {"receive", "([& clauses])",
         "(receive pattern body ... :after ms body): waits for the first message of the mailbox "
         "matching a pattern and removes it; :after gives up after ms milliseconds."},
    };
    for (size_t i = 0; i < ARRAY_LEN(special_forms); i++) {
        Value name = sym_of(rt, special_forms[i].name);
        Value var = ns_intern(rt, rt->core_ns, name);
        Value kvs[12] = {K_(special_form), LV_TRUE, K_(native), LV_TRUE, K_(name), name, K_(ns), rt->core_ns,
                         K_(arglists), arglists_value(boot, special_forms[i].arglists),
                         K_(doc), mk_cstring(boot, special_forms[i].doc)};
        var_set_meta(rt, var, map_from_kvs(boot, kvs, 12));
    }
    {
        Value file_var = ns_intern(rt, rt->core_ns, mk_symbol(atoms_intern_text(&rt->atoms, "*file*", 6)));
        Value kvs[2] = {K_(process_bound), LV_TRUE};
        var_set_meta(rt, file_var, map_from_kvs(boot, kvs, 2));
        var_set_root(rt, file_var, LV_NIL);
    }
    proc_free_bare(boot);
    mark_inlined_vars(rt);
    rt->sched = sched_new(rt, opts ? opts->schedulers : 0);
    if (!(opts && opts->no_stdlib)) {
        if (!host_load_stdlib(rt)) {
            rt_free(rt);
            return NULL;
        }
    }
    return rt;
}

void rt_free(Runtime *rt) {
    if (!rt) return;
    poller_stop(rt->poller); /* workers may still arm it: they get ESHUTDOWN */
    sched_stop(rt->sched);
    if (rt->free_realm) rt->free_realm(rt); /* before poller_free: its links are watched */
    input_free(rt->input);
    poller_free(rt->poller);
    notif_table_free(rt->notifs);
    /* Before any process is freed: a cache may hold the last reference to
     * an ended process, or one to a process freed below. */
    send_caches_drop_all(rt);
    ptable_free_procs(rt->procs, proc_free_bare);
    ptable_free(rt->procs);
    sched_free(rt->sched);
    registry_free(rt->registry);
    ns_free_all(rt);
    atoms_free(&rt->atoms);
    lit_free(&rt->lit);
    pthread_mutex_destroy(&rt->ns_lock);
    console_free(&rt->console);
    free(rt->nss);
    free(rt);
}

Proc *proc_new_bare(Runtime *rt) {
    Proc *p = proc_alloc();
    p->rt = rt;
    heap_init(&p->heap, 512, 0);
    p->exc = p->tc_fn = p->tc_args = p->dict = p->result = LV_NIL;
    p->exc = LV_NONE;
    p->exit_reason = p->trace = p->resume_value = LV_NIL;
    p->priority = 100;
    p->reductions = 4000;
    mbox_init(&p->mbox);
    sigq_init(&p->sigq, &p->sigq_tail);
    return p;
}

void proc_free_bare(Proc *p) {
    send_cache_drop(p);
    heap_release(&p->heap);
    mbox_release(&p->mbox);
    Signal *s;
    while ((s = sigq_pop(&p->sigq, &p->sigq_tail)) != NULL) heap_frag_release(s->frag);
    free(p->links);
    free(p->monitors);
    free(p->watchers);
    ki_free(&p->links_index);
    ki_free(&p->monitors_index);
    ki_free(&p->watchers_index);
    if (p->host) {
        pthread_mutex_destroy(&p->host->lock);
        pthread_cond_destroy(&p->host->cond);
        free(p->host);
    }
    proc_dealloc(p);
}
