/*
 * realm_priv.h — the realm tree's state, shared by realm.c (tree, routing),
 * launch.c (the root starting realms' OS processes) and child.c (a child
 * realm's start-up). Not for other modules.
 */
#ifndef LONA_REALM_PRIV_H
#define LONA_REALM_PRIV_H

#include <limits.h>
#include <string.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/types.h>

#include "realm/link.h"
#include "realm/realm.h"
#include "realm/sandbox.h"
#include "term/alloc.h"
#include "term/atoms.h"

typedef struct ChildRealm {
    struct ChildRealm *next;
    uint32_t id;
    Value name, policy;      /* in the literal area */
    unsigned schedulers;     /* 0: :auto */
    pid_t os_pid;            /* also its process group; 0 when the root started it */
    RealmLink *link;
    bool in_tree;            /* still in the child list */
    bool terminated;         /* by realm-terminate (links then fire :killed) */
    /* Its memory budget, counted as used here (policy.c; 0: it has a
     * budget of its own), and the most it may have (0: no :max). Under
     * the lock. */
    size_t mem_granted, mem_ceiling;
} ChildRealm;

/* What a link's callbacks know of its other end. */
typedef struct LinkPeer {
    struct RealmState *rs;
    ChildRealm *child;       /* NULL for the link to the parent */
} LinkPeer;

/* A descendant below a child: frames for it go down that child's link.
 * Learnt when the reply carrying its socket passes through this realm. */
typedef struct Route {
    struct Route *next;
    uint32_t id;
    ChildRealm *via;
} Route;

/* A request waiting for its reply. A realm-create asked of the root keeps
 * what the new child will be recorded with. */
typedef struct Pending {
    struct Pending *next;
    Value ref, caller;
    uint32_t realm;          /* the realm that answers */
    RealmOp op;
    Value name, policy;      /* REALM_OP_CREATE: in the literal area */
    unsigned schedulers;
    size_t mem_start, mem_ceiling; /* REALM_OP_CREATE: its memory policy */
    uint64_t token;          /* REALM_OP_NOTIFY_TAKE: of the notification */
} Pending;

/* A realm whose OS process the root started for another realm (launch.c).
 * Reaped once, by whoever marks it dead; freed by its pidfd's callback. */
typedef struct Launched {
    struct Launched *next;
    struct RealmState *rs;
    uint32_t id, parent;
    uint32_t *ancestors;     /* every realm above it but the root: its
                              * parent's ancestors, then its parent */
    size_t nancestors;
    Value name;              /* in the literal area */
    pid_t os_pid;
    int pidfd;
    bool dead;               /* claimed by a reaper (terminate or exit) */
    bool killed;             /* by realm-terminate */
    bool reaped;
} Launched;

typedef struct RealmState {
    Runtime *rt;
    pthread_mutex_t lock;    /* children, pending, exe */
    pthread_cond_t cond;     /* broadcast when a link goes down */
    ChildRealm *children;
    Route *routes;
    Launched *launched;      /* root only */
    Pending *pending;
    _Atomic uint32_t next_id;   /* ids of new realms (root only) */
    unsigned nlive;          /* children started and not yet gone; in the root,
                              * every realm of the tree */
    unsigned max_children;   /* LONA_MAX_REALMS (the --max-realms flag), default 256 */
    uint32_t parent_id;      /* 0 in the root */
    RealmLink *parent;       /* NULL in the root */
    bool parent_down;
    Value agent;             /* pid of the agent (child realms), LV_NONE in the root */
    Proc *scratch;           /* the poller thread's decoding heap */
    _Atomic uint64_t dropped_gone; /* dropped frames of links that went away */
    pthread_mutex_t image_lock; /* image_fd, image_gen */
    int image_fd;            /* the code image of the last realm-create, or -1 */
    uint64_t image_gen;      /* rt->code_gen when it was written */
    pthread_mutex_t region_lock; /* regions, next_region (region.c) */
    struct Region *regions;
    uint64_t next_region;
    bool budgeted;           /* its memory budget was given by its parent (policy.c) */
    SandboxReport sandbox;   /* what holds in this realm (child realms) */
    bool sandboxed;
    char exe[PATH_MAX];
} RealmState;

/* A keyword, and [:error reason], for the realm modules. */
static inline Value kw(Runtime *rt, const char *s) { return mk_keyword(atoms_intern_text(&rt->atoms, s, strlen(s))); }
static inline Value err_pair(Proc *p, Value reason) { return mk_tuple2(p, K_(error), reason); }

