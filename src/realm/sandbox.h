/*
 * sandbox.h — the confinement a child realm's OS process puts itself in
 * before it runs any code it was given (see realm.h, realm/child.c).
 *
 * Three layers, installed in this order by sandbox_enter:
 *   1. PR_SET_NO_NEW_PRIVS, so that nothing can gain privileges again
 *      (and so that an unprivileged process may install the other two),
 *      and no core dumps: the process is made non-dumpable (which also
 *      keeps other processes of the same user from ptracing it or reading
 *      its /proc files) and RLIMIT_CORE is 0, soft and hard; the filter
 *      refuses PR_SET_DUMPABLE, so neither can be undone;
 *   2. Landlock, where the kernel has it: no file system at all, no TCP,
 *      no signals or abstract unix sockets outside the process's own
 *      domain (what is enforced depends on the kernel's Landlock ABI);
 *   3. a seccomp filter: an allow-list of the system calls a threaded
 *      runtime needs, EPERM for anything else, and death by SIGSYS for
 *      the calls no sandboxed code has any business making (exec,
 *      ptrace, mount, module loading...).
 * Layers 1 and 3 are required; Landlock is best effort and the report
 * says how much of it holds.
 *
 * Call it while the process has one thread: Landlock confines the calling
 * thread only (and the threads it creates afterwards); the seccomp filter
 * is synchronised to every thread, but no thread should have run
 * unconfined code in the meantime anyway.
 */
#ifndef LONA_REALM_SANDBOX_H
#define LONA_REALM_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

typedef struct SandboxReport {
    bool no_new_privs;   /* PR_SET_NO_NEW_PRIVS set */
    bool no_core_dumps;  /* not dumpable, RLIMIT_CORE 0 */
    bool seccomp;        /* the seccomp filter is installed */
    int landlock_abi;    /* 0: no Landlock; else the kernel's Landlock ABI, a
                            domain of which is enforced */
    bool landlock_fs, landlock_net, landlock_scoped; /* what Landlock restricts */
} SandboxReport;

/* Install the sandbox in the calling process (single-threaded or with TSYNC).
   Returns false with a message in err (no partial claims in the report) if
   no_new_privs, the end of core dumps or seccomp could not be installed;
   Landlock is best effort. */
bool sandbox_enter(SandboxReport *report, char *err, size_t errlen);

/* A short text saying what holds, e.g. "seccomp+landlock(abi 6: fs net signal unix)"
   ("signal unix": the signal and abstract unix socket scopes). */
void sandbox_describe(const SandboxReport *r, char *buf, size_t len);

#endif
