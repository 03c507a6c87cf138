/*
 * core_bytebuf.c — bytebuf and byte-order intrinsics of lona.core
 * (spec 7.9).
 *
 * A bytebuf is mutable and owned by one process: sending one is refused
 * elsewhere, and every intrinsic here refuses (:badarg) a bytebuf that
 * another process made, reached through a var, a closure or an exit
 * reason (term/binary.h). So its bytes are read and written without
 * locks.
 * Multi-byte reads and writes are defined byte by byte in an explicit
 * order, so they need no alignment and behave the same on every host;
 * the unsuffixed forms use the host's order.
 *
 * The many read/write/convert variants differ only in width, byte order
 * and signedness: each is listed once in an X-macro below that builds both
 * its thin C entry point and its intrinsic table line.
 */
#include "base/util.h"
#include "lib/core_bin.h"
#include "lib/intrinsic.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/binary.h"
#include "term/num.h"
#include "vm/error.h"
#include "vm/runtime.h"

typedef enum { ORD_LE, ORD_BE } ByteOrder;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define ORD_HOST ORD_BE
#else
#define ORD_HOST ORD_LE
#endif

static uint64_t load_bytes(const uint8_t *b, unsigned width, ByteOrder ord) {
    uint64_t v = 0;
    for (unsigned i = 0; i < width; i++) v = (v << 8) | b[ord == ORD_BE ? i : width - 1 - i];
    return v;
}

static void store_bytes(uint8_t *b, unsigned width, ByteOrder ord, uint64_t v) {
    for (unsigned i = 0; i < width; i++) {
        b[ord == ORD_LE ? i : width - 1 - i] = (uint8_t)v;
        v >>= 8;
    }
}

static uint64_t swap_bytes(uint64_t v, unsigned width) {
    switch (width) {
    case 2: return __builtin_bswap16((uint16_t)v);
    case 4: return __builtin_bswap32((uint32_t)v);
    default: return __builtin_bswap64(v);
    }
}

/* The fixed-width integer of `width` bytes holding bits v. */
static Value mk_fixed_bits(Proc *p, unsigned width, bool is_signed, uint64_t v) {
    switch (width) {
    case 1: return is_signed ? mk_small_fixed(IMM_I8, (int8_t)v) : fix((int64_t)v);
    case 2: return mk_small_fixed(is_signed ? IMM_I16 : IMM_U16, is_signed ? (int16_t)v : (int64_t)v);
    case 4: return mk_small_fixed(is_signed ? IMM_I32 : IMM_U32, is_signed ? (int32_t)v : (int64_t)v);
    default: return is_signed ? lib_mk_i64(p, (int64_t)v) : lib_mk_u64(p, v);
    }
}

/* :badarg for a bytebuf this process did not make. */
static Value err_not_owner(Proc *p, const char *fname, const Value *args, uint32_t nargs) {
    return err_badarg_msg(p, fname, args, nargs, "bytebuf owned by another process");
}

/* LV_NONE when args[0] is a bytebuf of this process, else raises. */
static Value bytebuf_arg(Proc *p, const char *fname, const Value *args, uint32_t nargs) {
    if (!is_bytebuf(args[0])) return err_type(p, fname, args[0], "bytebuf");
    if (UNLIKELY(!bytebuf_owned_by(args[0], p->pid))) return err_not_owner(p, fname, args, nargs);
    return LV_NONE;
}

/* ---- allocation and conversion ------------------------------------------ */

static Value bytebuf_alloc(Proc *p, Value *args, const char *fname, bool zero) {
    int64_t n;
    ArgInt k = lib_arg_int(args[0], &n);
    if (k == ARG_NOT_INT) return err_type(p, fname, args[0], "integer size");
    bool unordered;
    if ((k == ARG_INT_OK && n < 0) || (k == ARG_INT_HUGE && num_cmp(args[0], fix(0), &unordered) < 0))
        return err_badarg(p, fname, args, 1);
    Value v = k == ARG_INT_OK ? bytebuf_new(p, (size_t)n, zero) : LV_NONE;
    if (v == LV_NONE && k != ARG_INT_OK) return err_oomf(p, "%s: out of memory: a size past any memory", fname);
    if (v == LV_NONE) return err_oom(p, fname, (size_t)n);
    if (zero) lib_charge(p, (size_t)n);
    return v;
}

