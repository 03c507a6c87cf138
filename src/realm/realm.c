/*
 * realm.c — the realm tree of one runtime: children, the parent, routing
 * and delivery of frames (see realm.h; the root's launcher is launch.c,
 * introspection info.c, notifications of other realms notify.c).
 *
 * Routing: a frame goes to the child whose subtree holds its destination
 * realm (the child itself, or a Route learnt when the new realm's socket
 * passed through here), else up to the parent. A frame never goes back on
 * the link it came from, so a stale route cannot make a loop; a frame for a
 * realm that is gone is dropped, as a message to a dead pid is.
 *
 * Locking: rs->lock guards the child list and the pending requests. Frames
 * are received on the poller thread only, so decoding needs no lock (the
 * scratch process is the poller's). A ChildRealm leaves the list exactly
 * once, either in realm_terminate or when its link goes down; whoever takes
 * it out kills and reaps its OS process, so a pid is never signalled after
 * it was reaped. The struct itself is freed by the link's down callback,
 * which always comes (killing the process closes its socket).
 */
#include "realm/policy.h"
#include "realm/region.h"
#include "realm/realm_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/mem.h"
#include "gc/copy.h"
#include "proc/exit.h"
#include "proc/life.h"
#include "proc/notif.h"
#include "proc/registry.h"
#include "proc/signal.h"
#include "realm/snapshot.h"
#include "sched/sched.h"
#include "realm/wire.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/coll.h"
#include "term/num.h"
#include "term/print.h"
#include "vm/error.h"
#include "vm/ns.h"
#include "vm/rt.h"



/* ---- state --------------------------------------------------------------------- */

static pthread_mutex_t state_once = PTHREAD_MUTEX_INITIALIZER;

static bool realm_signal(Proc *from, Value to, int kind, Value value, Value ref, uint32_t flags);

/* The most child realms alive at once: LONA_MAX_REALMS (which the
 * --max-realms flag sets), else 256, so that a loop of realm-create ends
 * its caller with :system-limit instead of filling the machine with OS
 * processes. */
#define DEFAULT_MAX_REALMS 256
static unsigned max_children_setting(void) {
    const char *s = getenv("LONA_MAX_REALMS");
    char *end;
    long n = s ? strtol(s, &end, 10) : -1;
    return s && *s && !*end && n >= 0 && n <= REALM_MAX_CHILDREN_CEILING ? (unsigned)n : DEFAULT_MAX_REALMS;
}

/* Take a place for a new child (in the root: for a new realm anywhere in
 * the tree), false if every place is taken. */
bool realm_reserve(RealmState *rs) {
    pthread_mutex_lock(&rs->lock);
    bool ok = rs->nlive < rs->max_children;
    if (ok) rs->nlive++;
    pthread_mutex_unlock(&rs->lock);
    return ok;
}

void realm_release(RealmState *rs) {
    pthread_mutex_lock(&rs->lock);
    rs->nlive--;
    pthread_mutex_unlock(&rs->lock);
}

/* The runtime is going away (rt_free: no worker runs, the poller is
 * stopped): every child realm is killed and reaped, every link closed. */
static void realm_state_free(Runtime *rt) {
    RealmState *rs = rt->realm;
    launch_free_all(rs);
    for (ChildRealm *c = rs->children, *next; c; c = next) {
        next = c->next;
        launch_kill_and_reap(c->os_pid);
        void *peer = c->link ? c->link->ctx : NULL;
        link_free(c->link);
        free(peer);
        free(c);
    }
    if (rs->parent) {
        void *peer = rs->parent->ctx;
        link_free(rs->parent);
        free(peer);
    }
    for (Pending *q = rs->pending, *next; q; q = next) {
        next = q->next;
        free(q);
    }
    for (Route *r = rs->routes, *next; r; r = next) {
        next = r->next;
        free(r);
    }
    proc_free_bare(rs->scratch);
    if (rs->image_fd >= 0) close(rs->image_fd);
    regions_free(rs);
    pthread_mutex_destroy(&rs->region_lock);
    pthread_mutex_destroy(&rs->image_lock);
    pthread_mutex_destroy(&rs->lock);
    pthread_cond_destroy(&rs->cond);
    free(rs);
    rt->realm = NULL;
}

RealmState *realm_state(Runtime *rt) {
    RealmState *rs = atomic_load_explicit((RealmState *_Atomic *)&rt->realm, memory_order_acquire);
    if (rs) return rs;
    pthread_mutex_lock(&state_once);
    rs = rt->realm;
    if (!rs) {
        rs = xcalloc(1, sizeof *rs);
        rs->rt = rt;
        pthread_mutex_init(&rs->lock, NULL);
        pthread_cond_init(&rs->cond, NULL);
        pthread_mutex_init(&rs->image_lock, NULL);
        pthread_mutex_init(&rs->region_lock, NULL);
        rs->image_fd = -1;
        atomic_init(&rs->next_id, 2);
        rs->max_children = max_children_setting();
        rs->scratch = proc_new_bare(rt);
        atomic_store_explicit((RealmState *_Atomic *)&rt->realm, rs, memory_order_release);
        atomic_store_explicit(&rt->remote_signal, realm_signal, memory_order_release);
        rt->free_realm = realm_state_free;
        rt->describe_region = region_describe;
    }
    pthread_mutex_unlock(&state_once);
    return rs;
}

ChildRealm *realm_child_locked(RealmState *rs, uint32_t id) {
    for (ChildRealm *c = rs->children; c; c = c->next)
        if (c->id == id) return c;
    return NULL;
}

static Route **find_route_locked(RealmState *rs, uint32_t id) {
    Route **pr = &rs->routes;
    while (*pr && (*pr)->id != id) pr = &(*pr)->next;
    return pr;
}

ChildRealm *realm_via_locked(RealmState *rs, uint32_t id) {
    ChildRealm *c = realm_child_locked(rs, id);
    if (c) return c;
    Route *r = *find_route_locked(rs, id);
    return r ? r->via : NULL;
}

