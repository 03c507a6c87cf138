/*
 * life.h — birth, references and death of processes.
 *
 * A Proc is reference-counted: the process table, a run queue, a timer, a
 * host waiting on it and any thread about to push a signal each hold a
 * reference; it is freed when the last one goes. After it exits (state
 * EXITED) it stays in memory while referenced, but lookups by pid no
 * longer find it, and signals still pushed to it are answered as for a
 * dead process when it is finally freed.
 */
#ifndef LONA_LIFE_H
#define LONA_LIFE_H

#include <stdbool.h>

#include "gc/blockpool.h"
#include "proc/proc.h"
#include "vm/runtime.h"

typedef struct SpawnOpts {
    size_t min_heap_words;   /* 0: default */
    size_t max_heap_words;   /* 0: unlimited */
    uint8_t priority;
    Value name;              /* symbol to register, or nil */
} SpawnOpts;

/* Read a map of spawn options (:min-heap-size :max-heap-size :priority
 * :name; nil for none) into o: false on a bad value. Other keys are left
 * to the caller. spawn checks with this, and so does spawn-in, in the
 * caller's realm, before its request leaves (lib/realm.c). */
bool proc_parse_spawn_opts(Value opts, SpawnOpts *o);
/* The value of key in a map of spawn options, nil if absent. */
Value proc_spawn_opt(Value opts, Value key);

/* A new process (not yet running), in the table, with one reference held
 * by the table. Its dictionary of process-bound values is copied from
 * parent (may be NULL). */
Proc *proc_create(Runtime *rt, const SpawnOpts *o, Proc *parent);
/* Set up fn (copied into the new heap from parent's) as the first call;
 * an intrinsic is called through lona.process/%call-native. False if fn
 * cannot leave its process (it holds a bytebuf). */
bool proc_set_entry(Proc *p, Value fn, Proc *parent);

/* Memory for processes: a zeroed Proc from the pool bound to the calling
 * thread (each scheduler has one, gc/blockpool.h) or from malloc, with its
 * registers and frames inside it; proc_dealloc gives it back from any
 * thread, with the arrays they grew into. */
void proc_pool_bind(BlockPool *pool);
Proc *proc_alloc(void);
void proc_dealloc(Proc *p);
/* Make room for cap registers / frames (cap more than there is). */
void proc_grow_stack(Proc *p, uint32_t cap);
void proc_grow_frames(Proc *p, uint32_t cap);

void proc_ref(Proc *p);
void proc_unref(Proc *p);

/* The live process of a pid of this realm, with a reference, or NULL. */
Proc *proc_lookup(Runtime *rt, Value pid);
/* Is pid a pid of this realm? */
bool proc_is_local(Runtime *rt, Value pid);
/* Push signal s to the process of pid and wake it, without taking a
 * reference (the table's lock keeps it alive meanwhile); false, and s left
 * to the caller, if there is no such process. `by` is the sender. */
bool proc_deliver(Runtime *rt, Value pid, struct Signal *s, Proc *by);
/* The same to a process the caller holds a reference to, always taking s:
 * false if the process has ended, and then s waits in its queue, to be
 * answered as a late signal when the struct is freed (the caller should
 * let go of its reference soon: that is when). */
bool proc_deliver_held(Proc *p, struct Signal *s, Proc *by);

/* Copy figures that process-info reads from other threads. */
void proc_publish_stats(Proc *p);

#endif
