/*
 * hostile_peer_test.c — a test plays a child realm that misbehaves: it
 * sends garbage, a cut frame, a frame claiming a huge length, a frame for a
 * process that is not its own, a frame whose value is not a wire message,
 * a descriptor, news of the death of realms not below it, a malformed
 * request to start a realm, guesses at a notification's token, then a
 * flood of garbage. The parent drops and counts each, still takes a
 * good frame among them, hangs up on the child once it has dropped
 * LINK_MAX_DROPPED frames (the child's socket sees the end), and answers
 * its own processes throughout.
 *
 * The parent works on its poller thread: the test waits for what it can
 * see (a count reached, a message received, the socket's end), each under
 * a deadline that turns a hang into a failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/mem.h"
#include "proc/notif.h"
#include "proc/signal.h"
#include "realm/frame.h"
#include "realm/link.h"
#include "realm/realm.h"
#include "realm/wire.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/num.h"
#include "term/print.h"
#include "vm/host.h"
#include "vm/rt.h"

static Runtime *rt;
static Proc *host;
static int peer = -1;  /* the child's end */
static uint32_t child_id;

static char *eval(const char *src) {
    Value out;
    if (host_load_source(host, src, strlen(src), "hostile_peer_test", &out) != HOST_OK) return strdup("<error>");
    assert_true(host_claim(host));
    char *s = pr_to_cstr(rt, out);
    host_release(host);
    return s;
}

static void send_bytes(const void *p, size_t n) {
    assert_true(send(peer, p, n, MSG_NOSIGNAL) == (ssize_t)n);
}

/* A frame from the child: header, routing, then value bytes as given. */
static void send_frame(uint8_t kind, Value to, Value from, const void *value, size_t n) {
    Buf b;
    buf_init(&b);
    frame_begin(&b, kind, to, from, LV_NIL, 0);
    buf_append(&b, value, n);
    assert_true(frame_finish(&b));
    send_bytes(b.data, b.len);
    buf_free(&b);
}

/* A frame of any kind with v encoded as its value, in b. */
static void build_framed(Buf *b, uint8_t kind, Value to, Value from, Value ref, uint64_t arg, Value v) {
    Buf m;
    buf_init(&m);
    assert_int_equal(wire_encode(rt, v, NULL, &m, NULL), WIRE_OK);
    frame_begin(b, kind, to, from, ref, arg);
    buf_append(b, m.data, m.len);
    assert_true(frame_finish(b));
    buf_free(&m);
}

/* A frame from the child of any kind, with v encoded as its value. */
static void send_framed(uint8_t kind, Value to, Value from, Value ref, uint64_t arg, Value v) {
    Buf b;
    buf_init(&b);
    build_framed(&b, kind, to, from, ref, arg, v);
    send_bytes(b.data, b.len);
    buf_free(&b);
}

static void send_value(Value to, Value from, Value v) { send_framed(FK_SEND, to, from, LV_NIL, 0, v); }

static void wait_dropped(uint64_t want) {
    for (int i = 0; i < 1000 && realm_dropped_frames(rt) < want; i++) usleep(10000);
    assert_int_equal(realm_dropped_frames(rt), want);
}

static int setup(void **state) {
    (void)state;
    rt = rt_new(&(RtOptions){.no_input = true, .schedulers = 2});
    host = host_proc_new(rt);
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
    child_id = realm_adopt(rt, sv[0], 0, mk_symbol(atoms_intern_text(&rt->atoms, "hostile", 7)));
    assert_true(child_id >= 2);
    peer = sv[1];
    return 0;
}

static int teardown(void **state) {
    (void)state;
    close(peer);
    host_proc_free(host);
    rt_free(rt);
    return 0;
}

