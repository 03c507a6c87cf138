/*
 * term.c — per-type tables derived from LONA_BOX_TYPES.
 */
#include "term/term.h"

const GcKind term_gc_kind[T__COUNT] = {
    [T__INVALID] = GCK_RAW,
#define X(name, kind) [T_##name] = GCK_##kind,
    LONA_BOX_TYPES(X)
#undef X
};

const char *const term_box_name[T__COUNT] = {
    [T__INVALID] = "invalid",
#define X(name, kind) [T_##name] = #name,
    LONA_BOX_TYPES(X)
#undef X
};
