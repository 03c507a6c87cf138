/*
 * frame.c — building and checking frames (see frame.h).
 */
#include "realm/frame.h"

#include "realm/wire.h"

/* A pid or ref travels as (realm, number); (0, 0) stands for "none". */
static void put_id(Buf *b, Value id) {
    if (id == LV_NIL || id == LV_NONE) {
        wire_put_uvarint(b, 0);
        wire_put_uvarint(b, 0);
        return;
    }
    wire_put_uvarint(b, pid_realm(id));
    wire_put_uvarint(b, pid_local(id));
}

void frame_begin(Buf *b, uint8_t kind, Value to, Value from, Value ref, uint64_t arg) {
    uint8_t head[FRAME_HEADER] = {'L', 'R', FRAME_VERSION, kind, 0, 0, 0, 0};
    b->len = 0;
    buf_append(b, head, sizeof head);
    put_id(b, to);
    put_id(b, from);
    put_id(b, ref);
    wire_put_uvarint(b, arg);
}

bool frame_finish(Buf *b) {
    size_t n = b->len - FRAME_HEADER;
    if (b->len > FRAME_MAX) return false;
    for (int i = 0; i < 4; i++) ((uint8_t *)b->data)[4 + i] = (uint8_t)(n >> (8 * i));
    return true;
}

static bool get_id(const uint8_t **pp, const uint8_t *end, bool is_ref, Value *out) {
    uint64_t realm, n;
    if (wire_get_uvarint(pp, end, &realm) != WIRE_OK || wire_get_uvarint(pp, end, &n) != WIRE_OK) return false;
    if (realm == 0 && n == 0) {
        *out = LV_NIL;
        return true;
    }
    if (realm == 0 || realm > 0xffff || n > PID_LOCAL_MASK) return false;
    *out = is_ref ? mk_ref((uint32_t)realm, n) : mk_pid((uint32_t)realm, n);
    return true;
}

size_t frame_length(const uint8_t *bytes, size_t len) {
    if (len < FRAME_HEADER || bytes[0] != 'L' || bytes[1] != 'R' || bytes[2] != FRAME_VERSION) return 0;
    uint32_t n = (uint32_t)bytes[4] | (uint32_t)bytes[5] << 8 | (uint32_t)bytes[6] << 16 | (uint32_t)bytes[7] << 24;
    return (size_t)n <= len - FRAME_HEADER ? FRAME_HEADER + (size_t)n : 0;
}

bool frame_parse(const uint8_t *bytes, size_t len, WireFrame *f) {
    if (frame_length(bytes, len) != len) return false;
    f->kind = bytes[3];
    f->raw = bytes;
    f->raw_len = len;
    if (f->kind == 0 || f->kind >= FK__COUNT) return false;
    const uint8_t *p = bytes + FRAME_HEADER, *end = bytes + len;
    if (!get_id(&p, end, false, &f->to) || !get_id(&p, end, false, &f->from) || !get_id(&p, end, true, &f->ref) ||
        wire_get_uvarint(&p, end, &f->arg) != WIRE_OK)
        return false;
    f->value = p;
    f->value_len = (size_t)(end - p);
    return true;
}
