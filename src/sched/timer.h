/*
 * timer.h — time sources and per-process timers (receive :after, sleep).
 */
#ifndef LONA_TIMER_H
#define LONA_TIMER_H

#include <stdint.h>

struct Proc;

int64_t timer_now_ns(void);      /* CLOCK_MONOTONIC */
int64_t timer_wall_ns(void);     /* CLOCK_REALTIME */
/* The monotonic time ms milliseconds from now, saturating (a timeout of
 * years is a long wait, not an overflow). */
int64_t timer_deadline_ms(int64_t ms);
/* Cancel the process's pending timer, if any. */
void timer_cancel(struct Proc *p);

#endif
