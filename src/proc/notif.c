/*
 * notif.c — notifications (see notif.h).
 */
#include "proc/notif.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/random.h>

#include "base/util.h"
#include "proc/life.h"
#include "proc/proc.h"
#include "sched/sched.h"
#include "vm/runtime.h"

/* A process of this realm (proc), or of another: then proc is NULL and
 * deliver hands the word to `to` with `ref`. */
typedef struct Waiter {
    struct Waiter *next;
    struct Proc *proc;
    Value to, ref;
    NotifDeliver deliver;
} Waiter;

typedef struct Notif {
    uint64_t word;
    uint64_t token;   /* 0 until it first leaves the realm (notif.h) */
    Waiter *first, *last;
} Notif;

struct NotifTable {
    pthread_mutex_t lock;
    Notif *items;     /* index id - 1 */
    size_t len, cap;
    /* token -> id of the notifications that have a token: open
     * addressing, 0 = empty, at most half full. */
    uint64_t *tokens;
    uint64_t *token_ids;
    size_t ntokens, token_cap;
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
            if (w->proc) proc_unref(w->proc);
            free(w);
            w = next;
        }
    }
    pthread_mutex_destroy(&t->lock);
    free(t->items);
    free(t->tokens);
    free(t->token_ids);
    free(t);
}

Value notif_new(Runtime *rt) {
    NotifTable *t = rt->notifs;
    pthread_mutex_lock(&t->lock);
    if (t->len == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->items = xrealloc(t->items, t->cap * sizeof(Notif));
    }
    t->items[t->len] = (Notif){0, 0, NULL, NULL};
    size_t id = ++t->len;
    pthread_mutex_unlock(&t->lock);
    return IMM(IMM_NOTIF, id);
}

static Notif *get(NotifTable *t, Value n) {
    uint64_t id = imm_payload(n);
    return id >= 1 && id <= t->len ? &t->items[id - 1] : NULL;
}

/* The slot of token in the token index: where it is, or the empty slot
 * where it would go. */
static size_t token_slot(const NotifTable *t, uint64_t token) {
    size_t mask = t->token_cap - 1, i = (size_t)(token * UINT64_C(0x9e3779b97f4a7c15) >> 20) & mask;
    while (t->tokens[i] != 0 && t->tokens[i] != token) i = (i + 1) & mask;
    return i;
}

static void token_index_grow(NotifTable *t) {
    uint64_t *old = t->tokens, *old_ids = t->token_ids;
    size_t old_cap = t->token_cap;
    t->token_cap = old_cap ? old_cap * 2 : 16;
    t->tokens = xcalloc(t->token_cap, sizeof *t->tokens);
    t->token_ids = xcalloc(t->token_cap, sizeof *t->token_ids);
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i]) continue;
        size_t j = token_slot(t, old[i]);
        t->tokens[j] = old[i];
        t->token_ids[j] = old_ids[i];
    }
    free(old);
    free(old_ids);
}

uint64_t notif_token(Runtime *rt, Value n) {
    NotifTable *t = rt->notifs;
    pthread_mutex_lock(&t->lock);
    Notif *x = get(t, n);
    while (x && !x->token) {
        uint64_t r;
        if (getrandom(&r, sizeof r, 0) != sizeof r) break;
        r &= NOTIF_TOKEN_MASK;
        if (2 * (t->ntokens + 1) > t->token_cap) token_index_grow(t);
        size_t i = token_slot(t, r);
        if (r == 0 || t->tokens[i] != 0) continue; /* taken: draw again */
        t->tokens[i] = r;
        t->token_ids[i] = imm_payload(n);
        t->ntokens++;
        x->token = r;
    }
    uint64_t token = x ? x->token : 0;
    pthread_mutex_unlock(&t->lock);
    return token;
}

Value notif_by_token(Runtime *rt, uint64_t token) {
    NotifTable *t = rt->notifs;
    Value n = LV_NONE;
    pthread_mutex_lock(&t->lock);
    if (token != 0 && t->token_cap) {
        size_t i = token_slot(t, token);
        if (t->tokens[i] == token) n = IMM(IMM_NOTIF, t->token_ids[i]);
    }
    pthread_mutex_unlock(&t->lock);
    return n;
}

bool notif_exists(Runtime *rt, Value n) {
    if (!is_imm_of(n, IMM_NOTIF) || notif_owner(n) != 0) return false;
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
        if (!p) {
            if (w->deliver(rt, w->to, w->ref, x->word)) x->word = 0;
            free(w);
            continue;
        }
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

/* Take the word of n if non-zero; else, when block, queue a copy of
 * waiter. */
static bool take_or_queue(Runtime *rt, Value n, Waiter waiter, bool block, uint64_t *word) {
    NotifTable *t = rt->notifs;
    pthread_mutex_lock(&t->lock);
    Notif *x = get(t, n);
    bool got = x->word != 0;
    if (got) {
        *word = x->word;
        x->word = 0;
    } else if (block) {
        Waiter *w = xmalloc(sizeof *w);
        *w = waiter;
        if (w->proc) proc_ref(w->proc);
        if (x->last)
            x->last->next = w;
        else
            x->first = w;
        x->last = w;
    }
    pthread_mutex_unlock(&t->lock);
    return got;
}

void notif_forget_realm(Runtime *rt, uint32_t realm) {
    NotifTable *t = rt->notifs;
    pthread_mutex_lock(&t->lock);
    for (size_t i = 0; i < t->len; i++) {
        Notif *x = &t->items[i];
        Waiter **pw = &x->first;
        x->last = NULL;
        while (*pw) {
            Waiter *w = *pw;
            if (!w->proc && pid_realm(w->to) == realm) {
                *pw = w->next;
                free(w);
            } else {
                x->last = w;
                pw = &w->next;
            }
        }
    }
    pthread_mutex_unlock(&t->lock);
}

bool notif_take(Runtime *rt, Value n, Proc *p, bool block, uint64_t *word) {
    return take_or_queue(rt, n, (Waiter){NULL, p, LV_NIL, LV_NIL, NULL}, block, word);
}

bool notif_take_remote(Runtime *rt, Value n, Value to, Value ref, NotifDeliver deliver, bool block,
                       uint64_t *word) {
    return take_or_queue(rt, n, (Waiter){NULL, NULL, to, ref, deliver}, block, word);
}
