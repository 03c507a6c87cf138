/*
 * gc.c — per-process generational copying collector (see gc.h).
 */
#include "gc/gc.h"

#include <stdlib.h>

#include "base/mem.h"
#include "base/util.h"
#include "gc/heap.h"
#include "proc/mailbox.h"
#include "proc/proc.h"
#include "sched/sched.h"
#include "term/binary.h"
#include "vm/runtime.h"

typedef struct Collector {
    const LitArea *lit;
    bool major;
    Value *old_lo, *old_hi;     /* old block, not from-space in a minor */
    Value *young_lo, *hwm;      /* from-space young objects below hwm are promoted */
    Value *to_young, *to_young_top;
    Value *to_old, *to_old_top; /* promotion area inside the old block */
} Collector;

static inline bool in_from_space(const Collector *c, const Value *o) {
    if (lit_contains(c->lit, o)) return false;
    if (!c->major && o >= c->old_lo && o < c->old_hi) return false;
    return true;
}

static Value forward(Collector *c, Value v) {
    if (!is_boxed(v)) return v;
    Value *o = box_ptr(v);
    if (!in_from_space(c, o)) return v;
    Value h = o[0];
    if ((h & LV_TAG_MASK) == LV_TAG_BOXED) return h; /* already moved */
    size_t n = 1 + hdr_size(h);
    Value **top = (!c->major && o >= c->young_lo && o < c->hwm) ? &c->to_old_top : &c->to_young_top;
    Value *dst = *top;
    memcpy(dst, o, n * sizeof(Value));
    *top += n;
    o[0] = box_val(dst);
    return box_val(dst);
}

static Value *scan_object(Collector *c, Value *s) {
    Value h = s[0];
    size_t n = hdr_size(h);
    if (term_gc_kind[hdr_type(h)] == GCK_SCAN)
        for (size_t i = 1; i <= n; i++) s[i] = forward(c, s[i]);
    return s + 1 + n;
}

/* Cheney scan of both to-spaces; scanning an object may append to either. */
static void scan_all(Collector *c, Value *young_from, Value *old_from) {
    Value *ys = young_from, *os = old_from;
    bool progress = true;
    while (progress) {
        progress = false;
        while (ys < c->to_young_top) {
            ys = scan_object(c, ys);
            progress = true;
        }
        while (os && os < c->to_old_top) {
            os = scan_object(c, os);
            progress = true;
        }
    }
}

static size_t offheap_size(Value obj) {
    Value *o = box_ptr(obj);
    return hdr_type(o[0]) == T_BINREF ? (size_t)o[1 + BINREF_LEN]
                                      : ((ByteBuf *)(uintptr_t)o[1 + BYTEBUF_BUF])->size;
}

static Value *offheap_link(Value obj) {
    Value *o = box_ptr(obj);
    return &o[1 + (hdr_type(o[0]) == T_BINREF ? BINREF_NEXT : BYTEBUF_NEXT)];
}

/* Walk a list of from-space off-heap objects: survivors are relinked into
 * the list of the generation they landed in, the dead are released. */
static void sweep_offheap(Collector *c, Heap *h, Value list, Value *young_list, Value *old_list) {
    while (list != LV_NIL) {
        Value *o = box_ptr(list);
        bool forwarded = (o[0] & LV_TAG_MASK) == LV_TAG_BOXED;
        /* A moved object's header is the forwarding pointer: its type (and
         * so where its link is) must be read from the copy. */
        Value next = forwarded ? o[1 + (hdr_type(box_ptr(o[0])[0]) == T_BINREF ? BINREF_NEXT : BYTEBUF_NEXT)]
                               : *offheap_link(list);
        if (forwarded) {
            Value moved = o[0];
            Value *m = box_ptr(moved);
            bool is_old = !c->major && m >= c->old_lo && m < c->old_hi;
            Value *dst = is_old ? old_list : young_list;
            *offheap_link(moved) = *dst;
            *dst = moved;
            h->offheap_bytes += offheap_size(moved);
        } else if (hdr_type(o[0]) == T_BINREF) {
            refbin_release((RefBin *)(uintptr_t)o[1 + BINREF_BIN]);
        } else {
            bytebuf_free((ByteBuf *)(uintptr_t)o[1 + BYTEBUF_BUF]);
        }
        list = next;
    }
}

