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
 *
 * Ctrl-C (see interrupt.h) kills the evaluation in progress; the session
 * goes on in a fresh process, which sees every definition (they live in
 * the namespaces, not in the process). At the prompt it drops the input
 * being typed; on an empty prompt it says how to leave, and a second one
 * in a row leaves. SIGTERM and SIGHUP leave too. The history is saved
 * before each input runs and again on the way out, so no way of leaving
 * loses it, (halt) included. On piped input a Ctrl-C between evaluations
 * ends the program (status 130).
 *
 * TAB completes the name before the cursor (complete.h). While a line is
 * edited and standard output is a terminal, the REPL holds the console
 * (base/console.h): output from other processes wakes the reader, which
 * clears the line, writes the output and draws the prompt and the line
 * again below it. Everything here runs on the host thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <histedit.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "base/console.h"
#include "base/util.h"
#include "cli/cli.h"
#include "cli/cli_eval.h"
#include "cli/complete.h"
#include "cli/interrupt.h"
#include "sched/sched.h"
#include "term/print.h"
#include "vm/host.h"
#include "vm/ns.h"
#include "vm/rt.h"

#define REPL_HISTORY_FILE ".lona_history"
#define REPL_HISTORY_SIZE 1000
#define REPL_MAX(a, b) ((a) > (b) ? (a) : (b))

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
    int signal;            /* the signal that stopped el_gets, or 0 */
    bool warned;           /* the last input was a Ctrl-C on an empty prompt */
    bool tab_again;        /* the last key was a TAB that left several names */
    int wake[2];           /* console output is waiting (stdout a terminal), or -1 */
} Repl;

/* What reading the next line gave. */
typedef enum {
    IN_LINE,
    IN_END,        /* end of input */
    IN_INTERRUPT,  /* Ctrl-C at the prompt */
    IN_QUIT,       /* SIGTERM or SIGHUP */
} Input;

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

/* Display columns of the first n bytes of s (one per character). */
static size_t repl_columns(const char *s, size_t n) {
    size_t cols = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) cols++;
    return cols;
}

/* Output from other processes came while a line is edited: clear the
 * prompt and the line (all the rows it wraps over), write the output,
 * and draw the prompt and the line again below it. */
static void repl_show_output(Repl *r) {
    char drain[64];
    while (read(r->wake[0], drain, sizeof drain) > 0) {}
    int width = 0;
    if (el_get(r->el, EL_GETTC, "co", &width) != 0 || width <= 0) width = 80;
    const LineInfo *li = el_line(r->el);
    size_t col = repl_columns(r->prompt, strlen(r->prompt)) +
                 repl_columns(li->buffer, (size_t)(li->cursor - li->buffer));
    char clear[32];
    size_t up = col / (size_t)width;
    if (up) snprintf(clear, sizeof clear, "\r\033[%zuA\033[J", up);
    else snprintf(clear, sizeof clear, "\r\033[J");
    if (console_flush_held(&r->rt->console, clear)) el_set(r->el, EL_REFRESH);
}

/* libedit's character reader: waits on the terminal, on the signal pipe
 * and on console output at once, since the signals go to a watcher
 * thread and never interrupt this one's read. A signal ends el_gets with
 * an error (it returns NULL) and is kept in r->signal. */
