/*
 * fragpool.c — recycled blocks for small message fragments (see fragpool.h),
 * on the block pools of gc/blockpool.h.
 */
#include "gc/fragpool.h"

#include <stdlib.h>

#include "base/mem.h"
#include "base/util.h"

static _Thread_local FragPool *bound_pool;

void fragpool_init(FragPool *pool) { blockpool_init(pool, FRAGPOOL_BLOCK); }

void fragpool_destroy(FragPool *pool) { blockpool_destroy(pool); }

void fragpool_bind(FragPool *pool) { bound_pool = pool; }

HeapFrag *frag_block_try_alloc(size_t bytes) {
    FragPool *pool = bound_pool;
    HeapFrag *f = pool && bytes <= FRAGPOOL_BLOCK ? blockpool_alloc(pool) : NULL;
    if (f) {
        f->pool = pool;
        mem_charge_small(FRAGPOOL_BLOCK);
        return f;
    }
    f = mem_alloc(bytes);
    if (!f) return NULL;
    f->pool = NULL;
    f->bytes = bytes;
    return f;
}

HeapFrag *frag_block_alloc(size_t bytes) {
    HeapFrag *f = frag_block_try_alloc(bytes);
    if (!f) lona_panic("out of memory (%zu bytes)", bytes);
    return f;
}

void frag_block_free(HeapFrag *f) {
    if (f->pool) {
        mem_uncharge_small(FRAGPOOL_BLOCK);
        blockpool_free(f, bound_pool);
    } else {
        mem_free(f, f->bytes);
    }
}
