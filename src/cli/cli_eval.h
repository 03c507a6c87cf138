/*
 * cli_eval.h — what the REPL, doctest and test runners share: reading a
 * file, asking the reader whether a chunk of source is complete, and
 * evaluating a chunk in a host process with the result turned into text
 * before the process runs again.
 */
#ifndef LONA_CLI_EVAL_H
#define LONA_CLI_EVAL_H

#include <stdbool.h>
#include <stddef.h>

#include "proc/proc.h"

typedef struct CliResult {
    bool ok;            /* a value; otherwise an error */
    char *printed;      /* ok: printed value; error: printed reason keyword */
    char *message;      /* error: the :message of the error's info map, or NULL */
    bool restarted;     /* the process ended and was replaced by a fresh one */
    bool interrupted;   /* a SIGINT ended it (see interrupt.h); nothing reported */
} CliResult;

/* Can path be opened for reading (and is it no directory, unless dir_ok)?
 * If not, says why on stderr ("lona: cannot open 'x': No such file or
 * directory", "lona: cannot read 'x': is a directory"): the command-line
 * tools check their files with it before starting a runtime. */
bool cli_check_input(const char *path, bool dir_ok);

/* Whole file, NUL-terminated; NULL (errno set) if it cannot be read. */
char *cli_slurp(const char *path, size_t *len);

/* True when reading text stops with :unexpected-eof. The reader allocates
 * on p's heap from the calling thread: p must be a private process that
 * runs no Lonala code (so no worker ever touches it). */
bool cli_chunk_incomplete(Proc *p, const char *text, size_t len);

/* Byte offsets where the top-level forms of text end, as read in the
 * private process p (same rule as cli_chunk_incomplete); a reader error
 * makes the rest of the text one last piece. Returns the count; *ends is
 * malloc'd. */
size_t cli_form_ends(Proc *p, const char *text, size_t len, size_t **ends);

/* Evaluate every form of text in *pp (lona.core/%eval-chunk): an error
 * ends the chunk but not the process. With `report`, an error is also
 * reported on stderr with its message and stack trace. If the process
 * ended all the same (it waited for a message that cannot come), it is
 * replaced by a fresh one in namespace user. */
void cli_eval_chunk(Proc **pp, const char *text, size_t len, bool report, CliResult *r);
void cli_result_free(CliResult *r);

#endif
