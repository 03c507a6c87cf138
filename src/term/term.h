/*
 * term.h — how Lonala values are represented.
 *
 * A Value is one 64-bit word. Its low bits say what it is:
 *
 *   ...xxxxxxx1   small integer (fixnum), 63-bit two's complement: v >> 1
 *   ...xxxxx000   pointer to a boxed object (8-byte aligned) whose first word
 *                 is a header; 0 itself is LV_NONE, never a Lonala value
 *   ...sssss010   immediate: 5-bit subtag in bits 3..7, 56-bit payload above
 *   ...tttttt110  header word (only ever the first word of a boxed object)
 *
 * Immediates need no heap: nil, booleans, the empty list, characters,
 * keywords and symbols (indices into the runtime's intern table), the
 * fixed-width integers up to 32 bits, f32, pids, refs, realm ids,
 * notifications, regions and intrinsic functions.
 *
 * Boxed objects live either in a process heap (young, old or a heap
 * fragment, see gc/heap.h) or in the runtime's literal area (gc/literal.h),
 * which is immutable once published and never moved. The header gives the
 * type, a few flags and the payload size in words. For the collector every
 * type is one of two kinds: SCAN (every payload word is a Value; raw numbers
 * in such objects are stored as fixnums) or RAW (no payload word is a Value).
 * An object with metadata carries the flag HF_META and keeps the metadata
 * map in its last payload word, so objects without metadata pay nothing.
 *
 * Invariant: a Value in a process heap points only into that same heap or
 * into the literal area; the literal area points only into itself.
 */
#ifndef LONA_TERM_H
#define LONA_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint64_t Value;

#define LV_TAG_MASK   UINT64_C(7)
#define LV_TAG_BOXED  UINT64_C(0)
#define LV_TAG_IMM    UINT64_C(2)
#define LV_TAG_HEADER UINT64_C(6)

/* ---- fixnums ---------------------------------------------------------- */

#define FIX_MAX ((int64_t)(INT64_MAX >> 1))
#define FIX_MIN ((int64_t)(INT64_MIN >> 1))

static inline bool is_fix(Value v) { return (v & 1) != 0; }
static inline int64_t fix_val(Value v) { return (int64_t)v >> 1; }
/* The caller guarantees FIX_MIN <= n <= FIX_MAX. */
static inline Value fix(int64_t n) { return ((uint64_t)n << 1) | 1; }
static inline bool fix_fits(int64_t n) { return n >= FIX_MIN && n <= FIX_MAX; }

/* ---- immediates ------------------------------------------------------- */

typedef enum {
    IMM_SPECIAL = 0, /* nil, true, false, (), and internal markers */
    IMM_CHAR,        /* Unicode scalar value */
    IMM_KEYWORD,     /* intern-table index */
    IMM_SYMBOL,      /* intern-table index */
    IMM_U8, IMM_U16, IMM_U32, IMM_I8, IMM_I16, IMM_I32, /* value in low 32 bits */
    IMM_F32,         /* IEEE binary32 bits in low 32 bits */
    IMM_PID,         /* realm << 40 | local id */
    IMM_REF,         /* realm << 40 | counter */
    IMM_REALM,       /* realm id */
    IMM_NOTIF,       /* notification id */
    IMM_REGION,      /* region id */
    IMM_NATIVE,      /* index into the intrinsic table */
    IMM__COUNT
} ImmTag;

#define IMM_PAYLOAD_BITS 56
#define IMM(tag, payload) \
    (((Value)(payload) << 8) | ((Value)(tag) << 3) | LV_TAG_IMM)

static inline bool is_imm(Value v) { return (v & LV_TAG_MASK) == LV_TAG_IMM; }
static inline unsigned imm_tag(Value v) { return (unsigned)((v >> 3) & 31); }
static inline uint64_t imm_payload(Value v) { return v >> 8; }
static inline bool is_imm_of(Value v, ImmTag t) {
    return (v & 0xff) == (((Value)t << 3) | LV_TAG_IMM);
}

