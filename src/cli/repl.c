/*
 * repl.c — `lona repl` (and `lona` alone): read, evaluate, print.
 *
 * One process holds the whole session, so definitions and the current
 * namespace persist between inputs. Lines are gathered until the text read
 * so far no longer ends with :unexpected-eof; its forms are then evaluated
 * one by one and each value printed (an error is reported and ends only
 * its form, never the session). On a terminal, libedit gives line editing and
 * a history kept in ~/.lona_history, and the prompt names the current
 * namespace, after a one-line banner (version, schedulers, how to leave).
 * Otherwise lines come from standard input without banner or prompts, so
 * `echo '(+ 1 2)' | lona repl` prints just `3`. End of input (Ctrl-D)
 * leaves with status 0.
 */
#include <histedit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "cli/cli.h"
#include "cli/cli_eval.h"
#include "sched/sched.h"
#include "term/print.h"
#include "vm/host.h"
#include "vm/ns.h"
#include "vm/rt.h"

#define REPL_HISTORY_FILE ".lona_history"
#define REPL_HISTORY_SIZE 1000

typedef struct Repl {
    Runtime *rt;
    Proc *p;
    Proc *reader;          /* private: only reads input (see cli_eval.h) */
    Buf chunk;             /* lines read for the input in progress */
    char prompt[256];
    /* terminal only */
    EditLine *el;
    History *hist;
    char *hist_path;
} Repl;

/* "user=> " for a new input, spaces of the same width for continuation. */
static void repl_set_prompt(Repl *r) {
    Buf b;
    buf_init(&b);
    pr_symbol(r->rt, &b, as_ns(ns_current(r->p))->name);
    buf_puts(&b, "=> ");
    if (r->chunk.len) memset(b.data, ' ', b.len - 3), memcpy(b.data + b.len - 3, ".. ", 3);
    snprintf(r->prompt, sizeof r->prompt, "%s", b.data);
    buf_free(&b);
}

static char *repl_prompt_fn(EditLine *el) {
    Repl *r = NULL;
    el_get(el, EL_CLIENTDATA, &r);
    return r->prompt;
}

static void repl_open_terminal(Repl *r) {
    r->el = el_init("lona", stdin, stdout, stderr);
    if (!r->el) return;
    el_set(r->el, EL_CLIENTDATA, r);
    el_set(r->el, EL_PROMPT, repl_prompt_fn);
    el_set(r->el, EL_EDITOR, "emacs");
    r->hist = history_init();
    if (r->hist) {
        HistEvent ev;
        history(r->hist, &ev, H_SETSIZE, REPL_HISTORY_SIZE);
        history(r->hist, &ev, H_SETUNIQUE, 1);
        const char *home = getenv("HOME");
        if (home && *home) {
            size_t n = strlen(home) + sizeof REPL_HISTORY_FILE + 2;
            r->hist_path = xmalloc(n);
            snprintf(r->hist_path, n, "%s/%s", home, REPL_HISTORY_FILE);
            history(r->hist, &ev, H_LOAD, r->hist_path);
        }
        el_set(r->el, EL_HIST, history, r->hist);
    }
    el_source(r->el, NULL); /* the user's ~/.editrc, if any */
}

static void repl_close_terminal(Repl *r) {
    if (r->hist) {
        HistEvent ev;
        if (r->hist_path) history(r->hist, &ev, H_SAVE, r->hist_path);
        history_end(r->hist);
    }
    if (r->el) el_end(r->el);
    free(r->hist_path);
}

/* Append the next input line (with its newline) to the chunk; false at
 * end of input. */
static bool repl_read_line(Repl *r) {
    if (r->el) {
        repl_set_prompt(r);
        int n = 0;
        const char *line = el_gets(r->el, &n);
        if (!line || n <= 0) return false;
        buf_append(&r->chunk, line, (size_t)n);
        if (line[n - 1] != '\n') buf_putc(&r->chunk, '\n');
        return true;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (n > 0) buf_append(&r->chunk, line, (size_t)n);
    free(line);
    return n > 0;
}

static bool repl_blank(const Buf *b) {
    for (size_t i = 0; i < b->len; i++)
        if (!strchr(" \t\r\n,", b->data[i])) return false;
    return true;
}

static void repl_remember(Repl *r) {
    if (!r->hist) return;
    size_t n = r->chunk.len;
    while (n && (r->chunk.data[n - 1] == '\n' || r->chunk.data[n - 1] == ' ')) n--;
    char *entry = xmalloc(n + 1);
    memcpy(entry, r->chunk.data, n);
    entry[n] = 0;
    HistEvent ev;
    history(r->hist, &ev, H_ENTER, entry);
    free(entry);
}

static void repl_eval_piece(Repl *r, const char *text, size_t len) {
    CliResult res;
    cli_eval_chunk(&r->p, text, len, true, &res);
    fflush(stdout);
    if (res.ok) {
        fputs(res.printed, stdout);
        fputc('\n', stdout);
        fflush(stdout);
    } else if (res.restarted) {
        fputs("(the process ended; a new one was started in namespace user)\n", stderr);
    }
    cli_result_free(&res);
}

/* Evaluate the forms of the input one by one, printing each value. */
static void repl_eval(Repl *r) {
    size_t *ends;
    size_t n = cli_form_ends(r->reader, r->chunk.data, r->chunk.len, &ends);
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        repl_eval_piece(r, r->chunk.data + start, ends[i] - start);
        start = ends[i];
    }
    free(ends);
}

static void repl_banner(Repl *r) {
    unsigned n = sched_count(r->rt->sched);
    printf("lona %s on %u scheduler%s. Ctrl-D quits.\n", LONA_VERSION, n, n == 1 ? "" : "s");
    fflush(stdout);
}

int cli_repl(const CliOptions *o) {
    Repl r = {0};
    r.rt = rt_new(&(RtOptions){.schedulers = o->schedulers});
    if (!r.rt) return 1;
    r.p = host_proc_new(r.rt);
    r.reader = host_proc_new(r.rt);
    buf_init(&r.chunk);
    if (isatty(STDIN_FILENO)) repl_open_terminal(&r);
    if (r.el) repl_banner(&r);
    for (;;) {
        bool got = repl_read_line(&r);
        if (!got && (r.el || !r.chunk.len)) break;
        if (repl_blank(&r.chunk)) {
            r.chunk.len = 0;
            if (!got) break;
            continue;
        }
        /* At the end of piped input an unfinished form is evaluated anyway,
         * so that its :unexpected-eof is reported. */
        if (got && cli_chunk_incomplete(r.reader, r.chunk.data, r.chunk.len)) continue;
        repl_remember(&r);
        repl_eval(&r);
        /* The reader's process never runs, so nothing collects its heap:
         * start a new one for each input. */
        host_proc_free(r.reader);
        r.reader = host_proc_new(r.rt);
        r.chunk.len = 0;
        if (!got) break;
    }
    if (r.el) fputc('\n', stdout);
    repl_close_terminal(&r);
    buf_free(&r.chunk);
    host_proc_free(r.reader);
    host_proc_free(r.p);
    rt_free(r.rt);
    return 0;
}
