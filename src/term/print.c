/*
 * print.c — printed and display forms (spec 3), byte for byte.
 *
 * Collections are walked with a NestStack (term/coll.h), so nesting depth
 * costs heap memory, never C stack. Elements are separated by one space;
 * a map's keys and values come out of the cursor alternately, so the map
 * needs no special case. Metadata is never printed.
 */
#include "term/print.h"

#include <inttypes.h>
#include <stdio.h>

#include "base/utf8.h"
#include "term/atoms.h"
#include "term/binary.h"
#include "term/coll_priv.h"
#include "term/num.h"
#include "vm/ns.h"
#include "vm/vm.h"

static const char HEX[] = "0123456789ABCDEF";

static void put_u4(Buf *out, uint32_t cp) {
    char u[6] = {'\\', 'u', HEX[(cp >> 12) & 15], HEX[(cp >> 8) & 15], HEX[(cp >> 4) & 15],
                 HEX[cp & 15]};
    buf_append(out, u, 6);
}

static inline bool needs_u_escape(uint32_t c) { return c < 0x20 || c == 0x7f; }

void pr_string_escaped(Buf *out, const char *s, size_t len) {
    buf_putc(out, '"');
    size_t run = 0; /* start of the pending run of bytes copied as they are */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\t': esc = "\\t"; break;
        case '\r': esc = "\\r"; break;
        default:
            if (!needs_u_escape(c)) continue;
        }
        buf_append(out, s + run, i - run);
        run = i + 1;
        if (esc)
            buf_puts(out, esc);
        else
            put_u4(out, c);
    }
    buf_append(out, s + run, len - run);
    buf_putc(out, '"');
}

static void put_utf8(Buf *out, uint32_t cp) {
    char u[4];
    buf_append(out, u, utf8_encode(cp, u));
}

void pr_char(Buf *out, uint32_t cp) {
    static const struct { uint32_t cp; const char *name; } names[] = {
        {'\n', "newline"}, {' ', "space"},     {'\t', "tab"},
        {'\r', "return"},  {8, "backspace"},   {12, "formfeed"},
    };
    buf_putc(out, '\\');
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        if (names[i].cp == cp) {
            buf_puts(out, names[i].name);
            return;
        }
    }
    if (needs_u_escape(cp)) {
        /* put_u4 writes the backslash itself */
        out->len--;
        put_u4(out, cp);
        return;
    }
    put_utf8(out, cp);
}

void pr_symbol(Runtime *rt, Buf *out, Value sym) {
    if (is_keyword(sym)) buf_putc(out, ':');
    const AtomEntry *e = atoms_get(&rt->atoms, atom_index(sym_strip(sym)));
    if (e->ns) {
        buf_append(out, e->ns, e->ns_len);
        buf_putc(out, '/');
    }
    buf_append(out, e->name, e->name_len);
}

static void pr_binary(Buf *out, Value v) {
    const uint8_t *b = binary_bytes(v);
    size_t n = binary_size(v);
    buf_puts(out, "#bytes[");
    for (size_t i = 0; i < n; i++) {
        char x[5] = {' ', '0', 'x', HEX[b[i] >> 4], HEX[b[i] & 15]};
        buf_append(out, i ? x : x + 1, i ? 5 : 4);
    }
    buf_putc(out, ']');
}

static void pr_fn(Runtime *rt, Buf *out, Value v) {
    char tmp[256];
    const char *name = vm_fn_name(rt, v, tmp, sizeof tmp);
    buf_puts(out, "#fn<");
    buf_puts(out, name ? name : "anonymous");
    buf_putc(out, '>');
}

static void pr_imm(Runtime *rt, Buf *out, Value v) {
    uint64_t x = imm_payload(v);
    switch (imm_tag(v)) {
    case IMM_SPECIAL:
        buf_puts(out, v == LV_NIL     ? "nil"
                      : v == LV_TRUE  ? "true"
                      : v == LV_FALSE ? "false"
                      : v == LV_EMPTY ? "()"
                                      : "#<internal>");
        return;
    case IMM_CHAR: pr_char(out, char_val(v)); return;
    case IMM_KEYWORD:
    case IMM_SYMBOL: pr_symbol(rt, out, v); return;
    case IMM_PID: buf_printf(out, "#pid<%" PRIu32 ".%" PRIu64 ">", pid_realm(v), pid_local(v)); return;
    case IMM_REF: buf_printf(out, "#ref<%" PRIu64 ">", ref_number(v)); return;
    case IMM_REALM: buf_printf(out, "#realm-id<%" PRIu64 ">", x); return;
    case IMM_NOTIF:
        /* One of another realm (its realm id from bit 40, proc/notif.h):
         * its realm, and a mark instead of its token, which is the
         * capability to signal it. */
        if (x >> 40) buf_printf(out, "#notification<%" PRIu64 ".remote>", x >> 40);
        else buf_printf(out, "#notification<%" PRIu64 ">", x);
        return;
    case IMM_REGION: {
        Value name;
        uint64_t size;
        if (x >> 40) {
            /* Of another realm, not shared with this one (its realm id
             * from bit 40, realm/region.h). */
            buf_printf(out, "#region<%" PRIu64 ".%" PRIu64 ">", x >> 40, x & ((UINT64_C(1) << 40) - 1));
        } else if (rt->describe_region && rt->describe_region(rt, x, &name, &size)) {
            buf_puts(out, "#region<");
            pr_symbol(rt, out, name);
            buf_printf(out, " %" PRIu64 ">", size);
        } else {
            buf_printf(out, "#region<%" PRIu64 ">", x);
        }
        return;
    }
    case IMM_NATIVE: pr_fn(rt, out, v); return;
    default: num_print(out, v, true); return; /* fixed-width integers, f32 */
    }
}