static void bad_frames_are_dropped_and_counted(void **state) {
    (void)state;
    Value me = host->pid, mine = mk_pid(child_id, 7);
    send_bytes("hello, parent", 13);                                  /* not a frame */
    uint8_t cut[] = {'L', 'R', FRAME_VERSION, FK_SEND, 40, 0, 0, 0, 1, 2};
    send_bytes(cut, sizeof cut);                                       /* shorter than it says */
    uint8_t huge[] = {'L', 'R', FRAME_VERSION, FK_SEND, 0xff, 0xff, 0xff, 0xff, 1, 2};
    send_bytes(huge, sizeof huge);                                     /* a huge length */
    send_value(me, mk_pid(1, 5), mk_keyword(atoms_intern_text(&rt->atoms, "forged", 6))); /* not its pid */
    static const uint8_t junk[] = {WIRE_VERSION, 3, 250, 1, 2};
    send_frame(FK_SEND, me, mine, junk, sizeof junk);                  /* not a wire message */
    uint8_t kind99[] = {'L', 'R', FRAME_VERSION, 99, 0, 0, 0, 0};
    send_bytes(kind99, sizeof kind99);                                 /* an unknown kind */
    assert_true(host_claim(host)); /* the tuple is made on its heap */
    Value hello = mk_tuple2(host, mk_keyword(atoms_intern_text(&rt->atoms, "hello", 5)), fix(42));
    send_value(me, mine, hello);
    host_release(host);
    wait_dropped(6);
    char *got = eval("(receive m m :after 10000 :timeout)");
    assert_string_equal(got, "[:hello 42]");
    free(got);
    got = eval("(count (child-realms))");
    assert_string_equal(got, "1");
    free(got);
}

/* A descriptor passed up from a child (only parents pass them down) is
 * dropped, counted and closed in the parent. */
/* A datagram may hold frames back to back (link.c queues them so when
 * the socket is full): each is delivered, in order; what follows a frame
 * that does not parse is dropped, counted once. */
static void frames_back_to_back_in_one_datagram(void **state) {
    (void)state;
    uint64_t before = realm_dropped_frames(rt);
    Value me = host->pid, mine = mk_pid(child_id, 7);
    Buf all, one;
    buf_init(&all);
    buf_init(&one);
    for (int i = 1; i <= 3; i++) {
        build_framed(&one, FK_SEND, me, mine, LV_NIL, 0, fix(i));
        buf_append(&all, one.data, one.len);
    }
    static const uint8_t cut[] = {'L', 'R', FRAME_VERSION, FK_SEND, 40, 0, 0, 0, 1, 2};
    buf_append(&all, cut, sizeof cut);
    build_framed(&one, FK_SEND, me, mine, LV_NIL, 0, fix(4)); /* after the cut frame: lost with it */
    buf_append(&all, one.data, one.len);
    send_bytes(all.data, all.len);
    buf_free(&all);
    buf_free(&one);
    wait_dropped(before + 1);
    char *got = eval("[(receive m m :after 10000 :timeout) (receive m m :after 10000 :timeout) "
                     "(receive m m :after 10000 :timeout) (receive m m :after 100 :none)]");
    assert_string_equal(got, "[1 2 3 :none]");
    free(got);
}

static void a_descriptor_from_a_child_is_refused(void **state) {
    (void)state;
    uint64_t before = realm_dropped_frames(rt);
    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);
    Buf b;
    buf_init(&b);
    static const uint8_t passfd[FRAME_HEADER] = {'L', 'R', FRAME_VERSION, 0xfe, 0, 0, 0, 0};
    buf_append(&b, passfd, sizeof passfd);
    frame_begin(&b, FK_REPLY, host->pid, mk_pid(child_id, 1), mk_ref(child_id, 1), 99);
    Buf m;
    buf_init(&m);
    assert_int_equal(wire_encode(rt, LV_NIL, NULL, &m, NULL), WIRE_OK);
    buf_append(&b, m.data, m.len);
    buf_free(&m);
    /* frame_finish works on a buffer that starts with the frame */
    Buf frame = {b.data + FRAME_HEADER, b.len - FRAME_HEADER, b.cap - FRAME_HEADER};
    assert_true(frame_finish(&frame));
    struct iovec iov = {b.data, b.len};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof u);
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &pipefd[1], sizeof(int));
    assert_true(sendmsg(peer, &msg, MSG_NOSIGNAL) == (ssize_t)b.len);
    buf_free(&b);
    close(pipefd[1]);
    wait_dropped(before + 1);
    /* the parent's copy is closed: the read end sees the end of the pipe */
    struct pollfd pfd = {pipefd[0], POLLIN, 0};
    assert_int_equal(poll(&pfd, 1, 10000), 1);
    char ch;
    assert_int_equal(read(pipefd[0], &ch, 1), 0);
    close(pipefd[0]);
}

