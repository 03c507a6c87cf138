/*
 * atoms.c — intern table for symbol and keyword names (see atoms.h).
 */
#include "term/atoms.h"

#include <stdlib.h>
#include <string.h>
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "base/util.h"

static uint64_t text_hash(const char *ns, size_t ns_len, const char *name, size_t name_len) {
    XXH3_state_t st;
    XXH3_64bits_reset(&st);
    if (ns) {
        XXH3_64bits_update(&st, ns, ns_len);
        XXH3_64bits_update(&st, "/", 1);
    }
    XXH3_64bits_update(&st, name, name_len);
    return XXH3_64bits_digest(&st);
}

static bool entry_is(const AtomEntry *e, const char *ns, size_t ns_len, const char *name,
                     size_t name_len) {
    if ((e->ns == NULL) != (ns == NULL)) return false;
    if (ns && (e->ns_len != ns_len || memcmp(e->ns, ns, ns_len) != 0)) return false;
    return e->name_len == name_len && memcmp(e->name, name, name_len) == 0;
}

static char *copy_text(const char *s, size_t n) {
    char *c = xmalloc(n + 1);
    memcpy(c, s, n);
    c[n] = 0;
    return c;
}

static void rehash(AtomTable *t) {
    uint32_t new_mask = t->slot_mask * 2 + 1;
    uint32_t *slots = xcalloc((size_t)new_mask + 1, sizeof *slots);
    uint32_t n = atomic_load(&t->count);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t s = (uint32_t)atoms_get(t, i)->hash & new_mask;
        while (slots[s]) s = (s + 1) & new_mask;
        slots[s] = i + 1;
    }
    free(t->slots);
    t->slots = slots;
    t->slot_mask = new_mask;
}

static uint32_t intern_locked(AtomTable *t, const char *ns, size_t ns_len, const char *name,
                              size_t name_len) {
    uint64_t h = text_hash(ns, ns_len, name, name_len);
    uint32_t s = (uint32_t)h & t->slot_mask;
    while (t->slots[s]) {
        uint32_t idx = t->slots[s] - 1;
        if (entry_is(atoms_get(t, idx), ns, ns_len, name, name_len)) return idx;
        s = (s + 1) & t->slot_mask;
    }
    uint32_t idx = atomic_load(&t->count);
    if (idx >= ATOM_CHUNK_SIZE * ATOM_MAX_CHUNKS) return UINT32_MAX;
    /* The unqualified twin must exist first (it may be this entry itself). */
    uint32_t unq = ns ? intern_locked(t, NULL, 0, name, name_len) : idx;
    if (ns) {
        /* The recursive call may have taken idx and moved the slots. */
        idx = atomic_load(&t->count);
        s = (uint32_t)h & t->slot_mask;
        while (t->slots[s]) s = (s + 1) & t->slot_mask;
    }
    uint32_t c = idx >> ATOM_CHUNK_BITS;
    AtomEntry *chunk = atomic_load(&t->chunks[c]);
    if (!chunk) {
        chunk = xcalloc(ATOM_CHUNK_SIZE, sizeof *chunk);
        atomic_store_explicit(&t->chunks[c], chunk, memory_order_release);
    }
    AtomEntry *e = &chunk[idx & (ATOM_CHUNK_SIZE - 1)];
    e->ns = ns ? copy_text(ns, ns_len) : NULL;
    e->ns_len = (uint32_t)ns_len;
    e->name = copy_text(name, name_len);
    e->name_len = (uint32_t)name_len;
    e->hash = h;
    e->unqualified = unq;
    t->slots[s] = idx + 1;
    atomic_store_explicit(&t->count, idx + 1, memory_order_release);
    if ((idx + 1) * 2 > t->slot_mask) rehash(t);
    return idx;
}

uint32_t atoms_intern(AtomTable *t, const char *ns, size_t ns_len, const char *name,
                      size_t name_len) {
    pthread_mutex_lock(&t->lock);
    uint32_t idx = intern_locked(t, ns, ns_len, name, name_len);
    pthread_mutex_unlock(&t->lock);
    return idx;
}

