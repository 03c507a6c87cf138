/*
 * fnstate.c — per-function compiler state: registers, constants, code,
 * labels, lines, and turning it all into a Proto in the literal area.
 */
#include <stdlib.h>
#include <string.h>

#include "compiler/cc.h"
#include "gc/literal.h"
#include "reader/reader.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/coll.h"
#include "vm/error.h"

#define MAX_REGS 0xfffff0u

_Noreturn void cc_fail(Compiler *cc, Value reason, Value form, const char *msg) {
    cc_fail_info(cc, reason, form, mk_cstring(cc->p, msg), LV_NONE, LV_NONE);
}

_Noreturn void cc_fail_info(Compiler *cc, Value reason, Value form, Value msg, Value key, Value val) {
    Proc *p = cc->p;
    Value kvs[10];
    size_t n = 0;
    kvs[n++] = K_(message);
    kvs[n++] = msg;
    if (form != LV_NONE) {
        kvs[n++] = reason == K_(undef) ? K_(var) : K_(form);
        kvs[n++] = form;
    }
    uint32_t line = cc->open ? cc->open->line : 0, col;
    if (form != LV_NONE && is_cons(form)) reader_pos(form, &line, &col);
    if (line) {
        kvs[n++] = K_(line);
        kvs[n++] = fix(line);
    }
    if (cc->file != LV_NIL) {
        kvs[n++] = K_(file);
        kvs[n++] = cc->file;
    }
    if (key != LV_NONE) {
        kvs[n++] = key;
        kvs[n++] = val;
    }
    err_raise(p, reason, map_from_kvs(p, kvs, n));
    /* The open FnStates live in the frames of the functions being compiled,
     * which the longjmp abandons: free their buffers while those frames
     * still exist (after it, the calls doing so would reuse that stack). */
    while (cc->open) fs_discard(cc, cc->open);
    longjmp(cc->on_error, 1);
}

Value *cc_scratch(Compiler *cc, size_t n) { return tuple_elems(mk_tuple(cc->p, n ? n : 1)); }

#define GROW(arr, n, cap)                                              \
    do {                                                               \
        if ((n) == (cap)) {                                            \
            (cap) = (cap) ? (cap) * 2 : 16;                            \
            (arr) = xrealloc((arr), (size_t)(cap) * sizeof *(arr));    \
        }                                                              \
    } while (0)

void fs_begin(Compiler *cc, FnState *fs, FnState *parent) {
    memset(fs, 0, sizeof *fs);
    fs->parent = parent;
    fs->self_name = LV_NONE;
    fs->name = LV_NIL;
    fs->last_op = NO_LAST_OP;
    fs->line = parent ? parent->line : 0;
    fs->next_open = cc->open;
    cc->open = fs;
}

static void fs_free_buffers(FnState *fs) {
    free(fs->code);
    free(fs->consts);
    free(fs->lines);
    free(fs->locals);
    free(fs->captures);
    for (uint32_t i = 0; i < fs->nlabels; i++) {
        free(fs->labels[i]->patches);
        free(fs->labels[i]);
    }
    free(fs->labels);
}

static void fs_close(Compiler *cc, FnState *fs) {
    FnState **l = &cc->open;
    while (*l && *l != fs) l = &(*l)->next_open;
    if (*l) *l = fs->next_open;
    fs_free_buffers(fs);
}

void fs_discard(Compiler *cc, FnState *fs) { fs_close(cc, fs); }

uint32_t fs_regs(Compiler *cc, FnState *fs, uint32_t n) {
    uint32_t r = fs->nactive;
    if (r + n > MAX_REGS) cc_fail(cc, K_(syntax_error), LV_NONE, "function too large");
    fs->nactive += n;
    if (fs->nactive > fs->maxregs) fs->maxregs = fs->nactive;
    return r;
}

uint32_t fs_reg(Compiler *cc, FnState *fs) { return fs_regs(cc, fs, 1); }

uint32_t fs_const(Compiler *cc, FnState *fs, Value v) {
    for (uint32_t i = 0; i < fs->nconsts; i++)
        if (fs->consts[i] == v) return i;
    (void)cc;
    GROW(fs->consts, fs->nconsts, fs->capconsts);
    fs->consts[fs->nconsts] = v;
    return fs->nconsts++;
}

void fs_word(Compiler *cc, FnState *fs, uint32_t w) {
    (void)cc;
    GROW(fs->code, fs->ncode, fs->capcode);
    fs->code[fs->ncode++] = w;
}

