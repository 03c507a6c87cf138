/*
 * eval_fuzz.c — libFuzzer target for the evaluator.
 *
 * Each input is Lonala source text, evaluated form by form with
 * lona.core/%eval-chunk in a fresh host process of a long-lived runtime
 * (as the REPL does). Errors raised by the code are normal outcomes; only
 * crashes, sanitizer reports, panics and hangs of the host are findings.
 *
 * Invariants the harness keeps so that legal-but-nasty programs are not
 * reported as findings:
 *   - Runaway code (infinite loops, (sleep N), receive without :after) is
 *     killed after EVAL_FUZZ_TIMEOUT_MS (default 50) by host_call_timeout.
 *   - The evaluating process has a bounded heap (EVAL_FUZZ_HEAP_MB, default
 *     32): beyond it the process exits with :oom instead of exhausting RSS.
 *     The limit also bounds what one native call may build (a list, a
 *     printed text), and such a call cannot be interrupted: under ASan,
 *     printing 256 MB of text took over 30 s, a libFuzzer timeout, so the
 *     limit is kept well below what 50 ms of Lonala code could allocate.
 *   - State left by earlier inputs (vars redefined, processes still alive)
 *     is dropped by recreating the runtime every EVAL_FUZZ_RECYCLE inputs
 *     (default 256) and whenever an input leaves a process behind. A crash
 *     that needs earlier inputs' state therefore reproduces only if it also
 *     reproduces from a fresh runtime: run a saved input alone to check.
 *   - The evaluating process runs at priority EVAL_FUZZ_PRIORITY (default
 *     255, the highest): a busy process spawned at a higher priority than
 *     the evaluator would otherwise starve it for ever, and the host's kill
 *     after the timeout only takes effect when the killed process runs, so
 *     the host thread would wait for ever.
 *   - Source is limited to 4096 bytes; invalid UTF-8 bytes become '?'.
 *   - Files: lona.core/%slurp (behind load-file and ns loading) is rebound
 *     to a function that fails with :file-not-found, because reading an
 *     arbitrary path (/dev/zero, /dev/stdin, a FIFO) blocks a scheduler
 *     thread in fread, which no timeout can interrupt. EVAL_FUZZ_FILES=1
 *     keeps the real one.
 *   - Console output (println, kprint...) goes to /dev/null unless
 *     EVAL_FUZZ_VERBOSE=1, which also prints every input's result.
 *   - ASan's allocator returns NULL on huge requests instead of aborting:
 *     (bytebuf-alloc n) relies on calloc failing to raise :oom.
 *
 * Build: see fuzz/README.md.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/utf8.h"
#include "base/util.h"
#include "proc/ptable.h"
#include "term/alloc.h"
#include "term/print.h"
#include "vm/host.h"
#include "vm/ns.h"
#include "vm/rt.h"

#include "fuzz_lsan.h"

#define EVAL_FUZZ_MAX_INPUT 4096

typedef struct EvalFuzz {
    Runtime *rt;
    Value eval_chunk;        /* lona.core/%eval-chunk (a literal-area value) */
    uint64_t base_procs;     /* processes alive in a fresh runtime */
    unsigned runs;           /* inputs run since rt was created */
    unsigned recycle;        /* recreate rt after this many inputs */
    int64_t timeout_ms;
    size_t heap_words;
    uint8_t priority;
    bool files, verbose;
} EvalFuzz;

/* libFuzzer's entry points take no context argument: this one object is
 * the harness's only state. */
static EvalFuzz fz;

/* Runs before every input's evaluation; see "Files" above. */
static const char eval_fuzz_prelude[] =
    "(def lona.core/%slurp\n"
    "  (fn* %slurp [path]\n"
    "    (lona.process/exit [:error :file-not-found %{:file path :message \"disabled in fuzzing\"}])))\n";

/* bytebuf_new asks calloc for what the program requests and turns a NULL
 * into an :oom error; by default ASan aborts instead of returning NULL. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "allocator_may_return_null=1"; }

static long env_long(const char *name, long dflt) {
    const char *s = getenv(name);
    return s && *s ? strtol(s, NULL, 10) : dflt;
}

/* The literal area as a LeakSanitizer root (fuzz_lsan.h). */
static void eval_fuzz_lsan_roots(bool keep) { fuzz_lsan_roots(fz.rt, keep); }

static Value core_lookup(Runtime *rt, const char *name) {
    Value var = ns_lookup(rt, rt->core_ns, mk_symbol(atoms_intern_text(&rt->atoms, name, strlen(name))));
    return var;
}

