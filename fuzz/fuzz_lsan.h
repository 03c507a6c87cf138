/*
 * fuzz_lsan.h — what every fuzz target needs to run one runtime under
 * LeakSanitizer without false reports.
 *
 * gc/literal.c registers the literal area (namespace tables, interned
 * names...) with LeakSanitizer only when __SANITIZE_ADDRESS__ is defined,
 * which clang 14 does not do, and LeakSanitizer does not scan mmap'd
 * memory: fuzz_lsan_roots registers the area's used part [base, top) plus
 * a margin, again whenever it may have grown, and unregisters it (keep
 * false) before the runtime is freed. Header-only: each target is one
 * translation unit.
 */
#ifndef LONA_FUZZ_LSAN_H
#define LONA_FUZZ_LSAN_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "vm/rt.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer) && !defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define FUZZ_LSAN_ROOTS 1
#endif
#endif

static const void *fuzz_root_base; /* literal-area span registered with LSan */
static size_t fuzz_root_size;

static void fuzz_lsan_roots(Runtime *rt, bool keep) {
#ifdef FUZZ_LSAN_ROOTS
    if (fuzz_root_base) __lsan_unregister_root_region(fuzz_root_base, fuzz_root_size);
    fuzz_root_base = NULL;
    if (!keep || !rt) return;
    LitArea *a = &rt->lit;
    pthread_mutex_lock(&a->lock);
    fuzz_root_base = a->base;
    fuzz_root_size = (size_t)(a->top - a->base) + ((size_t)1 << 20);
    if (fuzz_root_size > a->reserved) fuzz_root_size = a->reserved;
    pthread_mutex_unlock(&a->lock);
    __lsan_register_root_region(fuzz_root_base, fuzz_root_size);
#else
    (void)rt;
    (void)keep;
#endif
}

#endif
