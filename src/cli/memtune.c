/*
 * memtune.c — start the lona command with malloc set up for many processes.
 *
 * Process heaps, stacks and process structures come from glibc's malloc.
 * On a virtual machine a first touch of a 4 KiB page can cost 10 to 20 us,
 * which made spawning a million processes (1.5 GB) take over 10 s, nearly
 * all of it in page faults. With transparent huge pages the same memory
 * arrives in 2 MiB pieces and the spawns take about 1.5 s. glibc's malloc
 * asks for huge pages only when its tunable glibc.malloc.hugetlb is set,
 * and tunables are read once, when the program starts: so the command sets
 * them in its environment and executes itself again, once (about a
 * millisecond). The settings:
 *   hugetlb=1     madvise(MADV_HUGEPAGE) on the memory malloc takes from
 *                 the system, its growth rounded to 2 MiB;
 *   arena_max=1   one arena: only the main arena, grown with brk, gets the
 *                 advice (the heaps of per-thread arenas do not). The
 *                 schedulers' hot allocations (message blocks) come from
 *                 their own pools, and the benchmarks of bench/ ran as fast
 *                 or faster with one arena on two cores.
 * A GLIBC_TUNABLES that already names hugetlb is left as it is (that is
 * also how the second start knows it is the second), and so is everything
 * when LONA_MALLOC_DEFAULTS is set. Under the sanitizers, whose allocators
 * replace malloc, nothing is done.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define MEMTUNE_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define MEMTUNE_SANITIZED 1
#endif
#endif

#define MEMTUNE_SETTINGS "glibc.malloc.hugetlb=1:glibc.malloc.arena_max=1"

void cli_tune_malloc(char **argv) {
#ifdef MEMTUNE_SANITIZED
    (void)argv;
#else
    const char *old = getenv("GLIBC_TUNABLES");
    if (getenv("LONA_MALLOC_DEFAULTS") || (old && strstr(old, "glibc.malloc.hugetlb"))) return;
    size_t n = (old ? strlen(old) + 1 : 0) + sizeof MEMTUNE_SETTINGS;
    char *value = malloc(n);
    if (!value) return;
    snprintf(value, n, "%s%s%s", old ? old : "", old ? ":" : "", MEMTUNE_SETTINGS);
    /* The binary's own path rather than /proc/self/exe, whose name would
     * become the process's name in ps and top. */
    char path[4096];
    ssize_t len = readlink("/proc/self/exe", path, sizeof path - 1);
    if (len > 0 && setenv("GLIBC_TUNABLES", value, 1) == 0) {
        path[len] = 0;
        execv(path, argv);
    }
    /* Not re-executed (no /proc, say): run with the defaults. */
    free(value);
    if (old)
        setenv("GLIBC_TUNABLES", old, 1);
    else
        unsetenv("GLIBC_TUNABLES");
#endif
}
