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
#include <stdatomic.h>
#include <stdbool.h>
#include "term/term.h"

typedef struct LitArea {
    pthread_mutex_t lock;
    char *base;
    size_t reserved;
    char *top;
    void **owned;     /* buffers of literal bytebufs, freed with the area */
    size_t nowned, capowned;
    void **refbins;   /* RefBins of literal binaries: one reference each, dropped with the area */
    size_t nrefbins, caprefbins;
    /* Set once a literal holds a bytebuf; until then copies need not look
     * at the HF_BYTEBUF flag of the literals they meet (gc/copy.c). */
    _Atomic bool has_bytebufs;
} LitArea;

struct Runtime;
struct RefBin;

void lit_init(LitArea *a);
void lit_free(LitArea *a);
/* Zeroed, 8-byte aligned words. Thread-safe. */
Value *lit_alloc(LitArea *a, size_t words);

static inline bool lit_contains(const LitArea *a, const void *p) {
    return (const char *)p >= a->base && (const char *)p < a->base + a->reserved;
}

/* Remember a malloc'd buffer a literal owns. Thread-safe. */
void lit_own(LitArea *a, void *buf);
/* Remember a reference to a RefBin that a literal holds (taken by the
 * caller); lit_free drops it. Thread-safe. */
void lit_hold_refbin(LitArea *a, struct RefBin *b);

/* Deep-copy a value into the literal area (shares what is already there).
 * Off-heap binaries get an extra reference, held until the area is freed.
 * Each copied object that is or holds a bytebuf is flagged HF_BYTEBUF. */
Value lit_copy(struct Runtime *rt, Value v);

#endif
