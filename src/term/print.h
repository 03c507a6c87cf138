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
/* Convenience: malloc'd printed form. */
char *pr_to_cstr(Runtime *rt, Value v);

/* Pieces the printer is made of, usable on their own. */
void pr_string_escaped(Buf *out, const char *s, size_t len);
void pr_char(Buf *out, uint32_t cp);
void pr_symbol(Runtime *rt, Buf *out, Value sym);   /* also keywords (with ':') */

#endif
