/*
 * notif.h — notifications (make-notification, signal!, wait!, poll!): a
 * word that signal! ORs bits into, and a FIFO of processes blocked in
 * wait!. The longest-waiting process receives the word (which is then
 * cleared). Shared by every scheduler thread: one mutex per table.
 */
#ifndef LONA_NOTIF_H
#define LONA_NOTIF_H

#include <stdbool.h>
#include <stdint.h>

#include "term/term.h"

struct Proc;
struct Runtime;
typedef struct NotifTable NotifTable;

/* A notification is an immediate. Made here, its payload is its number
 * in this runtime's table. Received from another realm, it is the
 * owner's realm id (bits 40 and up) and a token: a random 40-bit number
 * the owner gave the notification when it first left its realm, which
 * whoever holds the value may use to signal it (realm/notify.c), and
 * which a realm that never received it cannot well guess. */
#define NOTIF_OWNER_SHIFT 40
#define NOTIF_TOKEN_MASK ((UINT64_C(1) << NOTIF_OWNER_SHIFT) - 1)
static inline uint32_t notif_owner(Value n) { return (uint32_t)(imm_payload(n) >> NOTIF_OWNER_SHIFT); }
static inline uint64_t notif_token_of(Value n) { return imm_payload(n) & NOTIF_TOKEN_MASK; }
static inline Value mk_remote_notif(uint32_t owner, uint64_t token) {
    return IMM(IMM_NOTIF, (uint64_t)owner << NOTIF_OWNER_SHIFT | (token & NOTIF_TOKEN_MASK));
}

NotifTable *notif_table_new(void);
void notif_table_free(NotifTable *t);
Value notif_new(struct Runtime *rt);
/* Is n a notification of this runtime's table (not one of another realm)? */
bool notif_exists(struct Runtime *rt, Value n);
/* The token of a notification of this table, made on the first call;
 * 0 if the system gives no random bytes. */
uint64_t notif_token(struct Runtime *rt, Value n);
/* The notification of this table with that token, or LV_NONE. */
Value notif_by_token(struct Runtime *rt, uint64_t token);
/* OR bits in; wake the longest waiter with the word. */
void notif_signal(struct Runtime *rt, Value n, uint64_t bits);
/* Take the word if non-zero (returns true); else, when `block`, queue p
 * as a waiter (the word will be stored in p->notif_word). */
bool notif_take(struct Runtime *rt, Value n, struct Proc *p, bool block, uint64_t *word);

/* A waiter of another realm (realm/notify.c) is handed the word by a call
 * of this, under the table's lock: false if it cannot be reached, and the
 * word then goes to the next waiter. */
typedef bool (*NotifDeliver)(struct Runtime *rt, Value to, Value ref, uint64_t word);
/* notif_take for a process of another realm: queued, when `block`, as the
 * waiter `to` (a pid), to be handed the word with `ref` by deliver. */
/* Drop the waiters of realm `realm` (it is gone), so that no word goes
 * to them. */
void notif_forget_realm(struct Runtime *rt, uint32_t realm);
bool notif_take_remote(struct Runtime *rt, Value n, Value to, Value ref, NotifDeliver deliver, bool block,
                       uint64_t *word);

#endif
