/*
 * keyindex.c — see keyindex.h.
 */
#include "proc/keyindex.h"

#include <stdbool.h>
#include <stdlib.h>

#include "base/util.h"

static inline Value key_at(KeyArray a, uint32_t i) { return a.keys[(size_t)i * a.stride]; }

static inline uint32_t hash_key(Value k) {
    uint64_t h = k * UINT64_C(0x9E3779B97F4A7C15);
    return (uint32_t)(h >> 32);
}

static void put(KeyIndex *ki, Value key, uint32_t pos) {
    uint32_t s = hash_key(key) & ki->mask;
    while (ki->slots[s]) s = (s + 1) & ki->mask;
    ki->slots[s] = pos + 1;
}

static void rebuild(KeyIndex *ki, KeyArray a, uint32_t capacity) {
    free(ki->slots);
    ki->slots = xcalloc(capacity, sizeof(uint32_t));
    ki->mask = capacity - 1;
    for (uint32_t i = 0; i < a.n; i++) put(ki, key_at(a, i), i);
}

int64_t ki_find(const KeyIndex *ki, KeyArray a, Value key) {
    if (!ki->mask) {
        for (uint32_t i = 0; i < a.n; i++)
            if (key_at(a, i) == key) return i;
        return -1;
    }
    uint32_t s = hash_key(key) & ki->mask;
    while (ki->slots[s]) {
        uint32_t pos = ki->slots[s] - 1;
        if (key_at(a, pos) == key) return pos;
        s = (s + 1) & ki->mask;
    }
    return -1;
}

void ki_added(KeyIndex *ki, KeyArray a) {
    if (!ki->mask) {
        if (a.n >= KEYINDEX_MIN) rebuild(ki, a, 64);
        return;
    }
    if ((uint64_t)a.n * 2 > ki->mask) {
        rebuild(ki, a, (ki->mask + 1) * 2);
        return;
    }
    put(ki, key_at(a, a.n - 1), a.n - 1);
}

/* Remove the slot holding position pos, shifting back the run after it. */
static void drop_slot(KeyIndex *ki, KeyArray a, uint32_t pos) {
    uint32_t s = hash_key(key_at(a, pos)) & ki->mask;
    while (ki->slots[s] != pos + 1) s = (s + 1) & ki->mask;
    ki->slots[s] = 0;
    for (uint32_t j = (s + 1) & ki->mask; ki->slots[j]; j = (j + 1) & ki->mask) {
        uint32_t want = hash_key(key_at(a, ki->slots[j] - 1)) & ki->mask;
        /* Move the entry back if its home is not in (s, j]. */
        bool stays = s < j ? (want > s && want <= j) : (want > s || want <= j);
        if (!stays) {
            ki->slots[s] = ki->slots[j];
            ki->slots[j] = 0;
            s = j;
        }
    }
}

void ki_removing(KeyIndex *ki, KeyArray a, uint32_t pos) {
    if (!ki->mask) return;
    uint32_t last = a.n - 1;
    drop_slot(ki, a, pos);
    if (pos != last) {
        /* The last entry moves into pos: repoint its slot. */
        uint32_t s = hash_key(key_at(a, last)) & ki->mask;
        while (ki->slots[s] != last + 1) s = (s + 1) & ki->mask;
        ki->slots[s] = pos + 1;
    }
}

void ki_free(KeyIndex *ki) {
    free(ki->slots);
    ki->slots = NULL;
    ki->mask = 0;
}
