/*
 * error.h — the one path for raising a Lonala error.
 *
 * An error ends the running process with the exit reason
 * [:error REASON INFO] (INFO a map, or absent for [:error REASON]). Intrinsics
 * and the VM build that reason here, store it in p->exc and return LV_EXC;
 * the VM unwinds (to a catch frame if the process has one, else the process
 * exits). Nothing prints or exits on its own.
 */
#ifndef LONA_ERROR_H
#define LONA_ERROR_H

#include "base/util.h"
#include "proc/proc.h"
#include "term/term.h"

/* [:error reason info]; info LV_NONE gives [:error reason]. Returns LV_EXC. */
Value err_raise(Proc *p, Value reason, Value info);
/* [:error reason %{:message "..."}] with a printf-style message. */
Value err_raisef(Proc *p, Value reason, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* :type-error naming the function and the offending value:
 * %{:fn fname :value v :expected "what was wanted"}. */
Value err_type(Proc *p, const char *fname, Value v, const char *expected);
/* :badarg with %{:fn fname :args [args...]}. */
Value err_badarg(Proc *p, const char *fname, const Value *args, uint32_t nargs);
/* :badarg with %{:fn fname :args [args...] :message message}. */
Value err_badarg_msg(Proc *p, const char *fname, const Value *args, uint32_t nargs, const char *message);
/* :badarg with %{:fn fname :args [args...]} and the nkv/2 more key-value
 * pairs of kvs (at most 4 pairs). */
Value err_badarg_kvs(Proc *p, const char *fname, const Value *args, uint32_t nargs, const Value *kvs, uint32_t nkv);
/* :arity-mismatch with %{:fn fname :args n}. */
Value err_arity(Proc *p, Value fn, uint32_t nargs);
/* A sentence a person can act on for an error-shaped exit reason (its
 * :message, or one made from the reason and its info, e.g. "+ expects a
 * number, got nil"), appended to b; nothing for other reasons. */
void err_explain(struct Runtime *rt, Buf *b, Value reason);
/* The same as an indented line of a report ("  sentence\n"), if any. */
void err_explain_line(struct Runtime *rt, Buf *b, Value reason);
/* err_explain_line for the exit reason of p: for [:error :oom], p's note. */
void err_report_line(Proc *p, Buf *b, Value reason);
/* Out of memory. Every one ends the process with exactly [:error :oom], the
 * one shape supervisors match (spec: Runtime Errors): the sentence saying
 * what wanted how much (printf-style) goes to p->oom_note instead, which
 * reports print under the reason (err_report_line). */
Value err_oomf(Proc *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* err_oomf naming what wanted how many bytes and the memory budget
 * (base/mem.h); clears the heap's over-budget mark. */
Value err_oom(Proc *p, const char *what, size_t bytes);
/* Reason keyword of an error-shaped exit reason: the second element of
 * [:error R ...], or the reason itself otherwise. */
Value err_reason_keyword(Value exit_reason);

#endif
