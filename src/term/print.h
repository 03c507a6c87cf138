/*
 * print.h — the printer: printed (readable) and display forms, exactly as
 * spec/lonala.md section 3 gives them. Pure: reads the value, writes text.
 * Deep nesting is handled without the C stack growing with the depth.
 */
#ifndef LONA_PRINT_H
#define LONA_PRINT_H

#include <stdbool.h>

#include "base/util.h"
#include "term/term.h"
#include "vm/runtime.h"

/* Printed form (pr-str, REPL, doctest). */
void pr_value(Runtime *rt, Buf *out, Value v);
/* Display form (str, print, println): strings raw, chars bare, numbers
 * without suffix; collections' elements still in printed form. */
void pr_display(Runtime *rt, Buf *out, Value v);
/* The same, giving up (false) once out holds more than max bytes: a value
 * prints its shared parts once per path to them, so the printed form of
 * a small value (a tuple holding one value twice, nested 40 deep) can be
 * larger than memory. out then holds a cut-off prefix of the text. */
bool pr_value_max(Runtime *rt, Buf *out, Value v, size_t max);
bool pr_display_max(Runtime *rt, Buf *out, Value v, size_t max);
/* The printed form cut to its first max bytes and "..." if longer: for
 * error reports, which must not take all memory on such a value. */
void pr_value_cut(Runtime *rt, Buf *out, Value v, size_t max);
/* Convenience: malloc'd printed form. */
char *pr_to_cstr(Runtime *rt, Value v);

/* Pieces the printer is made of, usable on their own. */
void pr_string_escaped(Buf *out, const char *s, size_t len);
void pr_char(Buf *out, uint32_t cp);
void pr_symbol(Runtime *rt, Buf *out, Value sym);   /* also keywords (with ':') */

#endif
