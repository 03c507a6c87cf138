/*
 * child.c — the start of a child realm's OS process (see realm.h).
 *
 * The parent runs `lona %realm-child ID PARENT-ID PARENT-OS-PID SCHEDULERS
 * MEMORY CPU` with the socket to it on descriptor 3 and the sealed code
 * snapshot on 4 (MEMORY: the budget its parent gives it, 0 for its own;
 * CPU: its CPU quota in cores, 0 for none).
 * Order matters:
 *   1. die with the parent (PR_SET_PDEATHSIG), and check it is still there;
 *   2. close every other inherited descriptor;
 *   3. enter the sandbox while the process has one thread, so that every
 *      thread the runtime starts inherits the filter;
 *   4. create the runtime without its library, set its memory budget and
 *      CPU quota (realm/policy.c), install the snapshot;
 *   5. start the agent and watch the parent's socket;
 *   6. wait until the parent's socket goes away, then end at once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <signal.h>
#include <unistd.h>

#include "base/mem.h"
#include "realm/realm_priv.h"
#include "realm/snapshot.h"
#include "sched/sched.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/coll.h"
#include "vm/rt.h"

#define CHILD_SOCKET_FD 3
#define CHILD_SNAPSHOT_FD 4

static void on_parent_down(void *ctx, RealmLink *l) {
    /* Without its parent a realm has no purpose: end now, with no clean-up
     * that could block (its processes die with it, as in realm-terminate). */
    (void)ctx;
    (void)l;
    _exit(0);
}

static int die(const char *what) {
    fprintf(stderr, "lona: realm: %s\n", what);
    return 70;
}

int realm_child_main(int argc, char **argv) {
    if (argc < 6) return die("usage: %realm-child ID PARENT-ID PARENT-OS-PID SCHEDULERS MEMORY CPU");
    uint32_t id = (uint32_t)strtoul(argv[0], NULL, 10);
    uint32_t parent_id = (uint32_t)strtoul(argv[1], NULL, 10);
    pid_t parent_os = (pid_t)strtol(argv[2], NULL, 10);
    unsigned schedulers = (unsigned)strtoul(argv[3], NULL, 10);
    /* The budget its parent gives it (realm/policy.c), 0: one of its own. */
    size_t memory = (size_t)strtoull(argv[4], NULL, 10);
    /* The CPU quota its policy sets, in cores; 0: none. */
    double cpu = strtod(argv[5], NULL);
    if (id < 2 || id > 0xffff || parent_id < 1) return die("bad realm id");
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent_os) return die("the parent is gone");
    close_range(CHILD_SNAPSHOT_FD + 1, ~0U, 0);

    char err[256];
    SandboxReport report;
    if (!sandbox_enter(&report, err, sizeof err)) return die(err);

    RtOptions opts = {.schedulers = schedulers ? schedulers : 2, .no_stdlib = true, .no_input = true,
                      .realm_id = id};
    Runtime *rt = rt_new(&opts);
    if (!rt) return die("cannot create the runtime");
    bool budgeted = memory >= MEM_LIMIT_MIN && memory <= MEM_LIMIT_MAX;
    if (budgeted) mem_set_limit(memory);
    if (cpu > 0 && cpu <= 1024) sched_set_cpu_quota(rt->sched, cpu);
    bool loaded = snapshot_install_fd(rt, CHILD_SNAPSHOT_FD, err, sizeof err);
    close(CHILD_SNAPSHOT_FD);
    if (!loaded) return die(err);

    RealmState *rs = realm_state(rt);
    rs->sandbox = report;
    rs->sandboxed = true;
    rs->budgeted = budgeted;
    rs->parent_id = parent_id;
    rs->agent = realm_start_agent(rt);
    if (rs->agent == LV_NONE) return die("no realm agent in the code snapshot");
    LinkPeer *peer = xcalloc(1, sizeof *peer);
    peer->rs = rs;
    pthread_mutex_lock(&rs->lock);
    rs->parent = link_new(CHILD_SOCKET_FD, rt->poller, realm_on_frame, on_parent_down, peer);
    while (!rs->parent_down) pthread_cond_wait(&rs->cond, &rs->lock);
    pthread_mutex_unlock(&rs->lock);
    _exit(0);
}

Value realm_enforcement(Proc *p) {
    Runtime *rt = p->rt;
    RealmState *rs = realm_state(rt);
    char text[160];
    if (rs->sandboxed) sandbox_describe(&rs->sandbox, text, sizeof text);
    else snprintf(text, sizeof text, "none (the root realm is not sandboxed)");
    /* :cpu: the quota this realm's schedulers keep to, in cores. */
    double cpu = sched_cpu_quota(rt->sched);
    Value kvs[] = {
        mk_keyword(atoms_intern_text(&rt->atoms, "sandbox", 7)), mk_cstring(p, text),
        mk_keyword(atoms_intern_text(&rt->atoms, "process", 7)),
        mk_cstring(p, "own OS process and process group, fork+exec of the lona executable"),
        mk_keyword(atoms_intern_text(&rt->atoms, "cpu", 3)),
        cpu > 0 ? mk_float(p, cpu) : mk_keyword(atoms_intern_text(&rt->atoms, "unlimited", 9)),
    };
    return map_from_kvs(p, kvs, sizeof kvs / sizeof kvs[0]);
}
