/*
 * snapshot.c — writing and installing the code snapshot (see snapshot.h).
 *
 * Layout, in this order (each value a wire message in code mode,
 * realm/wire.h; counts as varints):
 *   "LONASNAP" version intrinsic-count
 *   atoms: count, then (namespace text, name text) for each index
 *   protos: count, then for each one its shell (name, ns, file, arity,
 *           registers, captures, code words, line table, constant count)
 *   namespaces: count, then (name, metadata, mappings, aliases)
 *   vars: count, then (var, flags, metadata, bound?, root)
 *   constants: the constants of every proto, in proto order
 * Protos are numbered as the writer meets them, and writing constants may
 * meet more; so the sections are written into separate buffers and joined
 * at the end, shells first, so that installing can make every proto before
 * any value refers to one.
 */
#include "realm/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/memfd.h"
#include "lib/intrinsic.h"
#include "realm/wire.h"
#include "term/atoms.h"
#include "vm/ns.h"
#include "vm/proto.h"
#include "vm/rt.h"

#define SNAP_MAGIC "LONASNAP"
#define SNAP_VERSION 1

/* ---- writing ------------------------------------------------------------------- */

typedef struct SnapWriter {
    Runtime *rt;
    Value *protos;            /* number -> proto */
    size_t nprotos, cap;
    Value *slots;             /* open addressing: proto -> number + 1 (in `nums`) */
    uint32_t *nums;
    size_t mask;
} SnapWriter;

static size_t ptr_hash(Value v) { return (size_t)((v >> 3) * UINT64_C(0x9E3779B97F4A7C15) >> 20); }

static void grow_index(SnapWriter *w) {
    size_t cap = w->mask ? 2 * (w->mask + 1) : 1024;
    Value *slots = xcalloc(cap, sizeof *slots);
    uint32_t *nums = xcalloc(cap, sizeof *nums);
    for (size_t i = 0; i < w->nprotos; i++) {
        size_t h = ptr_hash(w->protos[i]) & (cap - 1);
        while (slots[h]) h = (h + 1) & (cap - 1);
        slots[h] = w->protos[i];
        nums[h] = (uint32_t)i;
    }
    free(w->slots);
    free(w->nums);
    w->slots = slots;
    w->nums = nums;
    w->mask = cap - 1;
}

static uint32_t snap_proto_id(void *ctx, Value proto) {
    SnapWriter *w = ctx;
    if (2 * (w->nprotos + 1) > w->mask + 1) grow_index(w);
    size_t h = ptr_hash(proto) & w->mask;
    while (w->slots[h]) {
        if (w->slots[h] == proto) return w->nums[h];
        h = (h + 1) & w->mask;
    }
    if (w->nprotos == w->cap) {
        w->cap = w->cap ? 2 * w->cap : 256;
        w->protos = xrealloc(w->protos, w->cap * sizeof *w->protos);
    }
    w->slots[h] = proto;
    w->nums[h] = (uint32_t)w->nprotos;
    w->protos[w->nprotos] = proto;
    return (uint32_t)w->nprotos++;
}

static void put_text(Buf *b, const char *s, size_t n) {
    wire_put_uvarint(b, n);
    buf_append(b, s, n);
}

/* The image is made by this runtime for a child of the same build: no
 * limit but the size of the memory holding it. */
static const WireLimits image_limits = {
    .max_bytes = SIZE_MAX,
    .max_depth = UINT32_MAX,
    .max_values = UINT64_MAX,
    .max_name = UINT32_MAX,
    .max_new_atoms = UINT32_MAX,
};

typedef struct WireEncoder {
    Runtime *rt;
    WireCode code;
} WireEncoder;

/* Append v; a value that cannot be written (a bytebuf) becomes nil, so
 * one odd constant does not cost the child its whole library. */
static void put_value(WireEncoder *e, Buf *out, Value v) {
    Value refused;
    if (wire_encode_code(e->rt, v, &e->code, &image_limits, out, &refused) != WIRE_OK)
        wire_encode_code(e->rt, LV_NIL, &e->code, &image_limits, out, &refused);
}

static void write_shell(WireEncoder *e, Buf *b, const Proto *pr) {
    put_value(e, b, pr->name);
    put_value(e, b, pr->ns);
    put_value(e, b, pr->file);
    wire_put_uvarint(b, pr->nparams);
    wire_put_uvarint(b, pr->variadic);
    wire_put_uvarint(b, pr->nregs);
    wire_put_uvarint(b, pr->ncaptured);
    wire_put_uvarint(b, pr->shared_closure != LV_NONE);
    wire_put_uvarint(b, pr->ncode);
    buf_append(b, pr->code, (size_t)pr->ncode * 4); /* little-endian hosts only, as the code itself */
    wire_put_uvarint(b, pr->nconsts);
    wire_put_uvarint(b, pr->nlines);
    for (uint32_t i = 0; i < pr->nlines; i++) {
        wire_put_uvarint(b, pr->lines[i].pc);
        wire_put_uvarint(b, pr->lines[i].line);
    }
}