void realm_route_add_locked(RealmState *rs, uint32_t id, ChildRealm *via) {
    Route *r = xmalloc(sizeof *r);
    *r = (Route){rs->routes, id, via};
    rs->routes = r;
}

void realm_route_forget_locked(RealmState *rs, uint32_t id) {
    Route **pr = find_route_locked(rs, id);
    Route *r = *pr;
    if (!r) return;
    *pr = r->next;
    free(r);
}

static bool unlink_child_locked(RealmState *rs, ChildRealm *c) {
    for (ChildRealm **pc = &rs->children; *pc; pc = &(*pc)->next) {
        if (*pc != c) continue;
        *pc = c->next;
        c->in_tree = false;
        return true;
    }
    return false;
}

/* ---- delivery on this realm (poller thread) -------------------------------------- */

/* Copy v (on the scratch heap) into a message from `from` and hand it to
 * the local process `to`; a dead receiver drops it, as a local send does. */
static bool deliver_signal(RealmState *rs, Value to, Value from, int kind, uint32_t flags, Value ref, Value v) {
    Runtime *rt = rs->rt;
    CopySize sz = v == LV_NONE ? (CopySize){0, false, false, false} : term_flat_size(&rt->lit, v);
    Signal *s = signal_alloc(sz.words);
    s->kind = (uint32_t)kind;
    s->flags = flags;
    s->from = from;
    s->ref = ref;
    s->frag->offheap = sz.has_offheap;
    s->value = v == LV_NONE ? LV_NIL : term_copy_flat(&rt->lit, v, s->frag->words, NULL);
    if (proc_deliver(rt, to, s, NULL)) return true;
    heap_frag_release(s->frag);
    return false;
}

static void deliver_message(RealmState *rs, Value to, Value from, Value v) {
    deliver_signal(rs, to, from, SIG_MESSAGE, 0, LV_NONE, v);
}

static void reset_scratch(RealmState *rs) {
    Heap *h = &rs->scratch->heap;
    heap_release(h);
    heap_init(h, 512, 0);
}

/* A realm-create that will not be: its place in the tree, and the budget
 * set aside for it, are free again. Any other request: nothing to undo. */
static void create_abandoned(RealmState *rs, const Pending *q) {
    if (q->op != REALM_OP_CREATE) return;
    realm_release(rs);
    if (q->mem_start) mem_uncharge(q->mem_start);
}

/* Tell a waiting requester that its realm is gone. */
static void fail_pending(RealmState *rs, uint32_t realm, Value reason) {
    Proc *sc = rs->scratch;
    pthread_mutex_lock(&rs->lock);
    for (Pending **pp = &rs->pending; *pp;) {
        Pending *q = *pp;
        if (q->realm != realm) {
            pp = &q->next;
            continue;
        }
        *pp = q->next;
        Value msg = mk_tuple3(sc, kw(rs->rt, "%realm-reply"), q->ref, mk_tuple2(sc, K_(error), reason));
        deliver_message(rs, q->caller, LV_NIL, msg);
        create_abandoned(rs, q);
        free(q);
    }
    pthread_mutex_unlock(&rs->lock);
    reset_scratch(rs);
}

/* Take the request waiting for ref out of the list: it, or NULL. */
static Pending *take_pending(RealmState *rs, Value ref) {
    Pending *q = NULL;
    pthread_mutex_lock(&rs->lock);
    for (Pending **pp = &rs->pending; *pp; pp = &(*pp)->next) {
        if ((*pp)->ref != ref) continue;
        q = *pp;
        *pp = q->next;
        break;
    }
    pthread_mutex_unlock(&rs->lock);
    return q;
}

static void forget_pending(RealmState *rs, Value ref) { free(take_pending(rs, ref)); }

/* A frame from this realm itself (poller thread): to `to` on l, with fd
 * attached when fd >= 0 (closed if it cannot go). */
static void send_from_here(RealmState *rs, RealmLink *l, uint8_t kind, Value to, Value ref, uint64_t arg, Value v,
                           int fd) {
    Buf out;
    Value refused;
    buf_init(&out);
    frame_begin(&out, kind, to, mk_pid(rs->rt->realm_id, 0), ref, arg);
    bool ok = wire_encode(rs->rt, v, NULL, &out, &refused) == WIRE_OK && frame_finish(&out);
    if (ok && fd >= 0) link_send_fd(l, &out, fd);
    else if (ok) link_send(l, &out);
    else if (fd >= 0) close(fd);
    buf_free(&out);
}

void realm_reply_on(RealmState *rs, RealmLink *l, Value to, Value ref, uint64_t arg, Value v, int fd) {
    send_from_here(rs, l, FK_REPLY, to, ref, arg, v, fd);
}

void realm_request_on(RealmState *rs, RealmLink *l, uint32_t dest, RealmOp op, Value v) {
    send_from_here(rs, l, FK_REQUEST, mk_pid(dest, 0), LV_NIL, op, v, -1);
}

static RealmLink *route_locked(RealmState *rs, uint32_t id);

bool realm_reply_to(RealmState *rs, Value to, Value ref, uint64_t arg, Value v) {
    pthread_mutex_lock(&rs->lock);
    RealmLink *l = route_locked(rs, pid_realm(to));
    /* Sent under the lock, as send_frame does: the link stays. */
    if (l) send_from_here(rs, l, FK_REPLY, to, ref, arg, v, -1);
    pthread_mutex_unlock(&rs->lock);
    return l != NULL;
}

/* Answer a request from another realm, on the poller thread. */
static void reply_from_here(RealmState *rs, RealmLink *l, Value to, Value ref, Value v) {
    realm_reply_on(rs, l, to, ref, 0, v, -1);
}

/* A link, monitor or exit signal from another realm. A link or monitor of
 * a process that is not there is answered :noproc, as within a realm. */
