/*
 * literal.c — the literal area (see literal.h).
 */
#include "gc/literal.h"

#include <stdlib.h>
#include <sys/mman.h>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#include "base/util.h"
#include "term/binary.h"
#include "vm/runtime.h"

/* Address space reserved up front; pages are only backed when touched. */
#define LIT_RESERVE ((size_t)64 << 30)

void lit_init(LitArea *a) {
    pthread_mutex_init(&a->lock, NULL);
    a->reserved = LIT_RESERVE;
    void *m = mmap(NULL, a->reserved, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) {
        a->reserved = (size_t)4 << 30;
        m = mmap(NULL, a->reserved, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (m == MAP_FAILED) lona_panic("cannot reserve the literal area");
    }
    a->base = m;
    a->top = a->base;
    atomic_init(&a->has_bytebufs, false);
#if defined(__SANITIZE_ADDRESS__)
    /* Pointers kept only in the literal area are not leaks. */
    __lsan_register_root_region(a->base, a->reserved);
#endif
}

/* Append p to a growable array of pointers (under a->lock). */
static void ptrs_push(LitArea *a, void ***items, size_t *len, size_t *cap, void *p) {
    pthread_mutex_lock(&a->lock);
    if (*len == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *items = xrealloc(*items, *cap * sizeof(void *));
    }
    (*items)[(*len)++] = p;
    pthread_mutex_unlock(&a->lock);
}

void lit_own(LitArea *a, void *buf) { ptrs_push(a, &a->owned, &a->nowned, &a->capowned, buf); }

void lit_hold_refbin(LitArea *a, RefBin *b) { ptrs_push(a, &a->refbins, &a->nrefbins, &a->caprefbins, b); }

void lit_free(LitArea *a) {
    for (size_t i = 0; i < a->nowned; i++) bytebuf_free(a->owned[i]);
    free(a->owned);
    for (size_t i = 0; i < a->nrefbins; i++) refbin_release(a->refbins[i]);
    free(a->refbins);
#if defined(__SANITIZE_ADDRESS__)
    __lsan_unregister_root_region(a->base, a->reserved);
#endif
    munmap(a->base, a->reserved);
    pthread_mutex_destroy(&a->lock);
}

Value *lit_alloc(LitArea *a, size_t words) {
    pthread_mutex_lock(&a->lock);
    size_t bytes = words * sizeof(Value);
    if ((size_t)(a->base + a->reserved - a->top) < bytes) lona_panic("literal area exhausted");
    Value *r = (Value *)a->top;
    a->top += bytes;
    pthread_mutex_unlock(&a->lock);
    return r; /* fresh anonymous pages are zero */
}
