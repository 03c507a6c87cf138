/*
 * dispatch_fuzz.c — libFuzzer target for the frame dispatcher of a realm,
 * realm_on_frame (src/realm/realm.c): what the root does with a frame that
 * came on the link of a child realm (a hostile OS process) or on the link
 * of a parent (which a parent may send: news of a death, a reply carrying
 * a descriptor). It checks the sender, routes, decodes the value and
 * delivers messages, signals, requests, replies and FK_GONE notices.
 *
 * Set-up (once per runtime): a runtime with the library (two schedulers,
 * no input), four long-lived "sink" processes that trap exits and receive
 * and discard every message, and two socketpairs:
 *
 *   child   realm_adopt(rt, sv[0]) makes an adopted child realm (id 2); the
 *           harness keeps sv[1], the child's end
 *   parent  a second link, made as child.c makes a child realm's link to
 *           its parent (a LinkPeer without a child), set as rs->parent;
 *           the harness keeps its other end
 *
 * Nothing is ever written to the harness's ends, so the poller never reads
 * a frame on either link: it only flushes what the runtime queues for
 * them. The harness calls realm_on_frame from the fuzzing thread, the only
 * thread that runs it, as the poller thread would. What the runtime sends
 * on the two links (replies, answers :noproc, forwarded frames, FK_GONE
 * news, DOWN and EXIT signals of the sinks, descriptors passed down) is
 * read and discarded, non-blocking, after each input, every received
 * descriptor closed, so that the sockets never fill.
 *
 * Input: byte 0 holds flags, the rest is one frame.
 *   bit 0   the frame comes on the parent's link (else on the child's)
 *   bit 1   a descriptor comes with it (the read end of a fresh pipe): the
 *           harness closes it after the call unless the dispatcher took it
 *           (*passed_fd set to -1), as link.c's deliver does
 * The frame's header (magic, version, length) is made right, the kind kept,
 * so that mutations reach the routing and the value; a frame that
 * frame_parse then refuses is skipped (link.c drops it before dispatch).
 * A frame `to` a local pid number 1..4 (mk_pid(1, n)) is rebuilt with the
 * pid of sink n instead, so that frames reach live processes (the sinks'
 * own numbers grow as they are respawned).
 *
 * A spawn request from the parent is skipped: the agent (which the root
 * starts the first time it is asked for process-info) would run whatever
 * function it names, as a child realm does for its parent.
 *
 * Between inputs, each independent of the ones before:
 *   - the links' drop counters are reset (LINK_MAX_DROPPED drops hang up
 *     on a link: its down callback would free the link the harness uses);
 *   - routes learnt by forwarding a descriptor are forgotten;
 *   - a sink that died (an exit :kill, a kill signal) is spawned again.
 * LONA_MAX_REALMS=1 is set before the runtime is made: the adopted child
 * takes the only place, so that a well-formed realm-create request from
 * the child is answered :system-limit instead of starting an OS process
 * (the harness aborts if a realm is ever launched).
 *
 * It fails on crashes, sanitizer reports and leaks, and on a descriptor
 * leak: the descriptor passed with a frame must be closed (by the harness
 * when not taken, by the runtime when taken) once what the runtime sent is
 * drained (the harness keeps the pipe's write end, which polls POLLERR
 * when no read end is left anywhere); and every DISPATCH_FUZZ_FDCHECK
 * inputs (default 256) the count of open descriptors must be back to what
 * it was after set-up (plus FD_SLACK for libFuzzer's own).
 *
 * The runtime is made again every DISPATCH_FUZZ_RECYCLE inputs (default
 * 20000: atoms interned by decoded values, links and monitors piled on the
 * sinks). As in the other targets, the used part of the literal area is
 * registered with LeakSanitizer and the runtime is freed at exit.
 *
 * DISPATCH_FUZZ_VERBOSE=1 prints each frame dispatched.
 * DISPATCH_FUZZ_SEEDS=dir writes the seeds (fuzz/corpus_dispatch) and exits.
 *
 * Build: see fuzz/README.md.
 */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/util.h"
#include "proc/life.h"
#include "proc/proc.h"
#include "proc/signal.h"
#include "realm/frame.h"
#include "realm/link.h"
#include "realm/realm.h"
#include "realm/realm_priv.h"
#include "realm/wire.h"
#include "sched/sched.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "vm/host.h"
#include "vm/ns.h"
#include "vm/rt.h"

#include "fuzz_lsan.h"

