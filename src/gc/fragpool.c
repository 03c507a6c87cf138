/*
 * fragpool.c — recycled blocks for small message fragments (see fragpool.h).
 */
#include "gc/fragpool.h"

#include <stdlib.h>

#include "base/util.h"

/* Free blocks a pool keeps for itself; beyond that they go to malloc. */
#define FRAGPOOL_KEEP 16384

static _Thread_local FragPool *bound_pool;

void fragpool_init(FragPool *pool) {
    pool->local = NULL;
    pool->nlocal = 0;
    atomic_init(&pool->returned, NULL);
}

static void free_list(HeapFrag *f) {
    while (f) {
        HeapFrag *next = f->next;
        free(f);
        f = next;
    }
}

void fragpool_destroy(FragPool *pool) {
    free_list(pool->local);
    free_list(atomic_exchange(&pool->returned, NULL));
    pool->local = NULL;
    pool->nlocal = 0;
}

void fragpool_bind(FragPool *pool) { bound_pool = pool; }

HeapFrag *frag_block_alloc(size_t bytes) {
    FragPool *pool = bound_pool;
    if (!pool || bytes > FRAGPOOL_BLOCK) {
        HeapFrag *f = xmalloc(bytes);
        f->pool = NULL;
        return f;
    }
    if (!pool->local) {
        /* Take back, at once, what other threads freed. */
        HeapFrag *got = atomic_exchange_explicit(&pool->returned, NULL, memory_order_acquire);
        uint32_t n = 0;
        for (HeapFrag *f = got; f; f = f->next) n++;
        pool->local = got;
        pool->nlocal = n;
    }
    HeapFrag *f = pool->local;
    if (f) {
        pool->local = f->next;
        pool->nlocal--;
    } else {
        f = xmalloc(FRAGPOOL_BLOCK);
        f->pool = pool;
    }
    return f;
}

void frag_block_free(HeapFrag *f) {
    FragPool *owner = f->pool;
    if (!owner) {
        free(f);
        return;
    }
    if (owner == bound_pool) {
        if (owner->nlocal >= FRAGPOOL_KEEP) {
            free(f);
            return;
        }
        f->next = owner->local;
        owner->local = f;
        owner->nlocal++;
        return;
    }
    HeapFrag *head = atomic_load_explicit(&owner->returned, memory_order_relaxed);
    do {
        f->next = head;
    } while (!atomic_compare_exchange_weak_explicit(&owner->returned, &head, f, memory_order_release,
                                                    memory_order_relaxed));
}
