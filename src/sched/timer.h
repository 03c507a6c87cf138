/*
 * timer.h — time sources and per-process timers (receive :after, sleep).
 */
#ifndef LONA_TIMER_H
#define LONA_TIMER_H

#include <stdint.h>

struct Proc;

int64_t timer_now_ns(void);      /* CLOCK_MONOTONIC */
int64_t timer_wall_ns(void);     /* CLOCK_REALTIME */
/* Cancel the process's pending timer, if any. */
void timer_cancel(struct Proc *p);

#endif
