/*
 * copy.h — flat copies of terms: into the literal area (def, constants),
 * into a message fragment (send), into another heap.
 *
 * A copy is made in two passes: term_flat_size measures the words needed
 * (explicit stack, never the C stack), then term_copy_flat copies into one
 * contiguous block with a Cheney scan. Objects already in the literal area
 * are shared, not copied; sharing inside the source is not preserved (as on
 * the BEAM). Off-heap binaries gain a reference for the copy.
 */
#ifndef LONA_COPY_H
#define LONA_COPY_H

#include <stdbool.h>
#include <stddef.h>

#include "gc/heap.h"
#include "gc/literal.h"
#include "term/term.h"

typedef struct CopySize {
    size_t words;
    bool has_bytebuf;     /* a bytebuf was met (cannot be sent) */
    bool has_local_only;  /* a closure/var was met (cannot cross realms) */
    bool has_offheap;     /* an off-heap binary or bytebuf was met */
} CopySize;

CopySize term_flat_size(const LitArea *lit, Value v);
/* Copy v into block (at least term_flat_size words). Off-heap objects of the
 * copy are linked into dest_heap's list when dest_heap is non-NULL. With
 * dest_heap NULL, a block in the literal area hands them to the area
 * (freed with it); any other block is a message fragment, which drops them
 * when released or adopted by a heap. Bytebufs are duplicated, binaries
 * get a reference. */
Value term_copy_flat(const LitArea *lit, Value v, Value *block, Heap *dest_heap);

#endif
