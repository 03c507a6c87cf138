/*
 * main.c — the lona command: run, eval, repl, doctest, test.
 *
 * Options come before the command. Each numeric setting is a flag and an
 * environment variable (the flag wins); both are checked here, before any
 * runtime starts, so that a bad value is a usage error naming the flag or
 * variable instead of a silent default.
 *
 * Exit status: 0 when the main process ends normally, 1 when it crashes
 * (the reason and a Lonala stack trace go to stderr), 2 on usage errors
 * (a one-line message on stderr says what is wrong).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "cli/cli.h"
#include "cli/cli_eval.h"
#include "realm/realm.h"
#include "sched/sched.h"
#include "vm/rt.h"

#define EXIT_USAGE 2

static void usage(FILE *out) {
    fputs("usage: lona [OPTIONS] [COMMAND] [ARGS...]\n"
          "  lona                       start the REPL\n"
          "  lona run FILE [ARGS...]    run a program\n"
          "  lona eval 'EXPR'           evaluate and print the result\n"
          "  lona repl                  interactive read-eval-print loop\n"
          "  lona doctest [--json] F.md...  run the examples of markdown files\n"
          "  lona test [PATH...]        run *_test.lona files\n"
          "options: --schedulers N (or LONA_SCHEDULERS; default one per core)\n"
          "         --max-processes N (or LONA_MAX_PROCESSES; default 2097152): processes at once\n"
          "         --max-memory BYTES (or LONA_MAX_MEMORY; default 3/4 of RLIMIT_AS if set, else of\n"
          "                                physical memory): what all processes may hold at once\n"
          "         --max-realms N (or LONA_MAX_REALMS; default 256): child realms alive at once\n"
          "         --version, -V          print the version\n"
          "         --help, -h             print this help\n",
          out);
}

/* The numeric settings: a flag, the environment variable it stands for,
 * and the whole numbers allowed. */
typedef struct Setting {
    const char *flag;
    const char *env;
    unsigned long long lo, hi;
} Setting;

enum { SET_SCHEDULERS, SET_MAX_PROCESSES, SET_MAX_MEMORY, SET_MAX_REALMS, SET__COUNT };

static const Setting settings[SET__COUNT] = {
    [SET_SCHEDULERS] = {"--schedulers", "LONA_SCHEDULERS", 1, SCHED_MAX_THREADS},
    [SET_MAX_PROCESSES] = {"--max-processes", "LONA_MAX_PROCESSES", 1, RT_MAX_PROCESSES_CEILING},
    [SET_MAX_MEMORY] = {"--max-memory", "LONA_MAX_MEMORY", MEM_LIMIT_MIN, MEM_LIMIT_MAX},
    [SET_MAX_REALMS] = {"--max-realms", "LONA_MAX_REALMS", 0, REALM_MAX_CHILDREN_CEILING},
};

/* The flags' values as given on the command line (NULL: not given). */
typedef struct Given {
    const char *value[SET__COUNT];
} Given;

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("lona: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return EXIT_USAGE;
}

/* text as a whole number in the setting's range; `name` (the flag or the
 * variable) is what the error message blames. */
static bool parse_setting(const Setting *s, const char *name, const char *text, unsigned long long *out) {
    char *end;
    errno = 0;
    unsigned long long n = strtoull(text, &end, 10);
    if (isdigit((unsigned char)text[0]) && !*end && !errno && n >= s->lo && n <= s->hi) {
        *out = n;
        return true;
    }
    fprintf(stderr, "lona: %s needs a whole number from %llu to %llu, got '%s'\n", name, s->lo, s->hi, text);
    return false;
}

/* argv[*i] as a setting's flag ("--flag N" or "--flag=N"): 1 if it is
 * one (and *i moved past it), 0 if not, -1 if its value is missing. */
static int take_setting(int argc, char **argv, int *i, Given *g) {
    const char *arg = argv[*i];
    for (int k = 0; k < SET__COUNT; k++) {
        size_t n = strlen(settings[k].flag);
        if (strncmp(arg, settings[k].flag, n) != 0) continue;
        if (arg[n] == '=') {
            g->value[k] = arg + n + 1;
            *i += 1;
            return 1;
        }
        if (arg[n] != 0) continue;
        if (*i + 1 >= argc) return -1;
        g->value[k] = argv[*i + 1];
        *i += 2;
        return 1;
    }
    return 0;
}

/* The options before the command; -1 to go on with argv[*i], else the
 * exit status (--help, --version, a usage error). */
static int parse_options(int argc, char **argv, int *i, Given *g) {
    while (*i < argc && argv[*i][0] == '-' && argv[*i][1]) {
        const char *arg = argv[*i];
        if (strcmp(arg, "--") == 0) {
            *i += 1;
            break;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(arg, "--version") == 0 || strcmp(arg, "-V") == 0) {
            printf("lona %s\n", LONA_VERSION);
            return 0;
        }
        int took = take_setting(argc, argv, i, g);
        if (took < 0) return usage_error("%s needs a value", arg);
        if (!took) return usage_error("unknown option '%s'", arg);
    }
    return -1;
}

/* Check every setting, from its flag or else its variable (an empty
 * variable counts as unset), and pass it on: the scheduler count in opts,
 * the limits through the environment, where rt_new and the realm code
 * read them (and child realms inherit them). */
static bool apply_settings(const Given *g, CliOptions *opts) {
    for (int k = 0; k < SET__COUNT; k++) {
        const Setting *s = &settings[k];
        const char *text = g->value[k];
        const char *name = s->flag;
        if (!text) {
            text = getenv(s->env);
            name = s->env;
            if (!text || !*text) continue;
        }
        unsigned long long n;
        if (!parse_setting(s, name, text, &n)) return false;
        if (k == SET_SCHEDULERS) opts->schedulers = (unsigned)n;
        else if (g->value[k]) setenv(s->env, text, 1);
    }
    return true;
}

static int run_command(const CliOptions *opts, const char *cmd, int rest, char **args) {
    if (strcmp(cmd, "run") == 0) {
        if (rest < 1) return usage_error("%s needs a FILE to run", cmd);
        if (!cli_check_input(args[0], false)) return EXIT_USAGE;
        return cli_run(opts, args[0], rest - 1, args + 1);
    }
    if (strcmp(cmd, "eval") == 0) {
        if (rest < 1) return usage_error("%s needs an expression", cmd);
        if (rest > 1) return usage_error("%s takes one expression (quote it), got more", cmd);
        return cli_eval(opts, args[0]);
    }
    if (strcmp(cmd, "repl") == 0) {
        if (rest > 0) return usage_error("repl takes no arguments, got '%s'", args[0]);
        return cli_repl(opts);
    }
    if (strcmp(cmd, "doctest") == 0) return cli_doctest(opts, rest, args);
    if (strcmp(cmd, "test") == 0) return cli_test(opts, rest, args);
    return usage_error("unknown command '%s'", cmd);
}

int main(int argc, char **argv) {
    /* A child realm, started by its parent (src/realm/child.c). */
    if (argc > 1 && strcmp(argv[1], "%realm-child") == 0) return realm_child_main(argc - 2, argv + 2);
    int i = 1;
    Given given = {0};
    int status = parse_options(argc, argv, &i, &given);
    if (status >= 0) return status;
    CliOptions opts = {0};
    if (!apply_settings(&given, &opts)) return EXIT_USAGE;
    if (i >= argc) return cli_repl(&opts);
    return run_command(&opts, argv[i], argc - i - 1, argv + i + 1);
}
