/*
 * interrupt.h — Ctrl-C (SIGINT) in the command-line tools, and SIGTERM and
 * SIGHUP in the REPL on a terminal.
 *
 * No signal handler runs: intr_start blocks the signals in the calling
 * thread before the runtime starts its threads (which inherit the mask),
 * and one watcher thread takes them with sigwait. So the reaction is
 * ordinary code: while an evaluation is watched (intr_watch), a SIGINT
 * kills its process as a timeout would (exit_kill_from_host) and the
 * host thread waiting for the result wakes with the process ended; any
 * other time the signal is written to a pipe (intr_fd) that the thread
 * reading input polls beside its input. Signals are process-wide, so the
 * state is one file-level struct; one tool runs per process.
 */
#ifndef LONA_CLI_INTERRUPT_H
#define LONA_CLI_INTERRUPT_H

#include <stdbool.h>

#include "proc/proc.h"

typedef enum {
    /* run, eval, the REPL on piped input: SIGINT only. One that comes
     * while no evaluation is watched, or a second one during the same
     * evaluation, ends the program at once with status 130. */
    INTR_PROGRAM,
    /* The REPL on a terminal: SIGINT, SIGTERM and SIGHUP, reported
     * through intr_fd while no evaluation is watched. */
    INTR_PROMPT,
} IntrMode;

/* Call before rt_new, from the main thread. */
void intr_start(IntrMode mode);
/* Stop the watcher; the signals stay blocked (the program is ending). */
void intr_stop(void);

/* From here to intr_unwatch, a SIGINT kills p (held by the caller). A
 * no-op when intr_start was not called. */
void intr_watch(Proc *p);
/* Ends the watch: true if a SIGINT killed the process meanwhile. */
bool intr_unwatch(void);

/* Readable when a signal arrived while no evaluation was watched (and
 * for SIGTERM and SIGHUP always); -1 when intr_start was not called. */
int intr_fd(void);
/* The next such signal, or 0 if none is waiting (never blocks). */
int intr_take(void);

#endif
