/*
 * notif.c — notifications (see notif.h).
 */
#include "proc/notif.h"

#include <pthread.h>
#include <stdlib.h>

#include "base/util.h"
#include "proc/life.h"
#include "proc/proc.h"
#include "sched/sched.h"
#include "vm/runtime.h"

typedef struct Waiter {
    struct Waiter *next;
    struct Proc *proc;
} Waiter;

typedef struct Notif {
    uint64_t word;
    Waiter *first, *last;
} Notif;

struct NotifTable {
    pthread_mutex_t lock;
    Notif *items;     /* index id - 1 */
    size_t len, cap;
};

NotifTable *notif_table_new(void) {
    NotifTable *t = xcalloc(1, sizeof *t);
    pthread_mutex_init(&t->lock, NULL);
    return t;
}

void notif_table_free(NotifTable *t) {
    if (!t) return;
    for (size_t i = 0; i < t->len; i++) {
        Waiter *w = t->items[i].first;
        while (w) {
            Waiter *next = w->next;
            proc_unref(w->proc);
            free(w);
            w = next;
        }
    }
    pthread_mutex_destroy(&t->lock);
    free(t->items);
    free(t);
}

Value notif_new(Runtime *rt) {
    NotifTable *t = rt->notifs;
    pthread_mutex_lock(&t->lock);
    if (t->len == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->items = xrealloc(t->items, t->cap * sizeof(Notif));
    }
    t->items[t->len] = (Notif){0, NULL, NULL};
    size_t id = ++t->len;
    pthread_mutex_unlock(&t->lock);
    return IMM(IMM_NOTIF, id);
}

static Notif *get(NotifTable *t, Value n) {
    uint64_t id = imm_payload(n);
    return id >= 1 && id <= t->len ? &t->items[id - 1] : NULL;
}

bool notif_exists(Runtime *rt, Value n) {
    if (!is_imm_of(n, IMM_NOTIF)) return false;
    pthread_mutex_lock(&rt->notifs->lock);
    bool ok = get(rt->notifs, n) != NULL;
    pthread_mutex_unlock(&rt->notifs->lock);
    return ok;
}

void notif_signal(Runtime *rt, Value n, uint64_t bits) {
    NotifTable *t = rt->notifs;
    pthread_mutex_lock(&t->lock);
    Notif *x = get(t, n);
    x->word |= bits;
    Proc *woken = NULL;
    while (x->word && x->first) {
        Waiter *w = x->first;
        x->first = w->next;
        if (!x->first) x->last = NULL;
        Proc *p = w->proc;
        free(w);
        if (atomic_load(&p->state) == PS_EXITED) {
            proc_unref(p);
            continue;
        }
        atomic_store(&p->notif_word, x->word);
        x->word = 0;
        woken = p;
    }
    pthread_mutex_unlock(&t->lock);
    if (woken) {
        sched_wake(woken, NULL);
        proc_unref(woken);
    }
}

bool notif_take(Runtime *rt, Value n, Proc *p, bool block, uint64_t *word) {
    NotifTable *t = rt->notifs;
    pthread_mutex_lock(&t->lock);
    Notif *x = get(t, n);
    bool got = x->word != 0;
    if (got) {
        *word = x->word;
        x->word = 0;
    } else if (block) {
        Waiter *w = xmalloc(sizeof *w);
        w->next = NULL;
        w->proc = p;
        proc_ref(p);
        if (x->last)
            x->last->next = w;
        else
            x->first = w;
        x->last = w;
    }
    pthread_mutex_unlock(&t->lock);
    return got;
}
