/*
 * sandbox.c — PR_SET_NO_NEW_PRIVS, Landlock and seccomp for a child realm
 * (see sandbox.h).
 *
 * Landlock is reached through syscall(): glibc has no wrappers, and the
 * installed <linux/landlock.h> may be older than the kernel, so the
 * constants of later ABIs are defined here when the header lacks them
 * (they are kernel ABI and never change), and the ruleset attribute is our
 * own struct with the kernel's layout, passed with the size the running
 * kernel's ABI knows.
 *
 * The seccomp filter is built with libseccomp. Its default is EPERM, not
 * death: code that tries what it may not do sees an error it can report.
 * Calls that only an attack would make kill the process (SIGSYS) instead.
 * Argument checks compare registers, never memory: a path cannot be
 * inspected (Landlock is what keeps paths out), but flags, commands and
 * the target pid of a signal can.
 */
#include "realm/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<linux/landlock.h>)
#include <linux/landlock.h>
#endif
#endif

#include "base/util.h"

/* ---- sanitizer builds ---------------------------------------------------- */

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANDBOX_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANDBOX_SANITIZER 1
#endif
#endif
#ifndef SANDBOX_SANITIZER
#define SANDBOX_SANITIZER 0
#endif

/* ---- Landlock constants (kernel ABI; defined here for older headers) ----- */

#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif
#ifndef LANDLOCK_ACCESS_FS_EXECUTE
#define LANDLOCK_ACCESS_FS_EXECUTE (1ULL << 0)
#endif
#ifndef LANDLOCK_ACCESS_FS_MAKE_SYM
#define LANDLOCK_ACCESS_FS_MAKE_SYM (1ULL << 12)
#endif
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0)
#endif
#ifndef LANDLOCK_ACCESS_NET_CONNECT_TCP
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#endif
#ifndef LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#endif

/* The rights of ABI 1 are the bits from EXECUTE to MAKE_SYM, contiguous. */
#define SANDBOX_FS_ABI1 ((LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - LANDLOCK_ACCESS_FS_EXECUTE)

/* struct landlock_ruleset_attr as of ABI 6. The kernel takes a prefix of
 * it (the size says how much) and refuses nonzero bytes it does not know. */
typedef struct SandboxRulesetAttr {
    uint64_t handled_access_fs;  /* ABI 1 */
    uint64_t handled_access_net; /* ABI 4 */
    uint64_t scoped;             /* ABI 6 */
} SandboxRulesetAttr;

/* ---- Landlock ------------------------------------------------------------ */

/* Without the system call numbers (very old C library headers) there is
 * no Landlock to use: sandbox_landlock is then a no-op. */
#if defined(SYS_landlock_create_ruleset) && defined(SYS_landlock_restrict_self)

/* The kernel's Landlock ABI version, 0 if it has none (not built in, or
 * disabled at boot). */
static int sandbox_landlock_abi(void) {
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    return abi > 0 ? (int)abi : 0;
}

/* Every file system right the given ABI knows (ABIs 4, 6 and 7 add none:
 * they bring network rights, scopes and audit logging). */
static uint64_t sandbox_fs_rights(int abi) {
    uint64_t rights = SANDBOX_FS_ABI1;
    if (abi >= 2) rights |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3) rights |= LANDLOCK_ACCESS_FS_TRUNCATE;
    if (abi >= 5) rights |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
    return rights;
}

/* Fill attr with everything the ABI can restrict; returns the size to
 * pass, which covers exactly the fields that ABI knows. */
static size_t sandbox_ruleset_attr(int abi, SandboxRulesetAttr *attr) {
    *attr = (SandboxRulesetAttr){.handled_access_fs = sandbox_fs_rights(abi)};
    if (abi < 4) return offsetof(SandboxRulesetAttr, handled_access_net);
    attr->handled_access_net = LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP;
    if (abi < 6) return offsetof(SandboxRulesetAttr, scoped);
    attr->scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL;
    return sizeof *attr;
}

