/*
 * cli.h — the subcommands of the lona command.
 */
#ifndef LONA_CLI_H
#define LONA_CLI_H

#define LONA_VERSION "0.1.0"

typedef struct CliOptions {
    unsigned schedulers;
} CliOptions;

int cli_run(const CliOptions *o, const char *file, int argc, char **argv);
int cli_eval(const CliOptions *o, const char *expr);
int cli_repl(const CliOptions *o);
int cli_doctest(const CliOptions *o, int argc, char **argv);
int cli_test(const CliOptions *o, int argc, char **argv);

#endif
