/*
 * frame.h — the frames realms exchange over their sockets.
 *
 * One frame is one SOCK_SEQPACKET datagram (or, when large, the contents
 * of a sealed memfd passed with SCM_RIGHTS, see link.h):
 *
 *   0  'L' 'R'          magic
 *   2  version          FRAME_VERSION
 *   3  kind             FrameKind
 *   4  u32 LE length    of everything after these 8 bytes
 *   8  varints          to (realm, number), from (realm, number),
 *                       ref (realm, number), arg
 *      ...              the value as a whole wire message (wire.h: version,
 *                       body length, body), for the kinds that carry one
 *
 * `to` and `from` are pids (number 0: the realm itself), `ref` ties a reply
 * to its request, `arg` is a small per-kind integer (for the reply that
 * carries a new realm's socket, that realm's id). Routing looks only at
 * to.realm. A frame from another realm is hostile: frame_parse checks the
 * header and the varints, wire_decode checks the value.
 */
#ifndef LONA_FRAME_H
#define LONA_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "term/term.h"

#define FRAME_VERSION 1
#define FRAME_HEADER 8
/* Larger frames travel in a memfd (link.c). */
#define FRAME_INLINE_MAX (60 * 1024)
/* No frame may exceed this, memfd or not. */
#define FRAME_MAX ((size_t)1 << 30)

typedef enum {
    FK_SEND = 1,       /* message from `from` to `to`: value; ref = send-sync's ref or none */
    FK_REQUEST,        /* to the realm's agent: arg = RealmOp, value = request data */
    FK_REPLY,          /* to the requester: ref, value = result */
    FK_SIGNAL,         /* link, unlink, exit, monitor, demonitor, down, sync ack:
                        * arg = kind | flags << 8, ref, value = reason or nil */
    FK_GONE,           /* realm `arg` is gone: value = reason. Sent by the root, which
                        * alone decides it, down to every realm; each fires its links
                        * and monitors into the dead realm */
    FK__COUNT
} FrameKind;

typedef struct WireFrame {
    uint8_t kind;
    Value to, from, ref;   /* pids/refs (immediates), LV_NIL when absent */
    uint64_t arg;
    const uint8_t *value;  /* the encoded value: [value, value + value_len) */
    size_t value_len;
    const uint8_t *raw;    /* the whole frame, for forwarding */
    size_t raw_len;
} WireFrame;

/* Start a frame in b (header, then the routing varints); append the value
 * bytes after, then frame_finish. */
void frame_begin(Buf *b, uint8_t kind, Value to, Value from, Value ref, uint64_t arg);
/* Write the length into the header; false if the frame is too large. */
bool frame_finish(Buf *b);

/* The length of the frame that starts at bytes (header included), from
 * its header: 0 if the header is not a frame's or says more than len. */
size_t frame_length(const uint8_t *bytes, size_t len);
/* Parse one frame; false if it is malformed. f->value points into bytes. */
bool frame_parse(const uint8_t *bytes, size_t len, WireFrame *f);

#endif