/* Confine the calling thread (and the threads it creates later) to a
 * Landlock domain that handles every right its ABI knows and grants none:
 * a ruleset with no rules. Best effort: records in r what holds, nothing
 * if the kernel has no Landlock or refuses. Needs no_new_privs. */
static void sandbox_landlock(SandboxReport *r) {
    int abi = sandbox_landlock_abi();
    if (abi == 0) return;
    SandboxRulesetAttr attr;
    size_t size = sandbox_ruleset_attr(abi, &attr);
    int fd = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0U);
    if (fd < 0) return;
    bool ok = syscall(SYS_landlock_restrict_self, fd, 0U) == 0;
    close(fd);
    if (!ok) return;
    r->landlock_abi = abi;
    r->landlock_fs = true;
    r->landlock_net = attr.handled_access_net != 0;
    r->landlock_scoped = attr.scoped != 0;
}
#else
static void sandbox_landlock(SandboxReport *r) { (void)r; }
#endif

/* ---- seccomp: the rule tables ------------------------------------------- */

/* Allowed whatever their arguments. Names libseccomp does not know, or that
 * this architecture lacks, are skipped. Notes on the less obvious ones:
 *   - pipe, poll, select, epoll_create, eventfd, dup2: the legacy forms
 *     (x86-64 glibc still calls some of them);
 *   - sendmsg/recvmsg pass descriptors over the socket pair to the parent,
 *     which is the only socket there can be (socket() is refused);
 *   - mmap and mprotect are allowed without PROT_EXEC only (see
 *     sandbox_filtered);
 *   - setrlimit can only lower a hard limit without privileges;
 *   - rseq: glibc >= 2.35 registers every new thread with it. */
static const char *const sandbox_allowed[] = {
    /* descriptors already open */
    "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "lseek",
    "close", "close_range", "dup", "dup2", "dup3", "fstat", "ftruncate",
    /* memory */
    "munmap", "mremap", "madvise", "brk", "mincore", "membarrier",
    "memfd_create",
    /* threads and their synchronisation */
    "futex", "futex_waitv", "set_robust_list", "get_robust_list", "rseq", "set_tid_address",
    "sched_yield", "sched_getaffinity", "exit", "exit_group", "restart_syscall",
    /* signals (delivery to others is filtered below) */
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigsuspend", "rt_sigpending",
    "rt_sigtimedwait", "sigaltstack",
    /* identity and time */
    "getpid", "gettid", "getppid", "getuid", "geteuid", "getgid", "getegid", "getresuid",
    "getresgid", "clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep",
    "gettimeofday", "time", "times", "getcpu",
    /* waiting for descriptors */
    "epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2",
    "eventfd", "eventfd2", "timerfd_create", "timerfd_settime", "timerfd_gettime", "poll",
    "ppoll", "select", "pselect6", "pipe", "pipe2",
    /* messages on existing sockets */
    "sendmsg", "recvmsg", "sendto", "recvfrom", "sendmmsg", "recvmmsg", "shutdown",
    /* about this process and the machine */
    "getrandom", "getrlimit", "setrlimit", "getrusage", "sysinfo", "uname",
};

/* Death by SIGSYS: escaping the sandbox, inspecting other processes, or
 * changing the system. The default (EPERM) would refuse them as well; this
 * makes an attempt loud. io_uring_setup stays at EPERM: io_uring would run
 * operations that seccomp never sees, and runtimes probe for it. */
static const char *const sandbox_fatal[] = {
    "ptrace", "process_vm_readv", "process_vm_writev", "execve", "execveat",
    "mount", "umount2", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree",
    "mount_setattr", "pivot_root", "chroot", "setns", "unshare",
    "bpf", "perf_event_open", "kexec_load", "kexec_file_load",
    "init_module", "finit_module", "delete_module",
    "keyctl", "add_key", "request_key", "userfaultfd",
    "name_to_handle_at", "open_by_handle_at", "reboot", "swapon", "swapoff",
};

/* prctl options: naming threads and reading our own state. The rest
 * (PR_SET_PTRACER, PR_SET_MM, PR_SET_SECUREBITS...) are refused. */