/* Apply fn to every root of the process. */
static void each_root(Proc *p, Value (*fn)(void *, Value), void *ctx) {
    for (uint32_t i = 0; i < p->sp; i++) p->stack[i] = fn(ctx, p->stack[i]);
    Value *fields[] = {&p->exc, &p->tc_fn, &p->tc_args, &p->dict, &p->result, &p->exit_reason,
                       &p->trace, &p->resume_value, &p->pending_exit, &p->park_ref};
    for (size_t i = 0; i < ARRAY_LEN(fields); i++) *fields[i] = fn(ctx, *fields[i]);
    mbox_forward_roots(p, fn, ctx);
}

/* Moving the survivors from the scratch area to their young block. */
typedef struct Slide {
    Value *lo, *hi;      /* the scratch range */
    intptr_t delta;      /* bytes to add */
} Slide;

static Value slide(void *ctx, Value v) {
    Slide *s = ctx;
    if (is_boxed(v) && box_ptr(v) >= s->lo && box_ptr(v) < s->hi) return (Value)((intptr_t)v + s->delta);
    return v;
}

static void slide_objects(Slide *s, Value *from, Value *to) {
    for (Value *o = from; o < to; o += 1 + hdr_size(o[0])) {
        if (term_gc_kind[hdr_type(o[0])] != GCK_SCAN) continue;
        for (size_t i = 1; i <= hdr_size(o[0]); i++) o[i] = slide(s, o[i]);
    }
}

static void slide_offheap(Slide *s, Value *list) {
    *list = slide(s, *list);
    for (Value x = *list; x != LV_NIL; x = *offheap_link(x)) *offheap_link(x) = slide(s, *offheap_link(x));
}

static size_t round_up_size(size_t words) {
    size_t s = 256;
    while (s < words) s += s / 2;
    return s;
}

