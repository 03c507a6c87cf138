/*
 * ptable.c — the process table (see ptable.h): PTABLE_STRIPES independent
 * open-addressing hash tables, each behind its own lock, a process going
 * to the stripe its id hashes to.
 *
 * Every send looks its target up, from every scheduler at once; a single
 * read-write lock made all of them write the same cache line. With the
 * stripes, two lookups meet only when they go to the same stripe, and then
 * mostly for a few dozen instructions (a probe, a signal push). The locks
 * are adaptive mutexes: they spin a little, like a spin lock, then sleep.
 * A pure spin lock burned whole time slices whenever its holder was
 * preempted (more runnable threads than cores) or was growing its stripe.
 */
#include "proc/ptable.h"

#include <pthread.h>
#include <stdlib.h>

#include "base/util.h"
#include "proc/life.h"

#define PTABLE_STRIPES 64

typedef struct Slot {
    uint64_t id;          /* 0 = empty, UINT64_MAX = deleted */
    struct Proc *proc;
} Slot;

typedef struct Stripe {
    pthread_mutex_t lock;
    Slot *slots;
    uint64_t mask, count, used;   /* used: slots not empty (live or deleted) */
    char pad[64];                 /* keep stripes on separate cache lines */
} Stripe;

struct ProcTable {
    Stripe stripes[PTABLE_STRIPES];
};

static uint64_t hash_id(uint64_t id) { return id * UINT64_C(0x9E3779B97F4A7C15); }

/* The top bits choose the stripe, the low bits the slot within it. */
static Stripe *stripe_of(ProcTable *t, uint64_t h) { return &t->stripes[h >> 58]; }

ProcTable *ptable_new(void) {
    _Static_assert(PTABLE_STRIPES == 64, "stripe_of takes the top 6 bits");
    ProcTable *t = xcalloc(1, sizeof *t);
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
    for (int i = 0; i < PTABLE_STRIPES; i++) {
        Stripe *s = &t->stripes[i];
        pthread_mutex_init(&s->lock, &attr);
        s->mask = 63;
        s->slots = xcalloc(64, sizeof(Slot));
    }
    pthread_mutexattr_destroy(&attr);
    return t;
}

void ptable_free(ProcTable *t) {
    if (!t) return;
    for (int i = 0; i < PTABLE_STRIPES; i++) {
        pthread_mutex_destroy(&t->stripes[i].lock);
        free(t->stripes[i].slots);
    }
    free(t);
}

/* Caller holds the stripe's lock. */
static void rehash(Stripe *s, uint64_t new_mask) {
    Slot *old = s->slots;
    uint64_t old_mask = s->mask;
    s->slots = xcalloc(new_mask + 1, sizeof(Slot));
    s->mask = new_mask;
    s->used = 0;
    for (uint64_t i = 0; i <= old_mask; i++) {
        if (old[i].id == 0 || old[i].id == UINT64_MAX) continue;
        uint64_t k = hash_id(old[i].id) & new_mask;
        while (s->slots[k].id) k = (k + 1) & new_mask;
        s->slots[k] = old[i];
        s->used++;
    }
    free(old);
}

void ptable_insert(ProcTable *t, uint64_t id, struct Proc *p) {
    uint64_t h = hash_id(id);
    Stripe *s = stripe_of(t, h);
    pthread_mutex_lock(&s->lock);
    /* Grow when half full; a table full of deleted slots is only rebuilt. */
    if ((s->used + 1) * 2 > s->mask) rehash(s, s->count * 4 > s->mask ? s->mask * 2 + 1 : s->mask);
    uint64_t k = h & s->mask;
    while (s->slots[k].id && s->slots[k].id != UINT64_MAX) k = (k + 1) & s->mask;
    if (s->slots[k].id == 0) s->used++;
    s->slots[k] = (Slot){id, p};
    s->count++;
    pthread_mutex_unlock(&s->lock);
}

void ptable_remove(ProcTable *t, uint64_t id) {
    uint64_t h = hash_id(id);
    Stripe *s = stripe_of(t, h);
    pthread_mutex_lock(&s->lock);
    for (uint64_t k = h & s->mask; s->slots[k].id; k = (k + 1) & s->mask) {
        if (s->slots[k].id == id) {
            s->slots[k].id = UINT64_MAX;
            s->slots[k].proc = NULL;
            s->count--;
            break;
        }
    }
    pthread_mutex_unlock(&s->lock);
}

/* Caller holds the stripe's lock. */
static struct Proc *find_locked(Stripe *s, uint64_t id, uint64_t h) {
    for (uint64_t k = h & s->mask; s->slots[k].id; k = (k + 1) & s->mask)
        if (s->slots[k].id == id) return s->slots[k].proc;
    return NULL;
}

struct Proc *ptable_lookup(ProcTable *t, uint64_t id) {
    uint64_t h = hash_id(id);
    Stripe *s = stripe_of(t, h);
    pthread_mutex_lock(&s->lock);
    struct Proc *p = find_locked(s, id, h);
    pthread_mutex_unlock(&s->lock);
    return p;
}

struct Proc *ptable_lookup_ref(ProcTable *t, uint64_t id) {
    uint64_t h = hash_id(id);
    Stripe *s = stripe_of(t, h);
    pthread_mutex_lock(&s->lock);
    struct Proc *p = find_locked(s, id, h);
    if (p) proc_ref(p);
    pthread_mutex_unlock(&s->lock);
    return p;
}

bool ptable_with(ProcTable *t, uint64_t id, void (*fn)(void *ctx, struct Proc *p), void *ctx) {
    uint64_t h = hash_id(id);
    Stripe *s = stripe_of(t, h);
    pthread_mutex_lock(&s->lock);
    struct Proc *p = find_locked(s, id, h);
    if (p) fn(ctx, p);
    pthread_mutex_unlock(&s->lock);
    return p != NULL;
}

uint64_t ptable_count(ProcTable *t) {
    uint64_t n = 0;
    for (int i = 0; i < PTABLE_STRIPES; i++) {
        Stripe *s = &t->stripes[i];
        pthread_mutex_lock(&s->lock);
        n += s->count;
        pthread_mutex_unlock(&s->lock);
    }
    return n;
}

void ptable_each(ProcTable *t, void (*fn)(void *ctx, struct Proc *p), void *ctx) {
    for (int i = 0; i < PTABLE_STRIPES; i++) {
        Stripe *s = &t->stripes[i];
        pthread_mutex_lock(&s->lock);
        for (uint64_t k = 0; k <= s->mask; k++)
            if (s->slots[k].id && s->slots[k].id != UINT64_MAX) fn(ctx, s->slots[k].proc);
        pthread_mutex_unlock(&s->lock);
    }
}

void ptable_free_procs(ProcTable *t, void (*free_proc)(struct Proc *)) {
    for (int i = 0; i < PTABLE_STRIPES; i++) {
        Stripe *s = &t->stripes[i];
        for (uint64_t k = 0; k <= s->mask; k++)
            if (s->slots[k].id && s->slots[k].id != UINT64_MAX) {
                free_proc(s->slots[k].proc);
                s->slots[k].id = UINT64_MAX;
            }
        s->count = 0;
    }
}
