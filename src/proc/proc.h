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
#include <stdint.h>

#include "gc/heap.h"
#include "proc/mailbox.h"
#include "proc/signal.h"
#include "term/term.h"

struct Runtime;
struct Proto;

typedef struct Frame {
    const uint32_t *pc;       /* resume point in this frame's code */
    uint32_t base;            /* index of R0 in p->stack */
    uint32_t kind;            /* FRAME_LONA, FRAME_HOST, FRAME_CATCH */
    uint32_t ret_reg;         /* caller register receiving the result */
    uint32_t saved_sp;        /* caller's sp to restore on return */
} Frame;

enum { FRAME_LONA = 0, FRAME_HOST, FRAME_CATCH };
enum { RESUME_NONE = 0, RESUME_REG, RESUME_RETURN };

typedef enum {
    PS_RUNNABLE = 0,
    PS_RUNNING,
    PS_WAITING,
    PS_EXITING,
    PS_DONE,
} ProcStatus;

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
    Value result;             /* value handed back to the host by a FRAME_HOST */
    Value exit_reason;        /* set when the process ends */
    Value trace;              /* stack trace of the last error: list of [fn file line] */
    Value *extra_roots[8];    /* C locals the host keeps across a collection */
    int n_extra_roots;
    Mailbox mbox;
    SignalQueue sigq;
    uint8_t resume_kind;      /* RESUME_*: how to finish a parked intrinsic call */
    uint32_t resume_reg;
    Value resume_value;       /* its result, set by whoever wakes the process */
    int64_t recv_timeout_ms;  /* of the receive in progress: -2 none, -1 infinity */
    int64_t recv_deadline;    /* monotonic ns */
    bool timer_fired;         /* the receive's timer expired */
    bool push_catch;          /* LV_TAILCALL from %catch: protect the call */

    int32_t reductions;       /* budget left in this time slice */
    uint64_t total_reductions;
    uint8_t priority;
    _Atomic int status;       /* ProcStatus */
} Proc;

#endif