static void deliver_remote_signal(RealmState *rs, RealmLink *l, const WireFrame *f, Value v) {
    int kind = (int)(f->arg & 0xff);
    uint32_t flags = (uint32_t)(f->arg >> 8) & SF_LINK;
    bool needs_ref = kind == SIG_MONITOR || kind == SIG_DEMONITOR || kind == SIG_DOWN || kind == SIG_SYNC_ACK;
    if (kind < SIG_EXIT || kind > SIG_SYNC_ACK || !is_pid(f->to) || pid_local(f->to) == 0 || !is_pid(f->from) ||
        (needs_ref && !is_ref(f->ref))) {
        link_drop(l);
        return;
    }
    Value ref = needs_ref ? f->ref : LV_NONE;
    Value value = kind == SIG_EXIT || kind == SIG_DOWN ? v : LV_NONE;
    if (deliver_signal(rs, f->to, f->from, kind, flags, ref, value)) return;
    if (kind != SIG_LINK && kind != SIG_MONITOR) return;
    /* Answer for the missing process, from its pid. */
    Buf out;
    Value refused;
    buf_init(&out);
    int answer = kind == SIG_LINK ? SIG_EXIT : SIG_DOWN;
    frame_begin(&out, FK_SIGNAL, f->from, f->to, ref, (uint64_t)answer | (kind == SIG_LINK ? SF_LINK << 8 : 0));
    if (wire_encode(rs->rt, K_(noproc), NULL, &out, &refused) == WIRE_OK && frame_finish(&out)) link_send(l, &out);
    buf_free(&out);
}

static void add_child(RealmState *rs, uint32_t id, int fd, pid_t pid, Value name, Value policy, unsigned schedulers,
                      const RealmPolicy *m);

/* The link towards realm id: a child on the way, else the parent. */
static RealmLink *route_locked(RealmState *rs, uint32_t id) {
    ChildRealm *c = realm_via_locked(rs, id);
    return c ? c->link : rs->parent;
}

/* The reply to this realm's realm-create, with the new child's socket:
 * the child joins the tree under the id the root gave it. */
static void adopt_created(RealmState *rs, RealmLink *l, const WireFrame *f, int *passed_fd) {
    Pending *q = take_pending(rs, f->ref);
    uint32_t id = (uint32_t)f->arg;
    pthread_mutex_lock(&rs->lock);
    bool fresh = id >= 2 && id <= 0xffff && !realm_via_locked(rs, id);
    pthread_mutex_unlock(&rs->lock);
    if (!q) {
        link_drop(l);
        return;
    }
    Value answer;
    if (q->op == REALM_OP_CREATE && fresh) {
        RealmPolicy m = {q->mem_start, q->mem_ceiling, 0};
        add_child(rs, id, *passed_fd, 0, q->name, q->policy, q->schedulers, &m);
        *passed_fd = -1;
        answer = IMM(IMM_REALM, id);
    } else {
        /* Not the reply it claims to be: the caller hears of it, not silence. */
        create_abandoned(rs, q);
        link_drop(l);
        answer = err_pair(rs->scratch, kw(rs->rt, "noconnection"));
    }
    deliver_message(rs, q->caller, f->from, mk_tuple3(rs->scratch, kw(rs->rt, "%realm-reply"), f->ref, answer));
    free(q);
}

/* The reply to a request of a process here. A refused realm-create gives
 * its place back; a new budget applies only if the parent's link says so. */
static bool alive_here(Runtime *rt, Value pid);

static void deliver_reply(RealmState *rs, RealmLink *l, const WireFrame *f, Value v) {
    Pending *q = take_pending(rs, f->ref);
    if (q) create_abandoned(rs, q);
    if (q && q->op == REALM_OP_MEMORY) v = l == rs->parent ? policy_apply(rs, v) : err_pair(rs->scratch, kw(rs->rt, "noconnection"));
    if (q && q->op == REALM_OP_NOTIFY_TAKE) v = realm_notify_answer(rs, l, q, f->arg, v, alive_here(rs->rt, f->to));
    free(q);
    if (v != LV_NONE) deliver_message(rs, f->to, f->from, mk_tuple3(rs->scratch, kw(rs->rt, "%realm-reply"), f->ref, v));
}

Value realm_start_agent(Runtime *rt) {
    Value ns = ns_find(rt, S_(lona_process));
    Value sym = mk_symbol(atoms_intern_text(&rt->atoms, "%realm-agent", 12));
    Value var = ns == LV_NIL ? LV_NONE : ns_lookup(rt, ns, sym);
    Value fn = var == LV_NONE ? LV_NONE : atomic_load(&as_var(var)->root);
    if (fn == LV_NONE) return LV_NONE;
    SpawnOpts o = {.priority = 200, .name = LV_NIL};
    Proc *c = proc_create(rt, &o, NULL);
    if (!proc_set_entry(c, fn, NULL)) return LV_NONE;
    Value pid = c->pid;
    sched_start(c, NULL);
    return pid;
}

static bool alive_here(Runtime *rt, Value pid) {
    Proc *t = pid_local(pid) ? proc_lookup(rt, pid) : NULL;
    if (!t) return false;
    bool alive = atomic_load(&t->state) != PS_EXITED;
    proc_unref(t);
    return alive;
}

/* Hand a request to the agent as [:%realm-request op ref from data]. */
static void to_agent(RealmState *rs, const WireFrame *f, const char *op, Value v) {
    Value items[5] = {kw(rs->rt, "%realm-request"), kw(rs->rt, op), f->ref, f->from, v};
    Value msg = mk_tuple(rs->scratch, 5);
    memcpy(tuple_elems(msg), items, sizeof items);
    deliver_message(rs, rs->agent, f->from, msg);
}

/* A request addressed to this realm: about one of its processes, from any
 * realm; from the parent, for the agent; from below, a name to look up, or
 * (in the root) a realm to start or kill. */
