/*
 * realm.h — this runtime's place in the realm tree.
 *
 * A realm is one OS process running one Runtime (DESIGN.md section 6). The
 * root realm (id 1) is the `lona` command itself; realm_create starts a
 * child by fork+exec of the same executable, in its own process group,
 * joined to its parent by a SOCK_SEQPACKET socketpair (realm/link.h) that
 * the poller watches. The child installs its sandbox (realm/sandbox.h)
 * before any thread or Lonala code exists, then the code snapshot
 * (realm/snapshot.h), then starts its agent: a Lonala process that serves
 * the parent's requests (spawn-in, realm-info).
 *
 * Frames from another realm are hostile until checked: a frame is decoded
 * on the poller thread into a scratch heap, then copied into a message for
 * its receiver; a malformed one, or one from a child that claims a sender
 * outside that child, is dropped and counted.
 *
 * Requests (spawn-in, realm-info of a child) are asynchronous: the
 * intrinsic sends a frame and returns a ref; the reply arrives in the
 * caller's mailbox as [:%realm-reply ref value], and the library's wrapper
 * waits for it in a receive. If the realm goes away first, the reply is
 * [:error :noconnection] (or :killed after realm-terminate).
 */
#ifndef LONA_REALM_H
#define LONA_REALM_H

#include <stdbool.h>

#include "proc/proc.h"
#include "vm/runtime.h"

/* The child realm limit (LONA_MAX_REALMS) is a whole number from 0 to
 * REALM_MAX_CHILDREN_CEILING; a value outside is ignored here (the CLI
 * rejects it first). */
#define REALM_MAX_CHILDREN_CEILING 65535

/* What a request asks. SPAWN and INFO go down to a child's agent; WHEREIS
 * goes up, and each ancestor answers it from its registry or passes it on;
 * CREATE and TERMINATE go up to the root, which starts and kills the OS
 * processes of every realm (launch.c). */
typedef enum {
    REALM_OP_SPAWN = 1,
    REALM_OP_INFO = 2,
    REALM_OP_WHEREIS = 3,
    REALM_OP_CREATE = 4,
    REALM_OP_TERMINATE = 5,
    REALM_OP_ALIVE = 6,          /* of a pid, asked of the realm that owns it */
    REALM_OP_PROCESS_INFO = 7,
    REALM_OP_MEMORY = 8,         /* request-memory, return-memory: to the parent */
    REALM_OP_REGION = 9,         /* share-region, unshare-region: to a child */
    REALM_OP_NOTIFY = 10,        /* signal! on a notification: to its realm, unanswered */
    REALM_OP_NOTIFY_TAKE = 11,   /* wait! and poll! on one: to its realm */
} RealmOp;

/* Create a child realm from an options map: its realm id (in the root), a
 * ref to wait for in [:%realm-reply ref id-or-error] (in a child realm,
 * which asks the root), or LV_EXC. */
Value realm_create(Proc *p, Value opts);
/* Kill and reap a descendant realm and everything below it: :ok,
 * [:error :not-descendant], or (in a child realm, which asks the root) a
 * ref to wait for in [:%realm-reply ref result]. */
Value realm_terminate(Proc *p, Value realm);
/* Send msg to a pid of another realm: true (also when the pid is gone or
 * unreachable, as send to a dead pid; *routed, if given, says whether it
 * left), or false with *refused the part of msg that cannot cross realms
 * (the intrinsic raises, wire_refusal). sync_ref: LV_NONE, or send-sync's
 * ref (the receiver acknowledges the take with a SIG_SYNC_ACK signal). */
bool realm_send(Proc *p, Value to, Value msg, Value sync_ref, bool *routed, Value *refused);
/* Ask a descendant realm's agent to do op with data: a ref to wait for in
 * [:%realm-reply ref value], [:error :not-descendant], or LV_EXC. */
Value realm_request(Proc *p, Value realm, RealmOp op, Value data);
/* Ask the realm that owns pid (op ALIVE or PROCESS_INFO) about it: a ref
 * to wait for in [:%realm-reply ref answer]; [:error :noconnection] comes
 * at once if that realm cannot be reached. */
Value realm_ask_about(Proc *p, Value pid, RealmOp op);
/* Ask the parent realm (op WHEREIS, data a symbol): a ref to wait for in
 * [:%realm-reply ref value]; in the root, the reply (nil) is queued at once. */
Value realm_ask_parent(Proc *p, RealmOp op, Value data);
/* In a child realm, the agent answers a request of `to`. An answer that
 * cannot cross goes as [:error :cannot-cross-realms %{:value v :message m}],
 * v the printed form of the value that could not. */
Value realm_reply(Proc *p, Value to, Value ref, Value value);
/* Send a frame of op with data to the direct child `child`, with fd
 * attached when fd >= 0 (taken in every case); false if there is no such
 * child or the data cannot cross. */
bool realm_send_to_child(Proc *p, uint32_t child, RealmOp op, Value data, int fd);
/* signal! on n, a notification of another realm (notify.c): :ok. */
Value realm_notify(Proc *p, Value n, uint64_t bits);
/* wait! (block) or poll! on n, a notification of another realm (not
 * this one): a ref to wait for in [:%realm-reply ref answer] (the word,
 * nil, or [:error reason]). */
Value realm_notify_take(Proc *p, Value n, bool block);
/* request-memory (more) and return-memory: a ref for the parent's answer
 * ([:%realm-reply ref :ok | [:error reason]]), or, in the root, the
 * answer itself. */
Value realm_memory(Proc *p, bool more, size_t bytes);

/* The parent realm, or nil. */
Value realm_parent(Proc *p);
/* The set of child realm ids. */
Value realm_children(Proc *p);
/* Is realm a descendant of this realm (a child, or below one)? */
bool realm_is_descendant(Runtime *rt, Value realm);
/* What this realm knows of a descendant: name, status, parent, children,
 * policy, resource usage of its OS process. nil if not a descendant. */
Value realm_child_info(Proc *p, Value realm);
/* The sandbox and policy mechanisms that hold in this realm, as a map. */
Value realm_enforcement(Proc *p);
/* Frames dropped as malformed, over every link. */
uint64_t realm_dropped_frames(Runtime *rt);

/* A child realm whose OS process was started elsewhere (by a launcher, or
 * a test playing a child) joins the tree: its socket fd (SOCK_SEQPACKET,
 * owned from now on) is watched as a child's link under a new id, which is
 * returned; 0 if no place or id is left. os_pid: its OS process, ended
 * with the realm; 0 for none. name: symbol, string or keyword. */
uint32_t realm_adopt(Runtime *rt, int fd, pid_t os_pid, Value name);

/* The main of a child realm's OS process (argv after the command name);
 * returns the exit status. */
int realm_child_main(int argc, char **argv);

#endif
