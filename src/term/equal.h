/*
 * equal.h — structural equality (`=`, spec 4.3), identity (`identical?`)
 * and the hash that agrees with `=` (used by maps and sets).
 *
 * Deep structures are walked with an explicit stack, never the C stack.
 * Keys of maps and sets are matched through their hash, so comparing maps
 * whose keys are themselves collections does not recurse either (only two
 * keys with the very same 64-bit hash make one nested comparison).
 */
#ifndef LONA_EQUAL_H
#define LONA_EQUAL_H

#include <stdbool.h>
#include <stdint.h>

#include "term/term.h"

struct Runtime;

bool lv_equal(Value a, Value b);
bool lv_identical(Value a, Value b);
uint64_t lv_hash(Value v);

/* Immediates that are equal exactly when their words are (keywords,
 * characters, nil, booleans, pids, refs...): not numbers, not symbols
 * (which may also come boxed with metadata). */
static inline bool lv_is_word_eq(Value v) {
    if (!is_imm(v)) return false;
    unsigned t = imm_tag(v);
    return t != IMM_SYMBOL && !(t >= IMM_U8 && t <= IMM_F32);
}

/* lv_equal with the common cases of map keys decided inline. */
static inline bool lv_equal_inline(Value a, Value b) {
    if (lv_is_word_eq(a) || lv_is_word_eq(b)) return a == b;
    return lv_equal(a, b);
}

/* Pairs of collections met lately in one walk over two values (=,
 * compare): values share parts freely ([a a] holds a once), and a walk
 * that skips a pair met again takes time in proportion to the distinct
 * parts, not to the paths through them. A small direct-mapped table,
 * cleared on first use only. */
#define PAIR_MEMO_SLOTS 32
typedef struct PairMemo {
    bool ready;
    Value a[PAIR_MEMO_SLOTS], b[PAIR_MEMO_SLOTS];
} PairMemo;
/* True if (a, b) was met lately; remembers it otherwise. */
bool pair_memo_seen(PairMemo *memo, Value a, Value b);

/* The keyword `type` returns for v (spec 3). */
Value lv_type_keyword(Value v);

#endif
