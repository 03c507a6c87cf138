/*
 * keyindex_test.c — the link/monitor index against a plain array search,
 * over random adds and swap-removes, across the threshold where the index
 * is built and its growth.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "proc/keyindex.h"

static int64_t linear(const Value *a, uint32_t n, Value k) {
    for (uint32_t i = 0; i < n; i++)
        if (a[i] == k) return i;
    return -1;
}

static void random_add_remove(void **state) {
    (void)state;
    enum { MAXN = 5000 };
    Value *arr = malloc(MAXN * sizeof(Value));
    uint32_t n = 0;
    KeyIndex ki = {0};
    srand(7);
    for (int step = 0; step < 200000; step++) {
        Value key = (Value)((rand() % 8000) * 16 + 2);
        KeyArray a = {arr, 1, n};
        int64_t pos = ki_find(&ki, a, key);
        assert_int_equal(pos, linear(arr, n, key));
        bool add = (rand() % 3) != 0 && n < MAXN;
        if (add && pos < 0) {
            arr[n++] = key;
            ki_added(&ki, (KeyArray){arr, 1, n});
        } else if (!add && pos >= 0) {
            ki_removing(&ki, a, (uint32_t)pos);
            arr[pos] = arr[--n];
        }
    }
    for (uint32_t i = 0; i < n; i++) assert_int_equal(ki_find(&ki, (KeyArray){arr, 1, n}, arr[i]), i);
    ki_free(&ki);
    free(arr);
}

static void stride_two(void **state) {
    (void)state;
    Value pairs[200];
    KeyIndex ki = {0};
    uint32_t n = 0;
    for (uint32_t i = 0; i < 100; i++) {
        pairs[2 * i] = (Value)(i * 8 + 2);      /* key */
        pairs[2 * i + 1] = (Value)(i * 1000);   /* payload */
        n++;
        ki_added(&ki, (KeyArray){pairs, 2, n});
    }
    for (uint32_t i = 0; i < 100; i++) assert_int_equal(ki_find(&ki, (KeyArray){pairs, 2, n}, (Value)(i * 8 + 2)), i);
    assert_int_equal(ki_find(&ki, (KeyArray){pairs, 2, n}, (Value)3), -1);
    ki_free(&ki);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_add_remove),
        cmocka_unit_test(stride_two),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
