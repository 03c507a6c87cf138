/*
 * run.c — `lona run FILE` and `lona eval EXPR`.
 *
 * Ctrl-C (SIGINT) kills the program's process (see interrupt.h) and the
 * command ends with status 130, as the shell counts a death by SIGINT.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/interrupt.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/coll.h"
#include "term/print.h"
#include "vm/ns.h"
#include "vm/host.h"
#include "vm/rt.h"

#define INTERRUPTED_STATUS 130

static Runtime *start(const CliOptions *o) {
    intr_start(INTR_PROGRAM);
    RtOptions ro = {.schedulers = o->schedulers};
    return rt_new(&ro);
}

/* Call ns/name with one argument in p; a Ctrl-C meanwhile kills p. */
static HostStatus call_watched(Proc *p, const char *name, Value arg, bool *interrupted, Value *out) {
    intr_watch(p);
    HostStatus st = host_call_var(p, "lona.core", name, &arg, 1, false, out);
    *interrupted = intr_unwatch();
    return st;
}

static int finish(Runtime *rt, Proc *p, int code) {
    host_proc_free(p);
    rt_free(rt);
    intr_stop();
    return code;
}
/* lona.core *command-line-args*: the arguments after the file, a list of
 * strings, nil when there are none (as in Clojure). Set as the var's root,
 * so every process sees it. */
static void set_command_line_args(Proc *p, int argc, char **argv) {
    Runtime *rt = p->rt;
    Value var = ns_lookup(rt, rt->core_ns, mk_symbol(atoms_intern_text(&rt->atoms, "*command-line-args*", 19)));
    if (var == LV_NONE) return;
    Value args = LV_NIL;
    if (argc > 0) {
        args = LV_EMPTY;
        for (int i = argc; i-- > 0;) args = mk_cons(p, mk_cstring(p, argv[i]), args);
    }
    var_set_root(rt, var, args);
}

int cli_run(const CliOptions *o, const char *file, int argc, char **argv) {
    Runtime *rt = start(o);
    if (!rt) return 1;
    Proc *p = host_proc_new(rt);
    host_claim(p);
    set_command_line_args(p, argc, argv);
    Value path = mk_cstring(p, file);
    host_release(p);
    Value out;
    bool interrupted;
    HostStatus st = call_watched(p, "load-file", path, &interrupted, &out);
    if (interrupted) return finish(rt, p, INTERRUPTED_STATUS);
    /* (exit :normal) ends the program as successfully as running off its end. */
    if (st != HOST_OK && out != K_(normal)) {
        host_report_exit(p, out);
        return finish(rt, p, 1);
    }
    return finish(rt, p, 0);
}

int cli_eval(const CliOptions *o, const char *expr) {
    Runtime *rt = start(o);
    if (!rt) return 1;
    Proc *p = host_proc_new(rt);
    host_claim(p);
    Value text = mk_cstring(p, expr);
    host_release(p);
    Value out;
    bool interrupted;
    HostStatus st = call_watched(p, "%eval-string", text, &interrupted, &out);
    /* After a Ctrl-C the process ends even if the call has just returned,
     * so out must not be read. */
    if (interrupted) return finish(rt, p, INTERRUPTED_STATUS);
    if (st == HOST_OK) {
        Buf b;
        buf_init(&b);
        pr_value(rt, &b, out);
        buf_putc(&b, '\n');
        fwrite(b.data, 1, b.len, stdout);
        buf_free(&b);
    } else if (out != K_(normal)) {
        host_report_exit(p, out);
        return finish(rt, p, 1);
    }
    return finish(rt, p, 0);
}