/* News of a death comes only from the root, down: from a child it is
 * dropped and counted; a request to start a realm that is not well formed
 * gets an error, not a realm. */
static void lies_about_the_tree_change_nothing(void **state) {
    (void)state;
    uint64_t before = realm_dropped_frames(rt);
    char *got = eval("(def watched (spawn (fn [] (receive :never nil)))) (def wm (monitor watched)) :ok");
    free(got);
    Value killed = mk_keyword(atoms_intern_text(&rt->atoms, "killed", 6));
    uint32_t claimed[] = {1, child_id, 777}; /* the parent, itself, an unknown realm */
    for (size_t i = 0; i < ARRAY_LEN(claimed); i++)
        send_framed(FK_GONE, mk_pid(1, 0), mk_pid(child_id, 1), LV_NIL, claimed[i], killed);
    send_framed(FK_REQUEST, mk_pid(1, 0), mk_pid(child_id, 1), mk_ref(child_id, 9), REALM_OP_CREATE, fix(3));
    /* the answer to the request comes back, an error */
    struct pollfd pfd = {peer, POLLIN, 0};
    assert_int_equal(poll(&pfd, 1, 10000), 1);
    uint8_t reply[512];
    ssize_t n = recv(peer, reply, sizeof reply, 0);
    WireFrame f;
    assert_true(n > 0 && frame_parse(reply, (size_t)n, &f));
    assert_int_equal(f.kind, FK_REPLY);
    assert_int_equal(f.arg, 0);
    got = eval("[(alive? watched) (receive [:DOWN r _ _] when (= r wm) :down :after 0 :none) (count (child-realms))]");
    assert_string_equal(got, "[true :none 1]");
    free(got);
    wait_dropped(before + 3);
}

/* Wait for the next frame the parent sends down to the child. */
static bool next_frame(uint8_t *buf, size_t cap, WireFrame *f) {
    struct pollfd pfd = {peer, POLLIN, 0};
    if (poll(&pfd, 1, 10000) != 1) return false;
    ssize_t n = recv(peer, buf, cap, 0);
    return n > 0 && frame_parse(buf, (size_t)n, f);
}

/* A child learns the pid of the parent's agent from its answer to
 * process-info, then sends the agent a request of its own making, as a
 * message: [:%realm-request :spawn ref from [[ns name] args opts]] would
 * make the parent run any function with any arguments. The agent takes
 * requests only as FK_REQUEST frames; such a message, and a link or an
 * exit signal to the agent, are dropped and counted. */
static void a_child_cannot_forge_requests_to_the_agent(void **state) {
    (void)state;
    uint64_t before = realm_dropped_frames(rt);
    Value mine = mk_pid(child_id, 3);
    send_framed(FK_REQUEST, mk_pid(1, 0), mine, mk_ref(child_id, 21), REALM_OP_PROCESS_INFO, host->pid);
    uint8_t reply[4096];
    WireFrame f;
    do assert_true(next_frame(reply, sizeof reply, &f));
    while (f.kind != FK_REPLY || f.ref != mk_ref(child_id, 21));
    Value agent = f.from;
    assert_true(is_pid(agent) && pid_realm(agent) == 1 && pid_local(agent) != 0);

    assert_true(host_claim(host));
    Value fname = mk_tuple2(host, mk_symbol(atoms_intern_text(&rt->atoms, "lona.process", 12)),
                            mk_symbol(atoms_intern_text(&rt->atoms, "send", 4)));
    Value args = mk_tuple2(host, host->pid, mk_keyword(atoms_intern_text(&rt->atoms, "pwned", 5)));
    Value data = mk_tuple3(host, fname, args, LV_NIL);
    Value items[5] = {mk_keyword(atoms_intern_text(&rt->atoms, "%realm-request", 14)),
                      mk_keyword(atoms_intern_text(&rt->atoms, "spawn", 5)), mk_ref(child_id, 22), mine, data};
    Value forged = mk_tuple(host, 5);
    memcpy(tuple_elems(forged), items, sizeof items);
    send_value(agent, mine, forged);
    host_release(host);
    /* an exit signal :kill, which would end the agent */
    send_framed(FK_SIGNAL, agent, mine, LV_NIL, SIG_EXIT, mk_keyword(atoms_intern_text(&rt->atoms, "kill", 4)));
    wait_dropped(before + 2);
    /* the agent still answers */
    send_framed(FK_REQUEST, mk_pid(1, 0), mine, mk_ref(child_id, 23), REALM_OP_PROCESS_INFO, host->pid);
    do assert_true(next_frame(reply, sizeof reply, &f));
    while (f.kind != FK_REPLY || f.ref != mk_ref(child_id, 23));
    assert_true(f.from == agent);
    char *got = eval("(receive :pwned :pwned :after 300 :none)");
    assert_string_equal(got, ":none");
    free(got);
}

