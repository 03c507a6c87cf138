/*
 * registry.h — the realm's name registry: symbol -> pid. A process has at
 * most one name; the name goes when the process exits.
 */
#ifndef LONA_REGISTRY_H
#define LONA_REGISTRY_H

#include <stdbool.h>

#include "term/term.h"

struct Runtime;
typedef struct Registry Registry;

Registry *registry_new(void);
void registry_free(Registry *r);
/* false if the name is taken. */
bool registry_add(struct Runtime *rt, Value name, Value pid);
/* Remove name if it maps to pid (pid LV_NONE: whatever it maps to).
 * Returns whether something was removed. */
bool registry_remove(struct Runtime *rt, Value name, Value pid);
/* Remove every name of pid (its process exited). */
void registry_remove_pid(struct Runtime *rt, Value pid);
/* The pid registered under name, or LV_NIL. */
Value registry_lookup(struct Runtime *rt, Value name);
/* The atom indexes of every registered name, in a malloc'd array (*n
 * entries; the caller frees it). A snapshot: names may come and go after. */
uint32_t *registry_names(struct Runtime *rt, uint32_t *n);

#endif
