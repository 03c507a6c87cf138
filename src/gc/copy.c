/*
 * copy.c — flat term copies (see copy.h).
 */
#include "gc/copy.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "term/binary.h"
#include "vm/runtime.h"

/* What the copier must know of each type of object. */
enum {
    CK_SCAN = 1,       /* payload is Values */
    CK_OFFHEAP = 2,    /* refers to an off-heap buffer (binary, bytebuf) */
    CK_BYTEBUF = 4,    /* mutable: cannot be sent */
    CK_LOCAL_ONLY = 8, /* cannot cross realms (closure) */
};
#define CK_OF_SCAN CK_SCAN
#define CK_OF_RAW 0
#define CK_EXTRA(t)                                                               \
    (((t) == T_BINREF ? CK_OFFHEAP : 0) | ((t) == T_BYTEBUF ? CK_OFFHEAP | CK_BYTEBUF : 0) | \
     ((t) == T_CLOSURE ? CK_LOCAL_ONLY : 0))
static const uint8_t copy_kind[T__COUNT] = {
#define X(name, kind) [T_##name] = CK_OF_##kind | CK_EXTRA(T_##name),
    LONA_BOX_TYPES(X)
#undef X
};

/* Objects still to visit while measuring, on an explicit stack. */
typedef struct WorkStack {
    Value *items;
    size_t len, cap;
    Value inline_items[64];
} WorkStack;

static void ws_init(WorkStack *s) {
    s->items = s->inline_items;
    s->len = 0;
    s->cap = ARRAY_LEN(s->inline_items);
}

static void ws_grow(WorkStack *s) {
    s->items = grow_inline(s->items, s->inline_items, s->len, s->cap * 2, sizeof(Value));
    s->cap *= 2;
}

static inline void ws_push(WorkStack *s, Value v) {
    if (UNLIKELY(s->len == s->cap)) ws_grow(s);
    s->items[s->len++] = v;
}

static void ws_free(WorkStack *s) {
    if (s->items != s->inline_items) free(s->items);
}

static inline bool needs_copy(const LitArea *lit, Value v) {
    return is_boxed(v) && !lit_contains(lit, box_ptr(v));
}

/* The literal area's bounds in locals, as the copy loops' stores could
 * otherwise alias them: v needs copying unless it is an immediate or a
 * literal. */
typedef struct LitRange {
    uintptr_t lo, size;
} LitRange;

static inline LitRange lit_range(const LitArea *lit) {
    return (LitRange){(uintptr_t)lit->base, (uintptr_t)lit->reserved};
}

static inline bool outside_lit(LitRange r, Value v) {
    /* one unsigned comparison for lo <= v < lo + size */
    return is_boxed(v) && (uintptr_t)v - r.lo >= r.size;
}

/* Is literal x flagged as holding a bytebuf? Only asked once the area
 * holds one (lit->has_bytebufs), so a program without var-held bytebufs
 * never reads a literal's header here. */
static inline bool lit_holds_bytebuf(Value x) {
    return is_boxed(x) && (box_flags(x) & HF_BYTEBUF) != 0;
}

CopySize term_flat_size(const LitArea *lit, Value v) {
    CopySize r = {0, false, false, false};
    bool lit_bytebufs = atomic_load_explicit(&lit->has_bytebufs, memory_order_relaxed);
    if (!needs_copy(lit, v)) {
        r.has_bytebuf = lit_bytebufs && lit_holds_bytebuf(v);
        return r;
    }
    WorkStack s;
    ws_init(&s);
    LitRange lr = lit_range(lit);
    unsigned kinds = 0;
    for (;;) {
        const Value *o = box_ptr(v);
        size_t n = hdr_size(o[0]);
        unsigned k = copy_kind[hdr_type(o[0])];
        r.words += 1 + n;
        kinds |= k;
        /* Go on with the first child and stack the others: a list is
         * walked car first, so the stack stays as deep as the nesting,
         * not as long as the list. */
        Value next = LV_NONE;
        if (k & CK_SCAN) {
            for (size_t i = 1; i <= n; i++) {
                if (!outside_lit(lr, o[i])) {
                    if (UNLIKELY(lit_bytebufs) && lit_holds_bytebuf(o[i])) kinds |= CK_BYTEBUF;
                    continue;
                }
                if (next == LV_NONE) next = o[i];
                else ws_push(&s, o[i]);
            }
        }
        if (next == LV_NONE) {
            if (s.len == 0) break;
            next = s.items[--s.len];
        }
        v = next;
    }
    ws_free(&s);
    r.has_bytebuf = (kinds & CK_BYTEBUF) != 0;
    r.has_local_only = (kinds & CK_LOCAL_ONLY) != 0;
    r.has_offheap = (kinds & CK_OFFHEAP) != 0;
    return r;
}

