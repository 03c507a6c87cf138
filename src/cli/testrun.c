/*
 * testrun.c — `lona test [PATH...]`: runs Lonala test files.
 *
 * A PATH is a file, or a directory searched recursively for files named
 * *_test.lona (default: test). Files run in name order, each in a fresh
 * runtime, in one process that starts in namespace user with lona.test
 * referred: the file is loaded (its deftest forms register the tests in
 * that process), then lona.test/%run-all runs them and prints each
 * failure (FILE:LINE of its `is`, and the stack trace of an error). Counts
 * are of assertions (`is` forms); a test ended by an error outside any
 * `is`, and a file that fails to load, count one failure each.
 *
 * Output: per-failure details, a "FILE: N passed, N failed" line per file,
 * then "N tests, N assertions, S.SS s" and a final line "N passed,
 * N failed" (scripts read these two formats). Exit status 1 if anything
 * failed, 2 on a usage error (an option, a PATH that cannot be opened),
 * else 0.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/util.h"
#include "cli/cli.h"
#include "cli/cli_eval.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "vm/host.h"
#include "vm/rt.h"

#define TR_SUFFIX "_test.lona"

typedef struct TrFiles {
    char **paths;
    size_t n, cap;
} TrFiles;

static void tr_add(TrFiles *f, const char *path) {
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 16;
        f->paths = xrealloc(f->paths, f->cap * sizeof *f->paths);
    }
    size_t len = strlen(path) + 1;
    f->paths[f->n++] = memcpy(xmalloc(len), path, len);
}

static bool tr_is_test_name(const char *name) {
    size_t n = strlen(name), s = strlen(TR_SUFFIX);
    return n > s && strcmp(name + n - s, TR_SUFFIX) == 0;
}

static int tr_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Directories are walked with an explicit stack of pending paths. */
static void tr_walk(TrFiles *out, const char *root) {
    TrFiles todo = {0};
    tr_add(&todo, root);
    while (todo.n) {
        char *dir = todo.paths[--todo.n];
        DIR *d = opendir(dir);
        if (!d) {
            fprintf(stderr, "lona test: %s: %s\n", dir, strerror(errno));
            free(dir);
            continue;
        }
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.') continue;
            Buf path;
            buf_init(&path);
            buf_printf(&path, "%s/%s", dir, e->d_name);
            struct stat st;
            if (stat(path.data, &st) == 0) {
                if (S_ISDIR(st.st_mode)) tr_add(&todo, path.data);
                else if (S_ISREG(st.st_mode) && tr_is_test_name(e->d_name)) tr_add(out, path.data);
            }
            buf_free(&path);
        }
        closedir(d);
        free(dir);
    }
    free(todo.paths);
}

/* The files named by the arguments; false if one cannot be opened. */
static bool tr_collect(TrFiles *out, int argc, char **argv) {
    static char *const default_path[] = {"test"};
    if (argc == 0) {
        argc = 1;
        argv = (char **)default_path;
    }
    for (int i = 0; i < argc; i++) {
        struct stat st;
        if (!cli_check_input(argv[i], true) || stat(argv[i], &st) != 0) return false;
        size_t first = out->n;
        if (S_ISDIR(st.st_mode)) tr_walk(out, argv[i]);
        else tr_add(out, argv[i]);
        qsort(out->paths + first, out->n - first, sizeof *out->paths, tr_cmp);
    }
    return true;
}

/* What the files add up to. */
typedef struct TrCounts {
    long passed, failed, tests, assertions;
} TrCounts;

/* [:ok [passed failed tests assertions]] from %run-all. */
static bool tr_counts(Value out, TrCounts *c) {
    if (!is_tuple(out) || tuple_len(out) != 2 || tuple_elems(out)[0] != K_(ok)) return false;
    Value v = tuple_elems(out)[1];
    if (!is_tuple(v) || tuple_len(v) != 4) return false;
    long *into[4] = {&c->passed, &c->failed, &c->tests, &c->assertions};
    for (int i = 0; i < 4; i++)
        if (!is_fix(tuple_elems(v)[i])) return false;
    for (int i = 0; i < 4; i++) *into[i] = (long)fix_val(tuple_elems(v)[i]);
    return true;
}

/* A failed host call: report the reason (of [:exit reason] when caught). */
static void tr_report(Proc *p, const char *what, const char *file, Value out) {
    Value reason = out;
    if (is_tuple(out) && tuple_len(out) == 2 && tuple_elems(out)[0] == K_(exit)) reason = tuple_elems(out)[1];
    fprintf(stderr, "%s %s\n", what, file);
    fflush(stdout);
    host_report_exit(p, reason);
}

static void tr_run_file(const CliOptions *o, const char *file, TrCounts *total) {
    long p_ok = 0, p_fail = 0;
    Runtime *rt = rt_new(&(RtOptions){.schedulers = o->schedulers});
    if (!rt) {
        fprintf(stderr, "lona test: the runtime could not start\n");
        total->failed++;
        return;
    }
    Proc *p = host_proc_new(rt);
    static const char refer[] = "(require 'lona.test) (refer 'lona.test)";
    CliResult r;
    cli_eval_chunk(&p, refer, sizeof refer - 1, true, &r);
    cli_result_free(&r);

    Value out;
    host_claim(p);
    Value path = mk_cstring(p, file);
    host_release(p);
    host_call_var(p, "lona.core", "load-file", &path, 1, true, &out);
    if (!is_tuple(out) || tuple_elems(out)[0] != K_(ok)) {
        tr_report(p, "ERROR loading", file, out);
        p_fail++;
    }
    HostStatus st = host_call_var(p, "lona.test", "%run-all", NULL, 0, true, &out);
    TrCounts c;
    if (st == HOST_OK && tr_counts(out, &c)) {
        p_ok += c.passed;
        p_fail += c.failed;
        total->tests += c.tests;
        total->assertions += c.assertions;
    } else {
        tr_report(p, "ERROR running the tests of", file, out);
        p_fail++;
    }
    fflush(stdout);
    printf("%s: %ld passed, %ld failed\n", file, p_ok, p_fail);
    host_proc_free(p);
    rt_free(rt);
    total->passed += p_ok;
    total->failed += p_fail;
}

static double tr_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cli_test(const CliOptions *o, int argc, char **argv) {
    for (int i = 0; i < argc; i++) {
        if (argv[i][0] == '-') {
            fprintf(stderr, "lona: unknown option '%s' (usage: lona test [PATH...])\n", argv[i]);
            return 2;
        }
    }
    TrFiles files = {0};
    bool ok = tr_collect(&files, argc, argv);
    TrCounts total = {0};
    double start = tr_now();
    for (size_t i = 0; ok && i < files.n; i++) tr_run_file(o, files.paths[i], &total);
    for (size_t i = 0; i < files.n; i++) free(files.paths[i]);
    free(files.paths);
    if (!ok) return 2;
    printf("%ld test%s, %ld assertion%s, %.2f s\n", total.tests, total.tests == 1 ? "" : "s", total.assertions,
           total.assertions == 1 ? "" : "s", tr_now() - start);
    printf("%ld passed, %ld failed\n", total.passed, total.failed);
    fflush(stdout);
    return total.failed ? 1 : 0;
}
