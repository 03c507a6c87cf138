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

NotifTable *notif_table_new(void);
void notif_table_free(NotifTable *t);
Value notif_new(struct Runtime *rt);
bool notif_exists(struct Runtime *rt, Value n);
/* OR bits in; wake the longest waiter with the word. */
void notif_signal(struct Runtime *rt, Value n, uint64_t bits);
/* Take the word if non-zero (returns true); else, when `block`, queue p
 * as a waiter (the word will be stored in p->notif_word). */
bool notif_take(struct Runtime *rt, Value n, struct Proc *p, bool block, uint64_t *word);

#endif
