/*
 * heap.c — process heap allocation (see heap.h). The collector is gc.c.
 */
#include "gc/heap.h"

#include <stdlib.h>

#include "base/mem.h"
#include "base/util.h"
#include "gc/fragpool.h"
#include "term/binary.h"

#define FRAG_MIN_WORDS 256

void heap_init(Heap *h, size_t min_words, size_t max_words) {
    /* The young block is allocated on first use: a process that only waits
     * (the common case for servers and idle workers) costs no heap. */
    memset(h, 0, sizeof *h);
    if (min_words < 64) min_words = 64;
    h->min_words = min_words;
    h->max_words = max_words;
    h->offheap_young = LV_NIL;
    h->offheap_old = LV_NIL;
}

static void release_offheap_list(Value obj) {
    while (obj != LV_NIL) {
        Value *o = box_ptr(obj);
        Value next;
        if (hdr_type(o[0]) == T_BINREF) {
            refbin_release((RefBin *)(uintptr_t)o[1 + BINREF_BIN]);
            next = o[1 + BINREF_NEXT];
        } else {
            bytebuf_free((ByteBuf *)(uintptr_t)o[1 + BYTEBUF_BUF]);
            next = o[1 + BYTEBUF_NEXT];
        }
        obj = next;
    }
}

void heap_free_frags(HeapFrag *f) {
    while (f) {
        HeapFrag *next = f->next;
        frag_block_free(f);
        f = next;
    }
}

void heap_release(Heap *h) {
    release_offheap_list(h->offheap_young);
    release_offheap_list(h->offheap_old);
    heap_free_frags(h->frags);
    mem_free(h->start, (size_t)(h->end - h->start) * sizeof(Value));
    mem_free(h->old_start, (size_t)(h->old_end - h->old_start) * sizeof(Value));
    memset(h, 0, sizeof *h);
}

void heap_over_budget(Heap *h, size_t bytes) {
    if (!h->oom_bytes) h->oom_bytes = bytes ? bytes : 1;
    h->gc_wanted = true;
}

/* Over the budget, the process asking is ended when it holds a fair share
 * of the budget (a 64th), or when even the headroom is spent: small
 * processes (servers, supervisors) go on working while the big one that
 * took the memory is being ended. */
void heap_check_budget(Heap *h, size_t bytes) {
    if (LIKELY(mem_fits(bytes))) return;
    size_t held = heap_size_words(h) * sizeof(Value) + h->offheap_bytes;
    if (held + bytes >= mem_limit() / 64 || !mem_fits_headroom(bytes)) heap_over_budget(h, bytes);
}

void *heap_block_try_alloc(Heap *h, size_t bytes) {
    heap_check_budget(h, bytes);
    void *b = mem_alloc(bytes);
    if (UNLIKELY(!b)) heap_over_budget(h, bytes);
    return b;
}

void *heap_block_alloc(Heap *h, size_t bytes) {
    void *b = heap_block_try_alloc(h, bytes);
    if (UNLIKELY(!b)) lona_panic("out of memory (%zu bytes)", bytes);
    return b;
}

Value *heap_alloc_slow(Heap *h, size_t words) {
    if (!h->start && words <= h->min_words) {
        h->start = h->top = h->hwm = heap_block_alloc(h, h->min_words * sizeof(Value));
        h->end = h->start + h->min_words;
        h->top += words;
        return h->start;
    }
    h->gc_wanted = true;
    HeapFrag *f = h->frags;
    if (f && f->cap - f->used >= words) {
        Value *r = f->words + f->used;
        f->used += words;
        h->frag_words += words;
        return r;
    }
    size_t cap = words > FRAG_MIN_WORDS ? words : FRAG_MIN_WORDS;
    /* Grow fragments with the heap so that a process building a large
     * value between safe points does not take thousands of small ones. */
    size_t young = (size_t)(h->end - h->start);
    if (cap < young / 2 && words <= young / 2) cap = young / 2;
    f = heap_block_try_alloc(h, sizeof *f + cap * sizeof(Value));
    if (UNLIKELY(!f)) f = heap_block_alloc(h, sizeof *f + (cap = words) * sizeof(Value));
    f->pool = NULL;
    f->bytes = sizeof *f + cap * sizeof(Value);
    f->cap = cap;
    f->used = words;
    f->next = h->frags;
    h->frags = f;
    h->frag_words += words;
    h->frag_cap_words += cap;
    return f->words;
}

