/*
 * copy.c — flat term copies (see copy.h).
 */
#include "gc/copy.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "term/binary.h"
#include "vm/runtime.h"

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

static void ws_push(WorkStack *s, Value v) {
    if (s->len == s->cap) {
        size_t cap = s->cap * 2;
        Value *items = xmalloc(cap * sizeof(Value));
        memcpy(items, s->items, s->len * sizeof(Value));
        if (s->items != s->inline_items) free(s->items);
        s->items = items;
        s->cap = cap;
    }
    s->items[s->len++] = v;
}

static void ws_free(WorkStack *s) {
    if (s->items != s->inline_items) free(s->items);
}

static bool needs_copy(const LitArea *lit, Value v) {
    return is_boxed(v) && !lit_contains(lit, box_ptr(v));
}

CopySize term_flat_size(const LitArea *lit, Value v) {
    CopySize r = {0, false, false};
    if (!needs_copy(lit, v)) return r;
    WorkStack s;
    ws_init(&s);
    ws_push(&s, v);
    while (s.len) {
        Value x = s.items[--s.len];
        Value h = box_header(x);
        BoxType t = hdr_type(h);
        size_t n = hdr_size(h);
        r.words += 1 + n;
        if (t == T_BYTEBUF) r.has_bytebuf = true;
        if (t == T_CLOSURE) r.has_local_only = true;
        if (term_gc_kind[t] != GCK_SCAN) continue;
        Value *payload = box_ptr(x) + 1;
        for (size_t i = 0; i < n; i++)
            if (needs_copy(lit, payload[i])) ws_push(&s, payload[i]);
    }
    ws_free(&s);
    return r;
}

/* Copy one object to *top; returns its new Value. */
static Value copy_object(const LitArea *lit, Value x, Value **top, Heap *dest_heap) {
    Value *src = box_ptr(x);
    size_t n = 1 + hdr_size(src[0]);
    Value *dst = *top;
    memcpy(dst, src, n * sizeof(Value));
    *top += n;
    Value nv = box_val(dst);
    BoxType t = hdr_type(dst[0]);
    if (t == T_BINREF) {
        refbin_retain((RefBin *)(uintptr_t)dst[1 + BINREF_BIN]);
        if (dest_heap) heap_track_offheap(dest_heap, nv, dst[1 + BINREF_LEN]);
    } else if (t == T_BYTEBUF) {
        ByteBuf *old = (ByteBuf *)(uintptr_t)dst[1 + BYTEBUF_BUF];
        ByteBuf *b = xmalloc(sizeof *b + old->size);
        b->size = old->size;
        memcpy(b->bytes, old->bytes, old->size);
        dst[1 + BYTEBUF_BUF] = (Value)(uintptr_t)b;
        if (dest_heap)
            heap_track_offheap(dest_heap, nv, b->size);
        else
            lit_own((LitArea *)lit, b);
    }
    return nv;
}

Value term_copy_flat(const LitArea *lit, Value v, Value *block, Heap *dest_heap) {
    if (!needs_copy(lit, v)) return v;
    Value *top = block;
    Value root = copy_object(lit, v, &top, dest_heap);
    /* Cheney scan over the copied objects. */
    for (Value *scan = block; scan < top;) {
        Value h = scan[0];
        size_t n = hdr_size(h);
        if (term_gc_kind[hdr_type(h)] == GCK_SCAN) {
            for (size_t i = 1; i <= n; i++)
                if (needs_copy(lit, scan[i])) scan[i] = copy_object(lit, scan[i], &top, dest_heap);
        }
        scan += 1 + n;
    }
    return root;
}

Value lit_copy(Runtime *rt, Value v) {
    if (!needs_copy(&rt->lit, v)) return v;
    CopySize sz = term_flat_size(&rt->lit, v);
    Value *block = lit_alloc(&rt->lit, sz.words);
    return term_copy_flat(&rt->lit, v, block, NULL);
}
