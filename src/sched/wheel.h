/*
 * wheel.h — a hierarchical timer wheel: O(1) insertion and removal of
 * timers with millisecond resolution, expiry in time order of ticks.
 *
 * Four levels of 64 slots: level 0 holds timers due within 64 ms of the
 * current tick, one slot per millisecond; level l, within 64^(l+1) ms, one
 * slot per 64^l ms. Timers further away than level 3 reaches (about 4.6
 * hours) wait in an overflow list. When the current tick crosses a slot
 * boundary of level l, that level's next slot is emptied into the levels
 * below ("cascading"), so a timer moves down at most three times.
 *
 * The timers are intrusive nodes (a process embeds its own, proc/proc.h),
 * so arming allocates nothing and a cancelled timer leaves no trace. The
 * wheel does no locking: its owner (a scheduler) serialises all calls.
 */
#ifndef LONA_WHEEL_H
#define LONA_WHEEL_H

#include <stdbool.h>
#include <stdint.h>

typedef struct TimerNode {
    struct TimerNode *next, *prev;   /* in a slot's list; prev == NULL: not in a wheel */
    int64_t tick;                    /* due time, in milliseconds */
} TimerNode;

#define WHEEL_LEVELS 4
#define WHEEL_SLOTS 64

typedef struct TimerWheel {
    int64_t current;                 /* every timer due at or before it has expired */
    uint64_t count;                  /* timers in the wheel */
    TimerNode slots[WHEEL_LEVELS][WHEEL_SLOTS];  /* list heads (circular) */
    TimerNode overflow;
} TimerWheel;

void wheel_init(TimerWheel *w, int64_t now_tick);
bool wheel_contains(const TimerNode *n);
/* Insert n, due at tick (a due time already past expires at the next
 * advance). n must not be in a wheel. */
void wheel_insert(TimerWheel *w, TimerNode *n, int64_t tick);
/* Remove n, which must be in w. */
void wheel_remove(TimerWheel *w, TimerNode *n);
/* Move the wheel to now_tick; every timer due by then is removed and
 * handed to fire(ctx, node), in order of due ticks. fire may not touch w. */
void wheel_advance(TimerWheel *w, int64_t now_tick, void (*fire)(void *ctx, TimerNode *n), void *ctx);
/* Remove every timer, handing each to fire(ctx, node), in no order. */
void wheel_drain(TimerWheel *w, void (*fire)(void *ctx, TimerNode *n), void *ctx);
/* The tick at which the wheel next has work to do (a timer due, or a
 * cascade bringing later ones down), or INT64_MAX if it is empty. */
int64_t wheel_next_tick(const TimerWheel *w);

#endif
