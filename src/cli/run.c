/*
 * run.c — `lona run FILE` and `lona eval EXPR`.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/coll.h"
#include "term/print.h"
#include "vm/ns.h"
#include "vm/host.h"
#include "vm/rt.h"

static Runtime *start(const CliOptions *o) {
    RtOptions ro = {.schedulers = o->schedulers};
    return rt_new(&ro);
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
    HostStatus st = host_call_var(p, "lona.core", "load-file", &path, 1, false, &out);
    int code = 0;
    /* (exit :normal) ends the program as successfully as running off its end. */
    if (st != HOST_OK && out != K_(normal)) {
        host_report_exit(p, out);
        code = 1;
    }
    host_proc_free(p);
    rt_free(rt);
    return code;
}

int cli_eval(const CliOptions *o, const char *expr) {
    Runtime *rt = start(o);
    if (!rt) return 1;
    Proc *p = host_proc_new(rt);
    host_claim(p);
    Value text = mk_cstring(p, expr);
    host_release(p);
    Value out;
    HostStatus st = host_call_var(p, "lona.core", "%eval-string", &text, 1, false, &out);
    int code = 0;
    if (st == HOST_OK) {
        Buf b;
        buf_init(&b);
        pr_value(rt, &b, out);
        buf_putc(&b, '\n');
        fwrite(b.data, 1, b.len, stdout);
        buf_free(&b);
    } else if (out != K_(normal)) {
        host_report_exit(p, out);
        code = 1;
    }
    host_proc_free(p);
    rt_free(rt);
    return code;
}
