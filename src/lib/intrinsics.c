/*
 * intrinsics.c — the runtime-wide intrinsic table: every group's entries
 * concatenated, in the order of LONA_INTRINSIC_GROUPS. Built once (the
 * table is immutable afterwards and shared by every runtime).
 */
#include "lib/intrinsic.h"

#include <pthread.h>
#include <string.h>

#include "base/util.h"

/* One line per src/lib file that defines intrinsics. */
#define LONA_INTRINSIC_GROUPS(X) \
    X(core_str) X(core_bin) X(core_bytebuf) \
    X(core_num) X(core_bits) \
    X(core_coll) X(core_seq) \
    X(core_lang) X(core_expand) X(process) X(realm) X(kernel) X(disasm)

#define X(g) extern const IntrinsicDef lona_intrinsics_##g[]; extern const size_t lona_intrinsics_##g##_count;
LONA_INTRINSIC_GROUPS(X)
#undef X

const IntrinsicDef *intrinsic_table_;
uint32_t intrinsic_table_len_;
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void build_table(void) {
    size_t n = 0;
#define X(g) n += lona_intrinsics_##g##_count;
    LONA_INTRINSIC_GROUPS(X)
#undef X
    IntrinsicDef *table = xmalloc(n * sizeof *table);
    size_t i = 0;
#define X(g)                                                     \
    memcpy(table + i, lona_intrinsics_##g, lona_intrinsics_##g##_count * sizeof *table); \
    i += lona_intrinsics_##g##_count;
    LONA_INTRINSIC_GROUPS(X)
#undef X
    intrinsic_table_ = table;
    intrinsic_table_len_ = (uint32_t)n;
}

uint32_t intrinsic_count(void) {
    pthread_once(&table_once, build_table);
    return intrinsic_table_len_;
}

uint32_t intrinsic_find(const char *ns, const char *name) {
    pthread_once(&table_once, build_table);
    for (uint32_t i = 0; i < intrinsic_table_len_; i++)
        if (strcmp(intrinsic_table_[i].ns, ns) == 0 && strcmp(intrinsic_table_[i].name, name) == 0) return i;
    return UINT32_MAX;
}
