/*
 * doctest.c — `lona doctest [--json] FILE.md...`: runs the examples of
 * markdown files (spec/lonala.md section 12) and reports the results.
 *
 * Each file runs in a fresh runtime; each test block in a new process in
 * namespace user (vars are shared, so definitions of earlier blocks of the
 * file persist). Every chunk is evaluated with lona.core/%eval-chunk, so an
 * error ends only that chunk. A failing setup chunk stops its block and
 * counts every assertion of the block as failed (todo for @todo ones); an
 * arch-skipped assertion stays skipped.
 *
 * Source text is read (is a chunk complete? what does an expected text
 * read as?) in a private process of the runner in which no Lonala code
 * ever runs, so that no worker thread touches its heap meanwhile.
 *
 * With --json, standard output carries exactly one JSON object per
 * assertion; anything the examples print is sent to standard error.
 * Exit status: 1 if any assertion failed or is stale, 2 on a usage error or
 * an unreadable file, else 0.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/utf8.h"
#include "base/util.h"
#include "cli/cli.h"
#include "cli/cli_eval.h"
#include "cli/doctest.h"
#include "reader/reader.h"
#include "term/print.h"
#include "vm/host.h"
#include "vm/rt.h"

#if defined(__x86_64__)
#define DT_HOST_ARCH DT_TAG_X86_64
#elif defined(__aarch64__)
#define DT_HOST_ARCH DT_TAG_AARCH64
#else
#define DT_HOST_ARCH 0u
#endif

typedef enum { DT_PASS, DT_FAIL, DT_TODO, DT_STALE, DT_SKIP, DT__NSTATUS } DtStatus;

static const char *const dt_status_name[DT__NSTATUS] = {"pass", "fail", "todo", "stale", "skip"};

typedef struct DtResult {
    const DtStep *step;
    DtStatus status;
    char *actual;       /* printed value or "ERROR :reason"; NULL if skipped */
    char *message;      /* error message, if any */
    bool ran;
    bool setup_failed;  /* counted as failed (or todo) for its block's setup */
} DtResult;

typedef struct DtRunner {
    bool json;
    Proc *reader;       /* private process the runner reads text in */
    FILE *out;          /* where the report goes */
    const char *file;
    size_t file_counts[DT__NSTATUS];
    size_t counts[DT__NSTATUS];
} DtRunner;

/* ---- JSON ------------------------------------------------------------- */

static void dt_json_string(FILE *f, const char *s) {
    size_t len = strlen(s);
    fputc('"', f);
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            uint32_t cp;
            size_t n = utf8_decode(s + i, len - i, &cp);
            if (n) fwrite(s + i, 1, n, f);
            else fputs("\\ufffd", f); /* keep the output valid JSON */
            i += n ? n : 1;
            continue;
        }
        switch (c) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\t': fputs("\\t", f); break;
        case '\r': fputs("\\r", f); break;
        case '\b': fputs("\\b", f); break;
        case '\f': fputs("\\f", f); break;
        default:
            if (c < 0x20) fprintf(f, "\\u%04x", c);
            else fputc(c, f);
        }
        i++;
    }
    fputc('"', f);
}

static void dt_json_result(DtRunner *dr, const DtResult *res) {
    FILE *f = dr->out;
    fputs("{\"file\": ", f);
    dt_json_string(f, dr->file);
    fprintf(f, ", \"line\": %d, \"expr\": ", res->step->line);
    dt_json_string(f, res->step->code);
    fputs(", \"expected\": ", f);
    dt_json_string(f, res->step->expect.text);
    fputs(", \"actual\": ", f);
    dt_json_string(f, res->actual ? res->actual : "");
    fputs(", \"status\": ", f);
    dt_json_string(f, dt_status_name[res->status]);
    fputs("}\n", f);
}

/* "ERROR :reason", the actual text of a failed evaluation. */
static char *dt_error_text(const char *reason) {
    char *s = xmalloc(strlen(reason) + 7);
    sprintf(s, "ERROR %s", reason);
    return s;
}

/* ---- text report ------------------------------------------------------ */

/* Print a possibly multi-line text, continuation lines indented. */
static void dt_text_field(FILE *f, const char *label, const char *text) {
    fprintf(f, "  %-12s", label);
    for (const char *s = text; *s; s++) {
        fputc(*s, f);
        if (*s == '\n') fputs("              ", f);
    }
    fputc('\n', f);
}

