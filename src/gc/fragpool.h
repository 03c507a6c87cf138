/*
 * fragpool.h — recycled blocks for small message fragments.
 *
 * Every message is one malloc'd block (gc/heap.h, proc/signal.h), taken by
 * the sender's thread and freed by the receiver's, usually in a batch at
 * the receiver's next collection. Done with malloc, that pattern empties
 * the allocator's per-thread caches and sends most calls down its slow
 * paths; on two threads every free is a free of another thread's memory.
 *
 * So blocks small enough for most messages (FRAGPOOL_BLOCK bytes) come from
 * per-scheduler block pools (gc/blockpool.h): a pair of processes
 * exchanging messages recycles the same few blocks, a producer gets back
 * what its consumer frees, and a pool that runs dry makes a slab of blocks
 * with one allocator call. A block freed by a thread with no pool (the
 * host, shutdown) goes back to its owner too, so pools must outlive every
 * block: the runtime frees them last.
 */
#ifndef LONA_FRAGPOOL_H
#define LONA_FRAGPOOL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "gc/blockpool.h"
#include "gc/heap.h"

/* Size of a pooled block, header and everything included. */
#define FRAGPOOL_BLOCK 256

/* A scheduler's pool of message blocks. */
typedef BlockPool FragPool;

void fragpool_init(FragPool *pool);
/* Frees every block in the pool (nothing may use it afterwards). */
void fragpool_destroy(FragPool *pool);
/* The calling thread allocates from and frees into pool (NULL: none). */
void fragpool_bind(FragPool *pool);

/* A fragment block of `bytes` bytes (at least sizeof(HeapFrag)), from the
 * calling thread's pool when it is small enough, else from malloc. Its
 * cap, used and offheap fields are for the caller to set. */
HeapFrag *frag_block_alloc(size_t bytes);
/* The same, NULL when the system refuses the memory. */
HeapFrag *frag_block_try_alloc(size_t bytes);
/* Frees a block from frag_block_alloc, or any malloc'd HeapFrag. */
void frag_block_free(HeapFrag *f);

#endif
