/*
 * console.c — console output (see console.h).
 *
 * The console's lock keeps one call's bytes together when several
 * scheduler threads print at once, and orders them against a line
 * editor taking the console. Output is line buffered by hand: a newline
 * flushes, so a line is visible as soon as it is complete even when
 * standard output is a pipe.
 */
#include "base/console.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum { HELD_OUT = 1, HELD_ERR = 2 };

void console_init(Console *c) {
    pthread_mutex_init(&c->lock, NULL);
    c->wake_fd = -1;
    buf_init(&c->held);
}

void console_free(Console *c) {
    buf_free(&c->held);
    pthread_mutex_destroy(&c->lock);
}

static void stream_write(FILE *f, const char *s, size_t n, bool flush) {
    flockfile(f);
    fwrite(s, 1, n, f);
    if (flush) fflush(f);
    funlockfile(f);
}

/* Under c->lock, while held. */
static void keep(Console *c, char stream, const char *s, size_t n) {
    buf_putc(&c->held, stream);
    buf_append(&c->held, &n, sizeof n);
    buf_append(&c->held, s, n);
    if (memchr(s, '\n', n)) {
        unsigned char b = 1;
        (void)!write(c->wake_fd, &b, 1); /* a full pipe already says so */
    }
}

static void console_put(Console *c, char stream, const char *s, size_t n) {
    if (n == 0) return;
    pthread_mutex_lock(&c->lock);
    if (c->wake_fd >= 0)
        keep(c, stream, s, n);
    else if (stream == HELD_OUT)
        stream_write(stdout, s, n, memchr(s, '\n', n) != NULL);
    else
        stream_write(stderr, s, n, true);
    pthread_mutex_unlock(&c->lock);
}

void console_write(Console *c, const char *s, size_t n) {
    console_put(c, HELD_OUT, s, n);
}

void console_write_err(Console *c, const char *s, size_t n) {
    console_put(c, HELD_ERR, s, n);
}

void console_hold(Console *c, int wake_fd) {
    pthread_mutex_lock(&c->lock);
    c->wake_fd = wake_fd;
    pthread_mutex_unlock(&c->lock);
}

/* Under c->lock: write the kept records and forget them; the last
 * character written, or 0. */
static char write_held(Console *c) {
    char last = 0;
    for (size_t i = 0; i < c->held.len;) {
        FILE *f = c->held.data[i] == HELD_OUT ? stdout : stderr;
        size_t n;
        memcpy(&n, c->held.data + i + 1, sizeof n);
        const char *s = c->held.data + i + 1 + sizeof n;
        /* stdout first, so that the streams stay in order on a terminal */
        if (f == stderr) fflush(stdout);
        stream_write(f, s, n, true);
        last = s[n - 1];
        i += 1 + sizeof n + n;
    }
    c->held.len = 0;
    return last;
}

bool console_flush_held(Console *c, const char *before) {
    pthread_mutex_lock(&c->lock);
    bool any = c->held.len > 0;
    if (any) {
        fputs(before, stdout);
        if (write_held(c) != '\n') fputc('\n', stdout);
        fflush(stdout);
    }
    pthread_mutex_unlock(&c->lock);
    return any;
}

void console_release(Console *c) {
    pthread_mutex_lock(&c->lock);
    c->wake_fd = -1;
    write_held(c);
    pthread_mutex_unlock(&c->lock);
}
