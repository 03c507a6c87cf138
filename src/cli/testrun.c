/* testrun.c — `lona test` (being written). */
#include "cli/cli.h"
int cli_test(const CliOptions *o, int argc, char **argv) { (void)o; (void)argc; (void)argv; return 2; }
