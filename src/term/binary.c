/*
 * binary.c — reference-counted off-heap binaries, binary slicing and
 * concatenation, and bytebuf allocation (see binary.h).
 *
 * A RefBin's count is the number of T_BINREF objects (in any heap or the
 * literal area) pointing at it; every new T_BINREF built here takes a
 * reference and is linked into its heap's off-heap list, so the collector
 * drops that reference when the object dies.
 */
#include "term/binary.h"

#include <stdlib.h>

#include "base/mem.h"
#include "base/util.h"
#include "term/alloc.h"

RefBin *refbin_new(size_t size) {
    RefBin *b = refbin_try_new(size);
    if (!b) lona_panic("out of memory (%zu bytes)", sizeof *b + size);
    return b;
}

RefBin *refbin_try_new(size_t size) {
    RefBin *b = mem_alloc(sizeof *b + size);
    if (!b) return NULL;
    atomic_init(&b->refs, 1);
    b->size = size;
    return b;
}

void refbin_retain(RefBin *b) { atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed); }

void refbin_release(RefBin *b) {
    if (atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) == 1) mem_free(b, sizeof *b + b->size);
}

Value binary_slice(Proc *p, Value b, size_t off, size_t len) {
    if (off == 0 && len == binary_size(b)) return b;
    if (len <= BIN_HEAP_MAX || box_type(b) == T_BIN) return mk_binary(p, binary_bytes(b) + off, len);
    RefBin *rb = (RefBin *)(uintptr_t)box_ptr(b)[1 + BINREF_BIN];
    refbin_retain(rb);
    Value *o = lv_alloc(p, 1 + BINREF_WORDS);
    o[0] = mk_header(T_BINREF, 0, BINREF_WORDS);
    o[1 + BINREF_BIN] = (Value)(uintptr_t)rb;
    o[1 + BINREF_DATA] = (Value)(uintptr_t)(binary_bytes(b) + off);
    o[1 + BINREF_LEN] = len;
    o[1 + BINREF_NEXT] = LV_NIL;
    Value v = box_val(o);
    heap_track_offheap(&p->heap, v, len);
    return v;
}

Value binary_concat(Proc *p, const Value *bins, size_t n) {
    if (n == 1) return bins[0];
    size_t total = 0;
    for (size_t i = 0; i < n; i++) total += binary_size(bins[i]);
    if (total > BIN_HEAP_MAX && mem_refuses(total)) return LV_NONE;
    Value r = mk_binary_try_uninit(p, total);
    if (r == LV_NONE) return LV_NONE;
    uint8_t *dst = (uint8_t *)binary_bytes(r);
    for (size_t i = 0; i < n; i++) {
        size_t len = binary_size(bins[i]);
        if (len) memcpy(dst, binary_bytes(bins[i]), len);
        dst += len;
    }
    return r;
}

bool binary_equal(Value a, Value b) {
    size_t n = binary_size(a);
    return n == binary_size(b) && (n == 0 || memcmp(binary_bytes(a), binary_bytes(b), n) == 0);
}

Value bytebuf_new(Proc *p, size_t n, bool zero) {
    if (n > BYTEBUF_MAX || !mem_fits(sizeof(ByteBuf) + n)) return LV_NONE;
    /* Not xmalloc: a Lonala program asking for too much is an error it
     * gets back (:oom), not a runtime bug. */
    ByteBuf *buf = zero ? mem_calloc(sizeof(ByteBuf) + n) : mem_alloc(sizeof(ByteBuf) + n);
    if (!buf) return LV_NONE;
    buf->size = n;
    buf->owner = p->pid;
    Value *o = lv_alloc(p, 1 + BYTEBUF_WORDS);
    o[0] = mk_header(T_BYTEBUF, 0, BYTEBUF_WORDS);
    o[1 + BYTEBUF_BUF] = (Value)(uintptr_t)buf;
    o[1 + BYTEBUF_NEXT] = LV_NIL;
    Value v = box_val(o);
    heap_track_offheap(&p->heap, v, n);
    return v;
}

ByteBuf *bytebuf_dup(const ByteBuf *old) {
    ByteBuf *b = mem_alloc(sizeof *b + old->size);
    if (!b) lona_panic("out of memory (%zu bytes)", sizeof *b + old->size);
    memcpy(b, old, sizeof *b + old->size); /* size, owner and bytes */
    return b;
}

void bytebuf_free(ByteBuf *b) { mem_free(b, sizeof *b + b->size); }
