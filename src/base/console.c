/*
 * console.c — console output (see console.h).
 *
 * stdio's own stream lock keeps one call's bytes together when several
 * scheduler threads print at once. Output is line buffered by hand: a
 * newline flushes, so a line is visible as soon as it is complete even
 * when standard output is a pipe.
 */
#include "base/console.h"

#include <stdio.h>
#include <string.h>

void console_write(struct Runtime *rt, const char *s, size_t n) {
    (void)rt;
    if (n == 0) return;
    flockfile(stdout);
    fwrite(s, 1, n, stdout);
    if (memchr(s, '\n', n)) fflush(stdout);
    funlockfile(stdout);
}

void console_write_err(struct Runtime *rt, const char *s, size_t n) {
    (void)rt;
    if (n == 0) return;
    flockfile(stderr);
    fwrite(s, 1, n, stderr);
    fflush(stderr);
    funlockfile(stderr);
}
