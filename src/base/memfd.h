/*
 * memfd.h — bytes in a sealed memory file, to hand to another process.
 *
 * The file is sealed against writes, growth and shrinking before anyone
 * else sees it, so a receiver that checks the seals (link.c) can map it and
 * read it in place without the sender changing it underneath.
 */
#ifndef LONA_MEMFD_H
#define LONA_MEMFD_H

#include <fcntl.h>
#include <stddef.h>

/* The seals every such file carries. */
#define SEALED_MEMFD_SEALS (F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)

/* A close-on-exec memfd named name holding bytes, sealed; -1 on failure. */
int sealed_memfd(const char *name, const void *bytes, size_t len);

#endif
