/*
 * error.c — building error exit reasons (see error.h).
 */
#include "vm/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/util.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/coll.h"
#include "term/print.h"
#include "vm/runtime.h"

Value err_raise(Proc *p, Value reason, Value info) {
    if (info == LV_NONE)
        p->exc = mk_tuple2(p, K_(error), reason);
    else
        p->exc = mk_tuple3(p, K_(error), reason, info);
    return LV_EXC;
}

Value err_raisef(Proc *p, Value reason, const char *fmt, ...) {
    Buf b;
    buf_init(&b);
    va_list ap;
    va_start(ap, fmt);
    char tmp[512];
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    buf_puts(&b, tmp);
    Value kvs[2] = {K_(message), mk_string(p, b.data, b.len)};
    buf_free(&b);
    return err_raise(p, reason, map_from_kvs(p, kvs, 2));
}

Value err_oomf(Proc *p, const char *fmt, ...) {
    /* Replaced at every :oom, so that a report never shows the note of an
     * earlier one that was caught. */
    free(p->oom_note);
    va_list ap;
    va_start(ap, fmt);
    char tmp[512];
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    p->oom_note = strdup(tmp); /* NULL if even this fails: only the report loses it */
    return err_raise(p, K_(oom), LV_NONE);
}

Value err_oom(Proc *p, const char *what, size_t bytes) {
    p->heap.oom_bytes = 0;
    return err_oomf(p, "%s: out of memory: %zu bytes wanted, %zu of %zu bytes in use (LONA_MAX_MEMORY, --max-memory)",
                    what, bytes, mem_used(), mem_limit());
}

static Value fn_name_symbol(Proc *p, const char *fname) {
    uint32_t idx = atoms_intern_text(&p->rt->atoms, fname, strlen(fname));
    return idx == UINT32_MAX ? LV_NIL : mk_symbol(idx);
}

Value err_type(Proc *p, const char *fname, Value v, const char *expected) {
    Value kvs[6] = {K_(fn), fn_name_symbol(p, fname), K_(value), v, K_(expected),
                    mk_cstring(p, expected)};
    return err_raise(p, K_(type_error), map_from_kvs(p, kvs, 6));
}

Value err_badarg(Proc *p, const char *fname, const Value *args, uint32_t nargs) {
    return err_badarg_msg(p, fname, args, nargs, NULL);
}

Value err_badarg_msg(Proc *p, const char *fname, const Value *args, uint32_t nargs, const char *message) {
    Value kvs[2] = {K_(message), message ? mk_cstring(p, message) : LV_NIL};
    return err_badarg_kvs(p, fname, args, nargs, kvs, message ? 2 : 0);
}

Value err_badarg_kvs(Proc *p, const char *fname, const Value *args, uint32_t nargs, const Value *kvs, uint32_t nkv) {
    Value t = mk_tuple(p, nargs);
    for (uint32_t i = 0; i < nargs; i++) tuple_elems(t)[i] = args[i];
    Value all[12] = {K_(fn), fn_name_symbol(p, fname), K_(args), t};
    if (nkv > 8) nkv = 8;
    memcpy(all + 4, kvs, nkv * sizeof *kvs);
    return err_raise(p, K_(badarg), map_from_kvs(p, all, 4 + nkv));
}

Value err_arity(Proc *p, Value fn, uint32_t nargs) {
    Value kvs[4] = {K_(fn), fn, K_(args), fix(nargs)};
    return err_raise(p, K_(arity_mismatch), map_from_kvs(p, kvs, 4));
}

Value err_reason_keyword(Value r) {
    if (is_tuple(r) && tuple_len(r) >= 2 && tuple_elems(r)[0] == K_(error))
        return tuple_elems(r)[1];
    return r;
}

/* What one value of an explanation may take: the reason itself is printed
 * whole elsewhere. */
#define EXPLAIN_VALUE_MAX 200

static Value info_get(Value info, Value key) {
    Value v = is_map(info) ? map_get(info, key) : LV_NONE;
    return v == LV_NONE ? LV_NIL : v;
}

static void put_value(Runtime *rt, Buf *b, Value v) { pr_value_cut(rt, b, v, EXPLAIN_VALUE_MAX); }

void err_explain_line(Runtime *rt, Buf *b, Value reason) {
    Buf s;
    buf_init(&s);
    err_explain(rt, &s, reason);
    if (s.len) {
        buf_puts(b, "  ");
        buf_append(b, s.data, s.len);
        buf_putc(b, '\n');
    }
    buf_free(&s);
}

void err_report_line(Proc *p, Buf *b, Value reason) {
    bool oom = is_tuple(reason) && tuple_len(reason) == 2 && tuple_elems(reason)[0] == K_(error) &&
               tuple_elems(reason)[1] == K_(oom);
    /* Not when the exit signal of another process brought the reason. */
    bool own = !(is_pid(p->exit_from) && p->exit_from != p->pid);
    if (!oom || !own || !p->oom_note) {
        err_explain_line(p->rt, b, reason);
        return;
    }
    buf_puts(b, "  ");
    buf_puts(b, p->oom_note);
    buf_putc(b, '\n');
}

void err_explain(Runtime *rt, Buf *b, Value reason) {
    if (!is_tuple(reason) || tuple_len(reason) < 2 || tuple_elems(reason)[0] != K_(error)) return;
    Value why = tuple_elems(reason)[1];
    Value info = tuple_len(reason) >= 3 ? tuple_elems(reason)[2] : LV_NIL;
    Value message = info_get(info, K_(message)), fn = info_get(info, K_(fn));
    if (is_string(message)) {
        buf_append(b, str_bytes(message), str_bytelen(message));
    } else if (why == K_(type_error) && fn != LV_NIL && is_string(info_get(info, K_(expected)))) {
        Value expected = info_get(info, K_(expected));
        put_value(rt, b, fn);
        buf_puts(b, str_bytelen(expected) && strchr("aeiou", str_bytes(expected)[0]) ? " expects an " : " expects a ");
        buf_append(b, str_bytes(expected), str_bytelen(expected));
        buf_puts(b, ", got ");
        put_value(rt, b, info_get(info, K_(value)));
    } else if (why == K_(badarg) && fn != LV_NIL) {
        buf_puts(b, "bad argument to ");
        put_value(rt, b, fn);
        buf_puts(b, ": ");
        put_value(rt, b, info_get(info, K_(args)));
    } else if (why == K_(arity_mismatch) && fn != LV_NIL) {
        put_value(rt, b, fn);
        buf_puts(b, " called with ");
        put_value(rt, b, info_get(info, K_(args)));
        buf_puts(b, " arguments");
    } else if (why == K_(badmatch)) {
        buf_puts(b, "no pattern matched ");
        put_value(rt, b, info_get(info, K_(value)));
    } else if (why == K_(not_callable)) {
        put_value(rt, b, info_get(info, K_(value)));
        buf_puts(b, " is not a function");
    } else if (why == K_(division_by_zero)) {
        buf_puts(b, "division by zero");
    } else if (why == K_(undef)) {
        buf_puts(b, "unable to resolve symbol ");
        put_value(rt, b, info_get(info, K_(var)));
    }
}
