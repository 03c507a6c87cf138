/*
 * gc.h — the per-process generational copying collector.
 *
 * Runs only on the thread running the process, only at a VM safe point
 * (never inside an intrinsic), so the roots are exactly: the registers
 * stack[0..sp), the process fields that hold Values (exc, tc_fn, tc_args,
 * dict, result, extra roots) and the messages in the mailbox.
 *
 * Minor collection: live objects of the young block and of the fragments
 * are copied (Cheney); those that had already survived one collection
 * (below the high-water mark) go to the old block, the rest to a new young
 * block. Major collection: everything live is copied into one new young
 * block and the old block is dropped. Off-heap binaries and bytebufs that
 * did not survive are released.
 */
#ifndef LONA_GC_H
#define LONA_GC_H

#include <stdbool.h>

struct Proc;

/* Collect; major when `major` or when the old block cannot take the
 * promotions. Returns false when the heap is still over :max-heap-size
 * afterwards (the caller ends the process with [:error :oom]). */
bool gc_collect(struct Proc *p, bool major);

#endif