void fs_emit(Compiler *cc, FnState *fs, Opcode op, uint32_t a) {
    if (fs->line && (fs->nlines == 0 || fs->lines[fs->nlines - 1].line != fs->line)) {
        GROW(fs->lines, fs->nlines, fs->caplines);
        fs->lines[fs->nlines++] = (LineEntry){fs->ncode, fs->line};
    }
    fs->last_op = fs->ncode;
    fs_word(cc, fs, (uint32_t)op | (a << 8));
}

Label *fs_label(Compiler *cc, FnState *fs) {
    (void)cc;
    Label *l = xcalloc(1, sizeof *l);
    l->at = -1;
    GROW(fs->labels, fs->nlabels, fs->caplabels);
    fs->labels[fs->nlabels++] = l;
    return l;
}

void fs_label_ref(Compiler *cc, FnState *fs, Label *l) {
    if (l->at >= 0) {
        fs_word(cc, fs, (uint32_t)(l->at - (int32_t)fs->ncode));
        return;
    }
    GROW(l->patches, l->npatches, l->cap);
    l->patches[l->npatches++] = fs->ncode;
    fs_word(cc, fs, 0);
}

void fs_place(Compiler *cc, FnState *fs, Label *l) {
    (void)cc;
    l->at = (int32_t)fs->ncode;
    for (uint32_t i = 0; i < l->npatches; i++) fs->code[l->patches[i]] = fs->ncode - l->patches[i];
    l->npatches = 0;
}

void fs_bind(Compiler *cc, FnState *fs, Value sym, uint32_t reg) {
    (void)cc;
    GROW(fs->locals, fs->nlocals, fs->caplocals);
    fs->locals[fs->nlocals++] = (Local){sym_strip(sym), reg};
}

void fs_note_line(Compiler *cc, FnState *fs, Value form) {
    (void)cc;
    uint32_t line, col;
    if (is_cons(form) && reader_pos(form, &line, &col)) fs->line = line;
}

/* Copy the finished function into the literal area. */
Value fs_finish(Compiler *cc, FnState *fs) {
    Runtime *rt = cc->rt;
    size_t hdr_words = (sizeof(Proto) + 7) / 8;
    size_t code_words = ((size_t)fs->ncode * 4 + 7) / 8;
    size_t line_words = ((size_t)fs->nlines * sizeof(LineEntry) + 7) / 8;
    Value *o = lit_alloc(&rt->lit, hdr_words + code_words + fs->nconsts + line_words);
    Proto *pr = (Proto *)o;
    pr->header = mk_header(T_PROTO, 0, hdr_words + code_words + fs->nconsts + line_words - 1);
    pr->name = fs->name;
    pr->ns = cc->ns;
    pr->file = cc->file == LV_NIL ? LV_NIL : lit_copy(rt, cc->file);
    pr->nparams = fs->nparams;
    pr->variadic = fs->variadic;
    pr->fixed_arity = fs->variadic ? UINT32_MAX : fs->nparams;
    pr->nregs = fs->maxregs;
    pr->ncaptured = fs->ncaptures;
    pr->ncode = fs->ncode;
    pr->nconsts = fs->nconsts;
    pr->nlines = fs->nlines;
    uint32_t *code = (uint32_t *)(o + hdr_words);
    if (fs->ncode) memcpy(code, fs->code, (size_t)fs->ncode * 4);
    pr->code = code;
    Value *consts = o + hdr_words + code_words;
    for (uint32_t i = 0; i < fs->nconsts; i++) consts[i] = lit_copy(rt, fs->consts[i]);
    pr->consts = consts;
    LineEntry *lines = (LineEntry *)(consts + fs->nconsts);
    if (fs->nlines) memcpy(lines, fs->lines, (size_t)fs->nlines * sizeof(LineEntry));
    pr->lines = lines;
    Value proto = box_val(o);
    if (fs->ncaptures == 0) {
        Value *c = lit_alloc(&rt->lit, 2);
        c[0] = mk_header(T_CLOSURE, 0, 1);
        c[1] = proto;
        pr->shared_closure = box_val(c);
    } else {
        pr->shared_closure = LV_NONE;
    }
    fs_close(cc, fs);
    return proto;
}

uint32_t proto_line(const Proto *pr, uint32_t pc) {
    uint32_t line = 0;
    for (uint32_t i = 0; i < pr->nlines && pr->lines[i].pc <= pc; i++) line = pr->lines[i].line;
    return line;
}
