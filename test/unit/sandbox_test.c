/*
 * sandbox_test.c — the child realm's sandbox (realm/sandbox.c).
 *
 * A sandbox cannot be left, so every case runs in a child forked from the
 * (single-threaded) test process: the child enters the sandbox, tries one
 * thing, writes what it has to say to a pipe made before the fork and
 * ends with _exit (no atexit handlers, no sanitizer leak check, which
 * would need calls the sandbox refuses). The last byte it writes is the
 * outcome: 0 or an errno. A child killed by the filter writes nothing,
 * and the parent sees SIGSYS in its status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "realm/sandbox.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TEST_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define TEST_SANITIZER 1
#endif
#endif
#ifndef TEST_SANITIZER
#define TEST_SANITIZER 0
#endif

/* Outcome bytes besides errno values. */
enum { OK = 0, UNEXPECTED = 250, NO_SANDBOX = 251 };

/* What a probe saw: 0 or an errno, truncated to a byte. */
static unsigned char outcome_of(int rc) { return rc < 0 ? (unsigned char)errno : OK; }

typedef unsigned char (*Probe)(int fd, const SandboxReport *r);

typedef struct Outcome {
    int status;          /* from waitpid */
    size_t len;          /* bytes written by the child, outcome included */
    unsigned char data[512];
} Outcome;

static void write_all(int fd, const void *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) _exit(3);
        p = (const char *)p + w;
        n -= (size_t)w;
    }
}

static _Noreturn void child_run(int fd, Probe probe) {
    SandboxReport r;
    char err[256];
    unsigned char result = sandbox_enter(&r, err, sizeof err) ? probe(fd, &r) : NO_SANDBOX;
    write_all(fd, &result, 1);
    _exit(0);
}

/* Run probe in a sandboxed child; its bytes and its end in *out. */
static void run_sandboxed(Probe probe, Outcome *out) {
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        child_run(p[1], probe);
    }
    close(p[1]);
    out->len = 0;
    ssize_t n;
    while (out->len < sizeof out->data &&
           (n = read(p[0], out->data + out->len, sizeof out->data - out->len)) != 0) {
        if (n < 0 && errno == EINTR) continue;
        assert_true(n > 0);
        out->len += (size_t)n;
    }
    close(p[0]);
    assert_int_equal(waitpid(pid, &out->status, 0), pid);
}

/* The child ended normally with `want` as its outcome. */
static void assert_outcome(Probe probe, unsigned char want) {
    Outcome o;
    run_sandboxed(probe, &o);
    assert_true(WIFEXITED(o.status));
    assert_int_equal(WEXITSTATUS(o.status), 0);
    assert_true(o.len >= 1);
    assert_int_equal(o.data[o.len - 1], want);
}

/* The child was refused with EPERM by seccomp or EACCES by Landlock. */
static void assert_refused(Probe probe) {
    Outcome o;
    run_sandboxed(probe, &o);
    assert_true(WIFEXITED(o.status));
    assert_true(o.len >= 1);
    unsigned char e = o.data[o.len - 1];
    assert_true(e == EPERM || e == EACCES);
}

/* The child was killed by the filter. */
static void assert_killed(Probe probe) {
    Outcome o;
    run_sandboxed(probe, &o);
    assert_true(WIFSIGNALED(o.status));
    assert_int_equal(WTERMSIG(o.status), SIGSYS);
    assert_int_equal(o.len, 0);
}

/* Landlock's ABI as the kernel states it, 0 without Landlock. */
static int kernel_landlock_abi(void) {
#ifdef SYS_landlock_create_ruleset
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, 1U /* LANDLOCK_CREATE_RULESET_VERSION */);
    return abi > 0 ? (int)abi : 0;
#else
    return 0;
#endif
}

/* ---- the report ---------------------------------------------------------- */

static unsigned char probe_report(int fd, const SandboxReport *r) {
    write_all(fd, r, sizeof *r);
    return OK;
}

static void report_matches_the_kernel(void **state) {
    (void)state;
    Outcome o;
    run_sandboxed(probe_report, &o);
    assert_true(WIFEXITED(o.status));
    assert_int_equal(o.len, sizeof(SandboxReport) + 1);
    SandboxReport r;
    memcpy(&r, o.data, sizeof r);
    assert_true(r.no_new_privs);
    assert_true(r.no_core_dumps);
    assert_true(r.seccomp);
    int abi = kernel_landlock_abi();
    assert_int_equal(r.landlock_abi, abi);
    assert_int_equal(r.landlock_fs, abi >= 1);
    assert_int_equal(r.landlock_net, abi >= 4);
    assert_int_equal(r.landlock_scoped, abi >= 6);
}

static unsigned char probe_describe(int fd, const SandboxReport *r) {
    char text[128];
    sandbox_describe(r, text, sizeof text);
    write_all(fd, text, strlen(text));
    return OK;
}

