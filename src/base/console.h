/*
 * console.h — the one way Lonala output reaches standard output.
 *
 * print, println, prn and kprint all write through console_write, so that
 * console output can later be routed elsewhere (a REPL line editor, a
 * scheduler-owned writer, a test capturing output) by changing this one
 * function.
 */
#ifndef LONA_CONSOLE_H
#define LONA_CONSOLE_H

#include <stddef.h>

struct Runtime;

/* Write n bytes of text; flushed when the text contains a newline. */
void console_write(struct Runtime *rt, const char *s, size_t n);
/* Same for standard error (crash reports); always flushed. */
void console_write_err(struct Runtime *rt, const char *s, size_t n);

#endif
