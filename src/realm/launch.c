/*
 * launch.c — the root realm starts the OS process of every realm.
 *
 * A child realm runs sandboxed and may not start processes, so its
 * realm-create is a request to the root (it travels up the tree like any
 * frame): the request carries the name, the schedulers, the requester's
 * code snapshot and what the new realm's runtime is to enforce of its
 * policy (its memory budget, its CPU quota). The root starts the new realm's process (the `lona`
 * executable, fork+exec), and sends the other end of its socket pair back
 * down, attached to the reply (SCM_RIGHTS); every realm on the way learns
 * the route to the new id, and the requester adopts the socket as its
 * child's link. Descriptors only ever travel downward, from the more
 * trusted realm, apart from the sealed memfds of large frames.
 *
 * The root keeps a record of each realm it launched for another: its
 * parent (to find a subtree), its OS process, and a pidfd watched by the
 * poller, so that a realm that dies on its own is reaped at once and its
 * descendants are killed. A record is reaped exactly once, by whoever marks
 * it dead first (realm-terminate or the pidfd's callback), and freed only
 * by the pidfd's callback, which always comes once the process is dead.
 * The root's direct children are not launched records: realm.c reaps them.
 */
#include "realm/realm_priv.h"
#include "realm/policy.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/mem.h"
#include "base/memfd.h"
#include "realm/wire.h"
#include "sched/poller.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/binary.h"
#include "term/coll.h"
#include "term/num.h"
#include "vm/rt.h"

extern char **environ;


/* ---- starting an OS process ----------------------------------------------------------- */

static const char *self_exe(RealmState *rs) {
    pthread_mutex_lock(&rs->lock);
    if (!rs->exe[0]) {
        ssize_t n = readlink("/proc/self/exe", rs->exe, sizeof rs->exe - 1);
        rs->exe[n > 0 ? n : 0] = 0;
    }
    pthread_mutex_unlock(&rs->lock);
    return rs->exe;
}

/* fork+exec of this executable (posix_spawn: vfork semantics, safe in a
 * threaded process), in a new process group. sock and snap must not be 3
 * or 4 (the dup2 of one would replace the other). */
pid_t launch_process(RealmState *rs, uint32_t id, uint32_t parent, unsigned schedulers, size_t memory, double cpu,
                     int sock, int snap) {
    char idbuf[16], parentbuf[16], ospid[24], schedbuf[16], membuf[24], cpubuf[40];
    snprintf(idbuf, sizeof idbuf, "%u", id);
    snprintf(parentbuf, sizeof parentbuf, "%u", parent);
    snprintf(ospid, sizeof ospid, "%ld", (long)getpid());
    snprintf(schedbuf, sizeof schedbuf, "%u", schedulers);
    snprintf(membuf, sizeof membuf, "%zu", memory);
    snprintf(cpubuf, sizeof cpubuf, "%.17g", cpu);
    const char *exe = self_exe(rs);
    char *argv[] = {(char *)exe, "%realm-child", idbuf, parentbuf, ospid, schedbuf, membuf, cpubuf, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, sock, 3);
    posix_spawn_file_actions_adddup2(&fa, snap, 4);
    posix_spawnattr_init(&at);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &all);
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid = -1;
    if (posix_spawn(&pid, exe, &fa, &at, argv, environ) != 0) pid = -1;
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    return pid;
}

void launch_kill_and_reap(pid_t pid) {
    if (pid <= 0) return; /* adopted with no process of ours (realm_adopt) */
    kill(-pid, SIGKILL); /* its process group */
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
}

/* ---- the records of launched realms ---------------------------------------------------- */

static Launched *find_locked(RealmState *rs, uint32_t id) {
    for (Launched *r = rs->launched; r; r = r->next)
        if (r->id == id) return r;
    return NULL;
}

/* Is r below realm id? Known from r alone, so that a record freed above it
 * (its realm reaped) does not cut it off. */
static bool is_under(const Launched *r, uint32_t id) {
    for (size_t i = 0; i < r->nancestors; i++)
        if (r->ancestors[i] == id) return true;
    return false;
}

bool launch_is_below_locked(RealmState *rs, uint32_t id, uint32_t ancestor) {
    Launched *r = find_locked(rs, id);
    return r && !r->dead && (ancestor == rs->rt->realm_id || is_under(r, ancestor));
}

bool launch_describe_locked(RealmState *rs, uint32_t id, Value *name, uint32_t *parent, pid_t *os_pid) {
    Launched *r = find_locked(rs, id);
    if (!r) return false;
    *name = r->name;
    *parent = r->parent;
    *os_pid = r->os_pid;
    return true;
}

static void reap(Launched *r) {
    while (waitpid(r->os_pid, NULL, 0) < 0 && errno == EINTR) {
    }
}

/* The process of r ended (poller thread): reap it unless realm-terminate
 * does, tell the tree, kill what was below it, and free the record. */
/* Claim r for reaping (under rs->lock): it is no descendant of anyone
 * from now on. */
