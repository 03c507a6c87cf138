/*
 * reader.h — the Lonala reader (spec/lonala.md section 2).
 *
 * Reads UTF-8 text into values on a process heap. Syntax-quote is expanded
 * at read time against the process's current namespace. Lists read from
 * source carry their position (line, column) in a hidden word (HF_POS, see
 * reader_pos) that the compiler uses for error messages and stack traces;
 * it is not metadata and is invisible to Lonala code.
 *
 * Errors: LV_EXC with p->exc = [:error REASON %{:line L :column C [:file F]
 * :message "..."}], REASON one of spec 2.10. Line and column are 1-based;
 * the column counts code points. They give the start of the offending token
 * or construct; for :unexpected-eof, the start of the innermost construct
 * left open.
 *
 * Nesting depth (collections and reader-macro prefixes together) is limited
 * to READER_MAX_DEPTH; deeper input is :syntax-error ("nesting too deep").
 * The parser keeps its state on an explicit stack, so the limit bounds
 * memory and the depth of the data handed to later stages, not C stack use.
 *
 * Choices where the spec names no reason:
 *   - invalid UTF-8 anywhere in the source text: :invalid-token;
 *   - metadata on the empty list () (an immediate): :invalid-metadata;
 *   - an anonymous-function placeholder above %READER_MAX_ANON_ARGS:
 *     :invalid-token;
 *   - `~@x` directly under a syntax-quote: :syntax-error;
 *   - a syntax-quote nested in another without an unquote in between
 *     (``x): :syntax-error (spec 2.9 allows it; each level would re-quote
 *     the expansion below, so n levels would cost exponential space).
 *     Inside ~ or ~@ a syntax-quote is fine: `(a ~(f `b)).
 * `#bits` segments with `native` are normalised to the host's order (:le or
 * :be), so readers of the segment tuples only ever meet :be and :le.
 * Generated names: anonymous-function parameters pN__G and rest__G,
 * auto-gensyms x__G__auto__ (G from rt->next_gensym).
 *
 * A Reader needs no cleanup: every call releases what it allocated.
 */
#ifndef LONA_READER_H
#define LONA_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "proc/proc.h"
#include "term/term.h"

#define READER_MAX_DEPTH 10000
#define READER_MAX_ANON_ARGS 64

typedef struct Reader {
    Proc *p;
    const char *src;
    size_t len, pos;
    uint32_t line, col;        /* 1-based position of src[pos] */
    const char *file;          /* for error info, may be NULL */
    /* internal state, private to src/reader */
    int in_anon_fn;            /* inside #( ), so %-symbols are placeholders */
    Value gensyms;             /* x# -> generated symbol, per syntax-quote (map or nil) */
    /* placeholders of the current #( ): [0] is %&, [i] is %i; LV_NONE when
     * unused. Only entries 0..anon_max are meaningful. */
    Value anon_params[READER_MAX_ANON_ARGS + 1];
    int anon_max;              /* highest positional index used */
    bool anon_bare;            /* `%` seen */
    bool anon_one;             /* `%1` seen */
} Reader;

void reader_init(Reader *r, Proc *p, const char *src, size_t len, const char *file);
/* Skip a "#!" first line (files only). */
void reader_skip_shebang(Reader *r);
/* Read the next form. Returns the value, LV_NONE at end of input (only
 * whitespace/comments left), or LV_EXC on error. */
Value reader_next(Reader *r);

/* Position of a list read from source: true and line/column if known. */
bool reader_pos(Value form, uint32_t *line, uint32_t *col);

/* read-string semantics: first form; empty input is :unexpected-eof. */
Value read_string(Proc *p, const char *src, size_t len);

#endif