static int repl_getc(EditLine *el, wchar_t *wc) {
    Repl *r = NULL;
    el_get(el, EL_CLIENTDATA, &r);
    char bytes[MB_LEN_MAX];
    size_t n = 0;
    for (;;) {
        struct pollfd fds[3] = {{.fd = STDIN_FILENO, .events = POLLIN},
                                {.fd = intr_fd(), .events = POLLIN},
                                {.fd = r->wake[0], .events = POLLIN}};
        if (poll(fds, 3, -1) < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (fds[1].revents && (r->signal = intr_take())) {
            errno = EINTR;
            return -1;
        }
        if (fds[2].revents) repl_show_output(r);
        if (!fds[0].revents) continue;
        ssize_t got = read(STDIN_FILENO, bytes + n, 1);
        if (got == 0) return 0;
        if (got < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            return -1;
        }
        n++;
        mbstate_t mbs;
        memset(&mbs, 0, sizeof mbs);
        size_t used = mbrtowc(wc, bytes, n, &mbs);
        if (used == (size_t)-2 && n < sizeof bytes) continue; /* more bytes to come */
        if (used == (size_t)-1 || used == (size_t)-2) {
            n = 0; /* not a character: dropped */
            continue;
        }
        r->tab_again = r->tab_again && *wc == '\t';
        return 1;
    }
}

/* The names, in columns as wide as the terminal, below the line. */
static void repl_list(Repl *r, const Completions *c) {
    int width = 0;
    if (el_get(r->el, EL_GETTC, "co", &width) != 0 || width <= 0) width = 80;
    size_t widest = 0;
    for (size_t i = 0; i < c->count; i++) widest = REPL_MAX(widest, repl_columns(c->names[i], strlen(c->names[i])));
    size_t per_row = REPL_MAX((size_t)width / (widest + 2), 1);
    size_t rows = (c->count + per_row - 1) / per_row;
    fputc('\n', stdout);
    for (size_t row = 0; row < rows; row++) {
        for (size_t i = row; i < c->count; i += rows) {
            bool last = i + rows >= c->count;
            fprintf(stdout, "%-*s", last ? 0 : (int)(widest + 2), c->names[i]);
        }
        fputc('\n', stdout);
    }
    fflush(stdout);
}

/* TAB: complete the word before the cursor (complete.h). One name: it is
 * completed; several: their common prefix, and a second TAB lists them. */
static unsigned char repl_complete(EditLine *el, int ch) {
    (void)ch;
    Repl *r = NULL;
    el_get(el, EL_CLIENTDATA, &r);
    const LineInfo *li = el_line(el);
    size_t cursor = (size_t)(li->cursor - li->buffer);
    size_t start = complete_word_start(li->buffer, cursor);
    Completions c;
    complete_names(r->rt, ns_current(r->p), li->buffer + start, cursor - start, &c);
    bool again = r->tab_again;
    r->tab_again = c.count > 1;
    size_t common = complete_common(&c), len = cursor - start;
    unsigned char rc = c.count > 1 ? CC_REFRESH_BEEP : CC_NORM;
    if (c.count == 0) {
        rc = CC_REFRESH_BEEP;
    } else if (common > len) {
        char *more = xmalloc(common - len + 1);
        memcpy(more, c.names[0] + len, common - len);
        more[common - len] = 0;
        el_insertstr(el, more);
        free(more);
        rc = CC_REFRESH;
    } else if (c.count > 1 && again) {
        repl_list(r, &c);
        el_set(el, EL_REFRESH);
        rc = CC_NORM;
    }
    complete_free(&c);
    return rc;
}

static void repl_open_terminal(Repl *r) {
    r->el = el_init("lona", stdin, stdout, stderr);
    if (!r->el) return;
    el_set(r->el, EL_CLIENTDATA, r);
    el_set(r->el, EL_PROMPT, repl_prompt_fn);
    el_set(r->el, EL_EDITOR, "emacs");
    el_set(r->el, EL_GETCFN, repl_getc);
    /* el_wset: el_set would copy the names and never free them. */
    el_wset(r->el, EL_ADDFN, L"lona-complete", L"Complete the name before the cursor", repl_complete);
    el_set(r->el, EL_BIND, "^I", "lona-complete", NULL);
    /* Other processes' output shows above the line being edited only
     * where escape codes can redraw it. */
    if (isatty(STDOUT_FILENO) && pipe2(r->wake, O_CLOEXEC | O_NONBLOCK) != 0) r->wake[0] = r->wake[1] = -1;
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
    if (r->wake[0] >= 0) close(r->wake[0]), close(r->wake[1]);
}

/* A signal at the prompt: Ctrl-C (SIGINT) drops the input being typed,
 * or on an empty prompt says how to leave, and leaves the second time in
 * a row; SIGTERM and SIGHUP leave. */
static Input repl_signal_at_prompt(Repl *r) {
    if (r->signal != SIGINT) return IN_QUIT;
    const LineInfo *li = el_line(r->el);
    bool empty = li->lastchar == li->buffer && !r->chunk.len;
    r->chunk.len = 0;
    fputc('\n', stdout);
    if (empty && r->warned) return IN_QUIT;
    if (empty) fputs("(Ctrl-C again or Ctrl-D quits)\n", stdout);
    fflush(stdout);
    r->warned = empty;
    return IN_INTERRUPT;
}

/* Append the next input line (with its newline) to the chunk. */
static Input repl_read_line(Repl *r) {
    if (r->el) {
        repl_set_prompt(r);
        r->signal = 0;
        int n = 0;
        if (r->wake[1] >= 0) console_hold(&r->rt->console, r->wake[1]);
        const char *line = el_gets(r->el, &n);
        console_release(&r->rt->console);
        if (r->signal) return repl_signal_at_prompt(r);
        r->warned = false;
        if (!line || n <= 0) return IN_END;
        buf_append(&r->chunk, line, (size_t)n);
        if (line[n - 1] != '\n') buf_putc(&r->chunk, '\n');
        return IN_LINE;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (n > 0) buf_append(&r->chunk, line, (size_t)n);
    free(line);
    return n > 0 ? IN_LINE : IN_END;
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
    /* Saved before the input runs: (halt) ends the program at once, and
     * nothing is saved after it. */
    if (r->hist_path) history(r->hist, &ev, H_SAVE, r->hist_path);
}

/* False when a Ctrl-C ended the evaluation (the rest of the input is
 * dropped). */
static bool repl_eval_piece(Repl *r, const char *text, size_t len) {
    CliResult res;
    cli_eval_chunk(&r->p, text, len, true, &res);
    fflush(stdout);
    if (res.interrupted) {
        fputs("\n** interrupted\n", stderr);
    } else if (res.ok) {
        fputs(res.printed, stdout);
        fputc('\n', stdout);
        fflush(stdout);
    } else if (res.restarted) {
        fputs("(the process ended; a new one was started in namespace user)\n", stderr);
    }
    bool go_on = !res.interrupted;
    cli_result_free(&res);
    return go_on;
}

/* Evaluate the forms of the input one by one, printing each value. */
static void repl_eval(Repl *r) {
    size_t *ends;
    size_t n = cli_form_ends(r->reader, r->chunk.data, r->chunk.len, &ends);
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        if (!repl_eval_piece(r, r->chunk.data + start, ends[i] - start)) break;
        start = ends[i];
    }
    free(ends);
}

static void repl_banner(Repl *r) {
    unsigned n = sched_count(r->rt->sched);
    printf("lona %s on %u scheduler%s. Ctrl-D quits.\n", LONA_VERSION, n, n == 1 ? "" : "s");
    fflush(stdout);
}

/* Read and evaluate until the input ends or a signal says to leave;
 * returns the program's exit status. */
static int repl_loop(Repl *r) {
    for (;;) {
        Input in = repl_read_line(r);
        if (in == IN_QUIT) return r->signal == SIGINT ? 0 : 128 + r->signal;
        if (in == IN_INTERRUPT) continue;
        bool got = in == IN_LINE;
        if (!got && (r->el || !r->chunk.len)) break;
        if (repl_blank(&r->chunk)) {
            r->chunk.len = 0;
            if (!got) break;
            continue;
        }
        /* At the end of piped input an unfinished form is evaluated anyway,
         * so that its :unexpected-eof is reported. */
        if (got && cli_chunk_incomplete(r->reader, r->chunk.data, r->chunk.len)) continue;
        repl_remember(r);
        repl_eval(r);
        /* The reader's process never runs, so nothing collects its heap:
         * start a new one for each input. */
        host_proc_free(r->reader);
        r->reader = host_proc_new(r->rt);
        r->chunk.len = 0;
        if (!got) break;
    }
    if (r->el) fputc('\n', stdout);
    return 0;
}

int cli_repl(const CliOptions *o) {
    Repl r = {.wake = {-1, -1}};
    bool terminal = isatty(STDIN_FILENO);
    intr_start(terminal ? INTR_PROMPT : INTR_PROGRAM);
    r.rt = rt_new(&(RtOptions){.schedulers = o->schedulers});
    if (!r.rt) return 1;
    r.p = host_proc_new(r.rt);
    r.reader = host_proc_new(r.rt);
    buf_init(&r.chunk);
    if (terminal) repl_open_terminal(&r);
    if (r.el) repl_banner(&r);
    int code = repl_loop(&r);
    repl_close_terminal(&r);
    buf_free(&r.chunk);
    host_proc_free(r.reader);
    host_proc_free(r.p);
    rt_free(r.rt);
    intr_stop();
    return code;
}