#define NSINKS 4
/* Descriptors libFuzzer may open after set-up: the symbolizer it starts the
 * first time it prints a new function (two pipes and /dev/null). A leak of
 * the runtime grows with the inputs and passes this at once. */
#define FD_SLACK 4

static Runtime *fuzz_rt;
static RealmState *rs;
static RealmLink *child_link, *parent_link;
static LinkPeer *child_peer, *parent_peer;
static int child_end = -1, parent_end = -1; /* the harness's ends */
static uint32_t child_id;
static Value sink_fn = LV_NONE;              /* lona.user/fuzz-sink, in the literal area */
static Value sinks[NSINKS];
static int base_fds;
static bool verbose;
static unsigned long recycle_every = 20000, fdcheck_every = 256, inputs;

static void dispatch_fuzz_lsan_roots(bool keep) { fuzz_lsan_roots(fuzz_rt, keep); }

static int count_fds(void) {
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    if (!d) return -1;
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n - 1; /* the directory's own descriptor */
}

/* Read and discard what the runtime sent on one of the harness's ends,
 * closing every descriptor that came with it. */
static void drain(int fd) {
    static uint8_t buf[FRAME_INLINE_MAX + 64];
    for (;;) {
        union {
            char buf[CMSG_SPACE(8 * sizeof(int))];
            struct cmsghdr align;
        } u;
        struct iovec iov = {buf, sizeof buf};
        struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
        ssize_t n = recvmsg(fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n <= 0) return;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
            if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
            size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (size_t i = 0; i < k; i++) {
                int got;
                memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof got);
                close(got);
            }
        }
    }
}

static bool alive(Value pid) {
    Proc *p = proc_lookup(fuzz_rt, pid);
    if (!p) return false;
    bool live = atomic_load(&p->state) != PS_EXITED;
    proc_unref(p);
    return live;
}

static Value spawn_sink(void) {
    SpawnOpts o = {.name = LV_NIL};
    Proc *c = proc_create(fuzz_rt, &o, NULL);
    if (!proc_set_entry(c, sink_fn, NULL)) abort();
    Value pid = c->pid;
    sched_start(c, NULL);
    return pid;
}

static void keep_sinks(void) {
    for (int i = 0; i < NSINKS; i++)
        if (!alive(sinks[i])) sinks[i] = spawn_sink();
}

/* The link to a parent, as child.c makes it; its down callback never runs
 * (the harness keeps the other end open and hangs up on nothing). */
static void on_parent_down(void *ctx, RealmLink *l) {
    (void)ctx;
    (void)l;
    fprintf(stderr, "dispatch_fuzz: the parent's link went down\n");
    abort();
}

static void dispatch_fuzz_free(void) {
    dispatch_fuzz_lsan_roots(false);
    if (fuzz_rt) rt_free(fuzz_rt); /* frees both links and their peers */
    fuzz_rt = NULL;
    rs = NULL;
    child_link = parent_link = NULL;
    if (child_end >= 0) close(child_end);
    if (parent_end >= 0) close(parent_end);
    child_end = parent_end = -1;
}

static const char sink_src[] = "(defn fuzz-sink [] (trap-exit true) (loop [] (receive _ (recur))))";

static bool dispatch_fuzz_make(void) {
    fuzz_rt = rt_new(&(RtOptions){.no_input = true, .schedulers = 2});
    if (!fuzz_rt) return false;
    Proc *host = host_proc_new(fuzz_rt);
    Value out;
    if (host_load_source(host, sink_src, strlen(sink_src), "dispatch_fuzz", &out) != HOST_OK) return false;
    host_proc_free(host);
    Value ns = ns_find(fuzz_rt, mk_symbol(atoms_intern_text(&fuzz_rt->atoms, "user", 4)));
    Value var = ns == LV_NIL ? LV_NONE : ns_lookup(fuzz_rt, ns, mk_symbol(atoms_intern_text(&fuzz_rt->atoms, "fuzz-sink", 9)));
    sink_fn = var == LV_NONE ? LV_NONE : atomic_load(&as_var(var)->root);
    if (sink_fn == LV_NONE) return false;
    for (int i = 0; i < NSINKS; i++) sinks[i] = spawn_sink();

    int sv[2], pv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) return false;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pv) < 0) return false;
    child_id = realm_adopt(fuzz_rt, sv[0], 0, mk_symbol(atoms_intern_text(&fuzz_rt->atoms, "fuzzed", 6)));
    if (child_id != 2) return false;
    child_end = sv[1];
    rs = realm_state(fuzz_rt);
    pthread_mutex_lock(&rs->lock);
    for (ChildRealm *c = rs->children; c; c = c->next)
        if (c->id == child_id) child_link = c->link;
    child_peer = child_link ? child_link->ctx : NULL;
    parent_peer = xcalloc(1, sizeof *parent_peer);
    parent_peer->rs = rs;
    rs->parent = parent_link = link_new(pv[0], fuzz_rt->poller, realm_on_frame, on_parent_down, parent_peer);
    pthread_mutex_unlock(&rs->lock);
    parent_end = pv[1];
    if (!child_link) return false;
    dispatch_fuzz_lsan_roots(true);
    base_fds = count_fds();
    return true;
}