bool gc_collect(Proc *p, bool major) {
    Heap *h = &p->heap;
    Runtime *rt = p->rt;
    /* Over the memory budget: no collection (its copy would need more
     * memory still); the process ends and frees its heap. */
    if (h->oom_bytes) return false;
    size_t msg_words = mbox_absorb_frags(p);
    size_t young_used = (size_t)(h->top - h->start);
    size_t promote_max = (size_t)(h->hwm - h->start);
    size_t old_free = (size_t)(h->old_end - h->old_top);
    size_t old_used = (size_t)(h->old_top - h->old_start);
    if (!major && promote_max > old_free) {
        if (old_used == 0) {
            /* First promotion: make an old block big enough. */
            size_t sz = round_up_size(promote_max * 2 + h->min_words);
            mem_free(h->old_start, (size_t)(h->old_end - h->old_start) * sizeof(Value));
            h->old_start = h->old_top = heap_block_try_alloc(h, sz * sizeof(Value));
            h->old_end = h->old_start ? h->old_start + sz : NULL;
        } else {
            major = true;
        }
    }
    if (h->major_wanted) major = true;
    if (h->oom_bytes) return false;

    Collector c = {.lit = &rt->lit, .major = major, .old_lo = h->old_start, .old_hi = h->old_end,
                   .young_lo = h->start, .hwm = h->hwm};
    size_t bound = major ? young_used + old_used + h->frag_words + msg_words
                         : (young_used - promote_max) + h->frag_words + msg_words;
    /* Survivors are copied to a scratch area big enough for the worst
     * case, then moved to a young block sized for what actually survived:
     * the heap follows its live data instead of its worst case. */
    Value *scratch = p->home ? sched_gc_scratch(p->home, bound) : malloc((bound ? bound : 1) * sizeof(Value));
    if (!scratch) {
        heap_over_budget(h, bound * sizeof(Value));
        return false;
    }
    c.to_young = c.to_young_top = scratch;
    Value *old_scan_from = NULL;
    if (!major) {
        c.to_old = c.to_old_top = h->old_top;
        old_scan_from = h->old_top;
    }

    each_root(p, (Value (*)(void *, Value))forward, &c);
    scan_all(&c, c.to_young, old_scan_from);

    Value young_list = LV_NIL, old_list = major ? LV_NIL : h->offheap_old;
    h->offheap_bytes = 0;
    if (!major)
        for (Value x = h->offheap_old; x != LV_NIL; x = *offheap_link(x)) h->offheap_bytes += offheap_size(x);
    sweep_offheap(&c, h, h->offheap_young, &young_list, &old_list);
    if (major) sweep_offheap(&c, h, h->offheap_old, &young_list, &old_list);

    size_t before = heap_used_words(h);
    size_t live = (size_t)(c.to_young_top - c.to_young);
    /* Room for twice what survived; a long mailbox (its values are roots
     * scanned at every collection) earns a bigger block, so that the cost
     * of scanning it is spread over more allocation. */
    size_t want = live * 2 + (size_t)p->mbox.len * 4;
    if (want < h->min_words) want = h->min_words;
    size_t young_size = round_up_size(want);
    /* Hysteresis: keep the current block unless it is too small or more
     * than four times too big, so that a steady process reuses its block
     * instead of trading blocks with the allocator at every collection. */
    size_t current = (size_t)(h->end - h->start);
    if (young_size <= current && young_size * 4 > current) young_size = current;
    Value *block;
    if ((size_t)(h->end - h->start) == young_size) {
        block = h->start; /* all garbage now: reuse it */
    } else {
        mem_free(h->start, (size_t)(h->end - h->start) * sizeof(Value));
        block = heap_block_try_alloc(h, young_size * sizeof(Value));
        if (!block) {
            /* Refused (the process ends with :oom): the survivors stay in
             * the scratch area, which becomes the young block. */
            size_t cap = bound ? bound : 1;
            block = p->home ? sched_gc_scratch_take(p->home, &cap) : scratch;
            young_size = cap;
            mem_charge(cap * sizeof(Value));
        }
    }
    if (block != scratch) memcpy(block, scratch, live * sizeof(Value));
    Slide sl = {scratch, scratch + live, (intptr_t)((char *)block - (char *)scratch)};
    each_root(p, slide, &sl);
    slide_objects(&sl, block, block + live);
    if (!major) slide_objects(&sl, old_scan_from, c.to_old_top);
    slide_offheap(&sl, &young_list);
    slide_offheap(&sl, &old_list);
    if (!p->home && block != scratch) free(scratch);
    heap_free_frags(h->frags);
    h->frags = NULL;
    h->frag_words = h->frag_cap_words = 0;
    if (major) {
        mem_free(h->old_start, (size_t)(h->old_end - h->old_start) * sizeof(Value));
        h->old_start = h->old_top = h->old_end = NULL;
        h->major_count++;
    } else {
        h->old_top = c.to_old_top;
        h->minor_count++;
    }
    h->start = block;
    h->top = block + live;
    h->end = block + young_size;
    h->hwm = h->top;
    h->offheap_young = young_list;
    h->offheap_old = old_list;
    h->gc_wanted = false;
    h->major_wanted = false;
    size_t after = heap_used_words(h);
    if (before > after) h->reclaimed_words += before - after;
    /* A nearly full old block is collected at the next opportunity rather
     * than grown piecemeal. */
    if (!major && h->old_end - h->old_top < (h->old_end - h->old_start) / 4) h->major_wanted = true;
    if (h->max_words && after > h->max_words) return false;
    return !h->oom_bytes;
}