RealmState *realm_state(Runtime *rt);
/* A frame received on any link (poller thread): deliver here or route. */
void realm_on_frame(void *ctx, RealmLink *l, const WireFrame *f, int *passed_fd);

/* Start the realm's agent, the Lonala process that serves other realms'
 * requests (lona.process/%realm-agent): its pid, or LV_NONE. */
Value realm_start_agent(Runtime *rt);

/* Places in the tree (realm.c): a place for one more realm, or false. */
bool realm_reserve(RealmState *rs);
void realm_release(RealmState *rs);
/* Under rs->lock: the direct child id, NULL if none (or no longer in
 * the tree). */
ChildRealm *realm_child_locked(RealmState *rs, uint32_t id);
/* Under rs->lock: the child whose link leads to realm id (id itself or a
 * descendant of it), NULL if none. */
ChildRealm *realm_via_locked(RealmState *rs, uint32_t id);
void realm_route_add_locked(RealmState *rs, uint32_t id, ChildRealm *via);
void realm_route_forget_locked(RealmState *rs, uint32_t id);
/* A realm is gone (poller thread; in the root, which alone decides it, or
 * on the root's word): drop its route, fire the links and monitors into
 * it, fail the requests waiting on it, and tell the children. */
void realm_gone(RealmState *rs, uint32_t id, Value reason);
/* Send a request frame of op with data to realm dest, for no answer;
 * false if it cannot cross or has no route. */
bool realm_send_request(Proc *p, uint32_t dest, RealmOp op, Value data);
/* Notifications of other realms (notify.c, poller thread): a
 * REALM_OP_NOTIFY request arrived here; a REALM_OP_NOTIFY_TAKE request;
 * the answer to one this realm asked for q (word: the frame's arg): the
 * value for its asker, or LV_NONE if the asker is gone (alive false) and
 * the word went back home. */
void realm_notify_here(RealmState *rs, Value data);
void realm_notify_take_here(RealmState *rs, RealmLink *l, const WireFrame *f, Value data);
Value realm_notify_answer(RealmState *rs, RealmLink *l, const Pending *q, uint64_t word, Value v, bool alive);
/* Ask realm dest (op, data) for the calling process, for a notification
 * (token): the ref of the answer to wait for. */
Value realm_ask_for_notif(Proc *p, RealmOp op, uint32_t dest, Value data, uint64_t token);
/* A request frame from this realm itself on l (poller thread). */
void realm_request_on(RealmState *rs, RealmLink *l, uint32_t dest, RealmOp op, Value v);
/* A reply from this realm itself to `to`, routed; false if there is no
 * route to its realm (any thread). */
bool realm_reply_to(RealmState *rs, Value to, Value ref, uint64_t arg, Value v);
/* Send a reply frame on l (poller thread). */
void realm_reply_on(RealmState *rs, RealmLink *l, Value to, Value ref, uint64_t arg, Value v, int fd);

/* The root's launcher (launch.c). */
/* Start the OS process of realm id, child of parent, with the socket end
 * sock (its descriptor 3) and snapshot snap (4), its memory budget (0: its
 * own) and CPU quota in cores (0: none); its pid, or -1. */
pid_t launch_process(RealmState *rs, uint32_t id, uint32_t parent, unsigned schedulers, size_t memory, double cpu,
                     int sock, int snap);
/* Kill and reap an OS process this runtime started, with its group. */
void launch_kill_and_reap(pid_t pid);
/* A request of another realm to the root: realm-create (data [name
 * schedulers snapshot memory cpu]) or realm-terminate (data a realm id). */
void launch_serve(RealmState *rs, RealmLink *l, ChildRealm *from_child, const WireFrame *f, Value data);
/* Root: is id a launched realm below ancestor (any depth)? */
bool launch_is_below_locked(RealmState *rs, uint32_t id, uint32_t ancestor);
/* Root: kill and reap every launched realm below id (and id itself when it
 * is a launched realm and with_self); killed: by realm-terminate (links
 * into them fire :killed, else :noconnection). */
void launch_kill_below(RealmState *rs, uint32_t id, bool with_self, bool killed);
/* Root: what it knows of a launched realm; false if it is not one. */
bool launch_describe_locked(RealmState *rs, uint32_t id, Value *name, uint32_t *parent, pid_t *os_pid);
/* Root, at shutdown: kill and reap every launched realm. */
void launch_free_all(RealmState *rs);

#endif