/* The reply to the child's request ref, from its parent. */
static Value reply_to(Value ref) {
    static uint8_t reply[4096];
    WireFrame f;
    do assert_true(next_frame(reply, sizeof reply, &f));
    while (f.kind != FK_REPLY || f.ref != ref);
    Value v;
    assert_int_equal(wire_decode(host, f.value, f.value_len, NULL, &v), WIRE_OK);
    return v;
}

/* A child with no memory policy (realm_adopt gives none) asks for memory
 * and gives back more than it was given: both refused, the parent's
 * budget untouched, as by a request in another realm's name. */
static void memory_requests_cannot_inflate_the_parents_budget(void **state) {
    (void)state;
    Value mine = mk_pid(child_id, 3);
    size_t used = mem_used();
    assert_true(host_claim(host));
    Value kw_request = mk_keyword(atoms_intern_text(&rt->atoms, "request", 7));
    Value kw_return = mk_keyword(atoms_intern_text(&rt->atoms, "return", 6));
    send_framed(FK_REQUEST, mk_pid(1, 0), mk_pid(child_id + 1, 3), mk_ref(child_id, 30), REALM_OP_MEMORY,
                mk_tuple2(host, kw_return, num_from_u64(host, (uint64_t)1 << 40)));
    send_framed(FK_REQUEST, mk_pid(1, 0), mine, mk_ref(child_id, 31), REALM_OP_MEMORY,
                mk_tuple2(host, kw_request, num_from_u64(host, (uint64_t)1 << 40)));
    send_framed(FK_REQUEST, mk_pid(1, 0), mine, mk_ref(child_id, 32), REALM_OP_MEMORY,
                mk_tuple2(host, kw_return, num_from_u64(host, (uint64_t)1 << 40)));
    send_framed(FK_REQUEST, mk_pid(1, 0), mine, mk_ref(child_id, 33), REALM_OP_MEMORY, kw_return);
    char *a = pr_to_cstr(rt, reply_to(mk_ref(child_id, 31)));
    char *b = pr_to_cstr(rt, reply_to(mk_ref(child_id, 32)));
    char *c = pr_to_cstr(rt, reply_to(mk_ref(child_id, 33)));
    host_release(host);
    assert_string_equal(a, "[:error :no-memory-policy]");
    assert_string_equal(b, "[:error :no-memory-policy]");
    assert_string_equal(c, "[:error :badarg]");
    free(a);
    free(b);
    free(c);
    /* Nothing given, nothing taken back (small blocks are counted a
     * mebibyte at a time per thread: the count moves by that much). */
    size_t now = mem_used();
    assert_true(now + (4u << 20) >= used && now <= used + (4u << 20));
}

/* A request to start a realm, well formed but for its CPU quota (not a
 * number from 0 to 1024), gets :badarg and starts no realm. */