static void dt_text_result(DtRunner *dr, const DtResult *res) {
    if (res->status != DT_FAIL && res->status != DT_STALE) return;
    FILE *f = dr->out;
    if (res->status == DT_STALE)
        fprintf(f, "STALE %s:%d: passes but is tagged @todo\n", dr->file, res->step->line);
    else
        fprintf(f, "FAIL %s:%d\n", dr->file, res->step->line);
    dt_text_field(f, "expression:", res->step->code);
    dt_text_field(f, "expected:", res->step->expect.text);
    if (res->ran) {
        dt_text_field(f, "actual:", res->actual);
        if (res->message) dt_text_field(f, "message:", res->message);
        if (res->setup_failed) dt_text_field(f, "", "(counted as failed: the block's setup failed)");
    } else {
        dt_text_field(f, "actual:", "(not run: the block's setup failed)");
    }
}

static void dt_text_setup_failure(DtRunner *dr, const DtStep *st, const CliResult *cr) {
    FILE *f = dr->out;
    fprintf(f, "SETUP FAILED %s:%d\n", dr->file, st->line);
    dt_text_field(f, "code:", st->code);
    if (st->kind == DT_STEP_INCOMPLETE) {
        dt_text_field(f, "error:", "ERROR :unexpected-eof (unfinished form at the end of the block)");
        return;
    }
    char *err = dt_error_text(cr->printed);
    dt_text_field(f, "error:", err);
    free(err);
    if (cr->message) dt_text_field(f, "message:", cr->message);
}

static void dt_report(DtRunner *dr, const DtResult *res) {
    dr->file_counts[res->status]++;
    dr->counts[res->status]++;
    if (dr->json) dt_json_result(dr, res);
    else dt_text_result(dr, res);
}

/* ---- running ---------------------------------------------------------- */

static bool dt_arch_skipped(unsigned tags) {
    return (tags & DT_TAG_ARCH) && !(tags & DT_HOST_ARCH);
}

static char *dt_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

/* Rule (b): the expected text reads as exactly one form printed as actual. */
static bool dt_reads_as(Proc *p, const char *expected, const char *actual) {
    Reader r;
    reader_init(&r, p, expected, strlen(expected), NULL);
    Value form = reader_next(&r);
    bool one = form != LV_NONE && form != LV_EXC;
    if (one) {
        Value more = reader_next(&r);
        one = more == LV_NONE;
        if (more == LV_EXC) p->exc = LV_NONE;
    }
    if (form == LV_EXC) p->exc = LV_NONE;
    if (!one) return false;
    Buf b;
    buf_init(&b);
    pr_value(p->rt, &b, form);
    bool same = b.len == strlen(actual) && memcmp(b.data, actual, b.len) == 0;
    buf_free(&b);
    return same;
}

static bool dt_passes(Proc *reader, const DtExpect *e, const CliResult *cr) {
    switch (e->kind) {
    case DT_EXPECT_ERROR: return !cr->ok;
    case DT_EXPECT_ERROR_REASON: return !cr->ok && strcmp(cr->printed, e->reason) == 0;
    case DT_EXPECT_VALUE: break;
    }
    return cr->ok && (strcmp(e->text, cr->printed) == 0 || dt_reads_as(reader, e->text, cr->printed));
}

static void dt_run_assert(DtRunner *dr, Proc **pp, const DtStep *st, unsigned tags, DtResult *res) {
    CliResult cr;
    cli_eval_chunk(pp, st->code, strlen(st->code), false, &cr);
    bool pass = dt_passes(dr->reader, &st->expect, &cr);
    res->ran = true;
    if (cr.ok) {
        res->actual = cr.printed;
    } else {
        res->actual = dt_error_text(cr.printed);
        free(cr.printed);
        res->message = cr.message;
    }
    if (tags & DT_TAG_TODO) res->status = pass ? DT_STALE : DT_TODO;
    else res->status = pass ? DT_PASS : DT_FAIL;
}

/* Run one test block; results get one entry per assertion, in order. */
static void dt_run_block(DtRunner *dr, Runtime *rt, const DtBlock *b, DtResult *results) {
    size_t k = 0;
    for (size_t i = 0; i < b->nsteps; i++)
        if (b->steps[i].kind == DT_STEP_ASSERT) results[k++] = (DtResult){.step = &b->steps[i], .status = DT_SKIP};
    if (dt_arch_skipped(b->tags)) return; /* setup included */

    Proc *p = host_proc_new(rt);
    char *setup_error = NULL;
    k = 0;
    for (size_t i = 0; i < b->nsteps && !setup_error; i++) {
        const DtStep *st = &b->steps[i];
        if (st->kind == DT_STEP_ASSERT) {
            DtResult *res = &results[k++];
            unsigned tags = b->tags | st->expect.tags;
            if (!dt_arch_skipped(tags)) dt_run_assert(dr, &p, st, tags, res);
            continue;
        }
        CliResult cr;
        if (st->kind == DT_STEP_SETUP) cli_eval_chunk(&p, st->code, strlen(st->code), false, &cr);
        else cr = (CliResult){.ok = false, .printed = dt_strdup(":unexpected-eof")};
        if (!cr.ok) {
            setup_error = dt_error_text(cr.printed);
            if (!dr->json) dt_text_setup_failure(dr, st, &cr);
        }
        cli_result_free(&cr);
    }
    host_proc_free(p);
    if (!setup_error) return;
    for (size_t j = 0; j < b->nasserts; j++) {
        DtResult *res = &results[j];
        unsigned tags = b->tags | res->step->expect.tags;
        if (dt_arch_skipped(tags)) continue;
        res->status = (tags & DT_TAG_TODO) ? DT_TODO : DT_FAIL;
        res->setup_failed = true;
        if (!res->ran) res->actual = dt_strdup(setup_error);
    }
    free(setup_error);
}