static void dispatch_fuzz_stop(void) { dispatch_fuzz_free(); }

/* ---- seeds -------------------------------------------------------------------- */

static Value seed_kw(const char *s) { return mk_keyword(atoms_intern_text(&fuzz_rt->atoms, s, strlen(s))); }

static void seed(const char *dir, const char *name, uint8_t flags, uint8_t kind, Value to, Value from, Value ref,
                 uint64_t arg, Value v) {
    Buf b;
    buf_init(&b);
    buf_putc(&b, (char)flags);
    Buf f;
    buf_init(&f);
    frame_begin(&f, kind, to, from, ref, arg);
    if (wire_encode(fuzz_rt, v, NULL, &f, NULL) != WIRE_OK || !frame_finish(&f)) abort();
    buf_append(&b, f.data, f.len);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *out = fopen(path, "wb");
    if (!out || fwrite(b.data, 1, b.len, out) != b.len || fclose(out) != 0) {
        perror(path);
        exit(1);
    }
    buf_free(&f);
    buf_free(&b);
}

static void write_seeds(const char *dir) {
    Proc *p = proc_new_bare(fuzz_rt);
    Value here1 = mk_pid(1, 1), here2 = mk_pid(1, 2), here3 = mk_pid(1, 3), here4 = mk_pid(1, 4);
    Value kid = mk_pid(2, 7), kid0 = mk_pid(2, 0), root = mk_pid(1, 0);
    Value r = mk_ref(2, 5), pr = mk_ref(1, 77);
    Value hello = mk_tuple2(p, seed_kw("hello"), fix(42));
    enum { C = 0, P = 1, FD = 2 };
    /* from the child */
    seed(dir, "c_send", C, FK_SEND, here1, kid, LV_NIL, 0, hello);
    seed(dir, "c_send_sync", C, FK_SEND, here2, kid, r, 0, seed_kw("sync"));
    seed(dir, "c_send_dead", C, FK_SEND, mk_pid(1, 999), kid, LV_NIL, 0, hello);
    seed(dir, "c_send_forward", C, FK_SEND, mk_pid(3, 1), kid, LV_NIL, 0, hello);
    seed(dir, "c_send_forged", C, FK_SEND, here1, mk_pid(1, 5), LV_NIL, 0, hello);
    seed(dir, "c_sig_exit", C, FK_SIGNAL, here1, kid, LV_NIL, SIG_EXIT, seed_kw("boom"));
    seed(dir, "c_sig_exit_link", C, FK_SIGNAL, here2, kid, LV_NIL, SIG_EXIT | SF_LINK << 8, seed_kw("boom"));
    seed(dir, "c_sig_kill", C, FK_SIGNAL, here4, kid, LV_NIL, SIG_EXIT, seed_kw("kill"));
    seed(dir, "c_sig_link", C, FK_SIGNAL, here3, kid, LV_NIL, SIG_LINK, LV_NIL);
    seed(dir, "c_sig_link_noproc", C, FK_SIGNAL, mk_pid(1, 999), kid, LV_NIL, SIG_LINK, LV_NIL);
    seed(dir, "c_sig_unlink", C, FK_SIGNAL, here3, kid, LV_NIL, SIG_UNLINK, LV_NIL);
    seed(dir, "c_sig_monitor", C, FK_SIGNAL, here4, kid, r, SIG_MONITOR, LV_NIL);
    seed(dir, "c_sig_monitor_noproc", C, FK_SIGNAL, mk_pid(1, 999), kid, r, SIG_MONITOR, LV_NIL);
    seed(dir, "c_sig_demonitor", C, FK_SIGNAL, here4, kid, r, SIG_DEMONITOR, LV_NIL);
    seed(dir, "c_sig_down", C, FK_SIGNAL, here1, kid, pr, SIG_DOWN, seed_kw("normal"));
    seed(dir, "c_sig_sync_ack", C, FK_SIGNAL, here2, kid, pr, SIG_SYNC_ACK, LV_NIL);
    seed(dir, "c_req_alive", C, FK_REQUEST, root, kid, r, REALM_OP_ALIVE, here1);
    seed(dir, "c_req_process_info", C, FK_REQUEST, root, kid, r, REALM_OP_PROCESS_INFO, here2);
    seed(dir, "c_req_whereis", C, FK_REQUEST, root, kid, r, REALM_OP_WHEREIS,
         mk_symbol(atoms_intern_text(&fuzz_rt->atoms, "nobody", 6)));
    Value snap = mk_binary(p, "not a snapshot", 14);
    seed(dir, "c_req_create", C, FK_REQUEST, root, kid, r, REALM_OP_CREATE,
         mk_tuple3(p, mk_symbol(atoms_intern_text(&fuzz_rt->atoms, "kid", 3)), fix(1), snap));
    seed(dir, "c_req_terminate", C, FK_REQUEST, root, kid, r, REALM_OP_TERMINATE, IMM(IMM_REALM, 3));
    seed(dir, "c_req_spawn", C, FK_REQUEST, root, kid, r, REALM_OP_SPAWN, LV_NIL);
    seed(dir, "c_reply", C, FK_REPLY, here1, kid0, pr, 0, seed_kw("ok"));
    seed(dir, "c_reply_fd", C | FD, FK_REPLY, here1, kid0, pr, 0, seed_kw("ok"));
    seed(dir, "c_gone", C, FK_GONE, root, kid0, LV_NIL, 3, seed_kw("killed"));
    /* from the parent */
    seed(dir, "p_gone_child", P, FK_GONE, root, mk_pid(0, 0), LV_NIL, 2, seed_kw("noconnection"));
    seed(dir, "p_gone_other", P, FK_GONE, root, mk_pid(0, 0), LV_NIL, 9, seed_kw("killed"));
    seed(dir, "p_send", P, FK_SEND, here1, mk_pid(9, 3), LV_NIL, 0, hello);
    seed(dir, "p_send_down", P, FK_SEND, mk_pid(2, 3), mk_pid(9, 3), LV_NIL, 0, hello);
    seed(dir, "p_sig_exit", P, FK_SIGNAL, here2, mk_pid(9, 3), LV_NIL, SIG_EXIT, seed_kw("shutdown"));
    seed(dir, "p_sig_monitor", P, FK_SIGNAL, here3, mk_pid(9, 3), mk_ref(9, 1), SIG_MONITOR, LV_NIL);
    seed(dir, "p_req_info", P, FK_REQUEST, root, mk_pid(9, 3), mk_ref(9, 1), REALM_OP_INFO, LV_NIL);
    seed(dir, "p_req_alive", P, FK_REQUEST, root, mk_pid(9, 3), mk_ref(9, 1), REALM_OP_ALIVE, here4);
    seed(dir, "p_reply", P, FK_REPLY, here1, mk_pid(9, 0), pr, 0, seed_kw("ok"));
    seed(dir, "p_reply_fd", P | FD, FK_REPLY, here1, mk_pid(9, 0), pr, 5, seed_kw("ok"));
    seed(dir, "p_reply_fd_down", P | FD, FK_REPLY, mk_pid(2, 7), mk_pid(9, 0), mk_ref(2, 3), 11, IMM(IMM_REALM, 11));
    seed(dir, "p_send_fd", P | FD, FK_SEND, here1, mk_pid(9, 3), LV_NIL, 0, hello);
    proc_free_bare(p);
}