static const int sandbox_prctl_options[] = {
    PR_SET_NAME, PR_GET_NAME, PR_GET_DUMPABLE, PR_GET_NO_NEW_PRIVS, PR_SET_NO_NEW_PRIVS,
    PR_GET_SECCOMP, PR_GET_PDEATHSIG, PR_SET_PDEATHSIG, PR_GET_TIMERSLACK, PR_SET_TIMERSLACK,
#ifdef PR_SET_VMA
    PR_SET_VMA, /* glibc and the sanitizers name anonymous mappings */
#endif
};

/* fcntl commands. F_SETOWN, F_SETOWN_EX and F_SETSIG are refused: with
 * O_ASYNC they would have the kernel signal another process for us. */
static const int sandbox_fcntl_commands[] = {
    F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_ADD_SEALS, F_GET_SEALS,
};

/* ---- seccomp: building the filter --------------------------------------- */

typedef struct SandboxFilter {
    scmp_filter_ctx ctx;
    char *err;
    size_t errlen;
} SandboxFilter;

/* Add one rule for the named call; true if added, or if the call does not
 * exist here (unknown to libseccomp, or a pseudo-number libseccomp uses
 * for a call another architecture has). */
static bool sandbox_rule(SandboxFilter *f, uint32_t action, const char *name, unsigned argc,
                         const struct scmp_arg_cmp *args) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr < 0) return true; /* __NR_SCMP_ERROR or a pseudo-syscall */
    int rc = seccomp_rule_add_array(f->ctx, action, nr, argc, args);
    if (rc == 0) return true;
    snprintf(f->err, f->errlen, "seccomp: cannot add a rule for %s: %s", name, strerror(-rc));
    return false;
}

static bool sandbox_rules(SandboxFilter *f, uint32_t action, const char *const *names, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!sandbox_rule(f, action, names[i], 0, NULL)) return false;
    return true;
}

/* Allow `name` when argument `arg` equals `value`. */
static bool sandbox_allow_eq(SandboxFilter *f, const char *name, unsigned arg, uint64_t value) {
    struct scmp_arg_cmp cmp = {.arg = arg, .op = SCMP_CMP_EQ, .datum_a = value};
    return sandbox_rule(f, SCMP_ACT_ALLOW, name, 1, &cmp);
}

/* Allow `name` when (argument `arg` & mask) == value. */
static bool sandbox_allow_masked(SandboxFilter *f, const char *name, unsigned arg, uint64_t mask,
                                 uint64_t value) {
    struct scmp_arg_cmp cmp = {.arg = arg, .op = SCMP_CMP_MASKED_EQ, .datum_a = mask, .datum_b = value};
    return sandbox_rule(f, SCMP_ACT_ALLOW, name, 1, &cmp);
}

static bool sandbox_allow_each(SandboxFilter *f, const char *name, unsigned arg, const int *values,
                               size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!sandbox_allow_eq(f, name, arg, (uint64_t)values[i])) return false;
    return true;
}

/* clone's flags are its first argument, except on s390 (where the stack
 * comes first). */
#if defined(__s390__) || defined(__s390x__)
#define SANDBOX_CLONE_FLAGS_ARG 1
#else
#define SANDBOX_CLONE_FLAGS_ARG 0
#endif

/* Namespace flags: refused even alongside CLONE_THREAD (the kernel refuses
 * most such combinations too, but that is its business to change). */
#define SANDBOX_CLONE_NS (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | \
                          CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)

/* Threads, not processes: clone only with CLONE_THREAD (which the kernel
 * accepts only with CLONE_SIGHAND, hence CLONE_VM: the same process).
 * clone3 passes its flags in memory, which seccomp cannot read: it fails
 * with ENOSYS, and glibc then falls back to clone. */
static bool sandbox_threads(SandboxFilter *f) {
    return sandbox_allow_masked(f, "clone", SANDBOX_CLONE_FLAGS_ARG, CLONE_THREAD | SANDBOX_CLONE_NS,
                                CLONE_THREAD) &&
           sandbox_rule(f, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL);
}

