/*
 * mem.h — the memory budget: how many bytes the Lonala processes of this
 * OS process may hold, and how many they hold now.
 *
 * What is counted: process heap blocks (young, old, fragments), message
 * fragments (pooled blocks while in use), off-heap binaries and bytebufs,
 * the values def gives vars (kept in the literal area for good, at most
 * half the budget: vm/ns.c var_define), shared regions and the budgets
 * of child realms with a memory policy. What is not: code, the rest of
 * the literal area, the runtime's own tables, the free blocks the pools
 * keep and the collector's scratch areas.
 *
 * The budget belongs to the OS process, not to a Runtime: physical memory
 * and RLIMIT_AS are the OS process's, and a realm is one OS process (a
 * child realm inherits LONA_MAX_MEMORY and has its own budget).
 *
 * Any thread may charge and uncharge: one relaxed atomic add per block (a
 * heap block, a binary), never per object; small blocks (pooled message
 * blocks, up to 64 KiB from malloc) are summed per thread first and added
 * a mebibyte at a time, so the count lags by at most that per thread.
 *
 * The count may pass the limit by what one allocation adds: a heap block
 * that does not fit is still made when the allocator gives it, and its
 * process is told to end with [:error :oom] at its next safe point
 * (gc/heap.h); binaries and messages that do not fit are refused at once
 * (mem_refuses). Only an allocation the C allocator refuses after the
 * emergency reserve is given back, outside those paths, is fatal.
 */
#ifndef LONA_MEM_H
#define LONA_MEM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct MemBudget {
    _Atomic size_t used;
    _Atomic size_t limit;
} MemBudget;

extern MemBudget mem_budget;

/* The default limit: half the address space RLIMIT_AS leaves unmapped when
 * it is set, else 3/4 of physical memory. */
size_t mem_default_limit(void);
/* LONA_MAX_MEMORY when it is a valid number of bytes, else the default. */
void mem_init_from_env(void);
void mem_set_limit(size_t bytes);

static inline size_t mem_limit(void) { return atomic_load_explicit(&mem_budget.limit, memory_order_relaxed); }
/* The count may dip below zero for a moment: a thread may give back in
 * its batch blocks another thread has not yet added (mem_charge_small). */
static inline size_t mem_used(void) {
    size_t used = atomic_load_explicit(&mem_budget.used, memory_order_relaxed);
    return (ptrdiff_t)used < 0 ? 0 : used;
}
static inline void mem_charge(size_t n) { atomic_fetch_add_explicit(&mem_budget.used, n, memory_order_relaxed); }
static inline void mem_uncharge(size_t n) { atomic_fetch_sub_explicit(&mem_budget.used, n, memory_order_relaxed); }
/* For many small blocks (pooled message blocks): kept per thread and
 * added to the count a mebibyte at a time, so that the count is late by
 * at most that much per thread. */
void mem_charge_small(size_t n);
void mem_uncharge_small(size_t n);

/* Whether n more bytes stay within the limit. */
static inline bool mem_fits(size_t n) {
    size_t used = mem_used(), limit = mem_limit();
    return used <= limit && n <= limit - used;
}
/* Whether n more bytes stay within the limit and a headroom of a 16th
 * more, which small processes may use while a big one is ended. */
static inline bool mem_fits_headroom(size_t n) {
    size_t used = mem_used(), hard = mem_limit() + mem_limit() / 16;
    return used <= hard && n <= hard - used;
}
/* Whether n more bytes stay within the first half of the headroom, where
 * messages stop: a flood of small messages ends before the processes that
 * go on working need what is left. */
static inline bool mem_fits_half_headroom(size_t n) {
    size_t used = mem_used(), hard = mem_limit() + mem_limit() / 32;
    return used <= hard && n <= hard - used;
}
/* Whether a new binary or message of n bytes is refused: it does not
 * fit, and it is large (a 64th of the limit) or the first half of the
 * headroom is spent too. */
static inline bool mem_refuses(size_t n) {
    return !mem_fits(n) && (n >= mem_limit() / 64 || !mem_fits_half_headroom(n));
}
/* Bytes left under the limit (0 when over). */
static inline size_t mem_room(void) {
    size_t used = mem_used(), limit = mem_limit();
    return used < limit ? limit - used : 0;
}

/* malloc(n), charged. When the C allocator refuses, the emergency reserve
 * is given back and the allocation tried again; NULL if that fails too. */
void *mem_alloc(size_t n);
void *mem_calloc(size_t n);
/* free(p) of a block of n bytes from mem_alloc. */
void mem_free(void *p, size_t n);

/* The lower and upper bounds of LONA_MAX_MEMORY and --max-memory. */
#define MEM_LIMIT_MIN (1ULL << 20)
#define MEM_LIMIT_MAX (1ULL << 60)

#endif
