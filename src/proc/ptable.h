/*
 * ptable.h — the realm's process table: pid local id -> Proc.
 *
 * Local ids are handed out from a counter and never reused while the
 * runtime lives (40 bits), so a stale pid can never reach a new process.
 * The table is split in stripes, each with its own short lock (see
 * ptable.c); any thread may call any function here.
 */
#ifndef LONA_PTABLE_H
#define LONA_PTABLE_H

#include <stdbool.h>
#include <stdint.h>

struct Proc;
typedef struct ProcTable ProcTable;

ProcTable *ptable_new(void);
void ptable_free(ProcTable *t);
void ptable_insert(ProcTable *t, uint64_t local_id, struct Proc *p);
void ptable_remove(ProcTable *t, uint64_t local_id);
/* The process, or NULL. The caller must hold a reference or otherwise know
 * the process cannot be freed meanwhile (see proc/proc_life.h). */
struct Proc *ptable_lookup(ProcTable *t, uint64_t local_id);
/* Same, taking a reference (proc_ref) under the table's lock, so the
 * process cannot be freed before the caller's proc_unref. */
struct Proc *ptable_lookup_ref(ProcTable *t, uint64_t local_id);
uint64_t ptable_count(ProcTable *t);
/* Calls fn(ctx, p) under the stripe's lock if the process is listed (it
 * cannot be removed, hence freed, meanwhile) and returns whether it was;
 * fn must be short. Cheaper than a lookup with a reference when the
 * caller needs the process only for a moment (delivering a signal). */
bool ptable_with(ProcTable *t, uint64_t local_id, void (*fn)(void *ctx, struct Proc *p), void *ctx);
/* Calls fn(ctx, p) for every process listed, under the lock of its stripe
 * (fn must be short and must not call back into the table). */
void ptable_each(ProcTable *t, void (*fn)(void *ctx, struct Proc *p), void *ctx);
/* Runtime shutdown, schedulers stopped: free every process still listed. */
void ptable_free_procs(ProcTable *t, void (*free_proc)(struct Proc *));

#endif
