/*
 * core_coll.h — helpers shared by the collection intrinsics (core_coll.c,
 * core_seq.c): lookup and update with the exact errors of spec 7.5, index
 * arguments, reduction charging for O(n) work, and the room one call may
 * take on the heap (also used by the text builders of core_str.c).
 */
#ifndef LONA_CORE_COLL_H
#define LONA_CORE_COLL_H

#include <stddef.h>
#include <stdint.h>

#include "proc/proc.h"
#include "term/alloc.h"
#include "term/coll.h"
#include "term/term.h"

/* Charge the reductions of walking or building n elements. */
static inline void core_charge(Proc *p, size_t n) {
    size_t r = n / 16;
    p->reductions -= (int32_t)(r > (1u << 20) ? (1u << 20) : r);
}

/* Heap words one native call may build into a single result: the
 * process's :max-heap-size, and never more than the machine's memory. The
 * collector checks the limit only at the next safe point, so a generator
 * such as (range n) must check it up front, or one call would take any
 * amount of memory (and time, on a scheduler thread) first. */
size_t core_heap_room(Proc *p);
/* [:error :oom], as when the collector finds the heap over its limit (its
 * note names the room core_heap_room gave). */
Value core_oom(Proc *p);

/* An integer argument of any kind, clamped to int64 (bignums give
 * INT64_MIN/INT64_MAX). False when v is not an integer. */
bool core_int_arg(Value v, int64_t *out);

/* get without a default: the value, LV_NONE when absent, LV_EXC after a
 * :type-error for a value that cannot be looked up (fname names the
 * intrinsic in the error). */
Value core_lookup(Proc *p, const char *fname, Value c, Value k);
/* put: map (nil as %{}), or tuple/vector with index 0..count. */
Value core_put(Proc *p, const char *fname, Value c, Value k, Value v);
/* The elements of a ValArr as a list. */
static inline Value core_list_of(Proc *p, const ValArr *a) { return mk_list_from(p, a->v, a->n); }
/* :index-out-of-bounds with %{:index i :count n}. */
Value core_index_error(Proc *p, Value index, size_t count);

#endif
