/*
 * binary.h — immutable binaries and mutable bytebufs.
 *
 * A binary of at most BIN_HEAP_MAX bytes is a T_BIN object on the heap:
 * { header, byte length, bytes... }. A larger one lives off-heap in a
 * RefBin (reference-counted, shared between the processes of a realm and
 * with the literal area); the heap holds a T_BINREF { header, RefBin *,
 * data pointer, length, off-heap link } so slices share their parent's
 * bytes. The collector drops a reference when a T_BINREF dies (gc/heap.h
 * keeps the off-heap links).
 *
 * A bytebuf is a T_BYTEBUF { header, ByteBuf *, off-heap link }: one
 * process owns it, the buffer is freed when the object dies. The buffer
 * records the pid of the process that made it; a copy (into the literal
 * area by def, into an exit reason) keeps that owner, so a bytebuf
 * reached by any other process, through a var, a closure or a signal,
 * is refused by every intrinsic that reads or writes it (pids are never
 * reused, so a dead owner's buffers stay refused).
 */
#ifndef LONA_BINARY_H
#define LONA_BINARY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "term/term.h"

#define BIN_HEAP_MAX 64

typedef struct RefBin {
    _Atomic long refs;
    size_t size;
    uint8_t bytes[];
} RefBin;

typedef struct ByteBuf {
    size_t size;
    Value owner; /* pid of the process that made it */
    uint8_t bytes[];
} ByteBuf;

/* T_BINREF payload word indices */
enum { BINREF_BIN = 0, BINREF_DATA = 1, BINREF_LEN = 2, BINREF_NEXT = 3, BINREF_WORDS = 4 };
/* T_BYTEBUF payload word indices */
enum { BYTEBUF_BUF = 0, BYTEBUF_NEXT = 1, BYTEBUF_WORDS = 2 };

static inline size_t binary_size(Value v) {
    return box_type(v) == T_BIN ? (size_t)box_ptr(v)[1] : (size_t)box_ptr(v)[1 + BINREF_LEN];
}
static inline const uint8_t *binary_bytes(Value v) {
    return box_type(v) == T_BIN ? (const uint8_t *)(box_ptr(v) + 2)
                                : (const uint8_t *)(uintptr_t)box_ptr(v)[1 + BINREF_DATA];
}
static inline ByteBuf *bytebuf_of(Value v) {
    return (ByteBuf *)(uintptr_t)box_ptr(v)[1 + BYTEBUF_BUF];
}

/* A binary of size bytes, charged to the memory budget (base/mem.h); the
 * caller checks the budget first when a process asked for it. */
RefBin *refbin_new(size_t size);
/* The same, NULL when the C allocator refuses. */
RefBin *refbin_try_new(size_t size);
void refbin_retain(RefBin *b);
void refbin_release(RefBin *b);

struct Proc;

/* Bytes [off, off + len) of binary b; the caller has checked the range.
 * A slice longer than BIN_HEAP_MAX of an off-heap binary shares its
 * RefBin; shorter slices are copied onto the heap, so a small piece does
 * not keep a large parent alive. */
Value binary_slice(struct Proc *p, Value b, size_t off, size_t len);
/* The concatenation of n binaries; LV_NONE when the memory budget
 * (base/mem.h) refuses it (the caller raises :oom). */
Value binary_concat(struct Proc *p, const Value *bins, size_t n);
/* Same bytes? */
bool binary_equal(Value a, Value b);

/* Largest bytebuf asked of the C allocator; bigger requests fail at once
 * (no machine this runs on has a terabyte to give one process). */
#define BYTEBUF_MAX (UINT64_C(1) << 40)

/* A new bytebuf of n bytes, zero-filled when zero is set; LV_NONE when
 * the memory cannot be had (the caller raises :oom). */
Value bytebuf_new(struct Proc *p, size_t n, bool zero);
/* A bytebuf's bytes (charged to the memory budget) for a copy of one. */
ByteBuf *bytebuf_dup(const ByteBuf *b);
void bytebuf_free(ByteBuf *b);
static inline size_t bytebuf_size(Value v) { return bytebuf_of(v)->size; }
/* May the process with this pid use bytebuf v? */
static inline bool bytebuf_owned_by(Value v, Value pid) { return bytebuf_of(v)->owner == pid; }

#endif
