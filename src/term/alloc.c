/*
 * alloc.c — constructors that are too large to inline (see alloc.h).
 */
#include "term/alloc.h"

#include "base/mem.h"
#include "base/utf8.h"
#include "base/util.h"
#include "term/binary.h"

Value mk_string_n(Proc *p, const char *bytes, size_t len, size_t cp) {
    size_t words = 2 + (len + 8) / 8; /* room for a NUL after the bytes */
    Value *o = lv_alloc(p, 1 + words);
    o[0] = mk_header(T_STRING, 0, words);
    o[1] = len;
    o[2] = cp;
    o[words] = 0; /* zero the last word so padding is deterministic */
    memcpy(o + 3, bytes, len);
    ((char *)(o + 3))[len] = 0;
    return box_val(o);
}

Value mk_string(Proc *p, const char *bytes, size_t len) {
    size_t cp = 0;
    if (!utf8_validate(bytes, len, &cp)) {
        /* Callers promise valid UTF-8; count bytes rather than fail. */
        cp = len;
    }
    return mk_string_n(p, bytes, len, cp);
}

Value mk_binary_uninit(Proc *p, size_t len) {
    Value v = mk_binary_try_uninit(p, len);
    if (UNLIKELY(v == LV_NONE)) lona_panic("out of memory (%zu bytes)", len);
    return v;
}

Value mk_binary_try_uninit(Proc *p, size_t len) {
    if (len <= BIN_HEAP_MAX) {
        size_t words = 1 + (len + 7) / 8;
        Value *o = lv_alloc(p, 1 + words);
        o[0] = mk_header(T_BIN, 0, words);
        o[1] = len;
        o[words] = 0;
        return box_val(o);
    }
    heap_check_budget(&p->heap, len);
    RefBin *b = refbin_try_new(len);
    if (!b) {
        heap_over_budget(&p->heap, len);
        return LV_NONE;
    }
    Value *o = lv_alloc(p, 1 + BINREF_WORDS);
    o[0] = mk_header(T_BINREF, 0, BINREF_WORDS);
    o[1 + BINREF_BIN] = (Value)(uintptr_t)b;
    o[1 + BINREF_DATA] = (Value)(uintptr_t)b->bytes;
    o[1 + BINREF_LEN] = len;
    o[1 + BINREF_NEXT] = LV_NIL;
    Value v = box_val(o);
    heap_track_offheap(&p->heap, v, len);
    return v;
}

Value mk_binary(Proc *p, const void *bytes, size_t len) {
    Value v = mk_binary_uninit(p, len);
    if (len) memcpy((uint8_t *)binary_bytes(v), bytes, len);
    return v;
}

Value mk_list_from(Proc *p, const Value *xs, size_t n) {
    Value l = LV_EMPTY;
    while (n > 0) l = mk_cons(p, xs[--n], l);
    return l;
}

Value list_reverse(Proc *p, Value list) {
    Value r = LV_EMPTY;
    for (; is_cons(list); list = cdr(list)) r = mk_cons(p, car(list), r);
    return r;
}
