/*
 * heap.h — a process's private heap.
 *
 * Layout: a young generation (one contiguous block, bump allocation), an
 * old generation (one contiguous block, filled only by the collector), and
 * heap fragments: blocks taken when the young block is full between two
 * collections, and blocks that carry a message copied in by a sender.
 *
 * Collection never happens inside C code: heap_alloc never moves anything.
 * When the young block is full it hands out a fragment and sets
 * heap->gc_wanted; the VM collects at its next safe point (gc/gc.h), where
 * the only live Values are the process's roots. So an intrinsic may keep
 * Values in C locals across any number of allocations.
 *
 * Every block is charged to the memory budget (base/mem.h). A block that
 * does not fit is still made, the allocation succeeding as ever, but the
 * heap records its size in oom_bytes and asks for a collection: at that
 * safe point the collector refuses (gc_collect returns false) and the
 * process ends with [:error :oom], freeing what it held.
 *
 * Only the scheduler thread running the process touches its heap.
 */
#ifndef LONA_HEAP_H
#define LONA_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include "term/term.h"

struct BlockPool;

typedef struct HeapFrag {
    struct HeapFrag *next;
    struct BlockPool *pool; /* pooled message block (gc/fragpool.h), or NULL */
    size_t cap;   /* words */
    size_t used;  /* words */
    size_t bytes; /* a block from malloc: its size, charged to the budget */
    bool offheap; /* message fragments: may hold off-heap references (else
                   * nothing needs them linked or released) */
    Value words[];
} HeapFrag;

typedef struct Heap {
    Value *top, *end;          /* young bump pointer and limit (hot) */
    Value *start;              /* young block */
    Value *hwm;                /* objects below survived one collection */
    Value *old_start, *old_top, *old_end;
    HeapFrag *frags;           /* allocation overflow since the last collection */
    size_t frag_words;         /* words used in frags */
    size_t frag_cap_words;     /* words frags hold (their capacity): >= frag_words */
    Value offheap_young;       /* BINREF/BYTEBUF objects in young space + frags, linked */
    Value offheap_old;         /* ... in the old generation */
    size_t offheap_bytes;      /* off-heap bytes referenced (drives collection) */
    size_t min_words;          /* :min-heap-size in words */
    size_t max_words;          /* :max-heap-size in words, 0 = unlimited */
    size_t oom_bytes;          /* an allocation over the memory budget: its size */
    bool gc_wanted;
    bool major_wanted;
    uint64_t minor_count, major_count, reclaimed_words;
} Heap;

struct Proc;

void heap_init(Heap *h, size_t min_words, size_t max_words);
void heap_release(Heap *h);

Value *heap_alloc_slow(Heap *h, size_t words);
void heap_free_frags(HeapFrag *f);
/* A fragment holding a copied term (a message, a signal's value) joins the
 * heap: its off-heap objects are tracked from now on. */
void heap_adopt_frag(Heap *h, HeapFrag *f);
/* Only the first half of that: track the fragment's off-heap objects. */
void heap_track_frag_offheap(Heap *h, HeapFrag *f);
/* Free a fragment that never joined a heap, releasing its off-heap objects. */
void heap_frag_release(HeapFrag *f);

/* Allocate `words` words (header included). Never moves objects. */
static inline Value *heap_alloc(Heap *h, size_t words) {
    Value *r = h->top;
    if ((size_t)(h->end - r) >= words) {
        h->top = r + words;
        return r;
    }
    return heap_alloc_slow(h, words);
}

/* A fragment of exactly `words`, outside the young block (which is left
 * unallocated if it is): for the few words a new process starts with. */
Value *heap_alloc_exact(Heap *h, size_t words);

/* Words in use (young, old, fragments). */
size_t heap_used_words(const Heap *h);
/* Words held (young, old, fragments): never fewer than heap_used_words. */
size_t heap_size_words(const Heap *h);
/* Words held by the young generation: its block (none before the first
 * allocation that needs it) and the fragments, whose used words count in
 * the young words used. */
size_t heap_young_size_words(const Heap *h);

/* Record that an allocation of `bytes` for this heap went over the memory
 * budget: the process ends with :oom at its next safe point. */
void heap_over_budget(Heap *h, size_t bytes);
/* Before allocating `bytes` for this heap: heap_over_budget if they do not
 * fit and this process is the one to end (heap.c says which). */
void heap_check_budget(Heap *h, size_t bytes);
/* A charged block of `bytes` for this heap (heap_over_budget when it does
 * not fit); only a refusal of the C allocator is fatal. */
void *heap_block_alloc(Heap *h, size_t bytes);
/* The same, NULL (and the heap marked over budget) when the C allocator
 * refuses. */
void *heap_block_try_alloc(Heap *h, size_t bytes);

/* Link a freshly built BINREF/BYTEBUF object into the heap's off-heap list. */
void heap_track_offheap(Heap *h, Value obj, size_t bytes);

#endif