static void describe_says_what_holds(void **state) {
    (void)state;
    Outcome o;
    run_sandboxed(probe_describe, &o);
    assert_true(WIFEXITED(o.status));
    assert_true(o.len >= 1);
    o.data[o.len - 1] = '\0';
    assert_non_null(strstr((char *)o.data, "seccomp"));
    if (kernel_landlock_abi() > 0) assert_non_null(strstr((char *)o.data, "landlock(abi"));

    char text[128];
    SandboxReport all = {.no_new_privs = true, .seccomp = true, .landlock_abi = 6,
                         .landlock_fs = true, .landlock_net = true, .landlock_scoped = true};
    sandbox_describe(&all, text, sizeof text);
    assert_string_equal(text, "seccomp+landlock(abi 6: fs net signal unix)");
    SandboxReport bare = {.no_new_privs = true, .seccomp = true};
    sandbox_describe(&bare, text, sizeof text);
    assert_string_equal(text, "seccomp (no landlock)");
    SandboxReport none = {0};
    sandbox_describe(&none, text, sizeof text);
    assert_string_equal(text, "none");
    sandbox_describe(&all, text, 8); /* truncated, still terminated */
    assert_string_equal(text, "seccomp");
}

/* ---- refused: files, sockets, other processes --------------------------- */

static unsigned char probe_open(int fd, const SandboxReport *r) {
    return outcome_of((int)syscall(SYS_open, "/etc/passwd", O_RDONLY));
}

static unsigned char probe_openat(int fd, const SandboxReport *r) {
    return outcome_of(openat(AT_FDCWD, "/etc/passwd", O_RDONLY));
}

static unsigned char probe_create(int fd, const SandboxReport *r) {
    return outcome_of(openat(AT_FDCWD, "/tmp/lona-sandbox-test", O_WRONLY | O_CREAT, 0600));
}

/* Sanitizer builds let read-only opens through seccomp; only Landlock
 * stops them, so without Landlock there is nothing to check. */
static void skip_unless_reads_are_confined(void) {
    if (TEST_SANITIZER && kernel_landlock_abi() == 0) skip();
}

static void open_is_refused(void **state) {
    (void)state;
    skip_unless_reads_are_confined();
    assert_refused(probe_open);
}

static void openat_is_refused(void **state) {
    (void)state;
    skip_unless_reads_are_confined();
    assert_refused(probe_openat);
}

static void creating_a_file_is_refused(void **state) {
    (void)state;
    assert_refused(probe_create);
}

static unsigned char probe_inet_socket(int fd, const SandboxReport *r) {
    return outcome_of(socket(AF_INET, SOCK_STREAM, 0));
}

static unsigned char probe_unix_socket(int fd, const SandboxReport *r) {
    return outcome_of(socket(AF_UNIX, SOCK_STREAM, 0));
}

static unsigned char probe_inet_socketpair(int fd, const SandboxReport *r) {
    int sv[2];
    return outcome_of(socketpair(AF_INET, SOCK_STREAM, 0, sv));
}

/* connect needs a socket: take one of a pair, and aim it at the loopback. */
static unsigned char probe_connect(int fd, const SandboxReport *r) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) return UNEXPECTED;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(80),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    return outcome_of(connect(sv[0], (struct sockaddr *)&a, sizeof a));
}

static void sockets_are_refused(void **state) {
    (void)state;
    assert_outcome(probe_inet_socket, EPERM);
    assert_outcome(probe_unix_socket, EPERM);
    assert_outcome(probe_inet_socketpair, EPERM);
    assert_outcome(probe_connect, EPERM);
}

static unsigned char probe_kill_parent(int fd, const SandboxReport *r) {
    return outcome_of(kill(getppid(), SIGTERM));
}

static void signalling_the_parent_is_refused(void **state) {
    (void)state;
    assert_outcome(probe_kill_parent, EPERM);
    assert_int_equal(kill(getpid(), 0), 0); /* and here we still are */
}

static unsigned char probe_fork(int fd, const SandboxReport *r) {
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    return outcome_of(pid);
}

static void fork_is_refused(void **state) {
    (void)state;
    assert_outcome(probe_fork, EPERM);
}

/* ---- fatal: exec, ptrace ------------------------------------------------- */

static unsigned char probe_execve(int fd, const SandboxReport *r) {
    char *argv[] = {"/bin/true", NULL};
    char *envp[] = {NULL};
    execve("/bin/true", argv, envp);
    return outcome_of(-1);
}

static void execve_kills(void **state) {
    (void)state;
    assert_killed(probe_execve);
}

static unsigned char probe_ptrace(int fd, const SandboxReport *r) {
    return outcome_of((int)ptrace(PTRACE_TRACEME, 0, NULL, NULL));
}