#define LV_NONE  ((Value)0)              /* "no value": unbound, absent; not a Lonala value */
#define LV_NIL   IMM(IMM_SPECIAL, 0)
#define LV_TRUE  IMM(IMM_SPECIAL, 1)
#define LV_FALSE IMM(IMM_SPECIAL, 2)
#define LV_EMPTY IMM(IMM_SPECIAL, 3)     /* the empty list () */
/* Returned by an intrinsic that raised an error; the reason is in p->exc. */
#define LV_EXC   IMM(IMM_SPECIAL, 4)
/* Returned by an intrinsic that asks the VM to call p->tc_fn instead (apply...). */
#define LV_TAILCALL IMM(IMM_SPECIAL, 5)
/* Returned by an intrinsic that suspended the process (receive, sleep...). */
#define LV_SUSPEND IMM(IMM_SPECIAL, 6)

static inline bool truthy(Value v) { return v != LV_NIL && v != LV_FALSE; }
static inline Value lv_bool(bool b) { return b ? LV_TRUE : LV_FALSE; }

static inline bool is_char(Value v) { return is_imm_of(v, IMM_CHAR); }
static inline uint32_t char_val(Value v) { return (uint32_t)imm_payload(v); }
static inline Value mk_char(uint32_t cp) { return IMM(IMM_CHAR, cp); }

static inline bool is_keyword(Value v) { return is_imm_of(v, IMM_KEYWORD); }
static inline bool is_symbol_imm(Value v) { return is_imm_of(v, IMM_SYMBOL); }
static inline uint32_t atom_index(Value v) { return (uint32_t)imm_payload(v); }
static inline Value mk_keyword(uint32_t idx) { return IMM(IMM_KEYWORD, idx); }
static inline Value mk_symbol(uint32_t idx) { return IMM(IMM_SYMBOL, idx); }

static inline bool is_f32(Value v) { return is_imm_of(v, IMM_F32); }
static inline float f32_val(Value v) {
    uint32_t bits = (uint32_t)imm_payload(v);
    float f;
    memcpy(&f, &bits, 4);
    return f;
}
static inline Value mk_f32(float f) {
    uint32_t bits;
    memcpy(&bits, &f, 4);
    return IMM(IMM_F32, bits);
}

/* Small fixed-width integers: payload holds the 32-bit two's complement bits. */
static inline bool is_small_fixed(Value v) {
    unsigned t = imm_tag(v);
    return is_imm(v) && t >= IMM_U8 && t <= IMM_I32;
}
static inline Value mk_small_fixed(ImmTag t, int64_t n) {
    return IMM(t, (uint32_t)n);
}

#define PID_LOCAL_BITS 40
#define PID_LOCAL_MASK ((UINT64_C(1) << PID_LOCAL_BITS) - 1)
static inline Value mk_pid(uint32_t realm, uint64_t local) {
    return IMM(IMM_PID, ((uint64_t)realm << PID_LOCAL_BITS) | (local & PID_LOCAL_MASK));
}
static inline bool is_pid(Value v) { return is_imm_of(v, IMM_PID); }
static inline uint32_t pid_realm(Value v) { return (uint32_t)(imm_payload(v) >> PID_LOCAL_BITS); }
static inline uint64_t pid_local(Value v) { return imm_payload(v) & PID_LOCAL_MASK; }

static inline Value mk_ref(uint32_t realm, uint64_t n) {
    return IMM(IMM_REF, ((uint64_t)realm << PID_LOCAL_BITS) | (n & PID_LOCAL_MASK));
}
static inline bool is_ref(Value v) { return is_imm_of(v, IMM_REF); }
static inline uint64_t ref_number(Value v) { return imm_payload(v) & PID_LOCAL_MASK; }

static inline bool is_native(Value v) { return is_imm_of(v, IMM_NATIVE); }
static inline uint32_t native_index(Value v) { return (uint32_t)imm_payload(v); }
static inline Value mk_native(uint32_t idx) { return IMM(IMM_NATIVE, idx); }

/* ---- boxed objects ---------------------------------------------------- */