static void deliver_request(RealmState *rs, RealmLink *l, ChildRealm *from_child, const WireFrame *f, Value v) {
    if (!is_pid(f->from) || !is_ref(f->ref)) return;
    if (f->arg == REALM_OP_ALIVE && is_pid(v)) {
        reply_from_here(rs, l, f->from, f->ref, lv_bool(alive_here(rs->rt, v)));
    } else if (f->arg == REALM_OP_PROCESS_INFO && is_pid(v)) {
        /* The root starts its agent the first time it is asked. */
        if (rs->agent == LV_NONE) rs->agent = realm_start_agent(rs->rt);
        if (rs->agent != LV_NONE) to_agent(rs, f, "process-info", v);
    } else if (!from_child && rs->agent != LV_NONE) {
        to_agent(rs, f, f->arg == REALM_OP_SPAWN ? "spawn" : f->arg == REALM_OP_INFO ? "info" : "unknown", v);
    } else if (from_child && f->arg == REALM_OP_WHEREIS && is_symbol_imm(v)) {
        /* A descendant looks a name up here, then in each ancestor: the
         * request goes on up, still from the asker, who gets the answer
         * straight from the realm that has the name (or from the root). */
        Value pid = registry_lookup(rs->rt, v);
        if (pid != LV_NIL || !rs->parent) {
            reply_from_here(rs, l, f->from, f->ref, pid);
            return;
        }
        Buf up;
        buf_init(&up);
        frame_begin(&up, FK_REQUEST, mk_pid(rs->parent_id, 0), f->from, f->ref, REALM_OP_WHEREIS);
        buf_append(&up, f->value, f->value_len);
        if (frame_finish(&up)) link_send(rs->parent, &up);
        buf_free(&up);
    } else if (from_child && rs->rt->realm_id == 1 && (f->arg == REALM_OP_CREATE || f->arg == REALM_OP_TERMINATE)) {
        launch_serve(rs, l, from_child, f, v);
    } else if (from_child && f->arg == REALM_OP_MEMORY && pid_realm(f->from) == from_child->id) {
        realm_reply_on(rs, l, f->from, f->ref, 0, policy_serve(rs, from_child, v), -1);
    }
}

/* A frame addressed to this realm. from_child: the child whose link it
 * came on, NULL for the parent's (told by the link's peer, not by
 * rs->parent, which a child sets only once link_new returns, after the
 * poller may have read). */
static void deliver_here(RealmState *rs, RealmLink *l, ChildRealm *from_child, const WireFrame *f, int *passed_fd) {
    Value v;
    /* The value is a whole wire message (envelope included), checked under
     * the limits before anything is built. */
    if (wire_decode(rs->scratch, f->value, f->value_len, NULL, &v) != WIRE_OK) {
        link_drop(l);
        reset_scratch(rs);
        return;
    }
    /* The agent takes requests only as deliver_request hands them over
     * (to_agent): a message to it from another realm would be a forged
     * request, which it would serve (spawn any function, with any
     * arguments, here); a link or an exit signal would end it. Only a
     * monitor may reach it. */
    int sig = f->kind == FK_SIGNAL ? (int)(f->arg & 0xff) : 0;
    if (rs->agent != LV_NONE && f->to == rs->agent &&
        (f->kind == FK_SEND || (f->kind == FK_SIGNAL && sig != SIG_MONITOR && sig != SIG_DEMONITOR))) {
        link_drop(l);
        reset_scratch(rs);
        return;
    }
    switch (f->kind) {
    case FK_SEND:
        if (is_pid(f->to) && pid_local(f->to) != 0)
            deliver_signal(rs, f->to, f->from, SIG_MESSAGE, 0, is_ref(f->ref) ? f->ref : LV_NONE, v);
        break;
    case FK_SIGNAL:
        deliver_remote_signal(rs, l, f, v);
        break;
    case FK_REQUEST:
        if (f->arg == REALM_OP_NOTIFY) realm_notify_here(rs, v);
        else if (f->arg == REALM_OP_NOTIFY_TAKE) realm_notify_take_here(rs, l, f, v);
        else if (!from_child && f->arg == REALM_OP_REGION) region_on_request(rs, v, passed_fd);
        else deliver_request(rs, l, from_child, f, v);
        break;
    case FK_REPLY:
        if (!is_pid(f->to) || !is_ref(f->ref)) break;
        if (*passed_fd >= 0) adopt_created(rs, l, f, passed_fd);
        else deliver_reply(rs, l, f, v);
        break;
    default:
        link_drop(l);
    }
    reset_scratch(rs);
}

/* Forget realm id here: its route, the links and monitors into it, the
 * requests waiting on it. Idempotent (a death may be heard twice). */
static void forget_realm(RealmState *rs, uint32_t id, Value reason) {
    pthread_mutex_lock(&rs->lock);
    realm_route_forget_locked(rs, id);
    pthread_mutex_unlock(&rs->lock);
    notif_forget_realm(rs->rt, id);
    exit_realm_gone(rs->rt, id, reason);
    fail_pending(rs, id, reason);
}

/* Pass the news of a death down to every child, for the links and
 * monitors that other subtrees hold into the dead realm. */
static void tell_children(RealmState *rs, uint32_t id, Value reason) {
    pthread_mutex_lock(&rs->lock);
    for (ChildRealm *c = rs->children; c; c = c->next)
        send_from_here(rs, c->link, FK_GONE, mk_pid(c->id, 0), LV_NIL, id, reason, -1);
    pthread_mutex_unlock(&rs->lock);
}

void realm_gone(RealmState *rs, uint32_t id, Value reason) {
    forget_realm(rs, id, reason);
    tell_children(rs, id, reason);
}