Value *heap_alloc_exact(Heap *h, size_t words) {
    /* From the scheduler's pool when small: a new process's function, its
     * one allocation, then comes with no malloc. */
    HeapFrag *f = frag_block_alloc(sizeof *f + words * sizeof(Value));
    f->offheap = false;
    f->cap = f->used = words;
    if (h->frags) {
        f->next = h->frags->next;
        h->frags->next = f;
    } else {
        f->next = NULL;
        h->frags = f;
    }
    h->frag_words += words;
    h->frag_cap_words += words;
    return f->words;
}

size_t heap_used_words(const Heap *h) {
    return (size_t)(h->top - h->start) + (size_t)(h->old_top - h->old_start) + h->frag_words;
}

size_t heap_young_size_words(const Heap *h) { return (size_t)(h->end - h->start) + h->frag_cap_words; }

size_t heap_size_words(const Heap *h) { return heap_young_size_words(h) + (size_t)(h->old_end - h->old_start); }

void heap_track_offheap(Heap *h, Value obj, size_t bytes) {
    Value *o = box_ptr(obj);
    size_t link = hdr_type(o[0]) == T_BINREF ? 1 + BINREF_NEXT : 1 + BYTEBUF_NEXT;
    o[link] = h->offheap_young;
    h->offheap_young = obj;
    h->offheap_bytes += bytes;
    /* Off-heap memory counts towards collection pressure, so a loop that
     * drops large binaries gets them freed. */
    if (h->offheap_bytes > 8 * (size_t)(h->end - h->start) * sizeof(Value) + (1u << 20))
        h->gc_wanted = true;
}

void heap_track_frag_offheap(Heap *h, HeapFrag *f) {
    /* The objects of a copied term sit one after another in the fragment;
     * link its off-heap references so the collector tracks them. */
    if (!f->offheap) return;
    for (Value *o = f->words; o < f->words + f->used; o += 1 + hdr_size(o[0])) {
        BoxType t = hdr_type(o[0]);
        if (t == T_BINREF || t == T_BYTEBUF) {
            Value v = box_val(o);
            size_t link = t == T_BINREF ? 1 + BINREF_NEXT : 1 + BYTEBUF_NEXT;
            o[link] = h->offheap_young;
            h->offheap_young = v;
            h->offheap_bytes += t == T_BINREF ? (size_t)o[1 + BINREF_LEN] : ((ByteBuf *)(uintptr_t)o[1 + BYTEBUF_BUF])->size;
        }
    }
}

void heap_adopt_frag(Heap *h, HeapFrag *f) {
    heap_track_frag_offheap(h, f);
    /* Behind the current allocation fragment, which must stay first. */
    if (h->frags) {
        f->next = h->frags->next;
        h->frags->next = f;
    } else {
        f->next = NULL;
        h->frags = f;
    }
    h->frag_words += f->used;
    h->frag_cap_words += f->cap;
    /* Messages taken from the mailbox count towards the next collection
     * like any allocation, without forcing one each. */
    if (h->frag_words > (size_t)(h->end - h->start)) h->gc_wanted = true;
}

void heap_frag_release(HeapFrag *f) {
    if (!f) return;
    for (Value *o = f->words; f->offheap && o < f->words + f->used; o += 1 + hdr_size(o[0])) {
        BoxType t = hdr_type(o[0]);
        if (t == T_BINREF) refbin_release((RefBin *)(uintptr_t)o[1 + BINREF_BIN]);
        else if (t == T_BYTEBUF) bytebuf_free((ByteBuf *)(uintptr_t)o[1 + BYTEBUF_BUF]);
    }
    frag_block_free(f);
}