/* ---- each input --------------------------------------------------------------- */

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    const char *vb = getenv("DISPATCH_FUZZ_VERBOSE");
    verbose = vb && *vb && strcmp(vb, "0") != 0;
    const char *rc = getenv("DISPATCH_FUZZ_RECYCLE");
    if (rc && atol(rc) > 0) recycle_every = (unsigned long)atol(rc);
    const char *fc = getenv("DISPATCH_FUZZ_FDCHECK");
    if (fc && atol(fc) > 0) fdcheck_every = (unsigned long)atol(fc);
    setenv("LONA_MAX_REALMS", "1", 1);
    if (!dispatch_fuzz_make()) {
        fprintf(stderr, "dispatch_fuzz: set-up failed\n");
        exit(1);
    }
    const char *seeds = getenv("DISPATCH_FUZZ_SEEDS");
    if (seeds && *seeds) {
        write_seeds(seeds);
        dispatch_fuzz_free();
        exit(0);
    }
    atexit(dispatch_fuzz_stop);
    return 0;
}

static void check_fds(void) {
    int n = 0;
    for (int tries = 0; tries < 50; tries++) {
        drain(child_end);
        drain(parent_end);
        n = count_fds();
        if (n <= base_fds + FD_SLACK) return;
        usleep(2000); /* a descriptor on its way out of a link's queue */
    }
    fprintf(stderr, "dispatch_fuzz: %d descriptors open, %d after set-up:\n", n, base_fds);
    DIR *d = opendir("/proc/self/fd");
    for (struct dirent *e; d && (e = readdir(d));) {
        char path[300], target[256];
        snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
        ssize_t k = readlink(path, target, sizeof target - 1);
        if (k > 0) fprintf(stderr, "  %s -> %.*s\n", e->d_name, (int)k, target);
    }
    if (d) closedir(d);
    abort();
}

