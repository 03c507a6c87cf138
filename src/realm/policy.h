/*
 * policy.h — a realm's memory policy: the budget a child realm gets from
 * its creator's, and request-memory / return-memory between a child and
 * its parent (policy.c). For realm.c only.
 */
#ifndef LONA_REALM_POLICY_H
#define LONA_REALM_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "proc/proc.h"
#include "vm/runtime.h"

struct RealmState;
struct ChildRealm;

/* What the runtime enforces of a policy. The memory part: the budget the
 * child starts with (0: no :memory, the child has a budget of its own as
 * any runtime), and the most request-memory may bring it to (0: no :max).
 * The cpu part: the child's CPU quota in cores (0: none). */
typedef struct RealmPolicy {
    size_t start, ceiling;
    double cpu_max;
} RealmPolicy;

/* Check a realm-create :policy (%{:cpu %{:min :max} :memory %{:min :max}},
 * every part optional; cores from 0 to 1024, a :max above 0; byte counts
 * from 1 MiB; :min <= :max) and take what is enforced of it. */
bool policy_parse(Runtime *rt, Value pol, RealmPolicy *out);
/* A cpu quota as a request to the root carries it (launch.c, hostile
 * input): a number from 0 (none) to 1024, in *cores. */
bool policy_cpu_ok(Value v, double *cores);
/* Count m's start as used by this realm, for the child about to start:
 * LV_NIL, or LV_EXC (raised :oom) when it does not fit. */
Value policy_carve(Proc *p, const RealmPolicy *m);
/* The child is gone or going (under the realm's lock): its grant is this
 * realm's again, once. */
void policy_release_locked(struct ChildRealm *c);
/* Parent, poller thread: answer child c's REALM_OP_MEMORY request v
 * ([:request n] or [:return n]): [:ok budget] (its new budget), or
 * [:error :policy-limit | :oom | :no-memory-policy | :badarg]. */
Value policy_serve(struct RealmState *rs, struct ChildRealm *c, Value v);
/* Child, poller thread: the parent's answer to this realm's request;
 * applies a new budget and says :ok, or passes an error on. */
Value policy_apply(struct RealmState *rs, Value answer);

#endif