static Value core_bytebuf_alloc(Proc *p, Value *args, uint32_t nargs) {
    return bytebuf_alloc(p, args, "bytebuf-alloc", true);
}

static Value core_bytebuf_alloc_unsafe(Proc *p, Value *args, uint32_t nargs) {
    return bytebuf_alloc(p, args, "bytebuf-alloc-unsafe", false);
}

static Value core_bytebuf_size(Proc *p, Value *args, uint32_t nargs) {
    if (bytebuf_arg(p, "bytebuf-size", args, 1) == LV_EXC) return LV_EXC;
    return fix((int64_t)bytebuf_size(args[0]));
}

static Value core_bytebuf_to_binary(Proc *p, Value *args, uint32_t nargs) {
    static const char fname[] = "bytebuf->binary";
    if (bytebuf_arg(p, fname, args, nargs) == LV_EXC) return LV_EXC;
    ByteBuf *buf = bytebuf_of(args[0]);
    size_t off = 0, len = buf->size;
    if (nargs == 2) {
        /* Offset without length: no such arity. */
        uint32_t self = atoms_intern_text(&p->rt->atoms, fname, sizeof fname - 1);
        return err_arity(p, self == UINT32_MAX ? LV_NIL : mk_symbol(self), nargs);
    }
    if (nargs == 3 &&
        lib_check_range(p, fname, args, nargs, args[1], args[2], buf->size, &off, &len) == LV_EXC)
        return LV_EXC;
    lib_charge(p, len);
    return mk_binary(p, buf->bytes + off, len);
}

/* ---- reads and writes --------------------------------------------------- */

static Value bytebuf_read(Proc *p, Value *args, const char *fname, unsigned width, ByteOrder ord,
                          bool is_signed) {
    if (bytebuf_arg(p, fname, args, 2) == LV_EXC) return LV_EXC;
    ByteBuf *buf = bytebuf_of(args[0]);
    size_t off, len;
    if (lib_check_range(p, fname, args, 2, args[1], fix(width), buf->size, &off, &len) == LV_EXC)
        return LV_EXC;
    return mk_fixed_bits(p, width, is_signed, load_bytes(buf->bytes + off, width, ord));
}

static Value bytebuf_write(Proc *p, Value *args, const char *fname, unsigned width, ByteOrder ord) {
    if (bytebuf_arg(p, fname, args, 3) == LV_EXC) return LV_EXC;
    ByteBuf *buf = bytebuf_of(args[0]);
    uint64_t bits;
    bool in_u64;
    if (!lib_int_low64(p, args[2], &bits, &in_u64)) return err_type(p, fname, args[2], "integer");
    size_t off, len;
    if (lib_check_range(p, fname, args, 3, args[1], fix(width), buf->size, &off, &len) == LV_EXC)
        return LV_EXC;
    store_bytes(buf->bytes + off, width, ord, bits);
    return K_(ok);
}

/* X(c_name, "lonala-name", width, byte order, signed) */
#define BYTEBUF_READS(X)                                               \
    X(bb_read8, "bytebuf-read8", 1, ORD_HOST, false)                   \
    X(bb_read_i8, "bytebuf-read-i8", 1, ORD_HOST, true)                \
    X(bb_read16, "bytebuf-read16", 2, ORD_HOST, false)                 \
    X(bb_read16_le, "bytebuf-read16-le", 2, ORD_LE, false)             \
    X(bb_read16_be, "bytebuf-read16-be", 2, ORD_BE, false)             \
    X(bb_read32, "bytebuf-read32", 4, ORD_HOST, false)                 \
    X(bb_read32_le, "bytebuf-read32-le", 4, ORD_LE, false)             \
    X(bb_read32_be, "bytebuf-read32-be", 4, ORD_BE, false)             \
    X(bb_read64, "bytebuf-read64", 8, ORD_HOST, false)                 \
    X(bb_read64_le, "bytebuf-read64-le", 8, ORD_LE, false)             \
    X(bb_read64_be, "bytebuf-read64-be", 8, ORD_BE, false)             \
    X(bb_read_i16, "bytebuf-read-i16", 2, ORD_HOST, true)              \
    X(bb_read_i16_le, "bytebuf-read-i16-le", 2, ORD_LE, true)          \
    X(bb_read_i16_be, "bytebuf-read-i16-be", 2, ORD_BE, true)          \
    X(bb_read_i32, "bytebuf-read-i32", 4, ORD_HOST, true)              \
    X(bb_read_i32_le, "bytebuf-read-i32-le", 4, ORD_LE, true)          \
    X(bb_read_i32_be, "bytebuf-read-i32-be", 4, ORD_BE, true)          \
    X(bb_read_i64, "bytebuf-read-i64", 8, ORD_HOST, true)              \
    X(bb_read_i64_le, "bytebuf-read-i64-le", 8, ORD_LE, true)          \
    X(bb_read_i64_be, "bytebuf-read-i64-be", 8, ORD_BE, true)

