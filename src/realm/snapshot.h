/*
 * snapshot.h — the code a child realm starts with.
 *
 * At realm-create the parent writes an immutable snapshot of its
 * namespaces, vars and compiled functions (DESIGN.md section 6: "code pages
 * shared read-only"): the intern table in index order, every proto (code
 * words, line table, constants), every namespace (mappings, aliases,
 * metadata) and every var (flags, metadata, root). The child installs it
 * into its own literal area before any process runs, so later defs in the
 * parent are not seen, and var references inside code resolve by namespace
 * and name.
 *
 * Parent and child are the same binary (the child is the parent's own
 * executable), so intrinsics travel by index and the well-known atoms have
 * the same indices on both sides; the snapshot records the intrinsic count
 * and install refuses a snapshot made by another build. The snapshot flows
 * only downward, from the more trusted realm: install checks its bounds
 * (it never reads past the end) but not the meaning of the bytecode.
 */
#ifndef LONA_SNAPSHOT_H
#define LONA_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"
#include "vm/runtime.h"

/* Write the runtime's current code into out. */
void snapshot_write(Runtime *rt, Buf *out);
/* Install a snapshot into a runtime created without its library; false
 * (with a message in err) if it is malformed or from another build. */
bool snapshot_install(Runtime *rt, const uint8_t *bytes, size_t len, char *err, size_t errlen);

/* The snapshot in a sealed memfd (close-on-exec), -1 on failure; and the
 * loader that maps such a descriptor and installs it. */
int snapshot_memfd(Runtime *rt);
bool snapshot_install_fd(Runtime *rt, int fd, char *err, size_t errlen);

#endif