/* Signals only to this process: the pid is taken now, and cannot change
 * since fork is refused. tgkill names the thread group, so any of our
 * threads may be targeted; tkill and kill only the main thread / the
 * whole process by its pid. */
static bool sandbox_signals(SandboxFilter *f) {
    uint64_t self = (uint64_t)getpid();
    return sandbox_allow_eq(f, "tgkill", 0, self) && sandbox_allow_eq(f, "tkill", 0, self) &&
           sandbox_allow_eq(f, "kill", 0, self) && sandbox_allow_eq(f, "rt_sigqueueinfo", 0, self) &&
           sandbox_allow_eq(f, "rt_tgsigqueueinfo", 0, self);
}

/* Calls allowed for some arguments only. */
static bool sandbox_filtered(SandboxFilter *f) {
    static const int ioctls[] = {TCGETS, FIONREAD}; /* isatty, bytes waiting */
    return sandbox_threads(f) && sandbox_signals(f) &&
           /* socket pairs only: no socket() at all, so no network */
           sandbox_allow_eq(f, "socketpair", 0, AF_UNIX) &&
           /* limits of this process only (glibc's getrlimit passes 0) */
           sandbox_allow_eq(f, "prlimit64", 0, 0) &&
           sandbox_allow_eq(f, "prlimit64", 0, (uint64_t)getpid()) &&
           sandbox_allow_each(f, "ioctl", 1, ioctls, ARRAY_LEN(ioctls)) &&
           sandbox_allow_each(f, "prctl", 0, sandbox_prctl_options, ARRAY_LEN(sandbox_prctl_options)) &&
           sandbox_allow_each(f, "fcntl", 1, sandbox_fcntl_commands, ARRAY_LEN(sandbox_fcntl_commands)) &&
           /* glibc's fstat is fstatat(fd, "", buf, AT_EMPTY_PATH). The path
            * itself cannot be checked: with a nonempty one this stats a
            * path (metadata only; Landlock has no right for that), which
            * is the price of fstat working. */
           sandbox_allow_masked(f, "newfstatat", 3, AT_EMPTY_PATH, AT_EMPTY_PATH) &&
           sandbox_allow_masked(f, "statx", 2, AT_EMPTY_PATH, AT_EMPTY_PATH) &&
           /* No new executable memory (W^X): the runtime runs bytecode and
            * never makes machine code, and every library is mapped before
            * the filter, so an executable page made now could only hold
            * code smuggled in. (mremap keeps a mapping's protection.) */
           sandbox_allow_masked(f, "mmap", 2, PROT_EXEC, 0) &&
           sandbox_allow_masked(f, "mprotect", 2, PROT_EXEC, 0);
}

/* Open flags a sanitizer's read-only open may not carry. */
#define SANDBOX_OPEN_WRITES (O_ACCMODE | O_CREAT | O_TRUNC | O_TMPFILE)

/* The sanitizer runtimes (ASan, UBSan, TSan) read /proc/self/maps and
 * resolve their own executable when they report, and TSan's background
 * thread needs a little more. Sanitizer builds are for tests, not for
 * running hostile code; still, they get read-only opens only, and where
 * Landlock holds it refuses those paths anyway. */
static bool sandbox_sanitizer_rules(SandboxFilter *f) {
    if (!SANDBOX_SANITIZER) return true;
    static const char *const extra[] = {"readlink", "readlinkat", "sched_getparam",
                                        "sched_getscheduler", "mmap", "mprotect"};
    return sandbox_rules(f, SCMP_ACT_ALLOW, extra, ARRAY_LEN(extra)) &&
           sandbox_allow_masked(f, "open", 1, SANDBOX_OPEN_WRITES, O_RDONLY) &&
           sandbox_allow_masked(f, "openat", 2, SANDBOX_OPEN_WRITES, O_RDONLY);
}

/* Filter attributes: a foreign architecture's call (i386 through int 0x80
 * on x86-64, say) is killed rather than interpreted with our numbers, and
 * the filter reaches every thread. */
