/*
 * policy.c — a realm's memory and cpu policy (see policy.h).
 *
 * A realm is an OS process with a memory budget of its own (base/mem.h).
 * A child created with `:memory` in its policy gets its budget out of its
 * creator's: the creator counts the child's grant as memory in use, for
 * as long as the child lives, so a tree of realms holds no more than the
 * root's budget. The child's runtime enforces its budget as every
 * runtime does (a process over it ends with [:error :oom], never the
 * realm). request-memory and return-memory move budget between a child
 * and its parent, between the policy's :min and :max.
 *
 * Trust: the parent decides every grant and the child's runtime applies
 * only what its parent's link says (Lonala code in a child cannot set its
 * own budget). A child's word is checked: it cannot give back more than
 * it was given, nor ask past its :max.
 *
 * The cpu part: a child started with `:cpu %{:max f}` runs with a CPU
 * quota of f cores (sched_set_cpu_quota, set by child.c from its start-up
 * arguments before any Lonala code runs there): its runtime throttles its
 * own scheduler threads, which only runtime code drives. :min is checked
 * and recorded; a guarantee would need the kernel's help (cgroups).
 */
#include "realm/policy.h"

#include "base/mem.h"
#include "realm/realm_priv.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/coll.h"
#include "term/num.h"
#include "vm/error.h"

/* A share of the CPU, in cores, 0 to 1024: LV_NONE (absent) gives 0. */
static bool cores_of(Value v, double *out) {
    *out = 0;
    if (v == LV_NONE) return true;
    if (!is_number(v)) return false;
    double d = num_to_double(v);
    if (!(d >= 0 && d <= 1024)) return false;
    *out = d;
    return true;
}

bool policy_cpu_ok(Value v, double *cores) { return v != LV_NONE && cores_of(v, cores); }

/* A byte count of the memory policy: LV_NONE (absent) gives 0. */
static bool bytes_of(Value v, size_t *out) {
    int64_t n;
    *out = 0;
    if (v == LV_NONE) return true;
    if (!is_integer(v) || !num_to_i64(v, &n) || n < (int64_t)MEM_LIMIT_MIN || (uint64_t)n > MEM_LIMIT_MAX) return false;
    *out = (size_t)n;
    return true;
}

bool policy_parse(Runtime *rt, Value pol, RealmPolicy *out) {
    *out = (RealmPolicy){0, 0, 0};
    if (pol == LV_NONE || pol == LV_NIL) return true;
    if (!is_map(pol)) return false;
    Value cpu = map_get(pol, kw(rt, "cpu")), mem = map_get(pol, kw(rt, "memory"));
    if (cpu != LV_NONE) {
        double min, max;
        if (!is_map(cpu)) return false;
        Value vmax = map_get(cpu, kw(rt, "max"));
        if (!cores_of(map_get(cpu, kw(rt, "min")), &min) || !cores_of(vmax, &max)) return false;
        /* A :max of 0 would never let the realm run. */
        if (vmax != LV_NONE && (max == 0 || min > max)) return false;
        out->cpu_max = max;
    }
    if (mem == LV_NONE) return true;
    size_t min, max;
    if (!is_map(mem) || !bytes_of(map_get(mem, kw(rt, "min")), &min) || !bytes_of(map_get(mem, kw(rt, "max")), &max))
        return false;
    if (min && max && min > max) return false;
    /* Only :max: the whole of it at once. Only :min: that, and as much
     * more as the parent will give. */
    out->start = min ? min : max;
    out->ceiling = max;
    return true;
}

Value policy_carve(Proc *p, const RealmPolicy *m) {
    if (!m->start) return LV_NIL;
    size_t room = mem_room();
    if (m->start > room)
        return err_oomf(p,
                        "realm-create: a :memory of %zu bytes does not fit in this realm's budget "
                        "(%zu bytes left; request-memory asks the parent for more)",
                        m->start, room);
    mem_charge(m->start);
    return LV_NIL;
}

void policy_release_locked(ChildRealm *c) {
    if (c->mem_granted) mem_uncharge(c->mem_granted);
    c->mem_granted = 0;
}

/* ---- a child asks, its parent answers (poller thread) ---------------------------------- */

/* Data of a REALM_OP_MEMORY request: [:request n] or [:return n]. */
static bool memory_request(Runtime *rt, Value v, bool *more, size_t *n) {
    int64_t k;
    if (!is_tuple(v) || tuple_len(v) != 2) return false;
    Value what = tuple_elems(v)[0], amount = tuple_elems(v)[1];
    if (what != kw(rt, "request") && what != kw(rt, "return")) return false;
    if (!is_integer(amount) || !num_to_i64(amount, &k) || k < 0) return false;
    *more = what == kw(rt, "request");
    *n = (size_t)k;
    return true;
}

Value policy_serve(RealmState *rs, ChildRealm *c, Value v) {
    Runtime *rt = rs->rt;
    Proc *h = rs->scratch;
    bool more;
    size_t n;
    if (!memory_request(rt, v, &more, &n)) return err_pair(h, K_(badarg));
    pthread_mutex_lock(&rs->lock);
    Value answer;
    if (!c->mem_granted) {
        answer = err_pair(h, kw(rt, "no-memory-policy"));
    } else if (!more) {
        /* What it was given, never more; at least the smallest budget stays. */
        size_t k = c->mem_granted - MEM_LIMIT_MIN < n ? c->mem_granted - MEM_LIMIT_MIN : n;
        c->mem_granted -= k;
        mem_uncharge(k);
        answer = mk_tuple2(h, K_(ok), num_from_u64(h, c->mem_granted));
    } else if (c->mem_ceiling && (n > c->mem_ceiling || c->mem_granted > c->mem_ceiling - n)) {
        answer = err_pair(h, kw(rt, "policy-limit"));
    } else if (n > mem_room()) {
        answer = err_pair(h, K_(oom));
    } else {
        mem_charge(n);
        c->mem_granted += n;
        answer = mk_tuple2(h, K_(ok), num_from_u64(h, c->mem_granted));
    }
    pthread_mutex_unlock(&rs->lock);
    return answer;
}

Value policy_apply(RealmState *rs, Value answer) {
    Runtime *rt = rs->rt;
    int64_t limit;
    if (is_tuple(answer) && tuple_len(answer) == 2 && tuple_elems(answer)[0] == K_(ok) &&
        is_integer(tuple_elems(answer)[1]) && num_to_i64(tuple_elems(answer)[1], &limit) &&
        limit >= (int64_t)MEM_LIMIT_MIN && (uint64_t)limit <= MEM_LIMIT_MAX) {
        mem_set_limit((size_t)limit);
        return K_(ok);
    }
    if (is_tuple(answer) && tuple_len(answer) == 2 && tuple_elems(answer)[0] == K_(error)) return answer;
    return err_pair(rs->scratch, kw(rt, "noconnection"));
}
