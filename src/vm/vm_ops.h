/*
 * vm_ops.h — the bodies of the instructions too long to sit in the loop.
 */
#ifndef LONA_VM_OPS_H
#define LONA_VM_OPS_H

#include <stdbool.h>

#include "proc/proc.h"
#include "term/term.h"

/* def: `creating` when this def's compilation created the var. */
/* false: refused (over the memory budget), the error raised in p. */
bool vmop_def(Proc *p, Value var, Value v, bool creating);
/* Is x a list of exactly n (or at least n) elements? */
bool vmop_list_len_is(Value x, uint32_t n, bool at_least);
/* Element i of a tuple, vector or list known to be long enough. */
Value vmop_elem(Value x, uint32_t i);
/* List of the elements from i on. */
Value vmop_rest(Proc *p, Value x, uint32_t i);
/* Members of set s not in the tuple `literals`, in iteration order, into
 * out[0..n). */
void vmop_set_rest(Value s, Value literals, Value *out, uint32_t n);
/* Match binary x against a segment spec (see compiler/pattern.c); bound
 * values go to out[0..]. 1 matched, 0 not. */
int vmop_binmatch(Proc *p, Value x, Value spec, Value *out);

#endif
