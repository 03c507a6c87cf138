/*
 * fragpool.c — recycled blocks for small message fragments (see fragpool.h),
 * on the block pools of gc/blockpool.h.
 */
#include "gc/fragpool.h"

#include <stdlib.h>

#include "base/util.h"

static _Thread_local FragPool *bound_pool;

void fragpool_init(FragPool *pool) { blockpool_init(pool, FRAGPOOL_BLOCK); }

void fragpool_destroy(FragPool *pool) { blockpool_destroy(pool); }

void fragpool_bind(FragPool *pool) { bound_pool = pool; }

HeapFrag *frag_block_alloc(size_t bytes) {
    FragPool *pool = bound_pool;
    HeapFrag *f;
    if (!pool || bytes > FRAGPOOL_BLOCK) {
        f = xmalloc(bytes);
        f->pool = NULL;
    } else {
        f = blockpool_alloc(pool);
        f->pool = pool;
    }
    return f;
}

void frag_block_free(HeapFrag *f) {
    if (f->pool)
        blockpool_free(f, bound_pool);
    else
        free(f);
}
