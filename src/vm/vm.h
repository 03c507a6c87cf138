/*
 * vm.h — the interpreter.
 *
 * vm_run executes the top frame of a process until the process finishes,
 * returns to a host frame, spends its reduction budget, blocks, or exits.
 * Lonala calls never recurse on the C stack: a call pushes a Frame and the
 * loop continues in the callee.
 */
#ifndef LONA_VM_H
#define LONA_VM_H

#include "base/util.h"
#include "proc/proc.h"
#include "vm/runtime.h"

typedef enum {
    VM_DONE,      /* returned into a FRAME_HOST: value in p->result */
    VM_YIELD,     /* budget spent; runnable */
    VM_WAIT,      /* blocked (receive, sleep...) */
    VM_EXIT,      /* process ended: reason in p->exit_reason */
} VmStatus;

#define VM_BUDGET 4000
#define VM_MAX_FRAMES 1000000

VmStatus vm_run(Proc *p);

/* Prepare a call of fn with args on top of the process's frames, under a
 * FRAME_HOST (and a FRAME_CATCH when catching: the result is then
 * [:ok value] or [:exit reason]). Run it with vm_run. */
bool vm_push_call(Proc *p, Value fn, const Value *args, uint32_t nargs, bool catching);

/* Name of a function value for printing (#fn<NAME>): "anonymous" if none. */
const char *vm_fn_name(Runtime *rt, Value fn, char *buf, size_t buflen);

/* Stack trace of the process's current frames, as a list of
 * [fn-name file line] tuples, innermost first. */
Value vm_stack_trace(Proc *p);
/* Append a trace (as made by vm_stack_trace) as "  at ns/fn (file:line)" lines. */
void vm_print_trace(Runtime *rt, Buf *b, Value trace);
/* The next error raised on this thread keeps the process's trace instead
 * of taking a new one: an intrinsic that raises again a reason caught by
 * %catch (%reraise) calls it just before returning LV_EXC. */
void vm_keep_trace_once(void);

#endif
