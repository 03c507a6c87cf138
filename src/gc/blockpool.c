/*
 * blockpool.c — per-scheduler pools of fixed-size blocks (see blockpool.h).
 *
 * Every block is preceded by a 16-byte head naming its pool (NULL for an
 * unpooled block); while a block is free, its first word links it into
 * the `local` list or the `returned` stack.
 */
#include "gc/blockpool.h"

#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "base/util.h"

typedef struct BlockHead {
    BlockPool *pool;
    uint64_t pad; /* the block after it stays 16-aligned */
} BlockHead;

/* 16-aligned, so that the blocks cut after it are (blockpool.h). */
typedef struct PoolSlab {
    _Alignas(16) struct PoolSlab *next;
    size_t bytes;
    bool mapped; /* mmap'd (huge pages) rather than malloc'd */
} PoolSlab;

#define SLAB_FIRST_BLOCKS 64
#define HUGE_PAGE ((size_t)2 << 20)
#define SLAB_MAX ((size_t)32 << 20)

static inline BlockHead *head_of(const void *block) { return (BlockHead *)block - 1; }
static inline void **link_of(void *block) { return (void **)block; }
static inline size_t stride(const BlockPool *pool) { return sizeof(BlockHead) + pool->block_size; }

void blockpool_init(BlockPool *pool, size_t block_size) {
    pool->block_size = (block_size + 15) & ~(size_t)15;
    pool->local = NULL;
    pool->nlocal = 0;
    pool->slabs = NULL;
    pool->carve = pool->carve_end = NULL;
    pool->next_slab = sizeof(PoolSlab) + SLAB_FIRST_BLOCKS * stride(pool);
    atomic_init(&pool->returned, NULL);
}

void blockpool_destroy(BlockPool *pool) {
    for (PoolSlab *s = pool->slabs, *next; s; s = next) {
        next = s->next;
        if (s->mapped)
            munmap(s, s->bytes);
        else
            free(s);
    }
    pool->slabs = NULL;
    pool->carve = pool->carve_end = NULL;
    pool->local = NULL;
    pool->nlocal = 0;
    atomic_store(&pool->returned, NULL);
}

/* `bytes` of memory aligned to 2 MiB, advised to use huge pages; NULL if
 * the system refuses. The unaligned ends of a larger mapping are cut. */
static void *map_huge(size_t bytes) {
    size_t span = bytes + HUGE_PAGE;
    char *raw = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) return NULL;
    char *start = (char *)(((uintptr_t)raw + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    if (start > raw) munmap(raw, (size_t)(start - raw));
    size_t tail = (size_t)(raw + span - (start + bytes));
    if (tail) munmap(start + bytes, tail);
    madvise(start, bytes, MADV_HUGEPAGE); /* advice only: fine if refused */
    return start;
}

/* A new slab to cut blocks from; false when the system refuses even a
 * small one. */
static bool add_slab(BlockPool *pool) {
    size_t bytes = pool->next_slab;
    PoolSlab *s = bytes >= HUGE_PAGE ? map_huge(bytes) : NULL;
    if (s) {
        s->mapped = true;
    } else {
        s = malloc(bytes);
        if (!s) s = malloc(bytes = sizeof(PoolSlab) + SLAB_FIRST_BLOCKS * stride(pool));
        if (!s) return false;
        s->mapped = false;
    }
    s->bytes = bytes;
    s->next = pool->slabs;
    pool->slabs = s;
    if (pool->next_slab < SLAB_MAX) pool->next_slab *= 2;
    pool->carve = (char *)(s + 1);
    pool->carve_end = pool->carve + (bytes - sizeof(PoolSlab)) / stride(pool) * stride(pool);
    return true;
}

void *blockpool_alloc(BlockPool *pool) {
    if (!pool->local) {
        /* Take back, at once, what other threads freed. */
        void *got = atomic_exchange_explicit(&pool->returned, NULL, memory_order_acquire);
        uint32_t n = 0;
        for (void *b = got; b; b = *link_of(b)) n++;
        pool->local = got;
        pool->nlocal = n;
    }
    void *block = pool->local;
    if (block) {
        pool->local = *link_of(block);
        pool->nlocal--;
        return block;
    }
    if (pool->carve == pool->carve_end && !add_slab(pool)) return NULL;
    BlockHead *h = (BlockHead *)(void *)pool->carve;
    pool->carve += stride(pool);
    h->pool = pool;
    return h + 1;
}

void *blockpool_alloc_unpooled(size_t bytes) {
    BlockHead *h = xmalloc(sizeof *h + bytes);
    h->pool = NULL;
    return h + 1;
}

BlockPool *blockpool_of(const void *block) { return head_of(block)->pool; }

void blockpool_free(void *block, BlockPool *mine) {
    BlockPool *owner = head_of(block)->pool;
    if (!owner) {
        free(head_of(block));
        return;
    }
    if (owner == mine) {
        *link_of(block) = owner->local;
        owner->local = block;
        owner->nlocal++;
        return;
    }
    void *top = atomic_load_explicit(&owner->returned, memory_order_relaxed);
    do {
        *link_of(block) = top;
    } while (!atomic_compare_exchange_weak_explicit(&owner->returned, &top, block, memory_order_release,
                                                    memory_order_relaxed));
}