static void write_table(WireEncoder *e, Buf *b, const NsTable *t) {
    wire_put_uvarint(b, t->count);
    for (uint32_t i = 0; t->entries && i <= t->mask; i++) {
        if (t->entries[i].atom == UINT32_MAX) continue;
        put_value(e, b, mk_symbol(t->entries[i].atom));
        put_value(e, b, t->entries[i].target);
    }
}

void snapshot_write(Runtime *rt, Buf *out) {
    SnapWriter w = {.rt = rt};
    WireEncoder e = {rt, {&w, intrinsic_count(), snap_proto_id, NULL}};
    Buf nsb, varb, constb, shellb;
    buf_init(&nsb);
    buf_init(&varb);
    buf_init(&constb);
    buf_init(&shellb);

    pthread_mutex_lock(&rt->ns_lock);
    size_t nvars = 0;
    wire_put_uvarint(&nsb, rt->nss_len);
    for (size_t i = 0; i < rt->nss_len; i++) {
        Namespace *ns = as_ns(rt->nss[i]);
        put_value(&e, &nsb, ns->name);
        put_value(&e, &nsb, atomic_load(&ns->meta));
        write_table(&e, &nsb, &ns->mappings);
        write_table(&e, &nsb, &ns->aliases);
        for (uint32_t j = 0; ns->mappings.entries && j <= ns->mappings.mask; j++) {
            const NsEntry *en = &ns->mappings.entries[j];
            if (en->atom == UINT32_MAX || as_var(en->target)->ns != rt->nss[i]) continue;
            Var *v = as_var(en->target);
            Value root = atomic_load(&v->root);
            put_value(&e, &varb, en->target);
            wire_put_uvarint(&varb, atomic_load(&v->flags));
            put_value(&e, &varb, atomic_load(&v->meta));
            wire_put_uvarint(&varb, root != LV_NONE);
            if (root != LV_NONE) put_value(&e, &varb, root);
            nvars++;
        }
    }
    pthread_mutex_unlock(&rt->ns_lock);

    for (size_t i = 0; i < w.nprotos; i++) { /* grows as constants name more protos */
        const Proto *pr = as_proto(w.protos[i]);
        for (uint32_t k = 0; k < pr->nconsts; k++) put_value(&e, &constb, pr->consts[k]);
    }
    size_t nprotos = w.nprotos;
    for (size_t i = 0; i < nprotos; i++) write_shell(&e, &shellb, as_proto(w.protos[i]));
    if (w.nprotos != nprotos) abort(); /* a shell names only values, never a new proto */

    out->len = 0;
    buf_append(out, SNAP_MAGIC, 8);
    wire_put_uvarint(out, SNAP_VERSION);
    wire_put_uvarint(out, intrinsic_count());
    wire_put_uvarint(out, atomic_load(&rt->inlined_redefined));
    /* Read last: every atom the sections use is older than this count. */
    uint32_t natoms = atomic_load(&rt->atoms.count);
    wire_put_uvarint(out, natoms);
    for (uint32_t i = 0; i < natoms; i++) {
        const AtomEntry *a = atoms_get(&rt->atoms, i);
        put_text(out, a->ns ? a->ns : "", a->ns ? a->ns_len : 0);
        put_text(out, a->name, a->name_len);
    }
    wire_put_uvarint(out, nprotos);
    buf_append(out, shellb.data, shellb.len);
    buf_append(out, nsb.data, nsb.len);
    wire_put_uvarint(out, nvars);
    buf_append(out, varb.data, varb.len);
    buf_append(out, constb.data, constb.len);

    buf_free(&nsb);
    buf_free(&varb);
    buf_free(&constb);
    buf_free(&shellb);
    free(w.protos);
    free(w.slots);
    free(w.nums);
}

/* ---- installing ------------------------------------------------------------------ */

typedef struct SnapRd {
    const uint8_t *p, *end;
} SnapRd;

typedef struct SnapReader {
    Runtime *rt;
    Proc *scratch;            /* decoded values live here until copied */
    SnapRd r;
    Value *protos;
    size_t nprotos;
    WireCode code;
    const char *what;         /* what was being read when it failed */
} SnapReader;

static Value snap_proto_at(void *ctx, uint64_t id) {
    SnapReader *s = ctx;
    return id < s->nprotos ? s->protos[id] : LV_NONE;
}

static bool get_uv(SnapRd *r, uint64_t *out) { return wire_get_uvarint(&r->p, r->end, out) == WIRE_OK; }

