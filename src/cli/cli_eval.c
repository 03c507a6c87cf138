/*
 * cli_eval.c — evaluating source text from the command line tools (see
 * cli_eval.h).
 *
 * Values returned by a host call are valid only until the next call into
 * the process, so everything the callers need is printed into C strings
 * here, before control returns to them.
 */
#include "cli/cli_eval.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "cli/interrupt.h"
#include "reader/reader.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/coll.h"
#include "term/print.h"
#include "vm/error.h"
#include "vm/host.h"

bool cli_check_input(const char *path, bool dir_ok) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "lona: cannot open '%s': %s\n", path, strerror(errno));
        return false;
    }
    struct stat st;
    bool is_dir = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
    close(fd);
    if (is_dir && !dir_ok) {
        fprintf(stderr, "lona: cannot read '%s': is a directory\n", path);
        return false;
    }
    return true;
}

char *cli_slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    Buf b;
    buf_init(&b);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_append(&b, chunk, n);
    bool bad = ferror(f);
    int err = errno;
    fclose(f);
    if (bad) {
        buf_free(&b);
        errno = err ? err : EIO;
        return NULL;
    }
    *len = b.len;
    buf_putc(&b, 0); /* an empty file still yields a string */
    return buf_take(&b);
}

bool cli_chunk_incomplete(Proc *p, const char *text, size_t len) {
    Reader r;
    reader_init(&r, p, text, len, NULL);
    for (;;) {
        Value v = reader_next(&r);
        if (v == LV_NONE) return false;
        if (v == LV_EXC) {
            bool eof = err_reason_keyword(p->exc) == K_(unexpected_eof);
            p->exc = LV_NONE;
            return eof;
        }
    }
}

size_t cli_form_ends(Proc *p, const char *text, size_t len, size_t **ends) {
    size_t n = 0, cap = 4;
    *ends = xmalloc(cap * sizeof **ends);
    Reader r;
    reader_init(&r, p, text, len, NULL);
    for (;;) {
        Value v = reader_next(&r);
        if (v == LV_NONE) break;
        if (n == cap) *ends = xrealloc(*ends, (cap *= 2) * sizeof **ends);
        if (v == LV_EXC) {
            p->exc = LV_NONE;
            (*ends)[n++] = len;
            break;
        }
        (*ends)[n++] = r.pos;
    }
    return n;
}

static char *cli_printed(Runtime *rt, Value v) {
    Buf b;
    buf_init(&b);
    pr_value(rt, &b, v);
    buf_putc(&b, 0);
    return buf_take(&b);
}

/* The :message string of an [:error REASON %{:message ...}] reason. */
static char *cli_error_message(Value reason) {
    if (!is_tuple(reason) || tuple_len(reason) != 3 || !is_map(tuple_elems(reason)[2])) return NULL;
    Value msg = map_get(tuple_elems(reason)[2], K_(message));
    if (msg == LV_NONE || !is_string(msg)) return NULL;
    char *s = xmalloc(str_bytelen(msg) + 1);
    memcpy(s, str_bytes(msg), str_bytelen(msg));
    s[str_bytelen(msg)] = 0;
    return s;
}

void cli_eval_chunk(Proc **pp, const char *text, size_t len, bool report, CliResult *r) {
    Proc *p = *pp;
    Runtime *rt = p->rt;
    *r = (CliResult){0};
    if (!host_claim(p)) {
        /* The evaluator was ended between two chunks (a linked process
         * crashed): report it and go on in a fresh one, as the Erlang
         * shell does. */
        if (report) host_report_exit(p, p->exit_reason);
        host_proc_free(p);
        *pp = p = host_proc_new(rt);
        r->restarted = true;
        host_claim(p);
    }
    Value arg = mk_string(p, text, len);
    host_release(p);
    Value out;
    intr_watch(p);
    HostStatus st = host_call_var(p, "lona.core", "%eval-chunk", &arg, 1, false, &out);
    r->interrupted = intr_unwatch();
    /* After a SIGINT the process ends even if the call returned just
     * before: its heap, and so out, may go at any moment. */
    Value reason = r->interrupted ? K_(killed) : out;
    if (!r->interrupted && st == HOST_OK && is_tuple(out) && tuple_len(out) == 2) {
        if (tuple_elems(out)[0] == K_(ok)) {
            r->ok = true;
            r->printed = cli_printed(rt, tuple_elems(out)[1]);
        } else {
            reason = tuple_elems(out)[1];
        }
    }
    if (!r->ok) {
        r->printed = cli_printed(rt, err_reason_keyword(reason));
        r->message = cli_error_message(reason);
        if (report && !r->interrupted) host_report_exit(p, reason);
    }
    /* Replace an interrupted process now, not with a report before the
     * next chunk. */
    if (st != HOST_OK || r->interrupted) {
        host_proc_free(p);
        *pp = host_proc_new(rt);
        r->restarted = true;
    }
}

void cli_result_free(CliResult *r) {
    free(r->printed);
    free(r->message);
    r->printed = r->message = NULL;
}
