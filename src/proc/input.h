/*
 * input.h — standard input for Lonala processes (read-line).
 *
 * A process that asks for a line when none is buffered parks; the poller
 * (sched/poller.h) wakes it when the descriptor is readable, and it reads
 * on its own worker. No scheduler thread ever blocks on the terminal or a
 * pipe. Bytes are read only while some process waits for a line, so input
 * nobody asked for stays in the descriptor (for the REPL's line editor).
 */
#ifndef LONA_INPUT_H
#define LONA_INPUT_H

#include "proc/proc.h"

typedef struct Input Input;

/* Input from fd (not closed by input_free); fd < 0: no input, every
 * read-line sees its end at once. */
Input *input_new(struct Runtime *rt, int fd);
/* Stops the poller's watch on it; the runtime's workers and poller must
 * be stopped first. */
void input_free(Input *in);

/* The next line for p (a string without its "\n" or "\r\n"; the last one
 * may lack a newline; nil at the end of input): true with *line set, or
 * false when none is buffered yet, p then being registered to be woken
 * when more input comes (it parks with PARK_INPUT and asks again). */
bool input_read_line(Input *in, Proc *p, Value *line);

#endif
