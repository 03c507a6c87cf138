/*
 * send.h — sending messages between processes of one realm.
 *
 * The sender copies the message into a fragment of its own (no lock on the
 * receiver's heap), pushes it on the receiver's signal queue and wakes the
 * receiver. Order between one sender and one receiver is kept by the
 * queue. A message to oneself is appended directly, without a copy.
 */
#ifndef LONA_SEND_H
#define LONA_SEND_H

#include <stdbool.h>

#include "proc/proc.h"

typedef enum { SEND_OK, SEND_DEAD, SEND_BYTEBUF, SEND_OOM } SendResult;

/* sync_ref: LV_NONE, or the ref of a send-sync waiting for the take.
 * SEND_OOM: the copy does not fit in the memory budget (base/mem.h); the
 * receiver is untouched and *oom_bytes says how much it wanted. */
SendResult send_message(Proc *from, Value to, Value msg, Value sync_ref, size_t *oom_bytes);
/* Forget the send cache (send.c), giving back its reference: when the
 * process ends or is freed. Owner only. */
void send_cache_drop(Proc *p);
/* Runtime shutdown, schedulers stopped: every process's send cache. */
void send_caches_drop_all(struct Runtime *rt);

#endif
