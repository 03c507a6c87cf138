/*
 * atoms.h — the intern table of symbol and keyword names.
 *
 * A symbol and a keyword with the same text share one entry: the entry holds
 * the optional namespace part and the name part, and its index is the
 * payload of both the IMM_SYMBOL and the IMM_KEYWORD immediate.
 *
 * The names the runtime itself needs (special forms, error reasons, map keys
 * of process-info...) are listed once below; they are interned first, in
 * this order, when a runtime starts, so that K_(error) and S_(def) are
 * compile-time constants.
 *
 * Thread safety: interning takes the table's mutex; reading an entry by index
 * is lock-free (entries live in fixed chunks that never move, and an index is
 * only handed out after its entry is fully written).
 */
#ifndef LONA_ATOMS_H
#define LONA_ATOMS_H

#include <pthread.h>
#include <stdatomic.h>
#include "term/term.h"

/* X(c_identifier, namespace-or-NULL, "name") */
#define LONA_WELL_KNOWN_ATOMS(X)                     \
    X(nil_, NULL, "nil")                            \
    X(def, NULL, "def")                             \
    X(fn_star, NULL, "fn*")                         \
    X(match, NULL, "match")                         \
    X(do_, NULL, "do")                              \
    X(quote, NULL, "quote")                         \
    X(var, NULL, "var")                             \
    X(receive, NULL, "receive")                     \
    X(when, NULL, "when")                           \
    X(amp, NULL, "&")                               \
    X(underscore, NULL, "_")                        \
    X(after, NULL, "after")                         \
    X(infinity, NULL, "infinity")                   \
    X(core_when, "lona.core", "when")               \
    X(core_unquote, "lona.core", "unquote")         \
    X(core_unquote_splicing, "lona.core", "unquote-splicing") \
    X(core_bytes, "lona.core", "bytes")             \
    X(core_bits, "lona.core", "bits")               \
    X(core_pid, "lona.core", "pid")                 \
    X(core_list, "lona.core", "list")               \
    X(core_concat, "lona.core", "concat")           \
    X(core_apply, "lona.core", "apply")             \
    X(core_tuple, "lona.core", "tuple")             \
    X(core_vector, "lona.core", "vector")           \
    X(core_hash_map, "lona.core", "hash-map")       \
    X(core_hash_set, "lona.core", "hash-set")       \
    X(core_seq, "lona.core", "seq")                 \
    X(core_with_meta, "lona.core", "with-meta")     \
    X(pid, NULL, "pid")                             \
    X(fn, NULL, "fn")                               \
    X(lona_core, NULL, "lona.core")                 \
    X(lona_process, NULL, "lona.process")           \
    X(lona_time, NULL, "lona.time")                 \
    X(lona_kernel, NULL, "lona.kernel")             \
    X(user, NULL, "user")                           \
    X(star_ns_star, NULL, "*ns*")                   \
    /* error reasons */                             \
    X(error, NULL, "error")                         \
    X(ok, NULL, "ok")                               \
    X(syntax_error, NULL, "syntax-error")           \
    X(undef, NULL, "undef")                         \
    X(unbound, NULL, "unbound")                     \
    X(badmatch, NULL, "badmatch")                   \
    X(type_error, NULL, "type-error")               \
    X(badarg, NULL, "badarg")                       \
    X(arity_mismatch, NULL, "arity-mismatch")       \
    X(not_callable, NULL, "not-callable")           \
    X(division_by_zero, NULL, "division-by-zero")   \
    X(index_out_of_bounds, NULL, "index-out-of-bounds") \
    X(out_of_bounds, NULL, "out-of-bounds")         \
    X(invalid_utf8, NULL, "invalid-utf8")           \
    X(invalid_ascii, NULL, "invalid-ascii")         \
    X(invalid_latin1, NULL, "invalid-latin1")       \
    X(file_not_found, NULL, "file-not-found")       \
    X(unknown_intrinsic, NULL, "unknown-intrinsic") \
    X(stack_overflow, NULL, "stack-overflow")       \
    X(oom, NULL, "oom")                             \
    X(overflow, NULL, "overflow")                   \
    X(timeout, NULL, "timeout")                     \
    X(unexpected_eof, NULL, "unexpected-eof")       \
    X(unmatched_delimiter, NULL, "unmatched-delimiter") \
    X(invalid_escape, NULL, "invalid-escape")       \
    X(invalid_radix, NULL, "invalid-radix")         \
    X(nested_anon_fn, NULL, "nested-anon-fn")       \
    X(mixed_placeholders, NULL, "mixed-placeholders") \
    X(invalid_number, NULL, "invalid-number")       \
    X(invalid_character, NULL, "invalid-character") \
    X(invalid_token, NULL, "invalid-token")         \
    X(unknown_dispatch, NULL, "unknown-dispatch")   \
    X(odd_map_entries, NULL, "odd-map-entries")     \
    X(invalid_metadata, NULL, "invalid-metadata")   \
    X(invalid_bytes, NULL, "invalid-bytes")         \
    X(invalid_bits, NULL, "invalid-bits")           \
    X(normal, NULL, "normal")                       \
    X(kill, NULL, "kill")                           \
    X(killed, NULL, "killed")                       \
    X(shutdown, NULL, "shutdown")                   \
    X(noproc, NULL, "noproc")                       \
    X(EXIT, NULL, "EXIT")                           \
    X(exit, NULL, "exit")                           \
    X(DOWN, NULL, "DOWN")                           \
    /* info-map keys and metadata keys */           \
    X(value, NULL, "value")                         \
    X(args, NULL, "args")                           \
    X(form, NULL, "form")                           \
    X(message, NULL, "message")                     \
    X(file, NULL, "file")                           \
    X(line, NULL, "line")                           \
    X(column, NULL, "column")                       \
    X(name, NULL, "name")                           \
    X(ns, NULL, "ns")                               \
    X(doc, NULL, "doc")                             \
    X(arglists, NULL, "arglists")                   \
    X(macro, NULL, "macro")                         \
    X(native, NULL, "native")                       \
    X(special_form, NULL, "special-form")           \
    X(private_, NULL, "private")                    \
    X(process_bound, NULL, "process-bound")         \
    X(index, NULL, "index")                         \
    X(count, NULL, "count")                         \
    X(expected, NULL, "expected")                   \
    X(got, NULL, "got")                             \
    X(trace, NULL, "trace")                         \
    /* type keywords (type) */                      \
    X(boolean, NULL, "boolean")                     \
    X(integer, NULL, "integer")                     \
    X(u8, NULL, "u8")                               \
    X(u16, NULL, "u16")                             \
    X(u32, NULL, "u32")                             \
    X(u64, NULL, "u64")                             \
    X(i8, NULL, "i8")                               \
    X(i16, NULL, "i16")                             \
    X(i32, NULL, "i32")                             \
    X(i64, NULL, "i64")                             \
    X(ratio, NULL, "ratio")                         \
    X(float_, NULL, "float")                        \
    X(f32, NULL, "f32")                             \
    X(f64, NULL, "f64")                             \
    X(char_, NULL, "char")                          \
    X(string, NULL, "string")                       \
    X(symbol, NULL, "symbol")                       \
    X(keyword, NULL, "keyword")                     \
    X(list, NULL, "list")                           \
    X(tuple, NULL, "tuple")                         \
    X(vector, NULL, "vector")                       \
    X(map, NULL, "map")                             \
    X(set, NULL, "set")                             \
    X(binary, NULL, "binary")                       \
    X(bytebuf, NULL, "bytebuf")                     \
    X(namespace_, NULL, "namespace")                \
    X(ref, NULL, "ref")                             \
    X(realm_id, NULL, "realm-id")                   \
    X(notification, NULL, "notification")           \
    X(region, NULL, "region")                       \
    X(be, NULL, "be")                               \
    X(le, NULL, "le")                               \
    X(signed_, NULL, "signed")                      \
    X(unsigned_, NULL, "unsigned")                  \
    X(little, NULL, "little")                       \
    X(big, NULL, "big")                             \
    X(utf_8, NULL, "utf-8")                         \
    X(ascii, NULL, "ascii")                         \
    X(latin1, NULL, "latin1")                       \
    X(x86_64, NULL, "x86_64")                       \
    X(aarch64, NULL, "aarch64")                     \
    X(rest, NULL, "rest")                           \
    X(coll, NULL, "coll")                           \
    X(op_add, NULL, "+")                            \
    X(op_sub, NULL, "-")                            \
    X(op_lt, NULL, "<")                             \
    X(op_le, NULL, "<=")                            \
    X(op_gt, NULL, ">")                             \
    X(op_ge, NULL, ">=")                            \
    X(op_eq, NULL, "=")                             \
    X(status, NULL, "status")                       \
    X(heap_size, NULL, "heap-size")                 \
    X(heap_used, NULL, "heap-used")                 \
    X(old_heap_size, NULL, "old-heap-size")         \
    X(old_heap_used, NULL, "old-heap-used")         \
    X(stack_size, NULL, "stack-size")               \
    X(minor_gc_count, NULL, "minor-gc-count")       \
    X(major_gc_count, NULL, "major-gc-count")       \
    X(total_reclaimed, NULL, "total-reclaimed")     \
    X(mailbox_len, NULL, "mailbox-len")             \
    X(priority, NULL, "priority")                   \
    X(links, NULL, "links")                         \
    X(monitors, NULL, "monitors")                   \
    X(reductions, NULL, "reductions")               \
    X(running, NULL, "running")                     \
    X(runnable, NULL, "runnable")                   \
    X(exiting, NULL, "exiting")                     \
    X(waiting, NULL, "waiting")                     \
    X(min_heap_size, NULL, "min-heap-size")         \
    X(max_heap_size, NULL, "max-heap-size")         \
    X(op_inc, NULL, "inc")                          \
    X(op_dec, NULL, "dec")                          \
    X(else_, NULL, "else")

