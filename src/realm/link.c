/*
 * link.c — the socket between two realms (see link.h).
 *
 * Locking: l->lock guards the out queue, `down` and the re-arming of the
 * watch, so that the events asked for always match the queue (EPOLLOUT
 * exactly while frames wait). The poller runs link_ready for one link at a
 * time, so receiving needs no lock; on_frame and on_down run without it.
 */
#include "realm/link.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/memfd.h"
#include "sched/poller.h"

/* The datagram that stands for a frame held in the memfd sent with it. */
#define FK_MEMFD 0xff
static const uint8_t memfd_marker[FRAME_HEADER] = {'L', 'R', FRAME_VERSION, FK_MEMFD, 0, 0, 0, 0};
/* The datagram header before a frame that carries a descriptor. */
#define FK_PASSFD 0xfe
static const uint8_t passfd_marker[FRAME_HEADER] = {'L', 'R', FRAME_VERSION, FK_PASSFD, 0, 0, 0, 0};
#define MEMFD_SEALS SEALED_MEMFD_SEALS

/* Datagrams, and frames, taken from the socket per wake-up before the
 * other links get a turn. */
#define LINK_BATCH 256
#define LINK_BATCH_FRAMES 4096

static void link_ready(void *ctx, uint32_t events);

static void link_arm_locked(RealmLink *l) {
    if (l->down) return;
    uint32_t ev = EPOLLIN | EPOLLRDHUP | (l->head ? EPOLLOUT : 0);
    poller_arm(l->poller, l->fd, ev, link_ready, l);
}

RealmLink *link_new(int fd, struct Poller *pl, LinkFrameFn on_frame, LinkDownFn on_down, void *ctx) {
    RealmLink *l = xcalloc(1, sizeof *l);
    l->fd = fd;
    l->poller = pl;
    l->on_frame = on_frame;
    l->on_down = on_down;
    l->ctx = ctx;
    l->rbuf = xmalloc(FRAME_INLINE_MAX + 64);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    pthread_mutex_init(&l->lock, NULL);
    pthread_mutex_lock(&l->lock);
    link_arm_locked(l);
    pthread_mutex_unlock(&l->lock);
    return l;
}

static void free_queue(RealmLink *l) {
    for (LinkOut *o = l->head, *next; o; o = next) {
        next = o->next;
        if (o->fd >= 0) close(o->fd);
        free(o);
    }
    l->head = l->tail = NULL;
}

void link_drop(RealmLink *l) {
    uint64_t n = atomic_fetch_add_explicit(&l->dropped, 1, memory_order_relaxed) + 1;
    /* The peer keeps breaking the protocol: hang up. The poller sees the
     * socket shut and runs the link's down callback, as for a peer gone. */
    if (n == LINK_MAX_DROPPED) shutdown(l->fd, SHUT_RDWR);
}

void link_free(RealmLink *l) {
    if (!l) return;
    poller_forget(l->poller, l->fd);
    close(l->fd);
    free_queue(l);
    pthread_mutex_destroy(&l->lock);
    free(l->rbuf);
    free(l);
}

/* One datagram, with fd attached when fd >= 0: 1 sent, 0 no room, -1 error. */
static int send_datagram(int sock, const uint8_t *bytes, size_t len, int fd) {
    struct iovec iov = {(void *)bytes, len};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    if (fd >= 0) {
        memset(&u, 0, sizeof u);
        m.msg_control = u.buf;
        m.msg_controllen = sizeof u.buf;
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof fd);
    }
    for (;;) {
        ssize_t n = sendmsg(sock, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n >= 0) return 1;
        if (errno == EINTR) continue;
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS ? 0 : -1;
    }
}

static int send_out(RealmLink *l, const LinkOut *o) { return send_datagram(l->fd, o->bytes, o->len, o->fd); }

