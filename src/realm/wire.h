/*
 * wire.h — the wire format: values as bytes, to cross an OS-process (realm)
 * boundary.
 *
 * A message is an envelope around one value:
 *
 *   version byte (WIRE_VERSION), body length (LEB128 varint), body
 *
 * and the body is one value: a tag byte, then LEB128 varints for counts,
 * lengths and integers, names of keywords and symbols as text (an intern
 * index means nothing in another runtime), containers as a count followed
 * by their elements in prefix order. The table of tags is in wire.c and in
 * docs/architecture.md.
 *
 * What crosses (the seed's message value types): nil, booleans, every
 * number kind, characters, strings, keywords, symbols, lists, tuples,
 * vectors, maps, sets (with their metadata), binaries, pids, refs, realm
 * ids, notifications and region handles. Functions and closures, intrinsics, vars, namespaces, bytebufs and
 * improper lists are refused and the encoder names the offending value
 * (wire_refusal turns it into [:error :badarg %{:value v ...}]).
 * A notification crosses as its owner's realm and token (proc/notif.h), a
 * region handle as the realm that made the region and its id there
 * (realm/region.c): the bytes of a region come only with share-region.
 *
 * Decoding treats every byte as hostile and works in two passes:
 *   1. wire_check validates the whole input without touching any heap or
 *      the atom table, under explicit limits (WireLimits: total bytes,
 *      nesting depth, values, length of a name, names new to this runtime's
 *      atom table), and sizes it (WireInfo);
 *   2. the build pass makes the value on the receiving process's heap,
 *      interning the names; maps and sets are rebuilt with this runtime's
 *      hashes. Its work space is sized from pass 1.
 * A malformed, truncated or oversized input gives a WireErr (a reason,
 * wire_err_name) and no value, never a crash; allocation is bounded by a
 * constant times the input's size. Both directions use explicit stacks,
 * never the C stack.
 */
#ifndef LONA_WIRE_H
#define LONA_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "proc/proc.h"
#include "term/term.h"
#include "vm/runtime.h"

#define WIRE_VERSION 1

typedef struct WireLimits {
    size_t max_bytes;        /* whole message, envelope included */
    uint32_t max_depth;      /* containers (and metadata) nested in each other */
    uint64_t max_values;     /* values in all, every element counted */
    uint32_t max_name;       /* bytes of a keyword's or symbol's namespace or name */
    uint32_t max_new_atoms;  /* distinct names not yet in the atom table */
} WireLimits;

/* 64 MiB, depth 100000, 16M values, names of 1024 bytes, 1024 new names. */
extern const WireLimits wire_default_limits;

typedef enum {
    WIRE_OK = 0,
    WIRE_E_REFUSED,     /* encoder: a value that cannot cross */
    WIRE_E_TRUNCATED,   /* the input ends inside a value or the envelope */
    WIRE_E_VERSION,     /* unknown version byte */
    WIRE_E_LENGTH,      /* body length disagrees with the input */
    WIRE_E_TRAILING,    /* bytes after the value inside the body */
    WIRE_E_TAG,         /* unknown tag */
    WIRE_E_VARINT,      /* a varint longer than 64 bits */
    WIRE_E_COUNT,       /* a count or length larger than the bytes left */
    WIRE_E_UTF8,        /* a string or name that is not UTF-8 */
    WIRE_E_NAME,        /* an empty or too long keyword or symbol name */
    WIRE_E_NUMBER,      /* a number out of range or malformed */
    WIRE_E_CHAR,        /* not a Unicode scalar value */
    WIRE_E_META,        /* metadata that is not a map, or on a non-collection */
    WIRE_E_DUPLICATE,   /* a repeated map key or set element */
    WIRE_E_TOO_LARGE,   /* over max_bytes */
    WIRE_E_DEPTH,       /* over max_depth */
    WIRE_E_VALUES,      /* over max_values */
    WIRE_E_ATOMS,       /* over max_new_atoms, or the atom table is full */
    WIRE_E__COUNT
} WireErr;

/* Reason as text: "truncated", "bad-tag"... (the keyword of wire_reason). */
const char *wire_err_name(WireErr e);
/* Reason as a keyword, e.g. :truncated. */
Value wire_reason(Runtime *rt, WireErr e);
/* Raise [:error :badarg %{:fn fname :args [args...] :value refused
 * :message ...}] on p, for the user's call fname that tried to send a
 * value that cannot cross; returns LV_EXC. fname NULL leaves out :fn and
 * :args, for a request of the library whose Lonala caller names the
 * user's call itself (lib/lona/45_realm.lona). */
Value wire_refusal(Proc *p, Value refused, const char *fname, const Value *args, uint32_t nargs);

/* Append the message of v to out. WIRE_OK; WIRE_E_REFUSED with *refused
 * set to the offending value (v itself or a part of it); WIRE_E_TOO_LARGE
 * when it would exceed lim->max_bytes (a value with much sharing). On
 * failure out is left as it was. lim NULL: the defaults. */
WireErr wire_encode(Runtime *rt, Value v, const WireLimits *lim, Buf *out, Value *refused);

typedef struct WireInfo {
    size_t body;          /* body bytes */
    uint64_t values;      /* values in all */
    uint32_t depth;       /* deepest nesting */
    uint32_t new_atoms;   /* distinct names new to the atom table */
    size_t off;           /* on error: offset in the input where it was seen */
} WireInfo;

/* Pass 1 alone: validate and size data[0..n). Reads rt's atom table, adds
 * nothing to it. info may be NULL. */
WireErr wire_check(Runtime *rt, const uint8_t *data, size_t n, const WireLimits *lim, WireInfo *info);

/* Both passes: the value of the message data[0..n) on p's heap. On error
 * *out is untouched; values built before a build-pass error are garbage on
 * p's heap (unreachable). */
WireErr wire_decode(Proc *p, const uint8_t *data, size_t n, const WireLimits *lim, Value *out);

/* ---- code mode: the code image (realm/snapshot.h) ----
 *
 * A code image also carries what a message may not: intrinsics (by index:
 * both sides are the same build), vars (by namespace and name), namespaces
 * (by name), function prototypes (by a number the image gives them) and
 * closures (prototype number and captured values). Only the functions
 * below accept these tags; wire_decode rejects them (WIRE_E_TAG). */
typedef struct WireCode {
    void *ctx;
    uint32_t natives;                              /* intrinsics there are */
    uint32_t (*proto_id)(void *ctx, Value proto);  /* encoding: a prototype's number */
    Value (*proto_at)(void *ctx, uint64_t id);     /* decoding: the prototype, LV_NONE if none */
} WireCode;

WireErr wire_encode_code(Runtime *rt, Value v, const WireCode *code, const WireLimits *lim, Buf *out,
                         Value *refused);
WireErr wire_decode_code(Proc *p, const uint8_t *data, size_t n, const WireCode *code, const WireLimits *lim,
                         Value *out);
/* The length of the message that starts at data (envelope included), or 0
 * if the envelope is cut short: for a reader of messages laid end to end. */
size_t wire_message_len(const uint8_t *data, size_t n);

/* LEB128 varints. wire_get_uvarint: WIRE_E_TRUNCATED, WIRE_E_VARINT or
 * WIRE_OK (then *pp is past it). */
void wire_put_uvarint(Buf *b, uint64_t n);
WireErr wire_get_uvarint(const uint8_t **pp, const uint8_t *end, uint64_t *out);

#endif