static void forget_routes(void) {
    pthread_mutex_lock(&rs->lock);
    for (Route *r = rs->routes, *next; r; r = next) {
        next = r->next;
        free(r);
    }
    rs->routes = NULL;
    pthread_mutex_unlock(&rs->lock);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 + FRAME_HEADER || size - 1 > FRAME_INLINE_MAX) return 0;
    if (++inputs % recycle_every == 0) {
        dispatch_fuzz_free();
        if (!dispatch_fuzz_make()) abort();
    }
    uint8_t flags = data[0];
    bool from_parent = flags & 1, with_fd = flags & 2;
    size_t n = size - 1;
    /* A copy of exactly its size, so that ASan sees any overread. */
    uint8_t *bytes = malloc(n);
    memcpy(bytes, data + 1, n);
    uint32_t len = (uint32_t)(n - FRAME_HEADER);
    bytes[0] = 'L';
    bytes[1] = 'R';
    bytes[2] = FRAME_VERSION;
    for (int i = 0; i < 4; i++) bytes[4 + i] = (uint8_t)(len >> (8 * i));
    WireFrame f;
    Buf re;
    buf_init(&re);
    if (!frame_parse(bytes, n, &f)) goto done;

    /* A request from the parent to spawn runs any function here: a parent
     * may (it is trusted with its children), the harness may not. */
    if (from_parent && f.kind == FK_REQUEST && f.arg == REALM_OP_SPAWN) goto done;
    keep_sinks();
    if (is_pid(f.to) && pid_realm(f.to) == 1 && pid_local(f.to) >= 1 && pid_local(f.to) <= NSINKS) {
        /* To a sink: the frame rebuilt with its pid. */
        frame_begin(&re, f.kind, sinks[pid_local(f.to) - 1], f.from, f.ref, f.arg);
        buf_append(&re, f.value, f.value_len);
        if (!frame_finish(&re) || !frame_parse((const uint8_t *)re.data, re.len, &f)) abort();
    }
    if (verbose)
        fprintf(stderr, "frame on the %s link%s: kind %u, arg %llu, value %zu bytes\n",
                from_parent ? "parent's" : "child's", with_fd ? " with a descriptor" : "", f.kind,
                (unsigned long long)f.arg, f.value_len);

    int fd = -1, pipefd[2] = {-1, -1};
    if (with_fd) {
        if (pipe2(pipefd, O_CLOEXEC) < 0) abort();
        fd = pipefd[0];
    }
    RealmLink *l = from_parent ? parent_link : child_link;
    realm_on_frame(from_parent ? parent_peer : child_peer, l, &f, &fd);
    if (fd >= 0) close(fd); /* not taken: closed, as link.c's deliver does */
    if (with_fd) {
        /* The read end passed must be closed everywhere by now, or soon (it
         * may wait in a link's queue, or be on its way in the socket the
         * harness drains): then the write end polls POLLERR. */
        struct pollfd pfd = {pipefd[1], POLLOUT, 0};
        int tries = 0;
        for (; tries < 500; tries++) {
            drain(child_end);
            drain(parent_end);
            if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLERR)) break;
            usleep(1000);
        }
        if (tries == 500) {
            fprintf(stderr, "dispatch_fuzz: the descriptor passed with the frame is still open\n");
            abort();
        }
        close(pipefd[1]);
    }

    if (rs->launched) {
        fprintf(stderr, "dispatch_fuzz: a realm was launched\n");
        abort();
    }
    atomic_store(&child_link->dropped, 0);
    atomic_store(&parent_link->dropped, 0);
    forget_routes();
done:
    buf_free(&re);
    free(bytes);
    drain(child_end);
    drain(parent_end);
    if (inputs % fdcheck_every == 0) check_fds();
    dispatch_fuzz_lsan_roots(true);
    return 0;
}