/* The root's word that a realm is gone (only a parent sends it). */
static void on_gone_notice(RealmState *rs, RealmLink *l, const WireFrame *f) {
    Value reason;
    uint32_t id = f->arg <= 0xffff ? (uint32_t)f->arg : 0;
    if (wire_decode(rs->scratch, f->value, f->value_len, NULL, &reason) != WIRE_OK || !is_keyword(reason)) {
        link_drop(l);
        reset_scratch(rs);
        return;
    }
    reset_scratch(rs);
    if (id && id != rs->rt->realm_id) realm_gone(rs, id, reason);
}

void realm_on_frame(void *ctx, RealmLink *l, const WireFrame *f, int *passed_fd) {
    LinkPeer *peer = ctx;
    RealmState *rs = peer->rs;
    ChildRealm *child = peer->child;
    if (child) {
        /* A child speaks only for the processes of its subtree, and hands
         * no descriptors up but the sealed memfds of large frames. */
        pthread_mutex_lock(&rs->lock);
        bool own = is_pid(f->from) && realm_via_locked(rs, pid_realm(f->from)) == child;
        pthread_mutex_unlock(&rs->lock);
        if (!own || *passed_fd >= 0 || f->kind == FK_GONE) {
            link_drop(l);
            return;
        }
    } else if (*passed_fd >= 0 && f->kind != FK_REPLY && !(f->kind == FK_REQUEST && f->arg == REALM_OP_REGION)) {
        /* From the parent, descriptors come only with a new realm's socket
         * or a region it shares. */
        link_drop(l);
        return;
    } else if (f->kind == FK_GONE) {
        on_gone_notice(rs, l, f);
        return;
    }
    uint32_t dest = is_pid(f->to) ? pid_realm(f->to) : 0;
    if (dest == rs->rt->realm_id) {
        deliver_here(rs, l, child, f, passed_fd);
        return;
    }
    /* Passing through: forward the frame unchanged. A descriptor (a new
     * realm's socket, coming down) teaches the route to that realm. */
    Buf b = {(char *)f->raw, f->raw_len, f->raw_len};
    pthread_mutex_lock(&rs->lock);
    ChildRealm *via = dest ? realm_via_locked(rs, dest) : NULL;
    RealmLink *next = dest ? route_locked(rs, dest) : NULL;
    if (next && next != l && *passed_fd >= 0) {
        if (via && f->arg >= 2 && f->arg <= 0xffff && !realm_via_locked(rs, (uint32_t)f->arg)) {
            realm_route_add_locked(rs, (uint32_t)f->arg, via);
            link_send_fd(next, &b, *passed_fd);
            *passed_fd = -1;
        }
    } else if (next && next != l) {
        link_send(next, &b);
    }
    /* Else the destination is gone (or never was): dropped, as a message
     * to a dead pid is. */
    pthread_mutex_unlock(&rs->lock);
}

/* ---- children --------------------------------------------------------------------- */


static void on_child_down(void *ctx, RealmLink *l) {
    LinkPeer *peer = ctx;
    RealmState *rs = peer->rs;
    ChildRealm *c = peer->child;
    pthread_mutex_lock(&rs->lock);
    bool mine = unlink_child_locked(rs, c);
    /* Nothing is routed through it any more. */
    for (Route **pr = &rs->routes; *pr;) {
        Route *r = *pr;
        if (r->via != c) {
            pr = &r->next;
            continue;
        }
        *pr = r->next;
        free(r);
    }
    pthread_mutex_unlock(&rs->lock);
    /* A realm that died on its own (or closed its socket): its process is
     * ended for good and reaped here, and (in the root) those it had. */
    if (mine) {
        launch_kill_and_reap(c->os_pid);
        realm_release(rs);
    }
    atomic_fetch_add(&rs->dropped_gone, atomic_load(&l->dropped));
    /* The root alone says a realm is gone and why, to the whole tree: it
     * started every realm's OS process and sees each end (here for its
     * children, by pidfd for the others, launch.c). Another realm waits for
     * its word, so that a realm terminated from anywhere is :killed
     * everywhere, and a crash :noconnection. */
    if (rs->rt->realm_id == 1) {
        launch_kill_below(rs, c->id, false, c->terminated);
        realm_gone(rs, c->id, c->terminated ? K_(killed) : kw(rs->rt, "noconnection"));
    }
    link_free(l);
    pthread_mutex_lock(&rs->lock);
    pthread_cond_broadcast(&rs->cond);
    policy_release_locked(c);
    pthread_mutex_unlock(&rs->lock);
    free(c);
    free(peer);
}

static bool parse_name(Value v) { return is_symbol(v) || is_string(v) || is_keyword(v); }

/* :schedulers is :auto (0 here: the child's default) or 1..256. */
static bool parse_schedulers(Runtime *rt, Value v, unsigned *out) {
    int64_t n;
    *out = 0;
    if (v == LV_NONE || v == LV_NIL || v == kw(rt, "auto")) return true;
    if (!is_integer(v) || !num_to_i64(v, &n) || n < 1 || n > 256) return false;
    *out = (unsigned)n;
    return true;
}

/* fd moved to a number at or above 10, close-on-exec (the child's
 * descriptors 3 and 4 are set by dup2 in the spawn actions); -1 on failure. */
static int high_fd(int fd) {
    int h = fcntl(fd, F_DUPFD_CLOEXEC, 10);
    close(fd);
    return h;
}

/* The code image for a new child, in a sealed memfd: the one written for
 * the last child while no namespace or var has changed since (writing it
 * is a third of a realm's start; sealed, it is safe to share). A new
 * descriptor, at or above 10 (see high_fd), for the caller to close. */
static int image_for_child(RealmState *rs) {
    Runtime *rt = rs->rt;
    pthread_mutex_lock(&rs->image_lock);
    uint64_t gen = atomic_load(&rt->code_gen);
    if (rs->image_fd < 0 || rs->image_gen != gen) {
        if (rs->image_fd >= 0) close(rs->image_fd);
        int fd = snapshot_memfd(rt);
        rs->image_fd = fd >= 0 ? high_fd(fd) : -1;
        rs->image_gen = gen;
    }
    int fd = rs->image_fd >= 0 ? fcntl(rs->image_fd, F_DUPFD_CLOEXEC, 10) : -1;
    pthread_mutex_unlock(&rs->image_lock);
    return fd;
}

