/*
 * wheel.c — hierarchical timer wheel (see wheel.h).
 *
 * Invariant: a timer in level l (l > 0), slot s, has due tick e with
 * (e >> 6l) & 63 == s and e - current < 64^(l+1) when it was placed, so the
 * slot is cascaded exactly when current enters the 64^l-tick span holding
 * e; a timer in level 0, slot s, has e & 63 == s and e - current < 64,
 * so it fires when current reaches e.
 */
#include "sched/wheel.h"

#include <stddef.h>

#define SLOT_BITS 6

static void list_init(TimerNode *head) { head->next = head->prev = head; }
static bool list_empty(const TimerNode *head) { return head->next == head; }

static void list_push(TimerNode *head, TimerNode *n) {
    n->prev = head->prev;
    n->next = head;
    head->prev->next = n;
    head->prev = n;
}

static void list_unlink(TimerNode *n) {
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->next = n->prev = NULL;
}

void wheel_init(TimerWheel *w, int64_t now_tick) {
    w->current = now_tick;
    w->count = 0;
    for (int l = 0; l < WHEEL_LEVELS; l++)
        for (int s = 0; s < WHEEL_SLOTS; s++) list_init(&w->slots[l][s]);
    list_init(&w->overflow);
}

bool wheel_contains(const TimerNode *n) { return n->prev != NULL; }

/* The list for a timer due at tick, as seen from w->current; a tick before
 * `earliest` counts as earliest. */
static TimerNode *slot_for(TimerWheel *w, int64_t tick, int64_t earliest) {
    int64_t e = tick < earliest ? earliest : tick;
    uint64_t delta = (uint64_t)(e - w->current);
    for (int l = 0; l < WHEEL_LEVELS; l++)
        if (delta < (UINT64_C(1) << (SLOT_BITS * (l + 1))))
            return &w->slots[l][(e >> (SLOT_BITS * l)) & (WHEEL_SLOTS - 1)];
    return &w->overflow;
}

void wheel_insert(TimerWheel *w, TimerNode *n, int64_t tick) {
    n->tick = tick;
    list_push(slot_for(w, tick, w->current + 1), n);
    w->count++;
}

void wheel_remove(TimerWheel *w, TimerNode *n) {
    list_unlink(n);
    w->count--;
}

/* Re-place every timer of list head from the current tick on (a timer due
 * now lands in the level-0 slot about to fire). */
static void cascade(TimerWheel *w, TimerNode *head) {
    TimerNode *n = head->next;
    list_init(head);
    while (n != head) {
        TimerNode *next = n->next;
        list_push(slot_for(w, n->tick, w->current), n);
        n = next;
    }
}

/* Entering tick t: bring down the timers of every level whose slot
 * boundary t crosses, highest first. */
static void cascade_into(TimerWheel *w, int64_t t) {
    int crossed = 0; /* levels above 0 whose slot changes at t */
    while (crossed < WHEEL_LEVELS && ((t >> (SLOT_BITS * crossed)) & (WHEEL_SLOTS - 1)) == 0) crossed++;
    if (crossed == WHEEL_LEVELS) cascade(w, &w->overflow);
    for (int l = crossed < WHEEL_LEVELS ? crossed : WHEEL_LEVELS - 1; l >= 1; l--)
        cascade(w, &w->slots[l][(t >> (SLOT_BITS * l)) & (WHEEL_SLOTS - 1)]);
}

static void drain_list(TimerWheel *w, TimerNode *head, void (*fire)(void *ctx, TimerNode *n), void *ctx);

void wheel_advance(TimerWheel *w, int64_t now_tick, void (*fire)(void *ctx, TimerNode *n), void *ctx) {
    while (w->current < now_tick) {
        if (w->count == 0) {
            w->current = now_tick;
            return;
        }
        /* Skip ticks where nothing happens. */
        int64_t next = wheel_next_tick(w);
        if (next > now_tick) {
            w->current = now_tick;
            return;
        }
        if (next > w->current + 1) w->current = next - 1;
        int64_t t = ++w->current;
        if ((t & (WHEEL_SLOTS - 1)) == 0) cascade_into(w, t);
        drain_list(w, &w->slots[0][t & (WHEEL_SLOTS - 1)], fire, ctx);
    }
}

int64_t wheel_next_tick(const TimerWheel *w) {
    if (w->count == 0) return INT64_MAX;
    int64_t c = w->current, best = INT64_MAX;
    for (int64_t t = c + 1; t < c + WHEEL_SLOTS; t++)
        if (!list_empty(&w->slots[0][t & (WHEEL_SLOTS - 1)])) {
            best = t;
            break;
        }
    /* Level l: the next slot boundary whose slot holds timers; the one
     * 64 slots on is the current slot again, next time round. */
    for (int l = 1; l < WHEEL_LEVELS; l++) {
        int shift = SLOT_BITS * l;
        for (int64_t k = 1; k <= WHEEL_SLOTS; k++) {
            int64_t idx = (c >> shift) + k;
            if (!list_empty(&w->slots[l][idx & (WHEEL_SLOTS - 1)])) {
                int64_t at = idx << shift;
                if (at < best) best = at;
                break;
            }
        }
    }
    if (!list_empty(&w->overflow)) {
        int64_t at = ((c >> (SLOT_BITS * WHEEL_LEVELS)) + 1) << (SLOT_BITS * WHEEL_LEVELS);
        if (at < best) best = at;
    }
    return best;
}

static void drain_list(TimerWheel *w, TimerNode *head, void (*fire)(void *ctx, TimerNode *n), void *ctx) {
    while (!list_empty(head)) {
        TimerNode *n = head->next;
        list_unlink(n);
        w->count--;
        fire(ctx, n);
    }
}

void wheel_drain(TimerWheel *w, void (*fire)(void *ctx, TimerNode *n), void *ctx) {
    for (int l = 0; l < WHEEL_LEVELS; l++)
        for (int s = 0; s < WHEEL_SLOTS; s++) drain_list(w, &w->slots[l][s], fire, ctx);
    drain_list(w, &w->overflow, fire, ctx);
}
