/*
 * exit.h — exit signals, links and monitors (spec lona.process: Linking,
 * Monitoring, Lifecycle; the three exit tables).
 */
#ifndef LONA_EXIT_H
#define LONA_EXIT_H

#include "proc/signal.h"

struct Proc;

/* Owner thread: act on a non-message signal taken from the queue, and
 * free it. */
void exit_handle_signal(struct Proc *p, Signal *s);

#endif