/* A started child joins the tree: its link is watched from now on. name
 * and policy are in the literal area. */
static void add_child(RealmState *rs, uint32_t id, int fd, pid_t pid, Value name, Value policy, unsigned schedulers,
                      const RealmPolicy *m) {
    ChildRealm *c = xcalloc(1, sizeof *c);
    c->id = id;
    c->mem_granted = m->start;
    c->mem_ceiling = m->ceiling;
    c->name = name;
    c->policy = policy;
    c->schedulers = schedulers;
    c->os_pid = pid;
    c->in_tree = true;
    LinkPeer *peer = xcalloc(1, sizeof *peer);
    peer->rs = rs;
    peer->child = c;
    pthread_mutex_lock(&rs->lock);
    c->next = rs->children;
    rs->children = c;
    /* Under the lock: no frame of the new link is routed before it is in the tree. */
    c->link = link_new(fd, rs->rt->poller, realm_on_frame, on_child_down, peer);
    pthread_mutex_unlock(&rs->lock);
}

static bool send_frame(Proc *p, uint32_t dest, uint8_t kind, Value to, Value ref, uint64_t arg, Value msg,
                       Value *refused, bool *routed);

/* A new ref whose reply the caller will wait for, kept in the pending list. */
/* A request of p to realm `realm` (its record filled in by the caller),
 * put in the pending list under a new ref, which is returned. From then on
 * the record belongs to the list: the poller may answer and free it at any
 * moment, so the caller must not touch it again. */
static Value add_pending(Proc *p, Pending *q, uint32_t realm, RealmOp op) {
    RealmState *rs = realm_state(p->rt);
    Value ref = mk_ref(p->rt->realm_id, atomic_fetch_add(&p->rt->next_ref, 1));
    q->ref = ref;
    q->caller = p->pid;
    q->realm = realm;
    q->op = op;
    pthread_mutex_lock(&rs->lock);
    q->next = rs->pending;
    rs->pending = q;
    pthread_mutex_unlock(&rs->lock);
    return ref;
}

static Value new_pending(Proc *p, uint32_t realm, RealmOp op) {
    Pending *q = xcalloc(1, sizeof *q);
    q->name = q->policy = LV_NIL;
    return add_pending(p, q, realm, op);
}

/* Send the request of ref (in the pending list) to realm dest; if it
 * cannot leave, the answer [:error :noconnection] is queued at once. The
 * ref, or LV_EXC if data cannot cross. */
static Value ask(Proc *p, Value ref, RealmOp op, uint32_t dest, Value data) {
    RealmState *rs = realm_state(p->rt);
    Value refused;
    bool routed;
    if (!send_frame(p, dest, FK_REQUEST, mk_pid(dest, 0), ref, op, data, &refused, &routed)) {
        forget_pending(rs, ref);
        return wire_refusal(p, refused, NULL, NULL, 0);
    }
    if (!routed) {
        /* The realm went away before the frame left (or this realm has no
         * parent left): answer at once, unless the reply came meanwhile. */
        Pending *gone = take_pending(rs, ref);
        if (gone) {
            create_abandoned(rs, gone);
            free(gone);
            mbox_append_local(&p->mbox, mk_tuple3(p, kw(p->rt, "%realm-reply"), ref, err_pair(p, kw(p->rt, "noconnection"))));
        }
    }
    return ref;
}

/* realm-create in a child realm: the root starts the realm from this
 * realm's code (launch.c). A place here is already taken. */
static Value create_via_root(Proc *p, Value name, Value policy, unsigned schedulers, const RealmPolicy *m) {
    Runtime *rt = p->rt;
    Buf image;
    buf_init(&image);
    snapshot_write(rt, &image);
    Value snapshot = mk_binary(p, image.data, image.len);
    buf_free(&image);
    Value data = mk_tuple(p, 5);
    Value items[5] = {name, fix(schedulers), snapshot, num_from_u64(p, m->start), mk_float(p, m->cpu_max)};
    memcpy(tuple_elems(data), items, sizeof items);
    Pending *q = xcalloc(1, sizeof *q);
    q->name = lit_copy(rt, name);
    q->policy = policy == LV_NONE ? LV_NIL : lit_copy(rt, policy);
    q->schedulers = schedulers;
    q->mem_start = m->start;
    q->mem_ceiling = m->ceiling;
    return ask(p, add_pending(p, q, 1, REALM_OP_CREATE), REALM_OP_CREATE, 1, data);
}

/* :shared [%{:region r :access :read-only|:read-write} ...] (the library's
 * realm-create shares them once the realm is there). */
static bool shared_ok(Runtime *rt, Value shared) {
    if (shared == LV_NONE || shared == LV_NIL || shared == LV_EMPTY) return true;
    if (!is_vector(shared) && !is_tuple(shared)) return false;
    size_t n = is_tuple(shared) ? tuple_len(shared) : vec_count(shared);
    for (size_t i = 0; i < n; i++) {
        Value s = is_tuple(shared) ? tuple_elems(shared)[i] : vec_nth(shared, i);
        Value access = is_map(s) ? map_get(s, kw(rt, "access")) : LV_NONE;
        if (!is_map(s) || !is_imm_of(map_get(s, kw(rt, "region")), IMM_REGION) ||
            (access != kw(rt, "read-only") && access != kw(rt, "read-write")))
            return false;
    }
    return true;
}

