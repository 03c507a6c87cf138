/*
 * wheel_test.c — the timer wheel against a plain list of due ticks: over
 * random inserts (near, far, past and "never"), removals and advances of
 * random lengths, every timer fires exactly once, never before it is due
 * and never later than the advance that passes its due tick (a timer
 * inserted already due counts as due at the next tick); wheel_next_tick is
 * never later than the earliest due timer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "sched/wheel.h"

enum { NTIMERS = 2000 };

typedef struct Timer {
    TimerNode node;
    int64_t due;      /* as inserted */
    int64_t fires_at; /* due, or the tick after the insertion if that is later */
    int fired;
} Timer;

static Timer timers[NTIMERS];
static int64_t now;

static void on_fire(void *ctx, TimerNode *n) {
    (void)ctx;
    Timer *t = (Timer *)n;
    assert_true(t->fires_at <= now);
    t->fired++;
    t->node.next = t->node.prev = NULL;
}

static int64_t random_delay(void) {
    switch (rand() % 6) {
    case 0: return rand() % 64;                     /* level 0 */
    case 1: return rand() % 4096;                   /* level 1 */
    case 2: return rand() % 262144;                 /* level 2 */
    case 3: return (int64_t)(rand() % 1000) * 20000; /* level 3 and beyond */
    case 4: return -(rand() % 100);                 /* already due */
    default: return INT64_MAX / 4;                  /* never */
    }
}

static void random_operations(void **state) {
    (void)state;
    TimerWheel w;
    now = 1000000;
    wheel_init(&w, now);
    srand(11);
    for (int step = 0; step < 200000; step++) {
        Timer *t = &timers[rand() % NTIMERS];
        int op = rand() % 10;
        if (op < 5 && !wheel_contains(&t->node)) {
            t->due = now + random_delay();
            t->fires_at = t->due > now ? t->due : now + 1;
            t->fired = 0;
            wheel_insert(&w, &t->node, t->due);
        } else if (op < 7 && wheel_contains(&t->node)) {
            wheel_remove(&w, &t->node);
        } else {
            int64_t next = wheel_next_tick(&w);
            for (int i = 0; i < NTIMERS; i++)
                if (wheel_contains(&timers[i].node))
                    assert_true(next <= timers[i].fires_at);
            now += rand() % 3 == 0 ? rand() % 300000 : rand() % 100;
            wheel_advance(&w, now, on_fire, NULL);
            for (int i = 0; i < NTIMERS; i++) {
                Timer *u = &timers[i];
                if (wheel_contains(&u->node)) assert_true(u->fires_at > now);
                assert_true(u->fired <= 1);
            }
        }
    }
    uint64_t left = 0;
    for (int i = 0; i < NTIMERS; i++) left += wheel_contains(&timers[i].node);
    assert_int_equal(left, w.count);
}

static void drain_empties_the_wheel(void **state) {
    (void)state;
    TimerWheel w;
    now = 5;
    wheel_init(&w, now);
    for (int i = 0; i < 100; i++) {
        timers[i].fired = 0;
        timers[i].due = timers[i].fires_at = now + (int64_t)i * 100000;
        wheel_insert(&w, &timers[i].node, timers[i].due);
    }
    now = INT64_MAX; /* on_fire's check does not apply to a drain */
    wheel_drain(&w, on_fire, NULL);
    assert_int_equal(w.count, 0);
    assert_int_equal(wheel_next_tick(&w), INT64_MAX);
    for (int i = 0; i < 100; i++) assert_int_equal(timers[i].fired, 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_operations),
        cmocka_unit_test(drain_empties_the_wheel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