/* X-macro: name, GC kind. Keep SCAN types' payloads all Values. */
#define LONA_BOX_TYPES(X)                                                     \
    X(CONS, SCAN)      /* car, cdr [, meta] */                                \
    X(TUPLE, SCAN)     /* elements [, meta] */                                \
    X(VECTOR, SCAN)    /* persistent vector root, see term/vector.c */        \
    X(VNODE, SCAN)     /* vector trie node: up to 32 Values */                \
    X(MAP, SCAN)       /* small map: count, k0, v0, ... [, meta] (<= 8) */    \
    X(HMAP, SCAN)      /* HAMT map root, see term/map.c */                    \
    X(HNODE, SCAN)     /* HAMT node */                                        \
    X(HCOLL, SCAN)     /* HAMT collision node */                              \
    X(SET, SCAN)       /* small set: count, e0, e1, ... [, meta] (<= 8) */    \
    X(HSET, SCAN)      /* HAMT set root */                                    \
    X(SYMMETA, SCAN)   /* symbol carrying metadata: sym, meta */              \
    X(RATIO, SCAN)     /* numerator, denominator (integers, den > 1) */       \
    X(CLOSURE, SCAN)   /* proto, captured values... */                        \
    X(BIGNUM, RAW)     /* GMP limbs, least significant first; sign in flag */ \
    X(FLOAT, RAW)      /* double */                                           \
    X(U64, RAW)        /* uint64_t */                                         \
    X(I64, RAW)        /* int64_t */                                          \
    X(STRING, RAW)     /* byte length, code-point count, UTF-8 bytes */       \
    X(BIN, RAW)        /* heap binary (<= 64 bytes): byte length, bytes */    \
    X(BINREF, RAW)     /* reference to an off-heap binary, see term/binary.h */ \
    X(BYTEBUF, RAW)    /* reference to an off-heap mutable buffer */          \
    X(PROTO, RAW)      /* compiled function prototype (literal area only) */  \
    X(VAR, RAW)        /* var (literal area only) */                          \
    X(NS, RAW)         /* namespace (literal area only) */

typedef enum {
    T__INVALID = 0,
#define X(name, kind) T_##name,
    LONA_BOX_TYPES(X)
#undef X
    T__COUNT
} BoxType;

/* header: size (48 bits) | flags (7 bits) | type (6 bits) | 110 */
#define HF_META UINT64_C(1)  /* last payload word is the metadata map */
#define HF_NEG  UINT64_C(2)  /* bignum: negative */
#define HF_BIG  UINT64_C(4)  /* bignum: carries the N flag */
/* cons read from source: payload is car, cdr, position fixnum (line << 20 |
 * column) [, meta]. Invisible to Lonala code. */
#define HF_POS  UINT64_C(8)
/* literal-area object that is or holds a bytebuf (set by lit_copy), so
 * that send can refuse it without walking the literal. Meaningless on a
 * heap object. */
#define HF_BYTEBUF UINT64_C(16)

static inline Value mk_header(BoxType t, uint64_t flags, uint64_t size) {
    return (size << 16) | (flags << 9) | ((Value)t << 3) | LV_TAG_HEADER;
}
static inline bool is_boxed(Value v) { return (v & LV_TAG_MASK) == LV_TAG_BOXED && v != 0; }
static inline Value *box_ptr(Value v) { return (Value *)(uintptr_t)v; }
static inline Value box_val(const void *p) { return (Value)(uintptr_t)p; }
static inline Value box_header(Value v) { return box_ptr(v)[0]; }
static inline BoxType hdr_type(Value h) { return (BoxType)((h >> 3) & 63); }
static inline uint64_t hdr_flags(Value h) { return (h >> 9) & 127; }
static inline uint64_t hdr_size(Value h) { return h >> 16; }
static inline BoxType box_type(Value v) { return hdr_type(box_header(v)); }
static inline uint64_t box_size(Value v) { return hdr_size(box_header(v)); }
static inline uint64_t box_flags(Value v) { return hdr_flags(box_header(v)); }
static inline Value *box_payload(Value v) { return box_ptr(v) + 1; }
static inline bool is_box_of(Value v, BoxType t) { return is_boxed(v) && box_type(v) == t; }

