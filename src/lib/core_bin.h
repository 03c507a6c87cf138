/*
 * core_bin.h — argument helpers shared by the string, binary and bytebuf
 * intrinsics (core_str.c, core_bin.c, core_bytebuf.c).
 *
 * They turn Lonala integer arguments of any kind (fixnum, bignum,
 * fixed-width) into C sizes and bit patterns, and raise the errors these
 * groups share with the reasons of spec 4.6.
 */
#ifndef LONA_CORE_BIN_H
#define LONA_CORE_BIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proc/proc.h"
#include "term/atoms.h"
#include "term/term.h"

typedef enum {
    ARG_NOT_INT = 0, /* not an integer at all */
    ARG_INT_OK,      /* an integer, stored in *out */
    ARG_INT_HUGE,    /* an integer outside the int64 range */
} ArgInt;

/* Classify an integer argument of any kind. */
ArgInt lib_arg_int(Value v, int64_t *out);

/* The value of any integer modulo 2^64 in *bits; *in_u64 tells whether
 * 0 <= v < 2^64. False when v is not an integer. */
bool lib_int_low64(Proc *p, Value v, uint64_t *bits, bool *in_u64);

/* Check that [voff, voff + vlen) lies within [0, size); on success store
 * the range and return LV_NONE, else raise :type-error (not integers) or
 * :out-of-bounds and return LV_EXC. A vlen of LV_NONE means "one byte". */
Value lib_check_range(Proc *p, const char *fname, Value *args, uint32_t nargs, Value voff,
                      Value vlen, size_t size, size_t *off, size_t *len);

/* [:error reason %{:fn fname :args [args...]}]; returns LV_EXC. */
Value lib_raise_args(Proc *p, Value reason, const char *fname, const Value *args, uint32_t nargs);
/* :out-of-bounds with %{:fn fname :args [args...]}. */
static inline Value lib_raise_oob(Proc *p, const char *fname, const Value *args, uint32_t nargs) {
    return lib_raise_args(p, K_(out_of_bounds), fname, args, nargs);
}

/* u64 and i64 results (boxed fixed-width integers). */
Value lib_mk_u64(Proc *p, uint64_t n);
Value lib_mk_i64(Proc *p, int64_t n);

/* Charge the reductions of O(n) work over n bytes or elements. */
static inline void lib_charge(Proc *p, size_t n) {
    size_t r = n / 64;
    p->reductions -= r > 1000000 ? 1000000 : (int32_t)r;
}

#endif
