/*
 * num.h — the numeric tower: plain integers (fixnum, promoting to bignum;
 * optional big flag "N"), fixed-width integers u8..i64 (wrapping), ratios
 * (always normalised, denominator > 1), floats f64 (T_FLOAT) and f32
 * (IMM_F32). Semantics: spec/lonala.md 4.4.
 *
 * Bignums are GMP mpn limbs stored on the process heap (T_BIGNUM, sign and
 * big flag in the header flags); GMP's own allocator never owns process
 * data. A plain integer that fits a fixnum is always a fixnum, unless it
 * carries the big flag.
 *
 * Every operation that can fail returns LV_EXC after err_raise (vm/error.h):
 * :type-error for non-numbers or forbidden mixes, :division-by-zero, ...
 */
#ifndef LONA_NUM_H
#define LONA_NUM_H

#include <stdbool.h>
#include <stdint.h>

#include "base/util.h"
#include "proc/proc.h"
#include "term/term.h"

/* Arithmetic (fname is used in error info, e.g. "+"). */
Value num_add(Proc *p, Value a, Value b);
Value num_sub(Proc *p, Value a, Value b);
Value num_mul(Proc *p, Value a, Value b);
Value num_div(Proc *p, Value a, Value b);
Value num_quot(Proc *p, Value a, Value b);
Value num_rem(Proc *p, Value a, Value b);
Value num_mod(Proc *p, Value a, Value b);
Value num_neg(Proc *p, Value a);

/* Numeric comparison of two real numbers; *unordered set when NaN is
 * involved. Caller checks is_number first. Returns <0, 0, >0. */
int num_cmp(Value a, Value b, bool *unordered);
/* `=` on two numbers (spec 4.3): integers of every kind by value, ratios
 * with ratios, floats with floats; false for mixed categories. */
bool num_equal(Value a, Value b);
/* Hash consistent with num_equal. */
uint64_t num_hash(Value a);

/* Construction. */
Value num_from_i64(Proc *p, int64_t n);
Value num_from_u64(Proc *p, uint64_t n);
/* Plain integer from digits (no sign, no underscores) in radix 2..36;
 * big: set the N flag. Returns LV_NONE if a digit is invalid. */
Value num_parse_digits(Proc *p, const char *digits, size_t len, unsigned radix, bool negative,
                       bool big);
/* Normalised ratio n/d of two plain integers; LV_EXC on zero d. */
Value num_make_ratio(Proc *p, Value n, Value d);
/* Fixed-width integer of type t (IMM_U8..IMM_I32, or T_U64/T_I64 via
 * num_fixed64), wrapping the plain integer v. */
Value num_to_fixed(Proc *p, int kind, Value v);

/* Kinds of fixed-width integer, for num_to_fixed and friends. */
enum { FX_U8, FX_U16, FX_U32, FX_U64, FX_I8, FX_I16, FX_I32, FX_I64, FX__COUNT };
/* FX_* kind of a fixed-width value, or -1 for anything else. */
int num_fixed_kind(Value v);
/* true when the integer v (any kind) lies in the range of FX_* kind
 * (the reader's check for suffixed literals such as 300u8). */
bool num_fixed_fits(int kind, Value v);

/* Conversions. true when v is an integer (any kind) that fits. */
bool num_to_i64(Value v, int64_t *out);
/* Any real number to double. */
double num_to_double(Value v);

/* Printed form (readable: with suffixes N, u8, f32...; display: without). */
void num_print(Buf *out, Value v, bool readable);
/* An integer (any kind) in radix 2..36, '-' for negatives, no suffix
 * (format's %x %X %b). */
void num_print_radix(Buf *out, Value v, unsigned radix, bool upper);
/* Shortest round-trip decimal of a double in the spec's format (3.0,
 * 1e21, ##NaN, ...); f32: shortest for binary32. */
void num_print_double(Buf *out, double d, bool is_f32);

#endif
