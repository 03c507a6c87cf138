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

#include "base/prefault.h"
#include "base/util.h"

typedef struct BlockHead {
    BlockPool *pool;
    uint64_t pad; /* the block after it stays 16-aligned */
} BlockHead;

/* 16-aligned, so that the blocks cut after it are (blockpool.h). */
typedef struct PoolSlab {
    _Alignas(16) struct PoolSlab *next;
    size_t bytes;
    bool mapped; /* mmap'd rather than malloc'd */
} PoolSlab;

#define SLAB_FIRST_BLOCKS 64
#define SLAB_MAPPED ((size_t)2 << 20) /* from this size, slabs are mmap'd */
#define SLAB_MAX ((size_t)32 << 20)
/* A mapped slab is faulted in by the prefault thread (base/prefault.h) a
 * step at a time, from half a step to a step and a half ahead of the
 * carving (prefault_next), so that the pool's owner seldom waits for a
 * page fault and holds little memory it has not handed out. */
#define PREFAULT_STEP ((size_t)2 << 20)

static inline BlockHead *head_of(const void *block) { return (BlockHead *)block - 1; }
static inline void **link_of(void *block) { return (void **)block; }
static inline size_t stride(const BlockPool *pool) { return sizeof(BlockHead) + pool->block_size; }

void blockpool_init(BlockPool *pool, size_t block_size) {
    pool->block_size = (block_size + 15) & ~(size_t)15;
    pool->local = NULL;
    pool->nlocal = 0;
    pool->slabs = NULL;
    pool->carve = pool->carve_end = NULL;
    pool->prefaulted = pool->prefault_at = NULL;
    pool->ever_prefaulted = false;
    pool->next_slab = sizeof(PoolSlab) + SLAB_FIRST_BLOCKS * stride(pool);
    atomic_init(&pool->returned, NULL);
}

void blockpool_destroy(BlockPool *pool) {
    if (pool->ever_prefaulted) prefault_drain(); /* nothing of its slabs is being faulted in */
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

/* `bytes` of fresh pages; NULL if the system refuses. */
static void *map_slab(size_t bytes) {
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* A new slab to cut blocks from; false when the system refuses even a
 * small one. */
static bool add_slab(BlockPool *pool) {
    size_t bytes = pool->next_slab;
    PoolSlab *s = bytes >= SLAB_MAPPED ? map_slab(bytes) : NULL;
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
    /* A malloc'd slab is small: its owner faults it in as it carves. */
    pool->prefaulted = pool->carve;
    pool->prefault_at = s->mapped ? pool->carve : pool->carve_end;
    return true;
}

/* The carving reached prefault_at: ask for the next step to be faulted in. */
static void prefault_next(BlockPool *pool) {
    char *from = pool->prefaulted, *to = from + PREFAULT_STEP;
    if (to >= pool->carve_end) {
        to = pool->carve_end;
        pool->prefault_at = pool->carve_end; /* the slab is all asked for */
    } else {
        pool->prefault_at = to - PREFAULT_STEP / 2;
    }
    if (from < to) {
        prefault_async(from, (size_t)(to - from));
        pool->ever_prefaulted = true;
    }
    pool->prefaulted = to;
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
    if (pool->carve >= pool->prefault_at) prefault_next(pool);
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