/* The off-heap part of a copied binary or bytebuf at dst (value nv): a
 * new reference or buffer, dropped by whoever owns the copy: dest_heap
 * (its off-heap list) when given, else the literal area when the copy is
 * in it (lit_free), else the message fragment the copy is in
 * (heap_frag_release, or the heap that adopts the fragment). */
static void copy_offheap(const LitArea *lit, Value *dst, Value nv, Heap *dest_heap) {
    bool in_lit = !dest_heap && lit_contains(lit, dst);
    if (hdr_type(dst[0]) == T_BINREF) {
        RefBin *rb = (RefBin *)(uintptr_t)dst[1 + BINREF_BIN];
        refbin_retain(rb);
        if (dest_heap) heap_track_offheap(dest_heap, nv, dst[1 + BINREF_LEN]);
        else if (in_lit) lit_hold_refbin((LitArea *)lit, rb);
        return;
    }
    ByteBuf *old = (ByteBuf *)(uintptr_t)dst[1 + BYTEBUF_BUF];
    ByteBuf *b = bytebuf_dup(old);
    dst[1 + BYTEBUF_BUF] = (Value)(uintptr_t)b;
    if (dest_heap) heap_track_offheap(dest_heap, nv, b->size);
    else if (in_lit) lit_own((LitArea *)lit, b);
}

/* Copy one object to *top; returns its new Value. Most objects are a few
 * words, and the commonest (list cells, pairs) three: a fixed copy for
 * those and a plain loop for the other small ones beat a call of memcpy. */
static inline Value copy_object(const LitArea *lit, Value x, Value **top, Heap *dest_heap) {
    const Value *src = box_ptr(x);
    Value h = src[0];
    size_t n = 1 + hdr_size(h);
    Value *dst = *top;
    dst[0] = h;
    if (LIKELY(n == 3)) {
        dst[1] = src[1];
        dst[2] = src[2];
    } else if (n <= 8) {
        for (size_t i = 1; i < n; i++) dst[i] = src[i];
    } else {
        memcpy(dst + 1, src + 1, (n - 1) * sizeof(Value));
    }
    *top += n;
    Value nv = box_val(dst);
    if (UNLIKELY(copy_kind[hdr_type(h)] & CK_OFFHEAP)) copy_offheap(lit, dst, nv, dest_heap);
    return nv;
}

Value term_copy_flat(const LitArea *lit, Value v, Value *block, Heap *dest_heap) {
    if (!needs_copy(lit, v)) return v;
    Value *top = block;
    LitRange lr = lit_range(lit);
    Value root = copy_object(lit, v, &top, dest_heap);
    /* Cheney scan over the copied objects. */
    for (Value *scan = block; scan < top;) {
        size_t n = hdr_size(scan[0]);
        if (copy_kind[hdr_type(scan[0])] & CK_SCAN) {
            for (size_t i = 1; i <= n; i++)
                if (outside_lit(lr, scan[i])) scan[i] = copy_object(lit, scan[i], &top, dest_heap);
        }
        scan += 1 + n;
    }
    return root;
}

/* Flag HF_BYTEBUF on each object of a fresh literal copy (block, words
 * long) that is or holds a bytebuf. In a Cheney copy every child comes
 * after its parent, so one pass from the last object back meets each
 * child before its parent; children outside the block are older
 * literals, flagged already. */
static void flag_bytebufs(const LitArea *lit, Value *block, size_t words) {
    size_t n = 0;
    for (size_t i = 0; i < words; i += 1 + hdr_size(block[i])) n++;
    size_t *starts = xmalloc(n * sizeof *starts);
    n = 0;
    for (size_t i = 0; i < words; i += 1 + hdr_size(block[i])) starts[n++] = i;
    LitRange lr = lit_range(lit);
    while (n-- > 0) {
        Value *o = block + starts[n];
        Value h = o[0];
        bool has = hdr_type(h) == T_BYTEBUF;
        if (copy_kind[hdr_type(h)] & CK_SCAN)
            for (size_t i = 1; i <= hdr_size(h) && !has; i++)
                has = !outside_lit(lr, o[i]) && lit_holds_bytebuf(o[i]);
        uint64_t flags = has ? hdr_flags(h) | HF_BYTEBUF : hdr_flags(h) & ~HF_BYTEBUF;
        o[0] = mk_header(hdr_type(h), flags, hdr_size(h));
    }
    free(starts);
}

Value lit_copy(Runtime *rt, Value v) {
    if (!needs_copy(&rt->lit, v)) return v;
    CopySize sz = term_flat_size(&rt->lit, v);
    Value *block = lit_alloc(&rt->lit, sz.words);
    Value r = term_copy_flat(&rt->lit, v, block, NULL);
    if (sz.has_bytebuf) {
        flag_bytebufs(&rt->lit, block, sz.words);
        /* Before the copy is published (the caller's release store), so
         * that whoever sees the copy sees the flag too. */
        atomic_store_explicit(&rt->lit.has_bytebufs, true, memory_order_relaxed);
    }
    return r;
}
