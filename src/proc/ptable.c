/*
 * ptable.c — open-addressing hash table of processes (see ptable.h).
 */
#include "proc/ptable.h"

#include <pthread.h>
#include <stdlib.h>

#include "base/util.h"
#include "proc/life.h"

typedef struct Slot {
    uint64_t id;          /* 0 = empty, UINT64_MAX = deleted */
    struct Proc *proc;
} Slot;

struct ProcTable {
    pthread_rwlock_t lock;
    Slot *slots;
    uint64_t mask, count, used;
};

ProcTable *ptable_new(void) {
    ProcTable *t = xcalloc(1, sizeof *t);
    pthread_rwlock_init(&t->lock, NULL);
    t->mask = 1023;
    t->slots = xcalloc(1024, sizeof(Slot));
    return t;
}

void ptable_free(ProcTable *t) {
    if (!t) return;
    pthread_rwlock_destroy(&t->lock);
    free(t->slots);
    free(t);
}

static uint64_t hash_id(uint64_t id) { return id * UINT64_C(0x9E3779B97F4A7C15); }

static void rehash(ProcTable *t, uint64_t new_mask) {
    Slot *old = t->slots;
    uint64_t old_mask = t->mask;
    t->slots = xcalloc(new_mask + 1, sizeof(Slot));
    t->mask = new_mask;
    t->used = 0;
    for (uint64_t i = 0; i <= old_mask; i++) {
        if (old[i].id == 0 || old[i].id == UINT64_MAX) continue;
        uint64_t s = hash_id(old[i].id) & new_mask;
        while (t->slots[s].id) s = (s + 1) & new_mask;
        t->slots[s] = old[i];
        t->used++;
    }
    free(old);
}

void ptable_insert(ProcTable *t, uint64_t id, struct Proc *p) {
    pthread_rwlock_wrlock(&t->lock);
    if ((t->used + 1) * 2 > t->mask) rehash(t, t->count * 4 > t->mask ? t->mask * 2 + 1 : t->mask);
    uint64_t s = hash_id(id) & t->mask;
    while (t->slots[s].id && t->slots[s].id != UINT64_MAX) s = (s + 1) & t->mask;
    if (t->slots[s].id == 0) t->used++;
    t->slots[s] = (Slot){id, p};
    t->count++;
    pthread_rwlock_unlock(&t->lock);
}

void ptable_remove(ProcTable *t, uint64_t id) {
    pthread_rwlock_wrlock(&t->lock);
    uint64_t s = hash_id(id) & t->mask;
    while (t->slots[s].id) {
        if (t->slots[s].id == id) {
            t->slots[s].id = UINT64_MAX;
            t->slots[s].proc = NULL;
            t->count--;
            break;
        }
        s = (s + 1) & t->mask;
    }
    pthread_rwlock_unlock(&t->lock);
}

/* Caller holds the lock. */
static struct Proc *find_locked(ProcTable *t, uint64_t id) {
    for (uint64_t s = hash_id(id) & t->mask; t->slots[s].id; s = (s + 1) & t->mask)
        if (t->slots[s].id == id) return t->slots[s].proc;
    return NULL;
}

struct Proc *ptable_lookup(ProcTable *t, uint64_t id) {
    pthread_rwlock_rdlock(&t->lock);
    struct Proc *p = find_locked(t, id);
    pthread_rwlock_unlock(&t->lock);
    return p;
}

struct Proc *ptable_lookup_ref(ProcTable *t, uint64_t id) {
    pthread_rwlock_rdlock(&t->lock);
    struct Proc *p = find_locked(t, id);
    if (p) proc_ref(p);
    pthread_rwlock_unlock(&t->lock);
    return p;
}

uint64_t ptable_count(ProcTable *t) {
    pthread_rwlock_rdlock(&t->lock);
    uint64_t n = t->count;
    pthread_rwlock_unlock(&t->lock);
    return n;
}

void ptable_free_procs(ProcTable *t, void (*free_proc)(struct Proc *)) {
    for (uint64_t i = 0; i <= t->mask; i++)
        if (t->slots[i].id && t->slots[i].id != UINT64_MAX) {
            free_proc(t->slots[i].proc);
            t->slots[i].id = UINT64_MAX;
        }
    t->count = 0;
}
