/*
 * utf8.h — UTF-8 decoding, encoding and validation.
 */
#ifndef LONA_UTF8_H
#define LONA_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decode one code point at s[0..len); returns bytes consumed (1..4) and
 * stores the code point, or returns 0 on an invalid/truncated sequence
 * (overlongs, surrogates and > U+10FFFF are invalid). */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);
/* Encode cp (a scalar value) into out (4 bytes room); returns length. */
size_t utf8_encode(uint32_t cp, char *out);
/* Whole buffer valid? Stores the code-point count. */
bool utf8_validate(const char *s, size_t len, size_t *cp_count);
/* Byte offset of code point index i (i <= count), for valid UTF-8. */
size_t utf8_offset(const char *s, size_t len, size_t i);
bool unicode_is_whitespace(uint32_t cp);
bool unicode_is_letter(uint32_t cp);

#endif
