/*
 * proc.h — a Lonala process.
 *
 * A process owns its heap, its value stack (registers of every frame), its
 * frame stack and its mailbox. Only the scheduler thread currently running
 * a process touches these; other threads reach a process only through its
 * signal queue (proc/signal.h).
 *
 * Value stack: frame i's registers are stack[frames[i].base ...]; the
 * function being run sits in stack[base - 1]. Registers above p->sp are
 * garbage and never scanned; a frame's registers are cleared to nil on entry
 * so the collector never sees a stale pointer.
 */
#ifndef LONA_PROC_H
#define LONA_PROC_H

#include <stdatomic.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "gc/heap.h"
#include "proc/keyindex.h"
#include "proc/mailbox.h"
#include "proc/signal.h"
#include "sched/wheel.h"
#include "term/term.h"

struct Runtime;
struct Proto;

typedef struct Frame {
    const uint32_t *pc;       /* resume point in this frame's code */
    const Value *k;           /* a Lonala frame's constants (so that the VM
                               * need not find them through the function) */
    uint32_t base;            /* index of R0 in p->stack */
    uint32_t kind;            /* FRAME_LONA, FRAME_HOST, FRAME_CATCH */
    uint32_t ret_reg;         /* caller register receiving the result */
    uint32_t saved_sp;        /* caller's sp to restore on return */
} Frame;

enum { FRAME_LONA = 0, FRAME_HOST, FRAME_CATCH };
enum { RESUME_NONE = 0, RESUME_REG, RESUME_RETURN };

/* Scheduling state (Proc.state), changed with atomic compare-and-swap:
 *   IDLE      parked: in no run queue, nobody runs it
 *   QUEUED    in a run queue (or handed to a host thread)
 *   RUNNING   a thread runs it
 *   NOTIFIED  running, and a wake-up came meanwhile: re-queue, do not park
 *   EXITED    finished; signals to it are answered as for a dead process
 * A waker turns IDLE into QUEUED (and queues it) or RUNNING into NOTIFIED;
 * only the running thread leaves RUNNING/NOTIFIED. A process is born
 * QUEUED: sched_start queues it. The whole protocol, with its invariants,
 * is in sched/sched.c. */
enum { PS_IDLE = 0, PS_QUEUED = 1, PS_RUNNING = 2, PS_NOTIFIED = 3, PS_EXITED = 5 };
/* A wake-up is one atomic or of this bit (sched_claim_wake): it turns IDLE
 * into QUEUED and RUNNING into NOTIFIED, and leaves QUEUED, NOTIFIED and
 * EXITED as they are, which is why those three are odd. */
#define PS_WAKE 1

/* Why a process parked inside an intrinsic (p->park). */
enum { PARK_NONE = 0, PARK_SLEEP, PARK_SYNC, PARK_NOTIF, PARK_YIELD, PARK_INPUT };

/* Registers and frames a process starts with, inside its Proc: an idle
 * process is one block of its scheduler's pool (proc/life.h), with no
 * other allocation than its function. They move to malloc'd arrays when
 * they grow (proc_grow_stack, proc_grow_frames). */
#define PROC_STACK0 32
#define PROC_FRAMES0 4

typedef struct MonEntry {
    Value ref;
    Value pid;      /* target (monitors I hold) or watcher (monitors on me) */
} MonEntry;

struct HostLink;
struct Worker;