static void claim_locked(RealmState *rs, Launched *r, bool killed) {
    r->dead = true;
    r->killed = killed;
    realm_route_forget_locked(rs, r->id);
}

static void mark_reaped(RealmState *rs, Launched *r) {
    pthread_mutex_lock(&rs->lock);
    r->reaped = true;
    pthread_cond_broadcast(&rs->cond);
    pthread_mutex_unlock(&rs->lock);
}

/* The process of r ended (poller thread): reap it unless realm-terminate
 * does, tell the tree, kill what was below it, and free the record. */
static void on_launched_exit(void *ctx, uint32_t events) {
    (void)events;
    Launched *r = ctx;
    RealmState *rs = r->rs;
    pthread_mutex_lock(&rs->lock);
    bool mine = !r->dead;
    if (mine) claim_locked(rs, r, false);
    pthread_mutex_unlock(&rs->lock);
    if (mine) {
        reap(r);
        realm_release(rs);
        mark_reaped(rs, r);
    }
    launch_kill_below(rs, r->id, false, r->killed);
    realm_gone(rs, r->id, r->killed ? K_(killed) : kw(rs->rt, "noconnection"));
    poller_forget(rs->rt->poller, r->pidfd);
    close(r->pidfd);
    pthread_mutex_lock(&rs->lock);
    while (!r->reaped) pthread_cond_wait(&rs->cond, &rs->lock); /* realm-terminate is reaping it */
    for (Launched **pr = &rs->launched; *pr; pr = &(*pr)->next) {
        if (*pr != r) continue;
        *pr = r->next;
        break;
    }
    pthread_mutex_unlock(&rs->lock);
    free(r->ancestors);
    free(r);
}

/* Is a realm of the subtree still unreaped (whoever reaps it)? */
static bool subtree_unreaped_locked(RealmState *rs, uint32_t id, bool with_self) {
    for (Launched *r = rs->launched; r; r = r->next)
        if (!r->reaped && ((with_self && r->id == id) || is_under(r, id))) return true;
    return false;
}

void launch_kill_below(RealmState *rs, uint32_t id, bool with_self, bool killed) {
    /* Claim the subtree under the lock, then kill and reap outside it. */
    size_t n = 0, cap = 8;
    Launched **victims = xmalloc(cap * sizeof *victims);
    pthread_mutex_lock(&rs->lock);
    for (Launched *r = rs->launched; r; r = r->next) {
        if (r->dead || !((with_self && r->id == id) || is_under(r, id))) continue;
        claim_locked(rs, r, killed);
        if (n == cap) victims = xrealloc(victims, (cap *= 2) * sizeof *victims);
        victims[n++] = r;
    }
    pthread_mutex_unlock(&rs->lock);
    for (size_t i = 0; i < n; i++) {
        kill(-victims[i]->os_pid, SIGKILL);
        kill(victims[i]->os_pid, SIGKILL);
    }
    for (size_t i = 0; i < n; i++) {
        reap(victims[i]);
        realm_release(rs);
        mark_reaped(rs, victims[i]);
    }
    free(victims);
    /* Those the pidfd callback claimed first are reaped there: wait for
     * them too, so that the whole subtree is reaped when this returns. */
    pthread_mutex_lock(&rs->lock);
    while (subtree_unreaped_locked(rs, id, with_self)) pthread_cond_wait(&rs->cond, &rs->lock);
    pthread_mutex_unlock(&rs->lock);
}

void launch_free_all(RealmState *rs) {
    for (Launched *r = rs->launched, *next; r; r = next) {
        next = r->next;
        if (!r->dead) {
            kill(-r->os_pid, SIGKILL);
            kill(r->os_pid, SIGKILL);
            reap(r);
        }
        close(r->pidfd);
        free(r->ancestors);
        free(r);
    }
    rs->launched = NULL;
}

/* ---- serving requests (poller thread) ------------------------------------------------ */

static Value error_reply(Proc *sc, Runtime *rt, const char *reason, const char *message) {
    Value kvs[2] = {kw(rt, "message"), mk_cstring(sc, message)};
    return mk_tuple3(sc, K_(error), kw(rt, reason), map_from_kvs(sc, kvs, 2));
}

/* May realm `parent`, reached through the root's child via, get a child?
 * Not once it or a realm above it is being killed: launch_kill_below
 * claims a subtree in one hold of the lock, and a record added under a
 * claimed realm after that would live on unclaimed, its killer waiting
 * for it for ever. Checked in the same hold of the lock as the add. */
static bool parent_alive_locked(RealmState *rs, ChildRealm *via, uint32_t parent) {
    if (!via->in_tree) return false; /* the root's child is being terminated, or is gone */
    Launched *up = find_locked(rs, parent);
    return up ? !up->dead : parent == via->id;
}

/* Start realm `id` for realm `parent` from data [name schedulers snapshot
 * memory cpu] (memory: the budget the parent gives it, 0 for its own; cpu:
 * its CPU quota in cores, 0 for none); the reply value, and *mine the
 * socket end to send down, or -1. */
