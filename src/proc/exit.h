/*
 * exit.h — exits, links and monitors (spec lona.process: Linking,
 * Monitoring, Lifecycle and its three tables; Erlang's rules where the
 * spec is silent).
 *
 * Every function here runs on the thread running process p (the owner);
 * other processes are only reached through their signal queues.
 */
#ifndef LONA_EXIT_H
#define LONA_EXIT_H

#include <stdbool.h>

#include "proc/signal.h"
#include "term/term.h"

struct Runtime;

struct Proc;
struct Runtime;

/* Send a signal carrying a copy of `value` (may be LV_NONE) to `to`.
 * Returns false if `to` is not a live process of this realm. */
bool signal_send(struct Proc *from, Value to, SignalKind kind, Value value, Value ref, uint32_t flags);

/* Act on a non-message signal taken from the queue, and free it. */
void exit_handle_signal(struct Proc *p, Signal *s);

/* The process ends with reason: notify links and monitors, unregister,
 * print a crash report when an error goes unobserved, release memory. */
void exit_process(struct Proc *p, Value reason);

/* Drain signals that reached a dead process: links and monitors get
 * :noproc answers, messages are dropped. */
void exit_answer_late_signals(struct Proc *p);

/* link, unlink, monitor, demonitor, exit/2 for process p. */
void exit_link(struct Proc *p, Value pid);
void exit_unlink(struct Proc *p, Value pid);
Value exit_monitor(struct Proc *p, Value pid);
void exit_demonitor(struct Proc *p, Value ref);
void exit_send_exit(struct Proc *p, Value pid, Value reason);
/* Any thread: send the untrappable :kill exit signal to target (used by
 * the host to stop a call that runs too long). */
void exit_kill_from_host(struct Proc *target);
/* spawn-link / spawn-monitor: the child has not run yet, so both sides
 * are set directly. */
void exit_link_new_child(struct Proc *p, struct Proc *child);
Value exit_monitor_new_child(struct Proc *p, struct Proc *child);

/* spawn-link-in / spawn-monitor-in, on the spawning realm's side: a new
 * process (not yet run) linked to, or monitored by, a process of another
 * realm. The link's signal leaves before the spawner's reply, so the
 * caller has both halves when it learns the pid. */
void exit_link_new_to_remote(struct Proc *child, Value remote);
void exit_watch_new_by_remote(struct Proc *child, Value remote, Value ref);
/* On the caller's side, before the pid is known: a monitor of a process
 * to come in realm `realm` (its pid 0 stands in, so that the realm's end
 * fires it), then pointed at the real pid (LV_NONE: dropped, the spawn
 * failed). A :DOWN that came first has already removed it. */
Value exit_monitor_to_come(struct Proc *p, uint32_t realm);
void exit_monitor_arrived(struct Proc *p, Value ref, Value pid);

/* Set when a signal decided the process must end (checked by the VM and
 * the scheduler): the reason, else LV_NONE. */
#define EXIT_PENDING(p) ((p)->pending_exit != LV_NONE)

/* A realm went away (reason :killed or :noconnection, an immediate):
 * every link and monitor of this realm's processes to a pid of it fires. */
void exit_realm_gone(struct Runtime *rt, uint32_t realm, Value reason);

#endif
