/*
 * alloc.h — constructors for the common boxed values, on a process heap.
 *
 * All of them allocate with heap_alloc and so never trigger a collection:
 * Values held in C locals stay valid across these calls (see gc/heap.h).
 * To build in the literal area, build on a process heap and lit_copy.
 */
#ifndef LONA_ALLOC_H
#define LONA_ALLOC_H

#include <string.h>

#include "gc/heap.h"
#include "proc/proc.h"
#include "term/term.h"

static inline Value *lv_alloc(Proc *p, size_t words) { return heap_alloc(&p->heap, words); }

/* A boxed object with `size` payload words; payload left uninitialised. */
static inline Value mk_box(Proc *p, BoxType t, uint64_t flags, size_t size) {
    Value *o = lv_alloc(p, size + 1);
    o[0] = mk_header(t, flags, size);
    return box_val(o);
}

static inline Value mk_cons(Proc *p, Value a, Value d) {
    Value *o = lv_alloc(p, 3);
    o[0] = mk_header(T_CONS, 0, 2);
    o[1] = a;
    o[2] = d;
    return box_val(o);
}

/* Tuple of n elements, all nil; fill with tuple_elems(). */
static inline Value mk_tuple(Proc *p, size_t n) {
    Value *o = lv_alloc(p, n + 1);
    o[0] = mk_header(T_TUPLE, 0, n);
    for (size_t i = 0; i < n; i++) o[i + 1] = LV_NIL;
    return box_val(o);
}

static inline Value mk_tuple2(Proc *p, Value a, Value b) {
    Value t = mk_tuple(p, 2);
    tuple_elems(t)[0] = a;
    tuple_elems(t)[1] = b;
    return t;
}

static inline Value mk_tuple3(Proc *p, Value a, Value b, Value c) {
    Value t = mk_tuple(p, 3);
    tuple_elems(t)[0] = a;
    tuple_elems(t)[1] = b;
    tuple_elems(t)[2] = c;
    return t;
}

static inline Value mk_float(Proc *p, double d) {
    Value *o = lv_alloc(p, 2);
    o[0] = mk_header(T_FLOAT, 0, 1);
    memcpy(&o[1], &d, sizeof d);
    return box_val(o);
}

/* String from UTF-8 bytes the caller has already validated; cp = code points. */
Value mk_string_n(Proc *p, const char *bytes, size_t len, size_t cp);
/* String from UTF-8 bytes; counts code points (input must be valid UTF-8). */
Value mk_string(Proc *p, const char *bytes, size_t len);
static inline Value mk_cstring(Proc *p, const char *s) { return mk_string(p, s, strlen(s)); }

/* Binary (heap-resident up to 64 bytes, off-heap and shared above). */
Value mk_binary(Proc *p, const void *bytes, size_t len);
/* Uninitialised binary of len bytes; write through binary_bytes() before use. */
Value mk_binary_uninit(Proc *p, size_t len);
/* The same, LV_NONE when the C allocator refuses the bytes (the process is
 * then marked to end with :oom, gc/heap.h). */
Value mk_binary_try_uninit(Proc *p, size_t len);

/* List from an array (in order). */
Value mk_list_from(Proc *p, const Value *xs, size_t n);
/* Reverse a proper list. */
Value list_reverse(Proc *p, Value list);

#endif
