/*
 * mem.c — the memory budget (see mem.h).
 */
#include "base/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

MemBudget mem_budget = {.limit = (size_t)MEM_LIMIT_MAX};

/* Some memory held back from the start, given back to the C allocator the
 * first time it refuses a request: what a process that ran out needs to
 * unwind and exit. */
#define RESERVE_BYTES (8u << 20)
static void *_Atomic reserve;

/* Bytes of address space the process has mapped (the literal area's
 * reservation among them), from /proc/self/statm; 0 if unknown. */
static size_t mapped_bytes(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (!f) return 0;
    if (fscanf(f, "%lu", &pages) != 1) pages = 0;
    fclose(f);
    long size = sysconf(_SC_PAGESIZE);
    return size > 0 ? (size_t)pages * (size_t)size : 0;
}

size_t mem_default_limit(void) {
    struct rlimit rl;
    /* Under RLIMIT_AS, half of what is not mapped yet: a collection needs
     * room beside the heap it copies, and threads and allocator arenas
     * take address space that the budget does not count. */
    if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        size_t mapped = mapped_bytes(), lim = (size_t)rl.rlim_cur;
        size_t free_as = lim > mapped ? lim - mapped : 0;
        return free_as / 2 > MEM_LIMIT_MIN ? free_as / 2 : (size_t)MEM_LIMIT_MIN;
    }
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || size <= 0) return (size_t)MEM_LIMIT_MAX;
    return (size_t)pages / 4 * 3 * (size_t)size;
}

void mem_set_limit(size_t bytes) { atomic_store_explicit(&mem_budget.limit, bytes, memory_order_relaxed); }

void mem_init_from_env(void) {
    const char *s = getenv("LONA_MAX_MEMORY");
    char *end;
    unsigned long long n = s && *s ? strtoull(s, &end, 10) : 0;
    bool valid = s && *s && !*end && n >= MEM_LIMIT_MIN && n <= MEM_LIMIT_MAX;
    mem_set_limit(valid ? (size_t)n : mem_default_limit());
    if (!atomic_load_explicit(&reserve, memory_order_relaxed)) {
        void *r = malloc(RESERVE_BYTES);
        void *none = NULL;
        if (r && !atomic_compare_exchange_strong(&reserve, &none, r)) free(r);
    }
}

#define SMALL_BATCH ((ptrdiff_t)1 << 20)
static _Thread_local ptrdiff_t small_delta;

void mem_charge_small(size_t n) {
    small_delta += (ptrdiff_t)n;
    if (small_delta >= SMALL_BATCH) {
        mem_charge((size_t)small_delta);
        small_delta = 0;
    }
}

void mem_uncharge_small(size_t n) {
    small_delta -= (ptrdiff_t)n;
    if (small_delta <= -SMALL_BATCH) {
        mem_uncharge((size_t)-small_delta);
        small_delta = 0;
    }
}

static bool give_back_reserve(void) {
    void *r = atomic_exchange(&reserve, NULL);
    free(r);
    return r != NULL;
}

/* Blocks up to this size (a new process's first heap block among them)
 * are counted in the per-thread batch: spawning on several threads at
 * once does not make them meet on the shared count. */
#define SMALL_BLOCK ((size_t)64 << 10)

static void charge_block(size_t n) {
    if (n <= SMALL_BLOCK) mem_charge_small(n);
    else mem_charge(n);
}

void *mem_alloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p && give_back_reserve()) p = malloc(n ? n : 1);
    if (p) charge_block(n);
    return p;
}

void *mem_calloc(size_t n) {
    void *p = calloc(1, n ? n : 1);
    if (!p && give_back_reserve()) p = calloc(1, n ? n : 1);
    if (p) charge_block(n);
    return p;
}

void mem_free(void *p, size_t n) {
    if (!p) return;
    if (n <= SMALL_BLOCK) mem_uncharge_small(n);
    else mem_uncharge(n);
    free(p);
}
