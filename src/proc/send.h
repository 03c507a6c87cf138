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

typedef enum { SEND_OK, SEND_DEAD, SEND_BYTEBUF } SendResult;

/* sync_ref: LV_NONE, or the ref of a send-sync waiting for the take. */
SendResult send_message(Proc *from, Value to, Value msg, Value sync_ref);

#endif
