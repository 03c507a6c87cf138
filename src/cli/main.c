/*
 * main.c — the lona command: run, eval, repl, doctest, test.
 *
 * Exit status: 0 when the main process ends normally, 1 when it crashes
 * (the reason and a Lonala stack trace go to stderr), 2 on usage errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "realm/realm.h"

static void usage(FILE *out) {
    fputs("usage: lona [COMMAND] [ARGS...]\n"
          "  lona                       start the REPL\n"
          "  lona run FILE [ARGS...]    run a program\n"
          "  lona eval 'EXPR'           evaluate and print the result\n"
          "  lona repl                  interactive read-eval-print loop\n"
          "  lona doctest [--json] F.md...  run the examples of markdown files\n"
          "  lona test [PATH...]        run *_test.lona files\n"
          "options: --schedulers N (or LONA_SCHEDULERS)\n"
          "         --max-processes N (or LONA_MAX_PROCESSES; default 2097152): processes at once\n"
          "         --max-realms N (or LONA_MAX_REALMS; default 256): child realms alive at once\n",
          out);
}

int main(int argc, char **argv) {
    /* A child realm, started by its parent (src/realm/child.c). */
    if (argc > 1 && strcmp(argv[1], "%realm-child") == 0) return realm_child_main(argc - 2, argv + 2);
    CliOptions opts = {0};
    int i = 1;
    while (i < argc && strncmp(argv[i], "--", 2) == 0) {
        if (strcmp(argv[i], "--schedulers") == 0 && i + 1 < argc) {
            opts.schedulers = (unsigned)atoi(argv[i + 1]);
            i += 2;
        } else if (strcmp(argv[i], "--max-processes") == 0 && i + 1 < argc) {
            setenv("LONA_MAX_PROCESSES", argv[i + 1], 1); /* read by rt_new (src/vm/rt.c) */
            i += 2;
        } else if (strcmp(argv[i], "--max-realms") == 0 && i + 1 < argc) {
            setenv("LONA_MAX_REALMS", argv[i + 1], 1); /* read by src/realm/realm.c */
            i += 2;
        } else if (strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            break;
        }
    }
    if (!opts.schedulers && getenv("LONA_SCHEDULERS")) opts.schedulers = (unsigned)atoi(getenv("LONA_SCHEDULERS"));
    if (i >= argc) return cli_repl(&opts);
    const char *cmd = argv[i++];
    int rest = argc - i;
    char **args = argv + i;
    if (strcmp(cmd, "run") == 0 && rest >= 1) return cli_run(&opts, args[0], rest - 1, args + 1);
    if (strcmp(cmd, "eval") == 0 && rest == 1) return cli_eval(&opts, args[0]);
    if (strcmp(cmd, "repl") == 0 && rest == 0) return cli_repl(&opts);
    if (strcmp(cmd, "doctest") == 0) return cli_doctest(&opts, rest, args);
    if (strcmp(cmd, "test") == 0) return cli_test(&opts, rest, args);
    usage(stderr);
    return 2;
}