static void eval_fuzz_start(void) {
    fz.rt = rt_new(&(RtOptions){.schedulers = 1});
    if (!fz.rt) lona_panic("eval_fuzz: rt_new failed");
    Proc *p = host_proc_new(fz.rt);
    if (!fz.files) {
        Value out;
        var_set_local(p, fz.rt->ns_var, fz.rt->core_ns);
        if (host_load_source(p, eval_fuzz_prelude, sizeof eval_fuzz_prelude - 1, "eval_fuzz", &out) != HOST_OK) {
            host_report_exit(p, out);
            lona_panic("eval_fuzz: prelude failed");
        }
    }
    Value var = core_lookup(fz.rt, "%eval-chunk");
    if (var == LV_NONE) lona_panic("eval_fuzz: lona.core/%%eval-chunk is not defined");
    host_claim(p);
    fz.eval_chunk = var_get(p, var);
    host_release(p);
    if (fz.eval_chunk == LV_NONE) lona_panic("eval_fuzz: lona.core/%%eval-chunk is unbound");
    host_proc_free(p);
    fz.base_procs = ptable_count(fz.rt->procs);
    fz.runs = 0;
    eval_fuzz_lsan_roots(true);
}

static void eval_fuzz_stop(void) {
    if (!fz.rt) return;
    eval_fuzz_lsan_roots(false);
    rt_free(fz.rt);
    fz.rt = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    fz.recycle = (unsigned)env_long("EVAL_FUZZ_RECYCLE", 256);
    fz.timeout_ms = env_long("EVAL_FUZZ_TIMEOUT_MS", 50);
    fz.heap_words = (size_t)env_long("EVAL_FUZZ_HEAP_MB", 32) * (1024 * 1024 / 8);
    fz.priority = (uint8_t)env_long("EVAL_FUZZ_PRIORITY", 255);
    fz.files = env_long("EVAL_FUZZ_FILES", 0) != 0;
    fz.verbose = env_long("EVAL_FUZZ_VERBOSE", 0) != 0;
    if (!fz.verbose) {
        /* Keep libFuzzer's own reports (stderr); drop Lonala's stdout. */
        fflush(stdout);
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            close(fd);
        }
    }
    eval_fuzz_start();
    /* Free the runtime at exit, before LeakSanitizer's final check (its
     * handler was registered earlier, so runs later): what is left then
     * is really leaked. */
    atexit(eval_fuzz_stop);
    return 0;
}

/* The input as valid UTF-8: each byte that does not start a valid
 * sequence is replaced by '?', so byte-level mutations still mostly
 * produce text the reader gets to see. */
static char *eval_fuzz_text(const uint8_t *data, size_t size) {
    char *t = xmalloc(size + 1);
    const char *s = (const char *)data;
    size_t i = 0;
    while (i < size) {
        uint32_t cp;
        size_t n = utf8_decode(s + i, size - i, &cp);
        if (n == 0) {
            t[i++] = '?';
        } else {
            memcpy(t + i, s + i, n);
            i += n;
        }
    }
    t[size] = 0;
    LONA_ASSERT(utf8_validate(t, size, &i));
    return t;
}

/* Results are cut short: a small value with shared parts can have a
 * printed form larger than memory. */
static void eval_fuzz_show(Proc *p, HostStatus st, Value out) {
    Buf b;
    buf_init(&b);
    pr_value_cut(fz.rt, &b, out, 4096);
    fprintf(stderr, "eval_fuzz: %s %s\n", st == HOST_OK ? "result" : "exited", b.data);
    buf_free(&b);
    (void)p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > EVAL_FUZZ_MAX_INPUT) return 0;
    if (fz.runs >= fz.recycle) {
        eval_fuzz_stop();
        eval_fuzz_start();
    }
    fz.runs++;
    char *text = eval_fuzz_text(data, size);
    Proc *p = host_proc_new(fz.rt);
    p->heap.max_words = fz.heap_words;
    p->priority = fz.priority;
    host_claim(p);
    Value src = mk_string(p, text, size);
    host_release(p);
    free(text);
    Value out;
    HostStatus st = host_call_timeout(p, fz.eval_chunk, &src, 1, false, fz.timeout_ms, &out);
    if (fz.verbose) {
        if (st == HOST_OK && host_claim(p)) {
            eval_fuzz_show(p, st, out);
            host_release(p);
        } else {
            eval_fuzz_show(p, st, out);
        }
    }
    host_proc_free(p);
    /* A process the input spawned is still alive (or parked forever):
     * start over rather than let it eat the next inputs' time slices. */
    if (ptable_count(fz.rt->procs) > fz.base_procs) fz.runs = fz.recycle;
    eval_fuzz_lsan_roots(true);
    return 0;
}