static bool sandbox_attrs(SandboxFilter *f) {
    int rc = seccomp_attr_set(f->ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    if (rc == 0) rc = seccomp_attr_set(f->ctx, SCMP_FLTATR_CTL_TSYNC, 1);
    if (rc == 0) return true;
    snprintf(f->err, f->errlen, "seccomp: cannot set the filter's attributes: %s", strerror(-rc));
    return false;
}

/* The filter knows the native architecture only (seccomp_init's default).
 * On x86-64, x32 calls carry the same audit architecture with bit 30 set
 * in the number; libseccomp sends them to the bad-architecture action
 * unless x32 is in the filter, so make sure it is not. */
static bool sandbox_arches(SandboxFilter *f) {
    if (seccomp_arch_native() == SCMP_ARCH_X32 || seccomp_arch_exist(f->ctx, SCMP_ARCH_X32) != 0)
        return true;
    int rc = seccomp_arch_remove(f->ctx, SCMP_ARCH_X32);
    if (rc == 0) return true;
    snprintf(f->err, f->errlen, "seccomp: cannot drop x32: %s", strerror(-rc));
    return false;
}

static bool sandbox_seccomp(char *err, size_t errlen) {
    SandboxFilter f = {.ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM)), .err = err, .errlen = errlen};
    if (!f.ctx) {
        snprintf(err, errlen, "seccomp: cannot create a filter");
        return false;
    }
    bool ok = sandbox_attrs(&f) && sandbox_arches(&f) &&
              sandbox_rules(&f, SCMP_ACT_ALLOW, sandbox_allowed, ARRAY_LEN(sandbox_allowed)) &&
              sandbox_rules(&f, SCMP_ACT_KILL_PROCESS, sandbox_fatal, ARRAY_LEN(sandbox_fatal)) &&
              sandbox_filtered(&f) && sandbox_sanitizer_rules(&f);
    if (ok) {
        int rc = seccomp_load(f.ctx);
        if (rc != 0) {
            snprintf(err, errlen, "seccomp: cannot install the filter: %s", strerror(-rc));
            ok = false;
        }
    }
    seccomp_release(f.ctx);
    return ok;
}

/* ---- entry --------------------------------------------------------------- */

bool sandbox_enter(SandboxReport *report, char *err, size_t errlen) {
    SandboxReport r = {0};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        snprintf(err, errlen, "cannot set no_new_privs: %s", strerror(errno));
        *report = (SandboxReport){0};
        return false;
    }
    r.no_new_privs = true;
    /* No core dumps: a child's memory holds whatever its parent sent it.
     * Not dumpable (RLIMIT_CORE alone can be raised again by a process
     * that has CAP_SYS_RESOURCE; the filter refuses PR_SET_DUMPABLE). */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 || setrlimit(RLIMIT_CORE, &(struct rlimit){0, 0}) != 0) {
        snprintf(err, errlen, "cannot turn core dumps off: %s", strerror(errno));
        *report = (SandboxReport){0};
        return false;
    }
    r.no_core_dumps = true;
    /* Landlock first: the seccomp filter does not allow its calls. */
    sandbox_landlock(&r);
    if (!sandbox_seccomp(err, errlen)) {
        *report = (SandboxReport){0};
        return false;
    }
    r.seccomp = true;
    *report = r;
    return true;
}

void sandbox_describe(const SandboxReport *r, char *buf, size_t len) {
    if (len == 0) return;
    if (!r->seccomp) {
        snprintf(buf, len, "%s", r->no_new_privs ? "no_new_privs only" : "none");
        return;
    }
    if (r->landlock_abi == 0) {
        snprintf(buf, len, "seccomp (no landlock)");
        return;
    }
    snprintf(buf, len, "seccomp+landlock(abi %d:%s%s%s)", r->landlock_abi, r->landlock_fs ? " fs" : "",
             r->landlock_net ? " net" : "", r->landlock_scoped ? " signal unix" : "");
}
