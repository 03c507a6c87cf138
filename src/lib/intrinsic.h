/*
 * intrinsic.h — how native functions are declared.
 *
 * Each file of src/lib defines one table of IntrinsicDef and registers it
 * in lib/intrinsics.c. At start-up every entry becomes a var in its
 * namespace, bound to an IMM_NATIVE value whose payload is the entry's
 * index in the runtime-wide table. The VM checks the arity against
 * min/max before the call, so a function body may index args[0..min-1]
 * freely. max == ARITY_VARIADIC means no upper bound.
 *
 * Contract of a NativeFn: return the result, or LV_EXC after err_raise()
 * (vm/error.h), or LV_TAILCALL after setting p->tc_fn and p->tc_args (the VM
 * then calls that function with those arguments in place of the intrinsic,
 * which is how apply and friends call Lonala code without using the C
 * stack). It must not block, and it may allocate freely (no collection runs
 * during the call). O(n) work should charge p->reductions proportionally.
 */
#ifndef LONA_INTRINSIC_H
#define LONA_INTRINSIC_H

#include <stdint.h>

#include "proc/proc.h"
#include "term/term.h"

typedef Value (*NativeFn)(Proc *p, Value *args, uint32_t nargs);

#define ARITY_VARIADIC 0xffffu

typedef struct IntrinsicDef {
    const char *ns;        /* "lona.core", "lona.process", ... */
    const char *name;
    uint16_t min_arity, max_arity;
    NativeFn fn;
    const char *arglists;  /* e.g. "([x] [x y & more])", may be NULL */
    const char *doc;       /* one line, may be NULL */
} IntrinsicDef;

typedef struct IntrinsicTable {
    const IntrinsicDef *defs;
    size_t count;
} IntrinsicTable;

/* Declares the table of one lib file: LONA_INTRINSICS(core_num) = { ... }; */
#define LONA_INTRINSICS(group) const IntrinsicDef lona_intrinsics_##group[]
#define LONA_INTRINSICS_COUNT(group) \
    const size_t lona_intrinsics_##group##_count = \
        sizeof lona_intrinsics_##group / sizeof lona_intrinsics_##group[0]

/* The runtime-wide table, built once by the first intrinsic_count or
 * intrinsic_find (runtime creation does that). */
extern const IntrinsicDef *intrinsic_table_;
extern uint32_t intrinsic_table_len_;

/* Entry of an IMM_NATIVE value's index: such values exist only once the
 * table is built, so no check is needed here (the VM calls this on every
 * intrinsic call). NULL for an index out of range. */
static inline const IntrinsicDef *intrinsic_get(uint32_t index) {
    return index < intrinsic_table_len_ ? &intrinsic_table_[index] : NULL;
}
uint32_t intrinsic_count(void);
/* Index of (ns, name), or UINT32_MAX. */
uint32_t intrinsic_find(const char *ns, const char *name);

#endif