/* Send what waits, in order, until the socket is full. Under l->lock. */
static void flush_locked(RealmLink *l) {
    while (l->head) {
        int r = send_out(l, l->head);
        if (r == 0) return;
        LinkOut *o = l->head;
        l->head = o->next;
        if (!l->head) l->tail = NULL;
        uint32_t frames = o->frames;
        if (o->fd >= 0) close(o->fd);
        free(o);
        if (r < 0) { /* the peer is gone: the poller will see it */
            free_queue(l);
            return;
        }
        atomic_fetch_add_explicit(&l->frames_out, frames, memory_order_relaxed);
    }
}

/* Queue a datagram (under l->lock). A lone frame joins the last waiting
 * datagram when that one holds only frames and has room (see LinkOut). */
static void queue_locked(RealmLink *l, const uint8_t *bytes, size_t len, int fd) {
    LinkOut *t = l->tail;
    if (fd < 0 && t && t->fd < 0 && t->cap - t->len >= len) {
        memcpy(t->bytes + t->len, bytes, len);
        t->len += len;
        t->frames++;
        return;
    }
    /* Room for more frames behind this one, when it is a lone frame. */
    size_t cap = fd < 0 && len < FRAME_INLINE_MAX ? FRAME_INLINE_MAX : len;
    LinkOut *o = xmalloc(sizeof *o + cap);
    o->next = NULL;
    o->len = len;
    o->cap = cap;
    o->fd = fd;
    o->frames = 1;
    memcpy(o->bytes, bytes, len);
    if (l->tail) l->tail->next = o;
    else l->head = o;
    l->tail = o;
}

/* Send one datagram (with fd attached when fd >= 0, which the link owns),
 * or queue it behind those that wait for room. */
static bool send_or_queue(RealmLink *l, const uint8_t *bytes, size_t len, int fd) {
    pthread_mutex_lock(&l->lock);
    bool ok = !l->down;
    if (ok && !l->head) {
        int r = send_datagram(l->fd, bytes, len, fd);
        if (r != 0) {
            if (fd >= 0) close(fd);
            if (r > 0) atomic_fetch_add_explicit(&l->frames_out, 1, memory_order_relaxed);
            pthread_mutex_unlock(&l->lock);
            return r > 0;
        }
    }
    if (ok) {
        queue_locked(l, bytes, len, fd);
        link_arm_locked(l);
    } else if (fd >= 0) {
        close(fd);
    }
    pthread_mutex_unlock(&l->lock);
    return ok;
}

bool link_send(RealmLink *l, const Buf *frame) {
    const uint8_t *bytes = (const uint8_t *)frame->data;
    if (frame->len <= FRAME_INLINE_MAX) return send_or_queue(l, bytes, frame->len, -1);
    int fd = sealed_memfd("lona-frame", bytes, frame->len);
    return fd >= 0 && send_or_queue(l, memfd_marker, sizeof memfd_marker, fd);
}

bool link_send_fd(RealmLink *l, const Buf *frame, int fd) {
    if (frame->len > FRAME_INLINE_MAX) {
        close(fd);
        return false;
    }
    uint8_t *d = xmalloc(sizeof passfd_marker + frame->len);
    memcpy(d, passfd_marker, sizeof passfd_marker);
    memcpy(d + sizeof passfd_marker, frame->data, frame->len);
    bool ok = send_or_queue(l, d, sizeof passfd_marker + frame->len, fd);
    free(d);
    return ok;
}

/* ---- receiving (poller thread) ---------------------------------------------------- */

static void close_fds(struct msghdr *m) {
    for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < n; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            close(fd);
        }
    }
}

/* The one descriptor a datagram carried, or -1 (any others are closed). */
static int take_one_fd(struct msghdr *m) {
    struct cmsghdr *c = CMSG_FIRSTHDR(m);
    if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)) ||
        CMSG_NXTHDR(m, c)) {
        close_fds(m);
        return -1;
    }
    int fd;
    memcpy(&fd, CMSG_DATA(c), sizeof fd);
    return fd;
}