typedef struct Proc {
    Heap heap;
    struct Runtime *rt;
    uint64_t local_id;        /* pid local number */
    Value pid;

    Value *stack;             /* registers */
    uint32_t sp, stack_cap;
    Frame *frames;
    uint32_t nframes, frames_cap;

    Value exc;                /* reason of the error being raised, else LV_NONE */
    Value tc_fn;              /* LV_TAILCALL: function to call ... */
    Value tc_args;            /* ... with the elements of this tuple */
    Value dict;               /* process-bound var values: map var -> value, or nil */
    uint64_t dict_hash;       /* of the dict at the last spawn (proc/life.c) */
    Value result;             /* value handed back to the host by a FRAME_HOST */
    Value exit_reason;        /* set when the process ends */
    Value trace;              /* stack trace of the last error: list of [fn file line] */
    char *oom_note;           /* what the last :oom was about (malloc'd, or NULL): for
                               * reports only, the reason being [:error :oom] (vm/error.h) */
    Mailbox mbox;
    SigLink *sigq_tail;       /* the signal queue's consumer end (sigq below) */
    /* The send cache (proc/send.c), owner only: the pid of the last
     * message sent, and the process a second send in a row to it found,
     * with a reference. */
    Value send_last;
    struct Proc *send_target;
    uint8_t resume_kind;      /* RESUME_*: how to finish a parked intrinsic call */
    uint32_t resume_reg;
    Value resume_value;       /* its result, set by whoever wakes the process */
    int64_t recv_timeout_ms;  /* of the receive in progress: -2 none, -1 infinity */
    bool push_catch;          /* LV_TAILCALL from %catch: protect the call */

    int32_t reductions;       /* budget left in this time slice */
    /* Arithmetic instructions call their var: one of the inlined vars was
     * redefined (a copy of Runtime.inlined_redefined kept where the VM
     * reads it cheaply; vm/ns.c sets it in every process). */
    _Atomic bool inlining_off;
    uint8_t priority;
    bool trap_exit;
    _Atomic bool timer_due;   /* a timer fired for the current wait */
    _Atomic bool has_name;    /* registered under some name */
    int park;                 /* PARK_*: why it parked inside an intrinsic */
    struct Proc *rq_next;     /* run queue link */
#ifdef LONA_DEBUG
    _Atomic bool in_run_queue; /* checks that it is in at most one (sched.c) */
#endif
    struct Worker *home;      /* scheduler that ran it last */
    struct HostLink *host;    /* a host thread waiting for a call into it */

    /* Parked inside an intrinsic (sleep, send-sync, wait!, read-line). */
    int64_t wait_deadline;    /* receive :after or park deadline, monotonic ns; 0 = none */
    Value park_ref;           /* send-sync: the ack being waited for */
    /* The timer of the current wait, in the wheel of timer_owner (NULL: not
     * armed); both change under that scheduler's lock (sched/sched.c). */
    TimerNode timer;
    struct Worker *_Atomic timer_owner;

    /* Links and monitors: changed by the owner only, under info_lock so
     * that process-info may read them from another thread. */
    pthread_mutex_t info_lock;
    Value *links;
    uint32_t nlinks, caplinks;
    MonEntry *monitors;       /* monitors this process holds */
    uint32_t nmonitors, capmonitors;
    MonEntry *watchers;       /* monitors on this process */
    uint32_t nwatchers, capwatchers;
    Value reg_name;           /* registered name (symbol) or nil */
    Value pending_exit;       /* an exit signal decided the process ends: reason */
    Value exit_from;          /* the pid whose exit signal ended it, or LV_NONE */

    /* What every send changes, 32 bytes in a row, 16-aligned (so on one
     * cache line, or two): the state, the references, the messages pushed
     * (backpressure, proc/life.c), and the signal queue's head and stub.
     * The fields around them are seldom written: a line that senders take
     * from each other should not also be taken from the owner at each
     * instruction (the queue's tail, written at each pop, is apart). */
    _Alignas(16) _Atomic int state; /* PS_* */
    _Atomic int refs;         /* the table, queues, timers and senders hold references */
    _Atomic uint64_t msgs_in;
    SignalQueue sigq;
    _Atomic uint64_t notif_word; /* handed over by signal! to a process in wait! */
    /* Indexes of the links and monitors above (proc/keyindex.h). */
    KeyIndex links_index, monitors_index, watchers_index; /* see proc/keyindex.h */

    /* Figures published at the end of each slice for process-info. */
    _Atomic uint64_t stat_reductions;
    _Atomic uint64_t stat_heap_size, stat_heap_used, stat_old_size, stat_old_used;
    _Atomic uint64_t stat_stack, stat_minor, stat_major, stat_reclaimed, stat_mailbox;
    _Atomic int stat_status;  /* keyword atom index of :running/:waiting/... */
    _Atomic uint64_t msgs_taken; /* mbox.taken at the end of the last slice */

    Value stack0[PROC_STACK0]; /* the first registers and frames, see above */
    Frame frames0[PROC_FRAMES0];
} Proc;

#endif