uint32_t atoms_lookup(AtomTable *t, const char *ns, size_t ns_len, const char *name,
                      size_t name_len) {
    uint32_t found = UINT32_MAX;
    pthread_mutex_lock(&t->lock);
    uint64_t h = text_hash(ns, ns_len, name, name_len);
    uint32_t s = (uint32_t)h & t->slot_mask;
    while (t->slots[s]) {
        uint32_t idx = t->slots[s] - 1;
        if (entry_is(atoms_get(t, idx), ns, ns_len, name, name_len)) {
            found = idx;
            break;
        }
        s = (s + 1) & t->slot_mask;
    }
    pthread_mutex_unlock(&t->lock);
    return found;
}

uint32_t atoms_intern_text(AtomTable *t, const char *text, size_t len) {
    /* "/" alone and "ns//" name the division symbol; otherwise split at the
     * first '/'. */
    const char *slash = NULL;
    if (len > 1) {
        slash = memchr(text, '/', len - 1);
        if (slash == text) slash = NULL;
    }
    if (!slash) return atoms_intern(t, NULL, 0, text, len);
    return atoms_intern(t, text, (size_t)(slash - text), slash + 1,
                        len - (size_t)(slash - text) - 1);
}

void atoms_init(AtomTable *t) {
    memset(t, 0, sizeof *t);
    pthread_mutex_init(&t->lock, NULL);
    t->slot_mask = 1023;
    t->slots = xcalloc(1024, sizeof *t->slots);
    static const struct { const char *ns, *name; } known[] = {
#define X(id, ns, name) {ns, name},
        LONA_WELL_KNOWN_ATOMS(X)
#undef X
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        const char *ns = known[i].ns;
        /* Qualified well-known names must not force their unqualified twin
         * in between, or the fixed indices would shift: intern the twins
         * afterwards instead. */
        uint32_t idx = atomic_load(&t->count);
        uint64_t h = text_hash(ns, ns ? strlen(ns) : 0, known[i].name, strlen(known[i].name));
        uint32_t s = (uint32_t)h & t->slot_mask;
        while (t->slots[s]) s = (s + 1) & t->slot_mask;
        uint32_t c = idx >> ATOM_CHUNK_BITS;
        AtomEntry *chunk = atomic_load(&t->chunks[c]);
        if (!chunk) {
            chunk = xcalloc(ATOM_CHUNK_SIZE, sizeof *chunk);
            atomic_store(&t->chunks[c], chunk);
        }
        AtomEntry *e = &chunk[idx & (ATOM_CHUNK_SIZE - 1)];
        e->ns = ns ? copy_text(ns, strlen(ns)) : NULL;
        e->ns_len = ns ? (uint32_t)strlen(ns) : 0;
        e->name = copy_text(known[i].name, strlen(known[i].name));
        e->name_len = (uint32_t)strlen(known[i].name);
        e->hash = h;
        e->unqualified = idx;
        t->slots[s] = idx + 1;
        atomic_store(&t->count, idx + 1);
        if ((idx + 1) * 2 > t->slot_mask) rehash(t);
    }
    for (uint32_t i = 0; i < ATOM__WELL_KNOWN_COUNT; i++) {
        AtomEntry *e = (AtomEntry *)atoms_get(t, i);
        if (e->ns) e->unqualified = atoms_intern(t, NULL, 0, e->name, e->name_len);
    }
}

void atoms_free(AtomTable *t) {
    uint32_t n = atomic_load(&t->count);
    for (uint32_t i = 0; i < n; i++) {
        AtomEntry *e = (AtomEntry *)atoms_get(t, i);
        free((void *)e->ns);
        free((void *)e->name);
    }
    for (uint32_t c = 0; c < ATOM_MAX_CHUNKS; c++) free(atomic_load(&t->chunks[c]));
    free(t->slots);
    pthread_mutex_destroy(&t->lock);
}