/* Hand one frame to the callback; fd (-1 for none) is closed unless taken. */
static void deliver(RealmLink *l, const uint8_t *bytes, size_t len, int fd) {
    WireFrame f;
    if (!frame_parse(bytes, len, &f)) {
        link_drop(l);
    } else {
        atomic_fetch_add_explicit(&l->frames_in, 1, memory_order_relaxed);
        l->on_frame(l->ctx, l, &f, &fd);
    }
    if (fd >= 0) close(fd);
}

/* A datagram of frames back to back; a frame that does not parse drops
 * the rest of the datagram, counted once. The number of frames. */
static int deliver_frames(RealmLink *l, const uint8_t *bytes, size_t len) {
    int frames = 0;
    while (len > 0) {
        size_t n = frame_length(bytes, len);
        if (n == 0) {
            link_drop(l);
            break;
        }
        deliver(l, bytes, n, -1);
        frames++;
        bytes += n;
        len -= n;
    }
    return frames;
}

/* A frame held in a memfd: only a sealed one is read, so that the sender
 * cannot change the bytes while they are decoded. */
static void deliver_memfd(RealmLink *l, int fd) {
    struct stat st;
    int seals = fcntl(fd, F_GET_SEALS);
    if (seals < 0 || (seals & MEMFD_SEALS) != MEMFD_SEALS || fstat(fd, &st) < 0 || st.st_size <= 0 ||
        (size_t)st.st_size > FRAME_MAX) {
        link_drop(l);
        close(fd);
        return;
    }
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        link_drop(l);
        return;
    }
    deliver(l, map, (size_t)st.st_size, -1);
    munmap(map, (size_t)st.st_size);
}

/* Read up to LINK_BATCH datagrams or LINK_BATCH_FRAMES frames; false
 * when the peer is gone. */
static bool receive_some(RealmLink *l) {
    int frames = 0;
    for (int i = 0; i < LINK_BATCH && frames < LINK_BATCH_FRAMES; i++) {
        union {
            char buf[CMSG_SPACE(4 * sizeof(int))];
            struct cmsghdr align;
        } u;
        struct iovec iov = {l->rbuf, FRAME_INLINE_MAX + 64};
        struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
        ssize_t n = recvmsg(l->fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno == EAGAIN || errno == EWOULDBLOCK;
        }
        if (n == 0) return false; /* end of file: the peer closed its end */
        bool truncated = (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0;
        bool has_fd = m.msg_controllen > 0;
        if (!truncated && has_fd && (size_t)n == sizeof memfd_marker && !memcmp(l->rbuf, memfd_marker, (size_t)n)) {
            int fd = take_one_fd(&m);
            if (fd >= 0) deliver_memfd(l, fd);
            else link_drop(l);
            continue;
        }
        if (!truncated && has_fd && (size_t)n > sizeof passfd_marker &&
            !memcmp(l->rbuf, passfd_marker, sizeof passfd_marker)) {
            int fd = take_one_fd(&m);
            if (fd >= 0) deliver(l, l->rbuf + sizeof passfd_marker, (size_t)n - sizeof passfd_marker, fd);
            else link_drop(l);
            continue;
        }
        if (has_fd) close_fds(&m);
        if (truncated || has_fd) {
            link_drop(l);
            continue;
        }
        frames += deliver_frames(l, l->rbuf, (size_t)n);
    }
    return true;
}

static void link_ready(void *ctx, uint32_t events) {
    RealmLink *l = ctx;
    bool alive = true;
    if (events & EPOLLOUT) {
        pthread_mutex_lock(&l->lock);
        flush_locked(l);
        pthread_mutex_unlock(&l->lock);
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP | EPOLLERR)) alive = receive_some(l);
    if (alive && (events & (EPOLLHUP | EPOLLERR)) && !(events & EPOLLIN)) alive = false;
    pthread_mutex_lock(&l->lock);
    if (!alive) {
        l->down = true;
        free_queue(l);
    } else {
        link_arm_locked(l);
    }
    pthread_mutex_unlock(&l->lock);
    if (!alive) l->on_down(l->ctx, l);
}
