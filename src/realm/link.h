/*
 * link.h — one socket between a realm and its parent or a child.
 *
 * A RealmLink owns a non-blocking SOCK_SEQPACKET socket. Any thread may
 * send a frame; frames leave in the order link_send was called (a frame
 * that does not fit the socket now waits in a queue, and every later frame
 * queues behind it), which keeps the order between one sender and one
 * receiver across realms. A frame over FRAME_INLINE_MAX bytes is written
 * into a memfd, sealed against any change, and the descriptor is sent
 * instead (SCM_RIGHTS): the receiver maps it read-only, and the seals make
 * it safe to decode in place.
 *
 * A small frame may also carry one descriptor (link_send_fd): a realm's
 * socket end travels that way from the root, which starts every realm's
 * OS process, down to the realm that asked for it.
 *
 * Received frames are handed, one at a time and in order, to the link's
 * callback on the poller thread. When the peer goes away (end of file,
 * error, hang-up) the callback `down` runs once, on the poller thread, and
 * the link sends nothing more. Frames that are not frames (bad header,
 * bad memfd, stray descriptors) are dropped and counted in `dropped`.
 */
#ifndef LONA_LINK_H
#define LONA_LINK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "realm/frame.h"

struct Poller;

typedef struct RealmLink RealmLink;
/* *passed_fd: -1, or a descriptor that came with the frame (link_send_fd);
 * the callback takes it by setting *passed_fd to -1, else the link closes it. */
typedef void (*LinkFrameFn)(void *ctx, RealmLink *l, const WireFrame *f, int *passed_fd);
typedef void (*LinkDownFn)(void *ctx, RealmLink *l);

/* A datagram waiting for room in the socket. Frames queued behind a full
 * socket share datagrams: one with no descriptor takes the next frames
 * while they fit in its cap (up to FRAME_INLINE_MAX), so that a sender
 * faster than its peer costs one system call per datagram, not per frame,
 * on both sides. */
typedef struct LinkOut {
    struct LinkOut *next;
    size_t len, cap;
    int fd;                  /* descriptor sent with the datagram, or -1 */
    uint32_t frames;         /* frames in it */
    uint8_t bytes[];         /* the datagram: one frame, a marker and a frame, or frames back to back */
} LinkOut;

struct RealmLink {
    int fd;
    struct Poller *poller;
    LinkFrameFn on_frame;
    LinkDownFn on_down;
    void *ctx;
    pthread_mutex_t lock;    /* guards the queue, `down` and arming */
    LinkOut *head, *tail;    /* frames waiting for room in the socket */
    bool down;
    uint8_t *rbuf;           /* receive buffer, FRAME_INLINE_MAX + slack */
    _Atomic uint64_t dropped;   /* malformed frames received */
    _Atomic uint64_t frames_in, frames_out;
};

/* Take over fd (made non-blocking) and start watching it. */
RealmLink *link_new(int fd, struct Poller *pl, LinkFrameFn on_frame, LinkDownFn on_down, void *ctx);
/* Close the socket; the link must be down or never started. */
void link_free(RealmLink *l);

/* A peer whose frames were dropped this many times (malformed, or not its
 * to send) is hung up on: for a child realm, its process is ended and the
 * links and monitors into it fire with :noconnection. */
#define LINK_MAX_DROPPED 1000
/* Count one dropped frame of l (any thread); hangs up at LINK_MAX_DROPPED. */
void link_drop(RealmLink *l);

/* Send a finished frame (frame_finish); false if the link is down or the
 * frame cannot be sent at all. */
bool link_send(RealmLink *l, const Buf *frame);
/* Send a frame of at most FRAME_INLINE_MAX bytes with descriptor fd, which
 * the link owns from now on (closed once sent, or on failure). */
bool link_send_fd(RealmLink *l, const Buf *frame, int fd);

#endif
