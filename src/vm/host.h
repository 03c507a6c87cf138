/*
 * host.h — how C code (the CLI, tests, the runtime's boot) drives Lonala
 * processes: create one, call a Lonala function in it and wait for the
 * result, load source text.
 *
 * The calling thread blocks until the call returns into the host frame or
 * the process ends. Values passed in and out live on the process's heap and
 * stay valid only until the next call into the process.
 */
#ifndef LONA_HOST_H
#define LONA_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "proc/proc.h"
#include "vm/runtime.h"

typedef enum {
    HOST_OK,        /* value returned */
    HOST_EXITED,    /* the process ended: value is the exit reason */
} HostStatus;

/* A new process (registered, with a pid) in namespace `user`. */
Proc *host_proc_new(Runtime *rt);
void host_proc_free(Proc *p);

/* While the host builds values on p's heap (arguments for host_call) or
 * reads results, it must hold the process: claim waits until no worker
 * touches it and returns false if it has exited; release gives it back. */
bool host_claim(Proc *p);
void host_release(Proc *p);

/* Call fn with args in p. With `catching`, errors do not end the process:
 * the value is then [:ok v] or [:exit reason]. */
HostStatus host_call(Proc *p, Value fn, const Value *args, uint32_t nargs, bool catching, Value *out);

/* Same, but a call still running after timeout_ms is killed (the process
 * ends with :killed, as with (exit pid :kill)); 0 waits forever. */
HostStatus host_call_timeout(Proc *p, Value fn, const Value *args, uint32_t nargs, bool catching,
                             int64_t timeout_ms, Value *out);

/* Call the var ns/name. */
HostStatus host_call_var(Proc *p, const char *ns, const char *name, const Value *args,
                         uint32_t nargs, bool catching, Value *out);

/* Read and evaluate every form of text (as load-file does) in p. On error
 * returns HOST_EXITED with the reason in *out. */
HostStatus host_load_source(Proc *p, const char *text, size_t len, const char *file, Value *out);

/* Load the embedded Lonala library (lib/lona) into a fresh runtime. */
bool host_load_stdlib(Runtime *rt);

/* Print an exit reason with a message and the stack trace to stderr. */
void host_report_exit(Proc *p, Value reason);

#endif
