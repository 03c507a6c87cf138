/*
 * compiler.h — from a macro-expanded form to bytecode.
 *
 * cc_compile compiles one top-level form as a function of no arguments and
 * returns it (a closure in the literal area); calling it evaluates the
 * form. Symbols are resolved at compile time (locals, then vars of `ns`,
 * spec 4.1 and 6.1); macros have already been expanded by the Lonala
 * expander (lib/lona/boot.lona), so the compiler treats every list whose
 * head is not a special form as a call.
 *
 * Errors (malformed special forms :syntax-error, unresolvable symbols
 * :undef, :unknown-intrinsic) return LV_EXC with p->exc set. Runs as an
 * intrinsic on the calling process's heap; the C stack grows with the
 * nesting of the code (not of quoted data), and is bounded by CC_MAX_DEPTH.
 */
#ifndef LONA_COMPILER_H
#define LONA_COMPILER_H

#include "proc/proc.h"
#include "term/term.h"

#define CC_MAX_DEPTH 2000

Value cc_compile(Proc *p, Value form, Value ns, Value file);

#endif