static Value start_for(RealmState *rs, ChildRealm *via, uint32_t parent, Value data, int *mine) {
    Runtime *rt = rs->rt;
    Proc *sc = rs->scratch;
    int64_t sched, memory;
    double cpu;
    *mine = -1;
    if (!is_tuple(data) || tuple_len(data) != 5) return error_reply(sc, rt, "badarg", "realm-create: bad request");
    Value name = tuple_elems(data)[0], snapshot = tuple_elems(data)[2];
    if (!(is_symbol(name) || is_string(name) || is_keyword(name)) || !is_integer(tuple_elems(data)[1]) ||
        !num_to_i64(tuple_elems(data)[1], &sched) || sched < 0 || sched > 256 || !is_binary(snapshot) ||
        !is_integer(tuple_elems(data)[3]) || !num_to_i64(tuple_elems(data)[3], &memory) || memory < 0 ||
        (uint64_t)memory > MEM_LIMIT_MAX || !policy_cpu_ok(tuple_elems(data)[4], &cpu))
        return error_reply(sc, rt, "badarg", "realm-create: bad request");
    if (!realm_reserve(rs)) return error_reply(sc, rt, "system-limit", "realm-create: the realm tree is full (LONA_MAX_REALMS)");
    uint32_t id = atomic_fetch_add(&rs->next_id, 1);
    int sv[2] = {-1, -1}, snap = -1, pidfd = -1;
    pid_t pid = -1;
    if (id <= 0xffff && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0) {
        snap = sealed_memfd("lona-image", binary_bytes(snapshot), binary_size(snapshot));
        int theirs = fcntl(sv[1], F_DUPFD_CLOEXEC, 10), code = snap >= 0 ? fcntl(snap, F_DUPFD_CLOEXEC, 10) : -1;
        if (theirs >= 0 && code >= 0) pid = launch_process(rs, id, parent, (unsigned)sched, (size_t)memory, cpu, theirs, code);
        if (theirs >= 0) close(theirs);
        if (code >= 0) close(code);
        close(sv[1]);
        if (snap >= 0) close(snap);
    }
    if (pid > 0) pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pid <= 0 || pidfd < 0) {
        if (pid > 0) launch_kill_and_reap(pid);
        if (sv[0] >= 0) close(sv[0]);
        realm_release(rs);
        return error_reply(sc, rt, "system-limit", id > 0xffff ? "realm-create: no realm ids left"
                                                                : "realm-create: cannot start the realm");
    }
    Value lit_name = lit_copy(rt, name);
    pthread_mutex_lock(&rs->lock);
    if (!parent_alive_locked(rs, via, parent)) {
        pthread_mutex_unlock(&rs->lock);
        close(pidfd);
        launch_kill_and_reap(pid);
        close(sv[0]);
        realm_release(rs);
        return error_reply(sc, rt, "not-descendant", "realm-create: the asking realm is being terminated");
    }
    Launched *r = xcalloc(1, sizeof *r);
    *r = (Launched){.rs = rs, .id = id, .parent = parent, .name = lit_name, .os_pid = pid, .pidfd = pidfd};
    Launched *up = find_locked(rs, parent); /* NULL: the parent is a child of the root */
    r->nancestors = up ? up->nancestors + 1 : 1;
    r->ancestors = xmalloc(r->nancestors * sizeof *r->ancestors);
    if (up) memcpy(r->ancestors, up->ancestors, up->nancestors * sizeof *r->ancestors);
    r->ancestors[r->nancestors - 1] = parent;
    r->next = rs->launched;
    rs->launched = r;
    realm_route_add_locked(rs, id, via);
    pthread_mutex_unlock(&rs->lock);
    poller_arm(rt->poller, pidfd, EPOLLIN, on_launched_exit, r);
    *mine = sv[0];
    return IMM(IMM_REALM, id);
}

void launch_serve(RealmState *rs, RealmLink *l, ChildRealm *from_child, const WireFrame *f, Value data) {
    uint32_t asker = pid_realm(f->from);
    if (f->arg == REALM_OP_CREATE) {
        int mine;
        Value v = start_for(rs, from_child, asker, data, &mine);
        realm_reply_on(rs, l, f->from, f->ref, mine >= 0 ? imm_payload(v) : 0, v, mine);
    } else if (f->arg == REALM_OP_TERMINATE) {
        uint32_t id = is_imm_of(data, IMM_REALM) ? (uint32_t)imm_payload(data) : 0;
        pthread_mutex_lock(&rs->lock);
        bool below = id && launch_is_below_locked(rs, id, asker);
        pthread_mutex_unlock(&rs->lock);
        if (below) launch_kill_below(rs, id, true, true);
        realm_reply_on(rs, l, f->from, f->ref, 0, below ? K_(ok) : mk_tuple2(rs->scratch, K_(error), kw(rs->rt, "not-descendant")), -1);
    }
}