static bool dt_incomplete(void *ctx, const char *text, size_t len) {
    return cli_chunk_incomplete(ctx, text, len);
}

static void dt_print_counts(FILE *f, const size_t *c) {
    fprintf(f, "%zu passed, %zu failed", c[DT_PASS], c[DT_FAIL] + c[DT_STALE]);
    if (c[DT_SKIP]) fprintf(f, ", %zu skipped", c[DT_SKIP]);
}

/* Run one file; false if it cannot be read or the runtime cannot start. */
static bool dt_run_file(DtRunner *dr, const CliOptions *o, const char *path) {
    size_t len;
    char *text = cli_slurp(path, &len);
    if (!text) {
        fprintf(stderr, "lona doctest: %s: %s\n", path, strerror(errno));
        return false;
    }
    /* No standard input: an example never waits for the terminal. */
    Runtime *rt = rt_new(&(RtOptions){.schedulers = o->schedulers, .no_input = true});
    if (!rt) {
        fprintf(stderr, "lona doctest: the runtime could not start\n");
        free(text);
        return false;
    }
    dr->file = path;
    memset(dr->file_counts, 0, sizeof dr->file_counts);
    DtDoc doc;
    dr->reader = host_proc_new(rt);
    dt_parse(text, len, dt_incomplete, dr->reader, &doc);
    for (size_t i = 0; i < doc.nblocks; i++) {
        const DtBlock *b = &doc.blocks[i];
        DtResult *results = xcalloc(b->nasserts ? b->nasserts : 1, sizeof *results);
        dt_run_block(dr, rt, b, results);
        for (size_t j = 0; j < b->nasserts; j++) {
            dt_report(dr, &results[j]);
            free(results[j].actual);
            free(results[j].message);
        }
        free(results);
        fflush(dr->out);
    }
    dt_doc_free(&doc);
    host_proc_free(dr->reader);
    rt_free(rt);
    free(text);
    if (!dr->json) {
        const size_t *c = dr->file_counts;
        fprintf(dr->out, "%s: ", path);
        dt_print_counts(dr->out, c);
        if (c[DT_TODO] || c[DT_STALE]) fprintf(dr->out, " (%zu todo, %zu stale)", c[DT_TODO], c[DT_STALE]);
        fputc('\n', dr->out);
    }
    return true;
}

#define DT_USAGE "usage: lona doctest [--json] FILE.md..."


int cli_doctest(const CliOptions *o, int argc, char **argv) {
    DtRunner dr = {.out = stdout};
    int i = 0;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            dr.json = true;
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else {
            fprintf(stderr, "lona: unknown option '%s' (" DT_USAGE ")\n", argv[i]);
            return 2;
        }
    }
    if (i >= argc) {
        fputs("lona: doctest needs a FILE.md (" DT_USAGE ")\n", stderr);
        return 2;
    }
    /* A bad file name is a usage error: found before anything runs. */
    for (int k = i; k < argc; k++)
        if (!cli_check_input(argv[k], false)) return 2;
    int saved_stdout = -1;
    if (dr.json) {
        /* The JSON goes to the real standard output; whatever the
         * examples print goes to standard error. */
        fflush(stdout);
        saved_stdout = dup(STDOUT_FILENO);
        FILE *f = saved_stdout >= 0 ? fdopen(saved_stdout, "w") : NULL;
        if (!f || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
            perror("lona doctest");
            return 2;
        }
        dr.out = f;
    }
    bool unreadable = false;
    for (; i < argc; i++)
        if (!dt_run_file(&dr, o, argv[i])) unreadable = true;
    const size_t *c = dr.counts;
    if (!dr.json) {
        if (c[DT_TODO] || c[DT_STALE]) fprintf(dr.out, "%zu todo, %zu stale\n", c[DT_TODO], c[DT_STALE]);
        dt_print_counts(dr.out, c);
        fputc('\n', dr.out);
    }
    fflush(dr.out);
    if (dr.json) {
        fflush(stdout);
        dup2(saved_stdout, STDOUT_FILENO);
        fclose(dr.out);
    }
    if (unreadable) return 2;
    return c[DT_FAIL] || c[DT_STALE] ? 1 : 0;
}
