/*
 * doctest.h — the doctest format of spec/lonala.md section 12, as data.
 *
 * doctest_parse.c turns a markdown text into a DtDoc: the test blocks of
 * the document, each a list of steps (setup chunks and assertions) with
 * the expectations and tags already parsed. It is pure text processing;
 * the one question it cannot answer on its own — does a chunk of source
 * read to the end without :unexpected-eof? — is asked through a callback,
 * so that the real reader decides (doctest.c) and unit tests can use a
 * stand-in.
 *
 * doctest.c runs a DtDoc and reports the results.
 *
 * All strings in these structures are malloc'd and NUL-terminated; line
 * numbers are 1-based lines of the markdown file.
 */
#ifndef LONA_CLI_DOCTEST_H
#define LONA_CLI_DOCTEST_H

#include <stdbool.h>
#include <stddef.h>

/* The tags that mean something; every other @name is ignored. */
enum {
    DT_TAG_TODO = 1u << 0,
    DT_TAG_X86_64 = 1u << 1,
    DT_TAG_AARCH64 = 1u << 2,
};
#define DT_TAG_ARCH (DT_TAG_X86_64 | DT_TAG_AARCH64)

typedef enum {
    DT_EXPECT_VALUE,         /* the expected text is a value */
    DT_EXPECT_ERROR,         /* ERROR: any failure */
    DT_EXPECT_ERROR_REASON,  /* ERROR :reason */
} DtExpectKind;

typedef struct DtExpect {
    DtExpectKind kind;
    char *text;              /* expected text, trimmed, as written */
    char *reason;            /* ERROR :reason only: ":reason" */
    unsigned tags;           /* line tags */
} DtExpect;

typedef enum {
    DT_STEP_SETUP,           /* evaluate `code`, discard the values */
    DT_STEP_ASSERT,          /* evaluate `code`, compare with `expect` */
    DT_STEP_INCOMPLETE,      /* unfinished chunk at the end of the block */
} DtStepKind;

typedef struct DtStep {
    DtStepKind kind;
    int line;                /* marker line (assert), first line (others) */
    char *code;              /* the chunk; for an assert the expression, trimmed */
    DtExpect expect;         /* assert only */
} DtStep;

typedef struct DtBlock {
    int line;                /* line of the opening fence */
    unsigned tags;           /* block tags */
    DtStep *steps;
    size_t nsteps, cap;
    size_t nasserts;
} DtBlock;

typedef struct DtDoc {
    DtBlock *blocks;         /* test blocks only (prose blocks are dropped) */
    size_t nblocks, cap;
} DtDoc;

/* True when `text` stops reading with :unexpected-eof (the chunk needs more
 * lines). */
typedef bool (*DtIncompleteFn)(void *ctx, const char *text, size_t len);

void dt_parse(const char *text, size_t len, DtIncompleteFn incomplete, void *ctx, DtDoc *out);
void dt_doc_free(DtDoc *d);

/* ---- the pieces, exposed for unit tests ------------------------------ */

/* One line of a fenced block, pointing into the markdown text (indentation
 * of the fence already removed, no line terminator). */
typedef struct DtLine {
    const char *s;
    size_t len;
    int lineno;
} DtLine;

/* A candidate block: fenced, info string clojure or lonala. */
typedef struct DtRawBlock {
    int fence_line;
    DtLine *lines;
    size_t nlines, cap;
} DtRawBlock;

/* Candidate blocks of a markdown text; free with dt_raw_blocks_free. */
size_t dt_md_blocks(const char *text, size_t len, DtRawBlock **out);
void dt_raw_blocks_free(DtRawBlock *blocks, size_t n);

/* Offset of the first assertion marker "; =>" outside a string literal, or
 * -1. *in_string says whether the line starts inside a string literal (a
 * multi-line string of the pending chunk) and is updated to the state at
 * the end of the line. */
long dt_find_marker(const char *s, size_t len, bool *in_string);

bool dt_is_blank(const char *s, size_t len);
/* First non-blank character is ';'. */
bool dt_is_comment(const char *s, size_t len);

/* Parse what follows the marker. */
void dt_parse_expect(const char *s, size_t len, DtExpect *out);
void dt_expect_free(DtExpect *e);

/* Known tags among the @name tokens of s. */
unsigned dt_scan_tags(const char *s, size_t len);
/* Whether s is a block tag line (a comment whose text starts with @). */
bool dt_is_tag_line(const char *s, size_t len);

#endif