/* Metadata of a boxed object, or LV_NIL. */
static inline Value box_meta(Value v) {
    Value h = box_header(v);
    return (hdr_flags(h) & HF_META) ? box_ptr(v)[hdr_size(h)] : LV_NIL;
}
/* Payload words that are not the metadata slot. */
static inline uint64_t box_len(Value v) {
    Value h = box_header(v);
    return hdr_size(h) - ((hdr_flags(h) & HF_META) ? 1 : 0);
}

/* ---- common boxed types ----------------------------------------------- */

static inline bool is_cons(Value v) { return is_box_of(v, T_CONS); }
static inline Value car(Value v) { return box_ptr(v)[1]; }
static inline Value cdr(Value v) { return box_ptr(v)[2]; }
static inline bool is_list(Value v) { return v == LV_EMPTY || is_cons(v); }

static inline bool is_tuple(Value v) { return is_box_of(v, T_TUPLE); }
static inline uint64_t tuple_len(Value v) { return box_len(v); }
static inline Value *tuple_elems(Value v) { return box_ptr(v) + 1; }

static inline bool is_float(Value v) { return is_box_of(v, T_FLOAT); }
static inline double float_val(Value v) {
    double d;
    memcpy(&d, box_ptr(v) + 1, sizeof d);
    return d;
}

static inline bool is_string(Value v) { return is_box_of(v, T_STRING); }
static inline uint64_t str_bytelen(Value v) { return box_ptr(v)[1]; }
static inline uint64_t str_cplen(Value v) { return box_ptr(v)[2]; }
static inline const char *str_bytes(Value v) { return (const char *)(box_ptr(v) + 3); }

static inline bool is_symbol(Value v) {
    return is_symbol_imm(v) || is_box_of(v, T_SYMMETA);
}
/* The interned symbol of a symbol value, dropping metadata (other values
 * are returned unchanged). */
static inline Value sym_strip(Value v) {
    return is_box_of(v, T_SYMMETA) ? box_ptr(v)[1] : v;
}

static inline bool is_closure(Value v) { return is_box_of(v, T_CLOSURE); }
static inline bool is_var(Value v) { return is_box_of(v, T_VAR); }
static inline bool is_ns(Value v) { return is_box_of(v, T_NS); }

static inline bool is_map(Value v) { return is_box_of(v, T_MAP) || is_box_of(v, T_HMAP); }
static inline bool is_set(Value v) { return is_box_of(v, T_SET) || is_box_of(v, T_HSET); }
static inline bool is_vector(Value v) { return is_box_of(v, T_VECTOR); }
static inline bool is_ratio(Value v) { return is_box_of(v, T_RATIO); }
static inline bool is_bignum(Value v) { return is_box_of(v, T_BIGNUM); }
static inline bool is_binary(Value v) { return is_box_of(v, T_BIN) || is_box_of(v, T_BINREF); }
static inline bool is_bytebuf(Value v) { return is_box_of(v, T_BYTEBUF); }

/* Every kind of integer: fixnum, bignum, fixed-width. */
static inline bool is_integer(Value v) {
    return is_fix(v) || is_bignum(v) || is_small_fixed(v) ||
           is_box_of(v, T_U64) || is_box_of(v, T_I64);
}
/* Plain (unbounded) integers only. */
static inline bool is_plain_int(Value v) { return is_fix(v) || is_bignum(v); }
static inline bool is_number(Value v) {
    return is_integer(v) || is_ratio(v) || is_float(v) || is_f32(v);
}
static inline bool is_fn(Value v) { return is_closure(v) || is_native(v); }

/* GC kind of a box type. */
typedef enum { GCK_SCAN, GCK_RAW } GcKind;
extern const GcKind term_gc_kind[T__COUNT];
extern const char *const term_box_name[T__COUNT];

#endif
