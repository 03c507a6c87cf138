/*
 * util.h — allocation that cannot fail silently, a growable byte buffer, and
 * the runtime-bug abort. Memory exhaustion of the C heap is a runtime bug
 * here; a Lonala process running out of its own budget is handled by the
 * process heap (gc/heap.h), not by these.
 */
#ifndef LONA_UTIL_H
#define LONA_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
_Noreturn void lona_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define LONA_ASSERT(c) \
    do { if (!(c)) lona_panic("assertion failed: %s (%s:%d)", #c, __FILE__, __LINE__); } while (0)

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/* An array that starts in a fixed buffer (a struct's or the C stack's)
 * and moves to the heap when it outgrows it: returns an array of new_cap
 * elements of elem bytes holding the first n of items, freeing items
 * unless it is the inline one. */
void *grow_inline(void *items, const void *inline_items, size_t n, size_t new_cap, size_t elem);

/* A growable byte buffer; always NUL-terminated after any append. */
typedef struct Buf {
    char *data;
    size_t len, cap;
} Buf;

void buf_init(Buf *b);
void buf_free(Buf *b);
void buf_reserve(Buf *b, size_t extra);
void buf_append(Buf *b, const void *s, size_t n);
void buf_puts(Buf *b, const char *s);
void buf_putc(Buf *b, char c);
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Detach the data (caller frees); the buffer is left empty. */
char *buf_take(Buf *b);

#endif