enum {
#define X(id, ns, name) ATOM_##id,
    LONA_WELL_KNOWN_ATOMS(X)
#undef X
    ATOM__WELL_KNOWN_COUNT
};

#define K_(id) mk_keyword(ATOM_##id)
#define S_(id) mk_symbol(ATOM_##id)

typedef struct AtomEntry {
    const char *ns;     /* NUL-terminated, or NULL when unqualified */
    const char *name;   /* NUL-terminated */
    uint32_t ns_len, name_len;
    uint64_t hash;      /* of the full text, for maps and sets */
    uint32_t unqualified; /* index of the entry with the same name and no ns */
} AtomEntry;

#define ATOM_CHUNK_BITS 12
#define ATOM_CHUNK_SIZE (1u << ATOM_CHUNK_BITS)
#define ATOM_MAX_CHUNKS 4096 /* 16M names */

typedef struct AtomTable {
    pthread_mutex_t lock;
    AtomEntry *_Atomic chunks[ATOM_MAX_CHUNKS];
    _Atomic uint32_t count;
    /* open-addressing index from text hash to entry index + 1 (0 = empty) */
    uint32_t *slots;
    uint32_t slot_mask;
} AtomTable;

void atoms_init(AtomTable *t);
void atoms_free(AtomTable *t);
/* Intern (ns, name); ns may be NULL. Returns the entry index, or UINT32_MAX
 * when the table is full. Lengths are in bytes; the text is copied. */
uint32_t atoms_intern(AtomTable *t, const char *ns, size_t ns_len, const char *name,
                      size_t name_len);
/* The index of (ns, name) if it is interned already, else UINT32_MAX;
 * never adds an entry. */
uint32_t atoms_lookup(AtomTable *t, const char *ns, size_t ns_len, const char *name,
                      size_t name_len);
/* Intern "ns/name" or "name" given as one string (splits at the first '/'
 * that is not the whole name; "/" and "ns//" are handled). */
uint32_t atoms_intern_text(AtomTable *t, const char *text, size_t len);

static inline const AtomEntry *atoms_get(const AtomTable *t, uint32_t idx) {
    AtomEntry *chunk = atomic_load_explicit(&((AtomTable *)t)->chunks[idx >> ATOM_CHUNK_BITS],
                                            memory_order_acquire);
    return &chunk[idx & (ATOM_CHUNK_SIZE - 1)];
}

#endif
