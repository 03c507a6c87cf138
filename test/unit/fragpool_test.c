/*
 * fragpool_test.c — message block pools: a block freed by its own thread
 * is reused at once; blocks freed by another thread (or by a thread with no
 * pool) go back to their owner; big blocks bypass the pools; destroying a
 * pool frees its slabs (ASan checks for leaks and reuse after free).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <pthread.h>

#include "gc/fragpool.h"

static void own_thread_reuses_a_block(void **state) {
    (void)state;
    FragPool pool;
    fragpool_init(&pool);
    fragpool_bind(&pool);
    HeapFrag *a = frag_block_alloc(100);
    assert_ptr_equal(a->pool, &pool);
    frag_block_free(a);
    HeapFrag *b = frag_block_alloc(FRAGPOOL_BLOCK);
    assert_ptr_equal(a, b);
    frag_block_free(b);
    fragpool_bind(NULL);
    fragpool_destroy(&pool);
}

static void big_blocks_bypass_the_pool(void **state) {
    (void)state;
    FragPool pool;
    fragpool_init(&pool);
    fragpool_bind(&pool);
    HeapFrag *f = frag_block_alloc(FRAGPOOL_BLOCK + 1);
    assert_null(f->pool);
    frag_block_free(f);
    assert_int_equal(pool.nlocal, 0);
    fragpool_bind(NULL);
    fragpool_destroy(&pool);
}

enum { NBLOCKS = 1000 };

typedef struct Batch {
    HeapFrag *blocks[NBLOCKS];
    HeapFrag *again[NBLOCKS];
    FragPool pool;
} Batch;

/* Another scheduler thread frees the batch into its own, different pool. */
static void *free_elsewhere(void *arg) {
    Batch *b = arg;
    fragpool_init(&b->pool);
    fragpool_bind(&b->pool);
    for (int i = 0; i < NBLOCKS; i++) frag_block_free(b->blocks[i]);
    fragpool_bind(NULL);
    return NULL;
}

static void blocks_go_back_to_their_owner(void **state) {
    (void)state;
    FragPool pool;
    fragpool_init(&pool);
    fragpool_bind(&pool);
    Batch *b = calloc(1, sizeof *b);
    for (int i = 0; i < NBLOCKS; i++) b->blocks[i] = frag_block_alloc(64);
    /* Empty the local list (the rest of the last slab). */
    HeapFrag *spare = NULL;
    while (pool.nlocal > 0) {
        HeapFrag *f = frag_block_alloc(64);
        f->next = spare;
        spare = f;
    }
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, free_elsewhere, b), 0);
    pthread_join(t, NULL);
    assert_int_equal(b->pool.nlocal, 0); /* none kept by the other thread */
    /* The owner takes them all back before it makes new blocks. */
    for (int i = 0; i < NBLOCKS; i++) {
        HeapFrag *f = frag_block_alloc(64);
        int found = 0;
        for (int j = 0; j < NBLOCKS && !found; j++) found = b->blocks[j] == f;
        assert_true(found);
        b->again[i] = f;
    }
    /* A thread with no pool (the host, shutdown) also hands them back. */
    fragpool_bind(NULL);
    for (int i = 0; i < NBLOCKS; i++) frag_block_free(b->again[i]);
    while (spare) {
        HeapFrag *next = spare->next;
        frag_block_free(spare);
        spare = next;
    }
    fragpool_destroy(&pool);
    fragpool_destroy(&b->pool);
    free(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(own_thread_reuses_a_block),
        cmocka_unit_test(big_blocks_bypass_the_pool),
        cmocka_unit_test(blocks_go_back_to_their_owner),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
