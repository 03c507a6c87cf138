/*
 * blockpool_test.c — a pool that has grown to mapped slabs has them
 * faulted in ahead of its carving by the prefault thread, never far
 * ahead, and its blocks stay whole; destroying it waits for that thread
 * (ASan checks for use after unmap).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/prefault.h"
#include "gc/blockpool.h"

enum { BLOCK = 1008, NBLOCKS = 20000 }; /* about 20 MiB: slabs up to 8 MiB */

static bool resident(const char *addr) {
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    unsigned char in = 0;
    assert_int_equal(mincore((void *)((uintptr_t)addr & ~(page - 1)), 1, &in), 0);
    return in & 1;
}

static void mapped_slabs_are_faulted_in_ahead(void **state) {
    (void)state;
    BlockPool pool;
    blockpool_init(&pool, BLOCK);
    char **blocks = calloc(NBLOCKS, sizeof *blocks);
    for (int i = 0; i < NBLOCKS; i++) {
        blocks[i] = blockpool_alloc(&pool);
        assert_non_null(blocks[i]);
        memset(blocks[i], i & 0xff, BLOCK);
    }
    prefault_drain();
    /* The next block to carve, and a page a megabyte further: faulted in
     * without anyone having written there. */
    assert_true(pool.carve + ((size_t)1 << 20) < pool.carve_end);
    assert_true(resident(pool.carve + ((size_t)1 << 20)));
    /* Never far ahead (at most a step and a half of 2 MiB). */
    if (pool.carve + ((size_t)7 << 20) < pool.carve_end) assert_false(resident(pool.carve + ((size_t)7 << 20)));
    /* Faulting in wrote nothing. */
    for (int i = 0; i < NBLOCKS; i++)
        for (int j = 0; j < BLOCK; j += 97) assert_int_equal((unsigned char)blocks[i][j], i & 0xff);
    for (int i = 0; i < NBLOCKS; i++) blockpool_free(blocks[i], &pool);
    free(blocks);
    blockpool_destroy(&pool);
}

/* Destroyed at once, with ranges still queued for the prefault thread:
 * the destruction waits for them. */
static void destroy_waits_for_the_prefault_thread(void **state) {
    (void)state;
    for (int round = 0; round < 4; round++) {
        BlockPool pool;
        blockpool_init(&pool, BLOCK);
        for (int i = 0; i < NBLOCKS; i++) assert_non_null(blockpool_alloc(&pool));
        blockpool_destroy(&pool);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mapped_slabs_are_faulted_in_ahead),
        cmocka_unit_test(destroy_waits_for_the_prefault_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
