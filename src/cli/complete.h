/*
 * complete.h — the names the REPL offers on TAB.
 *
 * complete_names gathers, for the word before the cursor, every name that
 * starts with it: a word with a namespace part (str/jo, lona.core/ma)
 * gives the public vars of the namespace or alias it names; a keyword
 * (:sta) gives interned names as keywords; any other word gives the names
 * visible from the current namespace (own, referred, and the public vars
 * of lona.core and the other default namespaces), the namespaces and the
 * aliases (as "alias/").
 *
 * Runs on the REPL's thread only when TAB is pressed, never while an
 * input is evaluated; the runtime's tables are read under their locks
 * (ns_each_* in vm/ns.h) or lock-free (the atom table), so processes that
 * run meanwhile are not disturbed.
 */
#ifndef LONA_COMPLETE_H
#define LONA_COMPLETE_H

#include <stddef.h>

#include "vm/runtime.h"

typedef struct Completions {
    char **names;          /* sorted, no duplicates; each starts with the word */
    size_t count, cap;
} Completions;

/* Where the word ending at cursor starts in line (its first character). */
size_t complete_word_start(const char *line, size_t cursor);
/* The names for word (len bytes) seen from namespace ns. */
void complete_names(Runtime *rt, Value ns, const char *word, size_t len, Completions *out);
/* Length of the prefix every name shares. */
size_t complete_common(const Completions *c);
void complete_free(Completions *c);

#endif
