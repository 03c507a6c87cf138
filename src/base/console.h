/*
 * console.h — the one way Lonala output reaches standard output.
 *
 * print, println, prn and kprint all write through console_write, so that
 * console output can be routed elsewhere by changing this one function.
 * Each runtime has its console (rt->console).
 *
 * A line editor that owns the terminal (the REPL while it reads a line)
 * holds the console: output from any process is then kept instead of
 * written, and each complete line kept pokes the editor's wake-up
 * descriptor. The editor, on its own thread, clears its line, writes what
 * was kept (console_flush_held) and redraws; releasing the console writes
 * the rest. Output written while nothing holds the console goes straight
 * to the streams, as before.
 *
 * Thread safety: every function may be called from any thread; the
 * console's lock orders the writes, and the streams' own locks are taken
 * inside it.
 */
#ifndef LONA_CONSOLE_H
#define LONA_CONSOLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"

typedef struct Console {
    pthread_mutex_t lock;
    int wake_fd;     /* the holder's descriptor, or -1 when nobody holds */
    Buf held;        /* records: one byte (1 out, 2 err), a size_t length, the text */
} Console;

void console_init(Console *c);
void console_free(Console *c);

/* Write n bytes of text; flushed when the text contains a newline. */
void console_write(Console *c, const char *s, size_t n);
/* Same for standard error (crash reports); always flushed. */
void console_write_err(Console *c, const char *s, size_t n);

/* Start holding the output; a byte is written to wake_fd (which must not
 * block) whenever a complete line is kept. */
void console_hold(Console *c, int wake_fd);
/* If output is kept: writes `before` to standard output, then the kept
 * output to its streams, ending it with a newline if it has none; true
 * if it wrote anything. The console stays held. */
bool console_flush_held(Console *c, const char *before);
/* Stop holding: the kept output is written as it is. */
void console_release(Console *c);

#endif