static bool get_bytes(SnapRd *r, size_t n, const uint8_t **out) {
    if ((size_t)(r->end - r->p) < n) return false;
    *out = r->p;
    r->p += n;
    return true;
}

static bool get_n(SnapReader *s, uint64_t max, uint64_t *out) { return get_uv(&s->r, out) && *out <= max; }

/* The scratch heap holds only values already copied out: emptied once it
 * has grown, so that installing does not keep every value twice. */
static void trim_scratch(Proc *sc) {
    Heap *h = &sc->heap;
    if ((size_t)(h->top - h->start) + h->frag_words < ((size_t)1 << 16)) return;
    heap_release(h);
    heap_init(h, 512, 0);
}

/* A value, copied into the literal area. */
static bool get_value(SnapReader *s, Value *out) {
    size_t len = wire_message_len(s->r.p, (size_t)(s->r.end - s->r.p));
    Value v;
    if (len == 0 || wire_decode_code(s->scratch, s->r.p, len, &s->code, &image_limits, &v) != WIRE_OK) return false;
    s->r.p += len;
    *out = lit_copy(s->rt, v);
    trim_scratch(s->scratch);
    return true;
}

static bool install_atoms(SnapReader *s) {
    AtomTable *t = &s->rt->atoms;
    uint64_t n;
    s->what = "atoms";
    if (!get_n(s, UINT32_MAX, &n)) return false;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t lens[2];
        const uint8_t *text[2];
        for (int k = 0; k < 2; k++)
            if (!get_uv(&s->r, &lens[k]) || !get_bytes(&s->r, (size_t)lens[k], &text[k])) return false;
        uint32_t idx = atoms_intern(t, lens[0] ? (const char *)text[0] : NULL, (size_t)lens[0],
                                    (const char *)text[1], (size_t)lens[1]);
        if (idx != i) return false; /* the two tables disagree: another build */
    }
    return true;
}

static bool install_shell(SnapReader *s, size_t i) {
    Runtime *rt = s->rt;
    Value name, ns, file;
    uint64_t nparams, variadic, nregs, ncaptured, shared, ncode, nconsts, nlines;
    const uint8_t *code;
    if (!get_value(s, &name) || !get_value(s, &ns) || !get_value(s, &file) || !get_n(s, 65535, &nparams) ||
        !get_n(s, 1, &variadic) || !get_n(s, 1 << 24, &nregs) || !get_n(s, 1 << 24, &ncaptured) ||
        !get_n(s, 1, &shared) || !get_n(s, UINT32_MAX, &ncode) ||
        !get_bytes(&s->r, (size_t)ncode * 4, &code) || !get_n(s, 1 << 24, &nconsts) ||
        !get_n(s, UINT32_MAX, &nlines) || nlines > (uint64_t)(s->r.end - s->r.p) / 2)
        return false;
    size_t hdr_words = (sizeof(Proto) + 7) / 8;
    size_t code_words = ((size_t)ncode * 4 + 7) / 8;
    size_t line_words = ((size_t)nlines * sizeof(LineEntry) + 7) / 8;
    Value *o = lit_alloc(&rt->lit, hdr_words + code_words + nconsts + line_words);
    Proto *pr = (Proto *)o;
    pr->header = mk_header(T_PROTO, 0, hdr_words + code_words + nconsts + line_words - 1);
    pr->name = name;
    pr->ns = ns;
    pr->file = file;
    pr->nparams = (uint32_t)nparams;
    pr->variadic = (uint32_t)variadic;
    pr->fixed_arity = variadic ? UINT32_MAX : (uint32_t)nparams;
    pr->nregs = (uint32_t)nregs;
    pr->ncaptured = (uint32_t)ncaptured;
    pr->ncode = (uint32_t)ncode;
    pr->nconsts = (uint32_t)nconsts;
    pr->nlines = (uint32_t)nlines;
    uint32_t *codew = (uint32_t *)(o + hdr_words);
    memcpy(codew, code, (size_t)ncode * 4);
    pr->code = codew;
    Value *consts = o + hdr_words + code_words;
    for (uint64_t k = 0; k < nconsts; k++) consts[k] = LV_NIL; /* filled by install_consts */
    pr->consts = consts;
    LineEntry *lines = (LineEntry *)(consts + nconsts);
    for (uint64_t k = 0; k < nlines; k++) {
        uint64_t pc, line;
        if (!get_n(s, UINT32_MAX, &pc) || !get_n(s, UINT32_MAX, &line)) return false;
        lines[k] = (LineEntry){(uint32_t)pc, (uint32_t)line};
    }
    pr->lines = lines;
    pr->shared_closure = LV_NONE;
    Value proto = box_val(o);
    if (shared) {
        Value *c = lit_alloc(&rt->lit, 2);
        c[0] = mk_header(T_CLOSURE, 0, 1);
        c[1] = proto;
        pr->shared_closure = box_val(c);
    }
    s->protos[i] = proto;
    return true;
}

