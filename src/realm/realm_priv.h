/*
 * realm_priv.h — the realm tree's state, shared by realm.c (tree, routing)
 * and child.c (a child realm's start-up). Not for other modules.
 */
#ifndef LONA_REALM_PRIV_H
#define LONA_REALM_PRIV_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/types.h>

#include "realm/link.h"
#include "realm/realm.h"
#include "realm/sandbox.h"

typedef struct ChildRealm {
    struct ChildRealm *next;
    uint32_t id;
    Value name, policy;      /* in the literal area */
    unsigned schedulers;     /* 0: :auto */
    pid_t os_pid;            /* also its process group */
    RealmLink *link;
    bool in_tree;            /* still in the child list */
    bool terminated;         /* by realm-terminate (links then fire :killed) */
} ChildRealm;

/* What a link's callbacks know of its other end. */
typedef struct LinkPeer {
    struct RealmState *rs;
    ChildRealm *child;       /* NULL for the link to the parent */
} LinkPeer;

/* A request waiting for its reply. */
typedef struct Pending {
    struct Pending *next;
    Value ref, caller;
    uint32_t realm;
} Pending;

typedef struct RealmState {
    Runtime *rt;
    pthread_mutex_t lock;    /* children, pending, exe */
    pthread_cond_t cond;     /* broadcast when a link goes down */
    ChildRealm *children;
    Pending *pending;
    _Atomic uint32_t next_id;   /* ids of new realms (root only) */
    unsigned nlive;          /* children started and not yet reaped */
    unsigned max_children;   /* LONA_MAX_REALMS (the --max-realms flag), default 256 */
    uint32_t parent_id;      /* 0 in the root */
    RealmLink *parent;       /* NULL in the root */
    bool parent_down;
    Value agent;             /* pid of the agent (child realms), LV_NONE in the root */
    Proc *scratch;           /* the poller thread's decoding heap */
    _Atomic uint64_t dropped_gone; /* dropped frames of links that went away */
    SandboxReport sandbox;   /* what holds in this realm (child realms) */
    bool sandboxed;
    char exe[PATH_MAX];
} RealmState;

RealmState *realm_state(Runtime *rt);
/* A frame received on any link (poller thread): deliver here or route. */
void realm_on_frame(void *ctx, RealmLink *l, const WireFrame *f);

#endif
