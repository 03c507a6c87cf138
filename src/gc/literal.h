/*
 * literal.h — the runtime's literal area.
 *
 * Compiled code, quoted constants, var roots, vars and namespaces live here,
 * outside every process heap. Objects are written once, then published and
 * never changed or moved (var roots are swapped atomically, the old value is
 * left in place), so any thread may read them without locks and process
 * heaps may point into the area freely. The area is one large reservation of
 * address space, so "is this pointer a literal?" is a range check that the
 * collector makes for every pointer it meets.
 *
 * Memory here is never freed while the runtime lives; redefinitions leave
 * their old values behind (as code loading does on the BEAM until a purge).
 */
#ifndef LONA_LITERAL_H
#define LONA_LITERAL_H

#include <pthread.h>
#include <stdbool.h>
#include "term/term.h"

typedef struct LitArea {
    pthread_mutex_t lock;
    char *base;
    size_t reserved;
    char *top;
    void **owned;     /* malloc'd buffers of literal bytebufs, freed with the area */
    size_t nowned, capowned;
} LitArea;

struct Runtime;

void lit_init(LitArea *a);
void lit_free(LitArea *a);
/* Zeroed, 8-byte aligned words. Thread-safe. */
Value *lit_alloc(LitArea *a, size_t words);

static inline bool lit_contains(const LitArea *a, const void *p) {
    return (const char *)p >= a->base && (const char *)p < a->base + a->reserved;
}

/* Remember a malloc'd buffer a literal owns. Thread-safe. */
void lit_own(LitArea *a, void *buf);

/* Deep-copy a value into the literal area (shares what is already there).
 * Off-heap binaries get an extra reference that is never dropped. */
Value lit_copy(struct Runtime *rt, Value v);

#endif