static bool install_table(SnapReader *s, Value ns, bool aliases) {
    uint64_t n;
    if (!get_n(s, UINT32_MAX, &n)) return false;
    for (uint64_t i = 0; i < n; i++) {
        Value sym, target;
        if (!get_value(s, &sym) || !get_value(s, &target) || !is_symbol_imm(sym)) return false;
        if (aliases) {
            if (!is_ns(target)) return false;
            ns_add_alias(s->rt, ns, sym, target);
        } else {
            if (!is_var(target)) return false;
            if (as_var(target)->ns != ns) ns_refer_var(s->rt, ns, sym, target);
        }
    }
    return true;
}

static bool install_namespaces(SnapReader *s) {
    uint64_t n;
    s->what = "namespaces";
    if (!get_n(s, UINT32_MAX, &n)) return false;
    for (uint64_t i = 0; i < n; i++) {
        Value name, meta;
        if (!get_value(s, &name) || !is_symbol_imm(name) || !get_value(s, &meta)) return false;
        Value ns = ns_create(s->rt, name);
        atomic_store(&as_ns(ns)->meta, meta);
        if (!install_table(s, ns, false) || !install_table(s, ns, true)) return false;
    }
    return true;
}

static bool install_vars(SnapReader *s) {
    uint64_t n;
    s->what = "vars";
    if (!get_n(s, UINT32_MAX, &n)) return false;
    for (uint64_t i = 0; i < n; i++) {
        Value var, meta, root = LV_NONE;
        uint64_t flags, bound;
        if (!get_value(s, &var) || !is_var(var) || !get_n(s, UINT32_MAX, &flags) || !get_value(s, &meta) ||
            !get_n(s, 1, &bound) || (bound && !get_value(s, &root)))
            return false;
        Var *v = as_var(var);
        atomic_store(&v->meta, meta);
        atomic_store(&v->flags, (uint32_t)flags);
        atomic_store(&v->root, root);
    }
    return true;
}

static bool install_consts(SnapReader *s) {
    s->what = "constants";
    for (size_t i = 0; i < s->nprotos; i++) {
        Proto *pr = as_proto(s->protos[i]);
        Value *consts = (Value *)pr->consts;
        for (uint32_t k = 0; k < pr->nconsts; k++)
            if (!get_value(s, &consts[k])) return false;
    }
    return s->r.p == s->r.end;
}

bool snapshot_install(Runtime *rt, const uint8_t *bytes, size_t len, char *err, size_t errlen) {
    SnapReader s = {.rt = rt, .r = {bytes, bytes + len}, .what = "header"};
    s.code = (WireCode){&s, intrinsic_count(), NULL, snap_proto_at};
    const uint8_t *magic;
    uint64_t version, nintrinsics, inlined_off, nprotos;
    bool ok = get_bytes(&s.r, 8, &magic) && !memcmp(magic, SNAP_MAGIC, 8) && get_uv(&s.r, &version) &&
              version == SNAP_VERSION && get_uv(&s.r, &nintrinsics) && nintrinsics == intrinsic_count() &&
              get_n(&s, 1, &inlined_off);
    s.scratch = proc_new_bare(rt);
    ok = ok && install_atoms(&s);
    if (ok) {
        s.what = "protos";
        ok = get_n(&s, (uint64_t)(s.r.end - s.r.p), &nprotos);
    }
    if (ok) {
        s.protos = xcalloc(nprotos ? nprotos : 1, sizeof *s.protos);
        for (size_t i = 0; ok && i < nprotos; i++) {
            ok = install_shell(&s, i);
            s.nprotos = i + 1;
        }
    }
    ok = ok && install_namespaces(&s) && install_vars(&s) && install_consts(&s);
    if (ok && inlined_off) atomic_store(&rt->inlined_redefined, true);
    if (!ok) snprintf(err, errlen, "malformed code snapshot (%s)", s.what);
    free(s.protos);
    proc_free_bare(s.scratch);
    return ok;
}

int snapshot_memfd(Runtime *rt) {
    Buf b;
    buf_init(&b);
    snapshot_write(rt, &b);
    int fd = sealed_memfd("lona-image", b.data, b.len);
    buf_free(&b);
    return fd;
}

bool snapshot_install_fd(Runtime *rt, int fd, char *err, size_t errlen) {
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_size <= 0) {
        snprintf(err, errlen, "no code image");
        return false;
    }
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
        snprintf(err, errlen, "cannot map the code image: %s", strerror(errno));
        return false;
    }
    bool ok = snapshot_install(rt, map, (size_t)st.st_size, err, errlen);
    munmap(map, (size_t)st.st_size);
    return ok;
}
