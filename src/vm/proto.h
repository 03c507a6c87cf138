/*
 * proto.h — compiled functions.
 *
 * A Proto is the immutable result of compiling one fn* (or one top-level
 * form, as a function of no arguments). It lives in the literal area with
 * its code, constants and line table. A closure (T_CLOSURE) pairs a proto
 * with the values it captured: payload {proto, captured...}. A proto that
 * captures nothing gets one closure made at compile time, in the literal
 * area, so creating such a function at run time allocates nothing.
 */
#ifndef LONA_PROTO_H
#define LONA_PROTO_H

#include <stdint.h>

#include "term/term.h"

typedef struct LineEntry {
    uint32_t pc;    /* first code word of the range */
    uint32_t line;
} LineEntry;

typedef struct Proto {
    Value header;          /* T_PROTO */
    Value name;            /* symbol, or nil for anonymous functions */
    Value ns;              /* namespace it was compiled in */
    Value file;            /* string or nil */
    Value shared_closure;  /* closure with no captures, or LV_NONE */
    uint32_t nparams;      /* fixed parameters */
    uint32_t variadic;     /* 1: one more register receives a tuple of the rest */
    uint32_t fixed_arity;  /* nparams, or UINT32_MAX if variadic (for the VM's fast calls) */
    uint32_t nregs;        /* registers of a frame */
    uint32_t ncaptured;
    uint32_t ncode, nconsts, nlines;
    const uint32_t *code;
    const Value *consts;
    const LineEntry *lines;
} Proto;

static inline Proto *as_proto(Value v) { return (Proto *)box_ptr(v); }
static inline Proto *closure_proto(Value c) { return as_proto(box_ptr(c)[1]); }
static inline Value *closure_captured(Value c) { return box_ptr(c) + 2; }

/* Source line of the instruction at code offset pc, 0 if unknown. */
uint32_t proto_line(const Proto *pr, uint32_t pc);

#endif