/* X(c_name, "lonala-name", width, byte order) */
#define BYTEBUF_WRITES(X)                                              \
    X(bb_write8, "bytebuf-write8!", 1, ORD_HOST)                       \
    X(bb_write16, "bytebuf-write16!", 2, ORD_HOST)                     \
    X(bb_write16_le, "bytebuf-write16-le!", 2, ORD_LE)                 \
    X(bb_write16_be, "bytebuf-write16-be!", 2, ORD_BE)                 \
    X(bb_write32, "bytebuf-write32!", 4, ORD_HOST)                     \
    X(bb_write32_le, "bytebuf-write32-le!", 4, ORD_LE)                 \
    X(bb_write32_be, "bytebuf-write32-be!", 4, ORD_BE)                 \
    X(bb_write64, "bytebuf-write64!", 8, ORD_HOST)                     \
    X(bb_write64_le, "bytebuf-write64-le!", 8, ORD_LE)                 \
    X(bb_write64_be, "bytebuf-write64-be!", 8, ORD_BE)

#define DEF_READ(cname, lname, width, ord, sgn)                        \
    static Value cname(Proc *p, Value *args, uint32_t nargs) {         \
        return bytebuf_read(p, args, lname, width, ord, sgn);          \
    }
BYTEBUF_READS(DEF_READ)
#undef DEF_READ

#define DEF_WRITE(cname, lname, width, ord)                            \
    static Value cname(Proc *p, Value *args, uint32_t nargs) {         \
        return bytebuf_write(p, args, lname, width, ord);              \
    }
BYTEBUF_WRITES(DEF_WRITE)
#undef DEF_WRITE

/* ---- bulk operations ---------------------------------------------------- */

static Value core_bytebuf_copy(Proc *p, Value *args, uint32_t nargs) {
    static const char fname[] = "bytebuf-copy!";
    Value dst = args[0], src = args[2];
    if (bytebuf_arg(p, fname, args, 5) == LV_EXC) return LV_EXC;
    const uint8_t *from;
    size_t from_size;
    if (is_bytebuf(src)) {
        if (UNLIKELY(!bytebuf_owned_by(src, p->pid))) return err_not_owner(p, fname, args, 5);
        from = bytebuf_of(src)->bytes;
        from_size = bytebuf_size(src);
    } else if (is_binary(src)) {
        from = binary_bytes(src);
        from_size = binary_size(src);
    } else {
        return err_type(p, fname, src, "bytebuf or binary");
    }
    size_t doff, soff, len, len2;
    if (lib_check_range(p, fname, args, 5, args[1], args[4], bytebuf_size(dst), &doff, &len) ==
            LV_EXC ||
        lib_check_range(p, fname, args, 5, args[3], args[4], from_size, &soff, &len2) == LV_EXC)
        return LV_EXC;
    lib_charge(p, len);
    /* memmove: source and destination may be the same buffer. */
    if (len) memmove(bytebuf_of(dst)->bytes + doff, from + soff, len);
    return K_(ok);
}

static Value core_bytebuf_fill(Proc *p, Value *args, uint32_t nargs) {
    static const char fname[] = "bytebuf-fill!";
    if (bytebuf_arg(p, fname, args, 4) == LV_EXC) return LV_EXC;
    uint64_t bits;
    bool in_u64;
    if (!lib_int_low64(p, args[3], &bits, &in_u64)) return err_type(p, fname, args[3], "integer");
    size_t off, len;
    if (lib_check_range(p, fname, args, 4, args[1], args[2], bytebuf_size(args[0]), &off, &len) ==
        LV_EXC)
        return LV_EXC;
    lib_charge(p, len);
    if (len) memset(bytebuf_of(args[0])->bytes + off, (int)(uint8_t)bits, len);
    return K_(ok);
}