/* Anything but a collection, in printed form. */
static void pr_scalar(Runtime *rt, Buf *out, Value v) {
    if (is_fix(v)) {
        num_print(out, v, true);
        return;
    }
    if (is_imm(v)) {
        pr_imm(rt, out, v);
        return;
    }
    if (v == LV_NONE) {
        buf_puts(out, "#<none>");
        return;
    }
    switch (box_type(v)) {
    case T_SYMMETA: pr_symbol(rt, out, v); return;
    case T_STRING: pr_string_escaped(out, str_bytes(v), str_bytelen(v)); return;
    case T_BIN:
    case T_BINREF: pr_binary(out, v); return;
    case T_BYTEBUF: buf_printf(out, "#bytebuf<%zu>", bytebuf_of(v)->size); return;
    case T_CLOSURE: pr_fn(rt, out, v); return;
    case T_VAR: {
        Var *var = as_var(v);
        buf_puts(out, "#'");
        if (is_ns(var->ns)) {
            pr_symbol(rt, out, as_ns(var->ns)->name);
            buf_putc(out, '/');
        }
        pr_symbol(rt, out, var->sym);
        return;
    }
    case T_NS:
        buf_puts(out, "#ns<");
        pr_symbol(rt, out, as_ns(v)->name);
        buf_putc(out, '>');
        return;
    case T_RATIO:
    case T_BIGNUM:
    case T_FLOAT:
    case T_U64:
    case T_I64: num_print(out, v, true); return;
    default: buf_puts(out, "#<internal>"); return;
    }
}

/* Opening delimiter of a collection; its frame keeps the closing one. */
static char pr_open(Buf *out, Value v) {
    switch (box_type(v)) {
    case T_CONS: buf_putc(out, '('); return ')';
    case T_TUPLE: buf_putc(out, '['); return ']';
    case T_VECTOR: buf_putc(out, '{'); return '}';
    case T_MAP:
    case T_HMAP: buf_puts(out, "%{"); return '}';
    default: buf_puts(out, "#{"); return '}';
    }
}

bool pr_value_max(Runtime *rt, Buf *out, Value v, size_t max) {
    if (!is_compound(v)) {
        pr_scalar(rt, out, v);
        return out->len <= max;
    }
    NestStack s;
    nest_init(&s);
    char close = pr_open(out, v);
    nest_push(&s, v)->tag = close;
    /* frame aux: 1 once an element was printed (a space goes before the next) */
    while (s.n > 0 && out->len <= max) {
        Value x;
        if (!nest_next(&s, &x)) {
            buf_putc(out, (char)nest_top(&s)->tag);
            nest_pop(&s);
            continue;
        }
        NestFrame *f = nest_top(&s);
        if (f->aux) buf_putc(out, ' ');
        f->aux = 1;
        if (is_compound(x)) {
            close = pr_open(out, x);
            nest_push(&s, x)->tag = close;
        } else {
            pr_scalar(rt, out, x);
        }
    }
    nest_free(&s);
    return out->len <= max;
}

void pr_value(Runtime *rt, Buf *out, Value v) { pr_value_max(rt, out, v, SIZE_MAX); }

void pr_value_cut(Runtime *rt, Buf *out, Value v, size_t max) {
    size_t start = out->len;
    if (pr_value_max(rt, out, v, start + max)) return;
    /* Cut on a character boundary, so the report stays valid UTF-8. */
    out->len = start + max;
    while (out->len > start && ((unsigned char)out->data[out->len] & 0xC0) == 0x80) out->len--;
    out->data[out->len] = 0;
    buf_puts(out, "...");
}

bool pr_display_max(Runtime *rt, Buf *out, Value v, size_t max) {
    if (is_string(v))
        buf_append(out, str_bytes(v), str_bytelen(v));
    else if (is_char(v))
        put_utf8(out, char_val(v));
    else if (is_number(v))
        num_print(out, v, false);
    else
        return pr_value_max(rt, out, v, max);
    return out->len <= max;
}

void pr_display(Runtime *rt, Buf *out, Value v) { pr_display_max(rt, out, v, SIZE_MAX); }

char *pr_to_cstr(Runtime *rt, Value v) {
    Buf b;
    buf_init(&b);
    pr_value(rt, &b, v);
    return buf_take(&b);
}
