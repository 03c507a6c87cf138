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
/* Cancel the process's pending timer, if any, and forget its deadline
 * (sched/sched.c, which owns the timer wheels). The process's own thread. */
void timer_cancel(struct Proc *p);
/* Milliseconds tick of a deadline, rounded up: a timer never fires early. */
static inline int64_t timer_tick_of(int64_t deadline_ns) {
    return deadline_ns / 1000000 + (deadline_ns % 1000000 != 0);
}

#endif
