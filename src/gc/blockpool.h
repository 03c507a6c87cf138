/*
 * blockpool.h — per-scheduler pools of fixed-size blocks.
 *
 * For what every process and every message needs and frees in great
 * numbers, often on another thread than the one that took it: message
 * blocks (gc/fragpool.h) and process structures (proc/life.c).
 *
 * Each block remembers its pool. The thread bound to a pool (its owner,
 * one scheduler) takes blocks from its `local` list and puts back there
 * the blocks of its own pool it frees; a block freed by any other thread
 * goes back to its owner through a lock-free stack, which the owner takes
 * whole, in one exchange, when its own list runs dry. Only then does the
 * pool make new blocks, cut one by one from a slab: one allocator call for
 * many blocks, so that threads do not meet in malloc's lock, and memory
 * touched only as blocks are handed out.
 *
 * Slabs double in size up to 32 MiB. From 2 MiB they are mapped directly
 * and faulted in a little ahead of the carving by another thread
 * (base/prefault.h): a million processes touch 1.2 GiB, whose page faults
 * cost 0.4 s here, on the thread spawning them. They are not advised to
 * use transparent huge pages: a huge page the host has not backed lately
 * costs as much as 700 us to fault in (1.4 s per GiB), 4 KiB pages 0.4 s
 * per GiB whatever the host did (bench/max_processes: 1.0-1.1 s with 4 KiB
 * pages faulted ahead, 1.2-1.8 s with huge pages). Blocks are never
 * given back one by one: a pool keeps every block it made (its peak of
 * blocks in use) until it is destroyed, after every block is given back.
 */
#ifndef LONA_BLOCKPOOL_H
#define LONA_BLOCKPOOL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct BlockPool {
    size_t block_size;             /* usable bytes per block */
    void *local;                   /* free blocks, owner thread only */
    uint32_t nlocal;
    struct PoolSlab *slabs;        /* every slab made, owner thread only */
    char *carve, *carve_end;       /* the newest slab's untouched part */
    size_t next_slab;              /* bytes of the next slab */
    char *prefaulted;              /* the newest slab is asked faulted in up to here */
    char *prefault_at;             /* ask for more once carve reaches this */
    bool ever_prefaulted;          /* destroy waits for the prefault thread */
    void *_Atomic returned;        /* blocks freed by other threads */
} BlockPool;

/* Blocks of block_size bytes (rounded up to 16), aligned to 16. */
void blockpool_init(BlockPool *pool, size_t block_size);
/* Frees every slab: every block must have been given back (or be dead). */
void blockpool_destroy(BlockPool *pool);

/* A block from pool, owned by the calling thread; NULL when the system
 * refuses a new slab. */
void *blockpool_alloc(BlockPool *pool);
/* A block of `bytes` from malloc that blockpool_free accepts too: for
 * threads with no pool (the host, unit tests). */
void *blockpool_alloc_unpooled(size_t bytes);
/* Give back a block from either, from any thread; `mine` is the calling
 * thread's pool of the same kind, or NULL. */
void blockpool_free(void *block, BlockPool *mine);
/* The pool a block came from, NULL for an unpooled one. */
BlockPool *blockpool_of(const void *block);

#endif
