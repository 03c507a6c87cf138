/*
 * repl.c — `lona repl`.
 */
#include <stdio.h>

#include "cli/cli.h"

int cli_repl(const CliOptions *o) {
    (void)o;
    fputs("lona: the REPL is not available in this build yet\n", stderr);
    return 2;
}

int cli_doctest(const CliOptions *o, int argc, char **argv) {
    (void)o; (void)argc; (void)argv;
    return 2;
}

int cli_test(const CliOptions *o, int argc, char **argv) {
    (void)o; (void)argc; (void)argv;
    return 2;
}
