/*
 * info.c — what a realm tells of itself and of its descendants: its
 * parent, its children, realm-info of a descendant (with the resource
 * usage of its OS process, from /proc), and the count of frames dropped
 * as malformed (see realm.h).
 */
#include "realm/realm_priv.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "term/alloc.h"
#include "term/atoms.h"
#include "term/coll.h"
#include "term/num.h"
#include "vm/rt.h"

Value realm_parent(Proc *p) {
    RealmState *rs = realm_state(p->rt);
    return rs->parent_id ? IMM(IMM_REALM, rs->parent_id) : LV_NIL;
}

Value realm_children(Proc *p) {
    RealmState *rs = realm_state(p->rt);
    Value s = set_empty(p);
    pthread_mutex_lock(&rs->lock);
    uint32_t ids[256];
    size_t n = 0;
    for (ChildRealm *c = rs->children; c && n < 256; c = c->next) ids[n++] = c->id;
    pthread_mutex_unlock(&rs->lock);
    for (size_t i = 0; i < n; i++) s = set_add(p, s, IMM(IMM_REALM, ids[i]));
    return s;
}

/* Resident memory and cpu time of an OS process, from /proc. */
static void os_usage(pid_t pid, uint64_t *rss_bytes, double *cpu_seconds) {
    char path[64], buf[1024];
    *rss_bytes = 0;
    *cpu_seconds = 0;
    snprintf(path, sizeof path, "/proc/%ld/statm", (long)pid);
    FILE *f = fopen(path, "r");
    if (f) {
        unsigned long size, resident;
        if (fscanf(f, "%lu %lu", &size, &resident) == 2) *rss_bytes = (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
        fclose(f);
    }
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    f = fopen(path, "r");
    if (f) {
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = 0;
        fclose(f);
        char *close_paren = strrchr(buf, ')');
        unsigned long utime = 0, stime = 0;
        if (close_paren &&
            sscanf(close_paren + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) == 2)
            *cpu_seconds = (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
    }
}

Value realm_child_info(Proc *p, Value realm) {
    Runtime *rt = p->rt;
    RealmState *rs = realm_state(rt);
    uint32_t id = (uint32_t)imm_payload(realm);
    pthread_mutex_lock(&rs->lock);
    ChildRealm *c = realm_child_locked(rs, id);
    bool known = realm_via_locked(rs, id) != NULL;
    Value name = c ? c->name : LV_NIL, policy = c ? c->policy : LV_NIL;
    size_t granted = c ? c->mem_granted : 0;
    pid_t pid = c ? c->os_pid : 0;
    unsigned sched = c ? c->schedulers : 0;
    uint32_t parent = c ? rt->realm_id : 0;
    /* Below a child, the root knows what it launched; other realms leave
     * the rest to the realm's own agent (lib/lona/45_realm.lona). */
    if (!c && known && rt->realm_id == 1) launch_describe_locked(rs, id, &name, &parent, &pid);
    pthread_mutex_unlock(&rs->lock);
    if (!known) return LV_NIL;
    uint64_t rss;
    double cpu;
    os_usage(pid, &rss, &cpu);
    /* :memory-granted: the budget it has from this realm (policy.c). */
    Value usage[] = {kw(rt, "memory"), num_from_u64(p, rss), kw(rt, "cpu-seconds"), mk_float(p, cpu),
                     kw(rt, "os-pid"), fix(pid), kw(rt, "memory-granted"), granted ? num_from_u64(p, granted) : LV_NIL};
    Value kvs[] = {
        K_(name), name,
        K_(status), K_(running),
        kw(rt, "parent"), parent ? IMM(IMM_REALM, parent) : LV_NIL,
        kw(rt, "children"), set_empty(p),
        kw(rt, "policy"), policy == LV_NIL ? map_empty(p) : policy,
        kw(rt, "schedulers"), sched ? fix(sched) : kw(rt, "auto"),
        kw(rt, "resource-usage"), map_from_kvs(p, usage, sizeof usage / sizeof usage[0]),
    };
    return map_from_kvs(p, kvs, sizeof kvs / sizeof kvs[0]);
}

uint64_t realm_dropped_frames(Runtime *rt) {
    RealmState *rs = realm_state(rt);
    uint64_t n = atomic_load(&rs->dropped_gone);
    pthread_mutex_lock(&rs->lock);
    for (ChildRealm *c = rs->children; c; c = c->next) n += atomic_load(&c->link->dropped);
    if (rs->parent) n += atomic_load(&rs->parent->dropped);
    pthread_mutex_unlock(&rs->lock);
    return n;
}