static void ptrace_kills(void **state) {
    (void)state;
    assert_killed(probe_ptrace);
}

/* ---- no core dumps ------------------------------------------------------- */

/* Not dumpable, RLIMIT_CORE 0 soft and hard, and making the process
 * dumpable again is refused. */
static unsigned char probe_core(int fd, const SandboxReport *r) {
    if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0) return UNEXPECTED;
    struct rlimit lim;
    if (getrlimit(RLIMIT_CORE, &lim) != 0 || lim.rlim_cur != 0 || lim.rlim_max != 0) return UNEXPECTED;
    int rc = prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0) return UNEXPECTED;
    return outcome_of(rc);
}

static void core_dumps_are_off(void **state) {
    (void)state;
    assert_outcome(probe_core, EPERM);
}

/* ---- read-only memory ---------------------------------------------------- */

static sigjmp_buf fault_jump;

static void on_segv(int sig) {
    (void)sig;
    siglongjmp(fault_jump, 1);
}

/* A write to a read-only mapping faults (the page protection, which holds
 * in the sandbox as outside it); the child catches SIGSEGV and goes on,
 * the page unchanged. */
static unsigned char probe_write_readonly(int fd, const SandboxReport *r) {
    long page = sysconf(_SC_PAGESIZE);
    volatile unsigned char *m = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return (unsigned char)errno;
    m[0] = 7;
    if (mprotect((void *)m, (size_t)page, PROT_READ) != 0) return (unsigned char)errno;
    struct sigaction sa = {.sa_handler = on_segv}, old;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, &old) < 0) return (unsigned char)errno;
    volatile int faulted = 0;
    if (sigsetjmp(fault_jump, 1) == 0) m[0] = 42;
    else faulted = 1;
    sigaction(SIGSEGV, &old, NULL);
    unsigned char seen = m[0];
    munmap((void *)m, (size_t)page);
    return faulted && seen == 7 ? EFAULT : UNEXPECTED;
}

/* No executable memory after the filter: neither a new mapping nor a
 * change of protection (sanitizer builds let both through). */
static unsigned char probe_map_exec(int fd, const SandboxReport *r) {
    long page = sysconf(_SC_PAGESIZE);
    void *m = mmap(NULL, (size_t)page, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m != MAP_FAILED) return OK;
    return (unsigned char)errno;
}

static unsigned char probe_protect_exec(int fd, const SandboxReport *r) {
    long page = sysconf(_SC_PAGESIZE);
    void *m = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return (unsigned char)errno;
    return outcome_of(mprotect(m, (size_t)page, PROT_READ | PROT_EXEC));
}

static void executable_memory_is_refused(void **state) {
    (void)state;
    if (TEST_SANITIZER) skip();
    assert_outcome(probe_map_exec, EPERM);
    assert_outcome(probe_protect_exec, EPERM);
}

static void writing_a_readonly_mapping_faults(void **state) {
    (void)state;
    assert_outcome(probe_write_readonly, EFAULT);
}

/* A frame's sealed memfd (link.c) mapped shared and read-only cannot be
 * made writable, nor mapped shared and writable: the write seal, which the
 * kernel enforces in the sandbox as outside it, keeps the bytes the other
 * realm reads as they were sealed. (mprotect itself is allowed: a private
 * mapping of the process's own is its own business.) */
