/*
 * cpu_quota_test.c — the schedulers' CPU quota (sched/sched.h,
 * sched_set_cpu_quota): busy processes keep the runtime to its share,
 * timers still fire, and the runtime stops while the quota holds its
 * workers back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "sched/sched.h"
#include "term/print.h"
#include "vm/host.h"
#include "vm/rt.h"
#include "vm/runtime.h"

static Runtime *rt;
static Proc *host;

static char *eval(const char *src) {
    Value out;
    if (host_load_source(host, src, strlen(src), "cpu_quota_test", &out) != HOST_OK) return strdup("<error>");
    assert_true(host_claim(host));
    char *s = pr_to_cstr(rt, out);
    host_release(host);
    return s;
}

static int64_t clock_ns(clockid_t c) {
    struct timespec ts;
    clock_gettime(c, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void expect(const char *src, const char *want) {
    char *got = eval(src);
    assert_string_equal(got, want);
    free(got);
}

static int setup(void **state) {
    (void)state;
    rt = rt_new(&(RtOptions){.no_input = true, .schedulers = 2});
    host = host_proc_new(rt);
    return 0;
}

static void no_quota_by_default(void **state) {
    (void)state;
    assert_true(sched_cpu_quota(rt->sched) == 0);
    sched_set_cpu_quota(rt->sched, 2000); /* out of range: none */
    assert_true(sched_cpu_quota(rt->sched) == 0);
}

/* Two processes spin on two schedulers held to a quarter of a core; the
 * host waits half a second on a timer. The OS process takes a quarter of
 * the wall time, give or take the slices that overran (a worker looks once
 * a millisecond) and the host thread; unheld it would take one to two
 * seconds per second. */
static void busy_workers_keep_to_the_share(void **state) {
    (void)state;
    sched_set_cpu_quota(rt->sched, 0.25);
    assert_true(sched_cpu_quota(rt->sched) == 0.25);
    expect("(defn spin [] (spin)) (spawn spin) (spawn spin) :ok", ":ok");
    int64_t cpu = clock_ns(CLOCK_PROCESS_CPUTIME_ID), wall = clock_ns(CLOCK_MONOTONIC);
    expect("(receive :never nil :after 500 :woke)", ":woke");
    cpu = clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu;
    wall = clock_ns(CLOCK_MONOTONIC) - wall;
    assert_true(wall >= 500000000);
    print_message("%.3f s of CPU in %.3f s\n", cpu / 1e9, wall / 1e9);
    assert_true(cpu < wall / 4 + 100000000);
}

/* At a hundredth of a core the spinners spend a period's share in one
 * millisecond (the workers' look): the workers sleep on the quota most of
 * the time, and rt_free (sched_stop) wakes them rather than waiting for
 * the end of the period. */
static void the_runtime_stops_while_the_quota_holds_it_back(void **state) {
    (void)state;
    sched_set_cpu_quota(rt->sched, 0.01);
    expect("(receive :never nil :after 20 :woke)", ":woke");
    int64_t t0 = clock_ns(CLOCK_MONOTONIC);
    host_proc_free(host);
    rt_free(rt);
    rt = NULL;
    int64_t took = clock_ns(CLOCK_MONOTONIC) - t0;
    print_message("rt_free took %.3f s\n", took / 1e9);
    assert_true(took < 1000000000);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_quota_by_default),
        cmocka_unit_test(busy_workers_keep_to_the_share),
        cmocka_unit_test(the_runtime_stops_while_the_quota_holds_it_back),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
