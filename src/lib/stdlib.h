/*
 * stdlib.h — the Lonala sources of lib/lona/, embedded at build time.
 */
#ifndef LONA_STDLIB_H
#define LONA_STDLIB_H

#include <stddef.h>

typedef struct StdlibFile {
    const char *name;   /* e.g. "core.lona" */
    const char *text;
    size_t len;
} StdlibFile;

/* Terminated by an entry with name NULL. */
extern const StdlibFile lona_stdlib_files[];

#endif
