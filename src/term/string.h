/*
 * string.h — operations on string values (T_STRING, see term.h).
 *
 * A string holds valid UTF-8 (checked when it is built from outside text)
 * together with its byte length and its code-point count. Lonala indexes
 * strings by code point (spec 4.5); when the byte length equals the
 * code-point count the text is ASCII and an index is a byte offset, so the
 * common case costs O(1). Other strings are walked from the start.
 *
 * Everything here allocates on p's heap without collecting (term/alloc.h).
 */
#ifndef LONA_STRING_H
#define LONA_STRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "proc/proc.h"
#include "term/term.h"
#include "vm/runtime.h"

/* One byte per code point: indices are byte offsets. */
static inline bool str_is_ascii(Value s) { return str_bytelen(s) == str_cplen(s); }

/* Byte offset of code point i (0 <= i <= str_cplen(s)). */
size_t str_cp_offset(Value s, size_t i);
/* Decode the code point starting at byte offset off (< str_bytelen);
 * returns the offset of the next one. */
size_t str_next_cp(Value s, size_t off, uint32_t *cp);
/* Character at code point index i (i < str_cplen(s)). */
Value str_nth_char(Value s, size_t i);
/* Code points [start, end) as a new string (start <= end <= count). */
Value str_substring(Proc *p, Value s, size_t start, size_t end);
/* a followed by b. */
Value str_concat(Proc *p, Value a, Value b);
/* Same text? */
bool str_equal(Value a, Value b);

/* String from bytes that may not be valid UTF-8: LV_NONE if they are not. */
Value str_from_utf8(Proc *p, const char *bytes, size_t len);
/* String from bytes from outside (standard input): every byte that does
 * not start a valid UTF-8 sequence becomes U+FFFD. */
Value str_from_bytes_lossy(Proc *p, const char *bytes, size_t len);
/* String from the contents of a buffer of valid UTF-8. */
Value str_from_buf(Proc *p, const Buf *b);

/* Append what `str` contributes for v: a string's raw text, nothing for
 * nil, the display form (spec 3) of anything else. False once out holds
 * more than max bytes (see pr_value_max in term/print.h). */
bool str_append_display(Runtime *rt, Buf *out, Value v, size_t max);
/* Append the forms of xs separated by single spaces: printed forms when
 * readable, else display forms (where nil shows as "nil"). Used by print,
 * println, prn and pr-str. False once out holds more than max bytes. */
bool str_append_joined(Runtime *rt, Buf *out, const Value *xs, size_t n, bool readable,
                       size_t max);

#endif