static unsigned char probe_sealed_mapping(int fd, const SandboxReport *r) {
    long page = sysconf(_SC_PAGESIZE);
    int m = memfd_create("sandbox-test", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (m < 0) return (unsigned char)errno;
    if (ftruncate(m, page) < 0 || pwrite(m, "frame", 5, 0) != 5) return UNEXPECTED;
    if (fcntl(m, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
        return (unsigned char)errno;
    if (mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED, m, 0) != MAP_FAILED || errno != EPERM)
        return UNEXPECTED;
    char *p = mmap(NULL, (size_t)page, PROT_READ, MAP_SHARED, m, 0);
    if (p == MAP_FAILED) return (unsigned char)errno;
    int rc = mprotect(p, (size_t)page, PROT_READ | PROT_WRITE);
    int e = errno;
    unsigned char intact = memcmp(p, "frame", 5) == 0;
    munmap(p, (size_t)page);
    close(m);
    if (!intact) return UNEXPECTED;
    errno = e;
    return outcome_of(rc);
}

static void a_sealed_mapping_cannot_be_made_writable(void **state) {
    (void)state;
    assert_outcome(probe_sealed_mapping, EACCES);
}

/* /proc/self/mem writes through page protections (the kernel forces the
 * access): opening it for writing is refused. */
static unsigned char probe_proc_mem(int fd, const SandboxReport *r) {
    return outcome_of(openat(AT_FDCWD, "/proc/self/mem", O_RDWR));
}

static void writing_through_proc_mem_is_refused(void **state) {
    (void)state;
    assert_refused(probe_proc_mem);
}

/* Writing another process's memory, the parent's say, kills. */
static unsigned char probe_vm_write(int fd, const SandboxReport *r) {
    static char target[8];
    char src[8] = "escape";
    struct iovec local = {src, sizeof src}, remote = {target, sizeof target};
    return outcome_of((int)process_vm_writev(getppid(), &local, 1, &remote, 1, 0));
}

static void process_vm_writev_kills(void **state) {
    (void)state;
    assert_killed(probe_vm_write);
}

/* ---- allowed: what the runtime needs ------------------------------------ */

static void *thread_main(void *arg) {
    /* The filter holds in new threads too. */
    *(int *)arg = socket(AF_INET, SOCK_STREAM, 0) < 0 ? errno : 0;
    return arg;
}

static unsigned char probe_thread(int fd, const SandboxReport *r) {
    pthread_t t;
    int seen = -1;
    void *back = NULL;
    if (pthread_create(&t, NULL, thread_main, &seen) != 0) return UNEXPECTED;
    if (pthread_join(t, &back) != 0 || back != &seen) return UNEXPECTED;
    return seen == EPERM ? OK : UNEXPECTED;
}

static void threads_work(void **state) {
    (void)state;
    assert_outcome(probe_thread, OK);
}

static unsigned char probe_malloc(int fd, const SandboxReport *r) {
    size_t n = 100u << 20;
    unsigned char *p = malloc(n);
    if (!p) return UNEXPECTED;
    memset(p, 0x5a, n);
    unsigned char ok = p[0] == 0x5a && p[n - 1] == 0x5a ? OK : UNEXPECTED;
    free(p);
    return ok;
}

static void large_allocations_work(void **state) {
    (void)state;
    assert_outcome(probe_malloc, OK);
}

static unsigned char probe_socketpair(int fd, const SandboxReport *r) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) return (unsigned char)errno;
    char got[8] = {0};
    if (send(sv[0], "hello", 5, 0) != 5) return UNEXPECTED;
    if (recv(sv[1], got, sizeof got, 0) != 5 || memcmp(got, "hello", 5) != 0) return UNEXPECTED;
    close(sv[0]);
    close(sv[1]);
    return OK;
}

static void socketpairs_work(void **state) {
    (void)state;
    assert_outcome(probe_socketpair, OK);
}

/* What link.c does with a frame: a sealed memfd, written, then mapped. */
static unsigned char probe_memfd(int fd, const SandboxReport *r) {
    int m = memfd_create("sandbox-test", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (m < 0) return (unsigned char)errno;
    if (ftruncate(m, 4096) < 0) return (unsigned char)errno;
    if (pwrite(m, "frame", 5, 0) != 5) return UNEXPECTED;
    if (fcntl(m, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
        return (unsigned char)errno;
    char *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, m, 0);
    if (p == MAP_FAILED) return (unsigned char)errno;
    unsigned char ok = memcmp(p, "frame", 5) == 0 ? OK : UNEXPECTED;
    munmap(p, 4096);
    close(m);
    return ok;
}

static void memfds_work(void **state) {
    (void)state;
    assert_outcome(probe_memfd, OK);
}

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig) {
    (void)sig;
    got_usr1 = 1;
}

static unsigned char probe_raise(int fd, const SandboxReport *r) {
    struct sigaction sa = {.sa_handler = on_usr1};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL) < 0) return (unsigned char)errno;
    if (raise(SIGUSR1) != 0) return (unsigned char)errno;
    return got_usr1 ? OK : UNEXPECTED;
}

static void signalling_itself_works(void **state) {
    (void)state;
    assert_outcome(probe_raise, OK);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(report_matches_the_kernel),
        cmocka_unit_test(executable_memory_is_refused),
        cmocka_unit_test(describe_says_what_holds),
        cmocka_unit_test(open_is_refused),
        cmocka_unit_test(openat_is_refused),
        cmocka_unit_test(creating_a_file_is_refused),
        cmocka_unit_test(sockets_are_refused),
        cmocka_unit_test(signalling_the_parent_is_refused),
        cmocka_unit_test(fork_is_refused),
        cmocka_unit_test(execve_kills),
        cmocka_unit_test(ptrace_kills),
        cmocka_unit_test(core_dumps_are_off),
        cmocka_unit_test(writing_a_readonly_mapping_faults),
        cmocka_unit_test(a_sealed_mapping_cannot_be_made_writable),
        cmocka_unit_test(writing_through_proc_mem_is_refused),
        cmocka_unit_test(process_vm_writev_kills),
        cmocka_unit_test(threads_work),
        cmocka_unit_test(large_allocations_work),
        cmocka_unit_test(socketpairs_work),
        cmocka_unit_test(memfds_work),
        cmocka_unit_test(signalling_itself_works),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
