/*
 * prefault.h — faulting memory in ahead of its use, on a thread of its own.
 *
 * A first touch of a page costs a page fault, and on a virtual machine the
 * host's work behind it: about 0.4 s per GiB of 4 KiB pages here, more
 * for huge pages the host has not backed lately. A pool that hands out
 * blocks from a large mapping asks for the next stretch of it to be
 * faulted in while it carves the current one, so that the thread taking
 * the blocks (a scheduler spawning processes) does not wait for the
 * faults, and the other cores share them.
 *
 * Faulting in (MADV_POPULATE_WRITE) changes no byte of the memory: the
 * owner may carve and write a range while it is being faulted in.
 */
#ifndef LONA_PREFAULT_H
#define LONA_PREFAULT_H

#include <stddef.h>

/* Have [addr, addr + bytes) faulted in, soon, by the prefault thread;
 * nothing happens if the queue is full or the thread cannot start. */
void prefault_async(void *addr, size_t bytes);

/* Wait until every range asked for so far is done (or dropped): call it
 * before unmapping memory that was handed to prefault_async. */
void prefault_drain(void);

#endif