/* ---- byte order --------------------------------------------------------- */

static Value core_native_endian(Proc *p, Value *args, uint32_t nargs) {
    return ORD_HOST == ORD_LE ? K_(little) : K_(big);
}

/* Convert between host order and `ord`: a swap exactly when they differ. */
static Value byte_order_convert(Proc *p, Value *args, const char *fname, unsigned width,
                                ByteOrder ord) {
    uint64_t bits;
    bool in_u64;
    if (!lib_int_low64(p, args[0], &bits, &in_u64)) return err_type(p, fname, args[0], "integer");
    if (!in_u64 || (width < 8 && bits >> (8 * width) != 0)) return err_badarg(p, fname, args, 1);
    if (ord != ORD_HOST) bits = swap_bytes(bits, width);
    return mk_fixed_bits(p, width, false, bits);
}

/* X(c_name, "lonala-name", width, the non-host side's order) */
#define BYTE_ORDER_CONVERSIONS(X)                                      \
    X(bo_native_be16, "native->be16", 2, ORD_BE)                       \
    X(bo_native_le16, "native->le16", 2, ORD_LE)                       \
    X(bo_be_native16, "be->native16", 2, ORD_BE)                       \
    X(bo_le_native16, "le->native16", 2, ORD_LE)                       \
    X(bo_native_be32, "native->be32", 4, ORD_BE)                       \
    X(bo_native_le32, "native->le32", 4, ORD_LE)                       \
    X(bo_be_native32, "be->native32", 4, ORD_BE)                       \
    X(bo_le_native32, "le->native32", 4, ORD_LE)                       \
    X(bo_native_be64, "native->be64", 8, ORD_BE)                       \
    X(bo_native_le64, "native->le64", 8, ORD_LE)                       \
    X(bo_be_native64, "be->native64", 8, ORD_BE)                       \
    X(bo_le_native64, "le->native64", 8, ORD_LE)

#define DEF_CONV(cname, lname, width, ord)                             \
    static Value cname(Proc *p, Value *args, uint32_t nargs) {         \
        return byte_order_convert(p, args, lname, width, ord);         \
    }
BYTE_ORDER_CONVERSIONS(DEF_CONV)
#undef DEF_CONV

#define READ_ENTRY(cname, lname, width, ord, sgn) \
    {"lona.core", lname, 2, 2, cname, "([buf offset])", "Read from a bytebuf at offset."},
#define WRITE_ENTRY(cname, lname, width, ord) \
    {"lona.core", lname, 3, 3, cname, "([buf offset value])", "Store the low bits of value; :ok."},
#define CONV_ENTRY(cname, lname, width, ord) \
    {"lona.core", lname, 1, 1, cname, "([x])", "Convert between host and named byte order."},

LONA_INTRINSICS(core_bytebuf) = {
    {"lona.core", "bytebuf-alloc", 1, 1, core_bytebuf_alloc, "([n])",
     "New zero-filled bytebuf of n bytes."},
    {"lona.core", "bytebuf-alloc-unsafe", 1, 1, core_bytebuf_alloc_unsafe, "([n])",
     "New bytebuf of n bytes with unspecified contents."},
    {"lona.core", "bytebuf-size", 1, 1, core_bytebuf_size, "([buf])", "Size in bytes."},
    {"lona.core", "bytebuf->binary", 1, 3, core_bytebuf_to_binary,
     "([buf] [buf offset length])", "Immutable copy of a bytebuf or a range of it."},
    BYTEBUF_READS(READ_ENTRY)
    BYTEBUF_WRITES(WRITE_ENTRY)
    {"lona.core", "bytebuf-copy!", 5, 5, core_bytebuf_copy, "([dst dst-off src src-off len])",
     "Copy len bytes from a bytebuf or binary (overlap-safe); :ok."},
    {"lona.core", "bytebuf-fill!", 4, 4, core_bytebuf_fill, "([buf offset len byte])",
     "Fill len bytes with byte; :ok."},
    {"lona.core", "native-endian", 0, 0, core_native_endian, "([])",
     "The host byte order, :little or :big."},
    BYTE_ORDER_CONVERSIONS(CONV_ENTRY)
};
LONA_INTRINSICS_COUNT(core_bytebuf);