static void a_bad_cpu_quota_starts_no_realm(void **state) {
    (void)state;
    assert_true(host_claim(host));
    Value bad[] = {mk_float(host, 1024.5), mk_float(host, -0.25), mk_float(host, NAN),
                   mk_keyword(atoms_intern_text(&rt->atoms, "lots", 4)), LV_NIL};
    char *got[ARRAY_LEN(bad)];
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        Value items[5] = {mk_symbol(atoms_intern_text(&rt->atoms, "x", 1)), fix(1), mk_binary(host, "image", 5),
                          fix(0), bad[i]};
        Value data = mk_tuple(host, 5);
        memcpy(tuple_elems(data), items, sizeof items);
        send_framed(FK_REQUEST, mk_pid(1, 0), mk_pid(child_id, 3), mk_ref(child_id, 40 + i), REALM_OP_CREATE, data);
        got[i] = pr_to_cstr(rt, reply_to(mk_ref(child_id, 40 + i)));
    }
    host_release(host);
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        assert_true(strncmp(got[i], "[:error :badarg ", 16) == 0);
        free(got[i]);
    }
    char *n = eval("(count (child-realms))");
    assert_string_equal(n, "1");
    free(n);
}

/* A child signals a notification of its parent only with the token the
 * notification travels with: a made-up token, or a request with no bits
 * or not a pair, signals nothing; the token signals it. */
static void a_notification_is_signaled_only_with_its_token(void **state) {
    (void)state;
    Value n;
    const char *src = "(def hostile-n (make-notification)) hostile-n";
    assert_int_equal(host_load_source(host, src, strlen(src), "hostile_peer_test", &n), HOST_OK);
    uint64_t token = notif_token(rt, n);
    assert_true(token != 0);
    Value mine = mk_pid(child_id, 3);
    assert_true(host_claim(host));
    Value tok = num_from_u64(host, token);
    Value tries[] = {
        mk_tuple2(host, num_from_u64(host, token ^ 1), fix(1)),
        mk_tuple2(host, num_from_u64(host, token + 1), fix(2)),
        mk_tuple2(host, tok, fix(0)),
        mk_tuple2(host, tok, fix(-8)),
        mk_tuple2(host, fix(0), fix(16)),
        mk_tuple3(host, tok, fix(32), fix(32)),
        tok,
    };
    for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++)
        send_framed(FK_REQUEST, mk_pid(1, 0), mine, LV_NIL, REALM_OP_NOTIFY, tries[i]);
    send_framed(FK_REQUEST, mk_pid(1, 0), mine, LV_NIL, REALM_OP_NOTIFY, mk_tuple2(host, tok, fix(4)));
    host_release(host);
    /* The frames are taken in order: once the last has signaled, the
     * others have been seen. */
    char *got = NULL;
    for (int i = 0; i < 1000; i++) {
        free(got);
        got = eval("(poll! hostile-n)");
        if (strcmp(got, "nil") != 0) break;
        usleep(10000);
    }
    assert_string_equal(got, "4");
    free(got);
}

static void a_flood_gets_the_child_hung_up_on(void **state) {
    (void)state;
    static const char garbage[] = "garbage garbage garbage";
    bool hung_up = false;
    for (int i = 0; i < LINK_MAX_DROPPED + 100 && !hung_up; i++) {
        if (send(peer, garbage, sizeof garbage, MSG_NOSIGNAL) < 0) hung_up = true;
    }
    struct pollfd pfd = {peer, POLLIN, 0};
    while (!hung_up && poll(&pfd, 1, 10000) > 0) {
        char buf[256];
        if (recv(peer, buf, sizeof buf, MSG_DONTWAIT) <= 0) hung_up = true;
    }
    assert_true(hung_up);
    /* the child is out of the tree once its link's end has been seen */
    char *got = NULL;
    for (int i = 0; i < 1000; i++) {
        free(got);
        got = eval("(count (child-realms))");
        if (strcmp(got, "0") == 0) break;
        usleep(10000);
    }
    assert_string_equal(got, "0");
    free(got);
    got = eval("(+ 40 2)");
    assert_string_equal(got, "42");
    free(got);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_frames_are_dropped_and_counted),
        cmocka_unit_test(frames_back_to_back_in_one_datagram),
        cmocka_unit_test(a_descriptor_from_a_child_is_refused),
        cmocka_unit_test(lies_about_the_tree_change_nothing),
        cmocka_unit_test(a_child_cannot_forge_requests_to_the_agent),
        cmocka_unit_test(memory_requests_cannot_inflate_the_parents_budget),
        cmocka_unit_test(a_bad_cpu_quota_starts_no_realm),
        cmocka_unit_test(a_notification_is_signaled_only_with_its_token),
        cmocka_unit_test(a_flood_gets_the_child_hung_up_on),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