Value realm_create(Proc *p, Value opts) {
    Runtime *rt = p->rt;
    RealmState *rs = realm_state(rt);
    Value args[1] = {opts};
    if (!is_map(opts)) return err_badarg(p, "realm-create", args, 1);
    Value name = map_get(opts, K_(name));
    Value policy = map_get(opts, kw(rt, "policy"));
    Value shared = map_get(opts, kw(rt, "shared"));
    unsigned schedulers;
    RealmPolicy m;
    if (name == LV_NONE || !parse_name(name) || !policy_parse(rt, policy, &m) ||
        !parse_schedulers(rt, map_get(opts, kw(rt, "schedulers")), &schedulers) ||
        !shared_ok(rt, shared))
        return err_badarg(p, "realm-create", args, 1);
    /* A budget given by the parent bounds the whole subtree: a child with
     * no :memory would have a budget of its own, outside it. */
    if (rs->budgeted && !m.start)
        return err_raisef(p, K_(badarg),
                          "realm-create: this realm's memory budget comes from its parent, so a child realm "
                          "needs a :memory policy (:policy %%{:memory %%{:max bytes}})");
    if (policy_carve(p, &m) == LV_EXC) return LV_EXC;
    if (!realm_reserve(rs)) {
        if (m.start) mem_uncharge(m.start);
        return err_raisef(p, kw(rt, "system-limit"), "realm-create: %u child realms already (LONA_MAX_REALMS)",
                          rs->max_children);
    }
    if (rt->realm_id != 1) return create_via_root(p, name, policy, schedulers, &m);
    uint32_t id = atomic_fetch_add(&rs->next_id, 1);
    const char *failed = NULL;
    int sv[2] = {-1, -1}, saved = 0;
    pid_t pid = -1;
    if (id > 0xffff) {
        failed = "no realm ids left";
    } else if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
        saved = errno;
        failed = "socketpair";
    } else {
        int theirs = high_fd(sv[1]);
        int snap = image_for_child(rs);
        pid = snap >= 0 && theirs >= 0 ? launch_process(rs, id, rt->realm_id, schedulers, m.start, m.cpu_max, theirs, snap) : -1;
        saved = errno;
        if (theirs >= 0) close(theirs);
        if (snap >= 0) close(snap);
        if (pid < 0) {
            close(sv[0]);
            failed = "cannot start the realm";
        }
    }
    if (failed) {
        realm_release(rs);
        if (m.start) mem_uncharge(m.start);
        return err_raisef(p, kw(rt, "system-limit"), "realm-create: %s%s%s", failed, saved ? ": " : "",
                          saved ? strerror(saved) : "");
    }
    add_child(rs, id, sv[0], pid, lit_copy(rt, name), policy == LV_NONE ? LV_NIL : lit_copy(rt, policy), schedulers,
              &m);
    return IMM(IMM_REALM, id);
}

uint32_t realm_adopt(Runtime *rt, int fd, pid_t os_pid, Value name) {
    RealmState *rs = realm_state(rt);
    if (!realm_reserve(rs)) return 0;
    uint32_t id = atomic_fetch_add(&rs->next_id, 1);
    if (id > 0xffff) {
        realm_release(rs);
        return 0;
    }
    RealmPolicy own = {0, 0, 0};
    add_child(rs, id, fd, os_pid, lit_copy(rt, name), LV_NIL, 0, &own);
    return id;
}

Value realm_terminate(Proc *p, Value realm) {
    Runtime *rt = p->rt;
    RealmState *rs = realm_state(rt);
    uint32_t id = (uint32_t)imm_payload(realm);
    pthread_mutex_lock(&rs->lock);
    ChildRealm *c = realm_child_locked(rs, id);
    bool below = realm_via_locked(rs, id) != NULL;
    pid_t pid = 0;
    if (c) {
        /* Out of the tree now, so that child-realms no longer lists it when
         * this returns; its link's down callback then fires :killed. */
        c->terminated = true;
        pid = c->os_pid;
        unlink_child_locked(rs, c);
        /* Its budget is this realm's again when this returns. */
        policy_release_locked(c);
    }
    pthread_mutex_unlock(&rs->lock);
    if (!below) return err_pair(p, kw(rt, "not-descendant"));
    if (rt->realm_id != 1) {
        /* Only the root may kill: it reaps the subtree, then answers. */
        if (c) realm_release(rs);
        return ask(p, new_pending(p, 1, REALM_OP_TERMINATE), REALM_OP_TERMINATE, 1, realm);
    }
    if (c) {
        /* Those below first, so that they count as terminated, not as
         * lost with their parent. */
        launch_kill_below(rs, id, false, true);
        launch_kill_and_reap(pid);
        realm_release(rs); /* reaped: its place is free */
    } else {
        launch_kill_below(rs, id, true, true);
    }
    return K_(ok);
}

bool realm_is_descendant(Runtime *rt, Value realm) {
    RealmState *rs = realm_state(rt);
    pthread_mutex_lock(&rs->lock);
    bool found = realm_via_locked(rs, (uint32_t)imm_payload(realm)) != NULL;
    pthread_mutex_unlock(&rs->lock);
    return found;
}

/* ---- sending ---------------------------------------------------------------------- */

/* Encode msg into a frame and send it towards dest; false if msg cannot
 * cross (the offending value is left in *refused). */
static bool send_frame(Proc *p, uint32_t dest, uint8_t kind, Value to, Value ref, uint64_t arg, Value msg,
                       Value *refused, bool *routed) {
    RealmState *rs = realm_state(p->rt);
    Buf out;
    buf_init(&out);
    frame_begin(&out, kind, to, p->pid, ref, arg);
    Value bad = LV_NONE;
    WireErr err = wire_encode(p->rt, msg, NULL, &out, &bad);
    bool ok = err == WIRE_OK && frame_finish(&out);
    *routed = false;
    if (!ok) {
        *refused = err == WIRE_E_REFUSED && bad != LV_NONE ? bad : msg;
    } else {
        pthread_mutex_lock(&rs->lock);
        RealmLink *l = route_locked(rs, dest);
        /* Sent under the lock: the link cannot be freed meanwhile (its
         * child leaves the list under this lock before the link goes). */
        if (l) *routed = link_send(l, &out);
        pthread_mutex_unlock(&rs->lock);
    }
    p->reductions -= (int32_t)(out.len / 256);
    buf_free(&out);
    return ok;
}

