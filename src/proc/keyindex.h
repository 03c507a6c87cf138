/*
 * keyindex.h — a hash index over an array of keyed entries, so that the
 * links and monitors of a process with thousands of them are found in O(1)
 * (a supervisor, a link storm). The array stays the owner of the data; the
 * index maps a key (a pid or ref word) to its position. Small arrays need
 * no index: it is built when an array passes KEYINDEX_MIN entries.
 *
 * Open addressing with linear probing and backward-shift deletion (no
 * tombstones); slots hold position + 1, 0 is empty.
 */
#ifndef LONA_KEYINDEX_H
#define LONA_KEYINDEX_H

#include <stddef.h>
#include <stdint.h>

#include "term/term.h"

#define KEYINDEX_MIN 16

typedef struct KeyIndex {
    uint32_t *slots;
    uint32_t mask;     /* capacity - 1; 0 when there is no index */
} KeyIndex;

/* keys: the array's first key, stride: Values from one key to the next. */
typedef struct KeyArray {
    const Value *keys;
    size_t stride;
    uint32_t n;
} KeyArray;

/* Position of key in the array, or -1. Works with or without an index. */
int64_t ki_find(const KeyIndex *ki, KeyArray a, Value key);
/* The array just gained its last entry (position a.n - 1). */
void ki_added(KeyIndex *ki, KeyArray a);
/* Entry `pos` is about to be removed by moving the last entry into it. */
void ki_removing(KeyIndex *ki, KeyArray a, uint32_t pos);
void ki_free(KeyIndex *ki);

#endif
