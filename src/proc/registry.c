/*
 * registry.c — name registry (see registry.h): a small open-addressing
 * table keyed by the symbol's atom index, under one mutex.
 */
#include "proc/registry.h"

#include <pthread.h>
#include <stdlib.h>

#include "base/util.h"
#include "vm/runtime.h"

typedef struct Entry {
    uint32_t atom;   /* UINT32_MAX empty, UINT32_MAX-1 deleted */
    Value pid;
} Entry;

struct Registry {
    pthread_mutex_t lock;
    Entry *e;
    uint32_t mask, used;
};

#define EMPTY UINT32_MAX
#define GONE (UINT32_MAX - 1)

Registry *registry_new(void) {
    Registry *r = xcalloc(1, sizeof *r);
    pthread_mutex_init(&r->lock, NULL);
    r->mask = 63;
    r->e = xmalloc(64 * sizeof(Entry));
    for (uint32_t i = 0; i < 64; i++) r->e[i].atom = EMPTY;
    return r;
}

void registry_free(Registry *r) {
    if (!r) return;
    pthread_mutex_destroy(&r->lock);
    free(r->e);
    free(r);
}

static Entry *find(Registry *r, uint32_t atom) {
    uint32_t i = (atom * 2654435761u) & r->mask;
    while (r->e[i].atom != EMPTY) {
        if (r->e[i].atom == atom) return &r->e[i];
        i = (i + 1) & r->mask;
    }
    return NULL;
}

static void grow(Registry *r) {
    Entry *old = r->e;
    uint32_t old_mask = r->mask;
    r->mask = r->mask * 2 + 1;
    r->e = xmalloc((size_t)(r->mask + 1) * sizeof(Entry));
    for (uint32_t i = 0; i <= r->mask; i++) r->e[i].atom = EMPTY;
    r->used = 0;
    for (uint32_t i = 0; i <= old_mask; i++) {
        if (old[i].atom >= GONE) continue;
        uint32_t j = (old[i].atom * 2654435761u) & r->mask;
        while (r->e[j].atom != EMPTY) j = (j + 1) & r->mask;
        r->e[j] = old[i];
        r->used++;
    }
    free(old);
}

bool registry_add(Runtime *rt, Value name, Value pid) {
    Registry *r = rt->registry;
    uint32_t atom = atom_index(sym_strip(name));
    pthread_mutex_lock(&r->lock);
    bool ok = find(r, atom) == NULL;
    if (ok) {
        if ((r->used + 1) * 2 > r->mask) grow(r);
        uint32_t i = (atom * 2654435761u) & r->mask;
        while (r->e[i].atom < GONE) i = (i + 1) & r->mask;
        if (r->e[i].atom == EMPTY) r->used++;
        r->e[i] = (Entry){atom, pid};
    }
    pthread_mutex_unlock(&r->lock);
    return ok;
}

bool registry_remove(Runtime *rt, Value name, Value pid) {
    Registry *r = rt->registry;
    pthread_mutex_lock(&r->lock);
    Entry *e = find(r, atom_index(sym_strip(name)));
    bool ok = e && (pid == LV_NONE || e->pid == pid);
    if (ok) e->atom = GONE;
    pthread_mutex_unlock(&r->lock);
    return ok;
}

Value registry_lookup(Runtime *rt, Value name) {
    Registry *r = rt->registry;
    pthread_mutex_lock(&r->lock);
    Entry *e = find(r, atom_index(sym_strip(name)));
    Value pid = e ? e->pid : LV_NIL;
    pthread_mutex_unlock(&r->lock);
    return pid;
}

void registry_remove_pid(Runtime *rt, Value pid) {
    Registry *r = rt->registry;
    pthread_mutex_lock(&r->lock);
    for (uint32_t i = 0; i <= r->mask; i++)
        if (r->e[i].atom < GONE && r->e[i].pid == pid) r->e[i].atom = GONE;
    pthread_mutex_unlock(&r->lock);
}

uint32_t *registry_names(Runtime *rt, uint32_t *n) {
    Registry *r = rt->registry;
    pthread_mutex_lock(&r->lock);
    uint32_t *atoms = xmalloc((size_t)(r->mask + 1) * sizeof *atoms);
    *n = 0;
    for (uint32_t i = 0; i <= r->mask; i++)
        if (r->e[i].atom < GONE) atoms[(*n)++] = r->e[i].atom;
    pthread_mutex_unlock(&r->lock);
    return atoms;
}