bool realm_send(Proc *p, Value to, Value msg, Value sync_ref, bool *routed, Value *refused) {
    bool sent;
    if (!send_frame(p, pid_realm(to), FK_SEND, to, sync_ref == LV_NONE ? LV_NIL : sync_ref, 0, msg, refused, &sent))
        return false;
    if (routed) *routed = sent;
    return true;
}

/* v printed, as a string: what crosses in place of a value that cannot. */
static Value printed(Proc *p, Value v) {
    Buf b;
    buf_init(&b);
    pr_value(p->rt, &b, v);
    Value text = mk_string(p, b.data, b.len);
    buf_free(&b);
    return text;
}

/* The hook of proc/exit.c: a signal to a pid of another realm. A reason
 * that cannot cross (it holds a function, say) travels as its printed form. */
static bool realm_signal(Proc *from, Value to, int kind, Value value, Value ref, uint32_t flags) {
    Value refused;
    bool routed;
    uint64_t arg = (uint64_t)kind | (uint64_t)(flags & SF_LINK) << 8;
    Value v = value == LV_NONE ? LV_NIL : value;
    if (!send_frame(from, pid_realm(to), FK_SIGNAL, to, ref == LV_NONE ? LV_NIL : ref, arg, v, &refused, &routed))
        send_frame(from, pid_realm(to), FK_SIGNAL, to, ref == LV_NONE ? LV_NIL : ref, arg, printed(from, v), &refused,
                   &routed);
    return routed;
}

Value realm_request(Proc *p, Value realm, RealmOp op, Value data) {
    uint32_t id = (uint32_t)imm_payload(realm);
    if (!realm_is_descendant(p->rt, realm)) return err_pair(p, kw(p->rt, "not-descendant"));
    return ask(p, new_pending(p, id, op), op, id, data);
}

Value realm_ask_for_notif(Proc *p, RealmOp op, uint32_t dest, Value data, uint64_t token) {
    Pending *q = xcalloc(1, sizeof *q);
    q->name = q->policy = LV_NIL;
    q->token = token;
    return ask(p, add_pending(p, q, dest, op), op, dest, data);
}

Value realm_ask_about(Proc *p, Value pid, RealmOp op) {
    uint32_t id = pid_realm(pid);
    return ask(p, new_pending(p, id, op), op, id, pid);
}

Value realm_ask_parent(Proc *p, RealmOp op, Value data) {
    RealmState *rs = realm_state(p->rt);
    Value ref = mk_ref(p->rt->realm_id, atomic_fetch_add(&p->rt->next_ref, 1));
    Value refused;
    bool routed = false;
    if (rs->parent_id) send_frame(p, rs->parent_id, FK_REQUEST, mk_pid(rs->parent_id, 0), ref, op, data, &refused, &routed);
    if (!routed) mbox_append_local(&p->mbox, mk_tuple3(p, kw(p->rt, "%realm-reply"), ref, LV_NIL));
    return ref;
}

bool realm_send_request(Proc *p, uint32_t dest, RealmOp op, Value data) {
    Value refused;
    bool routed;
    return send_frame(p, dest, FK_REQUEST, mk_pid(dest, 0), LV_NIL, op, data, &refused, &routed) && routed;
}

bool realm_send_to_child(Proc *p, uint32_t child, RealmOp op, Value data, int fd) {
    RealmState *rs = realm_state(p->rt);
    Buf out;
    buf_init(&out);
    frame_begin(&out, FK_REQUEST, mk_pid(child, 0), p->pid, LV_NIL, op);
    bool ok = wire_encode(p->rt, data, NULL, &out, NULL) == WIRE_OK && frame_finish(&out);
    pthread_mutex_lock(&rs->lock);
    ChildRealm *c = ok ? realm_child_locked(rs, child) : NULL;
    if (c && fd >= 0) {
        ok = link_send_fd(c->link, &out, fd);
        fd = -1;
    } else if (c) {
        ok = link_send(c->link, &out);
    }
    pthread_mutex_unlock(&rs->lock);
    if (fd >= 0) close(fd);
    buf_free(&out);
    return ok && c;
}

Value realm_memory(Proc *p, bool more, size_t bytes) {
    Runtime *rt = p->rt;
    RealmState *rs = realm_state(rt);
    if (!rs->parent_id) return err_pair(p, kw(rt, "no-parent"));
    if (!more) {
        /* Never below what its processes hold now: the rest is the parent's. */
        size_t spare = mem_room();
        if (bytes > spare) bytes = spare;
    }
    Value data = mk_tuple2(p, kw(rt, more ? "request" : "return"), num_from_u64(p, bytes));
    return ask(p, new_pending(p, rs->parent_id, REALM_OP_MEMORY), REALM_OP_MEMORY, rs->parent_id, data);
}

Value realm_reply(Proc *p, Value to, Value ref, Value value) {
    Value refused;
    bool routed;
    if (!send_frame(p, pid_realm(to), FK_REPLY, to, ref, 0, value, &refused, &routed)) {
        /* The answer holds a value that cannot cross (a function, say):
         * say so, naming that value by its printed form, rather than leave
         * the caller waiting. */
        Value kvs[4] = {K_(value), printed(p, refused), K_(message),
                        mk_cstring(p, "the answer holds a value that cannot cross a realm boundary")};
        Value err = mk_tuple3(p, K_(error), kw(p->rt, "cannot-cross-realms"), map_from_kvs(p, kvs, 4));
        send_frame(p, pid_realm(to), FK_REPLY, to, ref, 0, err, &refused, &routed);
    }
    return K_(ok);
}
