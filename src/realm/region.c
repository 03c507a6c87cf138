/*
 * region.c — shared memory regions between a realm and its children (see
 * region.h).
 *
 * A region is a memfd mapped MAP_SHARED in the realm that made it; its
 * size is counted in that realm's memory budget for as long as the realm
 * lives (a region handle is an immediate, which no collector can follow,
 * so a region is never freed before its realm). share-region sends the
 * child a descriptor over their link: the memfd itself for :read-write, a
 * read-only descriptor of the same file (opened again through /proc) for
 * :read-only, so that the child's kernel refuses it a writable mapping
 * whatever its code does (a sandboxed realm cannot open /proc: it shares
 * its own regions :read-write only). The child maps it and lists it under its name;
 * unshare-region tells the child to unmap it (the child's runtime obeys:
 * Lonala code in a child cannot keep a mapping), and a handle the child
 * still holds then fails with :revoked.
 *
 * A handle crosses realms in a message as the realm that made the region
 * and its id there (a handle to a region the parent shares is the
 * parent's): where the region is shared, it is the local handle again;
 * elsewhere a handle that names a region of another realm, on which every
 * operation is :badarg (the bytes come only with share-region).
 *
 * Reads and writes copy between the mapping and binaries under the
 * region lock, so that an unmap never races a copy. The bytes themselves
 * are shared with the other realm: what one writes, the other reads, with
 * no ordering beyond what the two agree on by messages.
 */
#include "realm/region.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/mem.h"
#include "gc/literal.h"
#include "realm/frame.h"
#include "realm/realm_priv.h"
#include "term/binary.h"
#include "term/num.h"
#include "vm/error.h"

/* Largest region: a GiB. */
#define REGION_MAX ((size_t)1 << 30)

struct Region {
    struct Region *next;
    uint64_t id;             /* IMM_REGION payload, unique in this realm */
    Value name;              /* symbol, in the literal area */
    size_t size;
    int fd;
    uint8_t *base;           /* NULL once revoked */
    bool writable;
    uint64_t origin;         /* shared by the parent: its id there; 0 if made here */
};

static Region *find_locked(RealmState *rs, uint64_t id) {
    for (Region *r = rs->regions; r; r = r->next)
        if (r->id == id) return r;
    return NULL;
}

static Region *add_locked(RealmState *rs, Value name, size_t size, int fd, uint8_t *base, bool writable,
                          uint64_t origin) {
    Region *r = xcalloc(1, sizeof *r);
    *r = (Region){.next = rs->regions, .id = ++rs->next_region, .name = name, .size = size, .fd = fd,
                  .base = base, .writable = writable, .origin = origin};
    rs->regions = r;
    return r;
}

static Value region_value(const Region *r) { return IMM(IMM_REGION, r->id); }

static bool rs_sandboxed(Proc *p) { return realm_state(p->rt)->sandboxed; }

Value region_make(Proc *p, Value size, Value name) {
    Runtime *rt = p->rt;
    RealmState *rs = realm_state(rt);
    Value args[2] = {size, name};
    int64_t n;
    if (!is_integer(size) || !num_to_i64(size, &n) || n <= 0 || (uint64_t)n > REGION_MAX || !is_symbol(name))
        return err_badarg(p, "make-shared-region", args, 2);
    if ((size_t)n > mem_room())
        return err_oomf(p, "make-shared-region: %lld bytes do not fit in this realm's memory budget",
                        (long long)n);
    int fd = memfd_create("lona-region", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0 || ftruncate(fd, (off_t)n) < 0) {
        int e = errno;
        if (fd >= 0) close(fd);
        return err_raisef(p, kw(rt, "system-limit"), "make-shared-region: %s", strerror(e));
    }
    /* Its size is fixed: a peer that could shrink it would fault the other. */
    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
    void *base = mmap(NULL, (size_t)n, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        int e = errno;
        close(fd);
        return err_raisef(p, kw(rt, "system-limit"), "make-shared-region: %s", strerror(e));
    }
    mem_charge((size_t)n);
    pthread_mutex_lock(&rs->region_lock);
    Region *r = add_locked(rs, lit_copy(rt, sym_strip(name)), (size_t)n, fd, base, true, 0);
    Value v = region_value(r);
    pthread_mutex_unlock(&rs->region_lock);
    return v;
}

/* The region of handle v, under the lock (NULL, lock released, after
 * raising badarg, when v is not a region of this realm). */
static Region *lock_region(Proc *p, Value v, const char *fname, Value *args, uint32_t n) {
    RealmState *rs = realm_state(p->rt);
    if (!is_imm_of(v, IMM_REGION)) {
        err_badarg(p, fname, args, n);
        return NULL;
    }
    pthread_mutex_lock(&rs->region_lock);
    Region *r = find_locked(rs, imm_payload(v));
    if (!r) {
        pthread_mutex_unlock(&rs->region_lock);
        err_badarg(p, fname, args, n);
    }
    return r;
}

static void unlock_regions(Proc *p) { pthread_mutex_unlock(&realm_state(p->rt)->region_lock); }

Value region_size(Proc *p, Value v) {
    Region *r = lock_region(p, v, "region-size", &v, 1);
    if (!r) return LV_EXC;
    size_t n = r->size;
    unlock_regions(p);
    return num_from_u64(p, n);
}

Value region_name(Proc *p, Value v) {
    Region *r = lock_region(p, v, "region-name", &v, 1);
    if (!r) return LV_EXC;
    Value name = r->name;
    unlock_regions(p);
    return name;
}

static Value revoked(Proc *p, const char *fname) {
    unlock_regions(p);
    return err_raisef(p, kw(p->rt, "revoked"), "%s: the region is no longer shared with this realm", fname);
}

bool region_lookup(Proc *p, Value v, size_t *size) {
    RealmState *rs = realm_state(p->rt);
    if (!is_imm_of(v, IMM_REGION)) return false;
    pthread_mutex_lock(&rs->region_lock);
    Region *r = find_locked(rs, imm_payload(v));
    if (r) *size = r->size;
    pthread_mutex_unlock(&rs->region_lock);
    return r != NULL;
}

Value region_read(Proc *p, Value v, size_t off, size_t len) {
    Region *r = lock_region(p, v, "region-read", &v, 1);
    if (!r) return LV_EXC;
    if (!r->base) return revoked(p, "region-read");
    /* The binary is made with the lock held: an unmap waits for the copy. */
    Value bin = mk_binary(p, r->base + off, len);
    unlock_regions(p);
    return bin;
}

Value region_write(Proc *p, Value v, size_t off, const uint8_t *bytes, size_t len) {
    Region *r = lock_region(p, v, "region-write!", &v, 1);
    if (!r) return LV_EXC;
    if (!r->base) return revoked(p, "region-write!");
    if (!r->writable) {
        unlock_regions(p);
        return err_raisef(p, kw(p->rt, "read-only"), "region-write!: this realm may only read the region");
    }
    memcpy(r->base + off, bytes, len);
    unlock_regions(p);
    return K_(ok);
}

Value region_get(Proc *p, Value name) {
    RealmState *rs = realm_state(p->rt);
    if (!is_symbol(name)) return err_badarg(p, "get-shared-region", &name, 1);
    Value key = sym_strip(name);
    Value found = LV_NIL;
    pthread_mutex_lock(&rs->region_lock);
    for (Region *r = rs->regions; r; r = r->next)
        if (r->origin && r->base && r->name == key) {
            found = region_value(r);
            break;
        }
    pthread_mutex_unlock(&rs->region_lock);
    return found;
}

/* A descriptor of r's file for a child: the memfd itself, or a read-only
 * one opened again through /proc (-1 if that is refused). */
static int descriptor_for(const Region *r, bool writable) {
    if (writable) return fcntl(r->fd, F_DUPFD_CLOEXEC, 10);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", r->fd);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    int high = fcntl(fd, F_DUPFD_CLOEXEC, 10);
    close(fd);
    return high;
}

Value region_share(Proc *p, Value v, Value realm, Value access) {
    Runtime *rt = p->rt;
    Value args[3] = {v, realm, access};
    bool writable = access == kw(rt, "read-write");
    if (!is_imm_of(realm, IMM_REALM) || (!writable && access != kw(rt, "read-only"))) return err_badarg(p, "share-region", args, 3);
    Region *r = lock_region(p, v, "share-region", args, 3);
    if (!r) return LV_EXC;
    if (!r->base) return revoked(p, "share-region");
    if (writable && !r->writable) {
        unlock_regions(p);
        return err_raisef(p, kw(rt, "read-only"), "share-region: this realm may only read the region");
    }
    int fd = descriptor_for(r, writable);
    Value name = r->name, data = LV_NIL;
    uint64_t id = r->id;
    size_t size = r->size;
    unlock_regions(p);
    if (fd < 0 && !writable && rs_sandboxed(p))
        return err_raisef(p, kw(rt, "system-limit"),
                          "share-region: a sandboxed realm cannot make a read-only descriptor of a region; "
                          "share it :read-write, or make it in the root");
    if (fd < 0) return err_raisef(p, kw(rt, "system-limit"), "share-region: %s", strerror(errno));
    Value items[5] = {kw(rt, "share"), name, num_from_u64(p, size), num_from_u64(p, id), lv_bool(writable)};
    data = mk_tuple(p, 5);
    memcpy(tuple_elems(data), items, sizeof items);
    if (!realm_send_to_child(p, (uint32_t)imm_payload(realm), REALM_OP_REGION, data, fd))
        return err_pair(p, kw(rt, "not-child"));
    return K_(ok);
}

Value region_unshare(Proc *p, Value v, Value realm) {
    Runtime *rt = p->rt;
    Value args[2] = {v, realm};
    if (!is_imm_of(realm, IMM_REALM)) return err_badarg(p, "unshare-region", args, 2);
    Region *r = lock_region(p, v, "unshare-region", args, 2);
    if (!r) return LV_EXC;
    uint64_t id = r->id;
    unlock_regions(p);
    Value data = mk_tuple2(p, kw(rt, "unshare"), num_from_u64(p, id));
    if (!realm_send_to_child(p, (uint32_t)imm_payload(realm), REALM_OP_REGION, data, -1))
        return err_pair(p, kw(rt, "not-child"));
    return K_(ok);
}

/* ---- the child's side (poller thread) ---------------------------------------------- */

static void accept_share(RealmState *rs, Value v, int *passed_fd) {
    Runtime *rt = rs->rt;
    const Value *e = tuple_elems(v);
    int64_t size, origin;
    if (tuple_len(v) != 5 || !is_symbol(e[1]) || !is_integer(e[2]) || !num_to_i64(e[2], &size) || size <= 0 ||
        (uint64_t)size > REGION_MAX || !is_integer(e[3]) || !num_to_i64(e[3], &origin) || origin <= 0 ||
        (e[4] != LV_TRUE && e[4] != LV_FALSE) || *passed_fd < 0)
        return;
    bool writable = e[4] == LV_TRUE;
    /* The parent's word on the size is checked against the file itself. */
    off_t end = lseek(*passed_fd, 0, SEEK_END);
    if (end != (off_t)size) return;
    void *base = mmap(NULL, (size_t)size, PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED, *passed_fd, 0);
    if (base == MAP_FAILED) return;
    pthread_mutex_lock(&rs->region_lock);
    /* Shared again under a name it had: the new grant replaces the old. */
    for (Region *r = rs->regions; r; r = r->next)
        if (r->origin == (uint64_t)origin && r->base) {
            munmap(r->base, r->size);
            r->base = NULL;
        }
    add_locked(rs, lit_copy(rt, sym_strip(e[1])), (size_t)size, *passed_fd, base, writable, (uint64_t)origin);
    *passed_fd = -1;
    pthread_mutex_unlock(&rs->region_lock);
}

static void revoke_share(RealmState *rs, Value v) {
    int64_t origin;
    if (tuple_len(v) != 2 || !is_integer(tuple_elems(v)[1]) || !num_to_i64(tuple_elems(v)[1], &origin)) return;
    pthread_mutex_lock(&rs->region_lock);
    for (Region *r = rs->regions; r; r = r->next)
        if (r->origin == (uint64_t)origin && r->base) {
            munmap(r->base, r->size);
            r->base = NULL;
            close(r->fd);
            r->fd = -1;
        }
    pthread_mutex_unlock(&rs->region_lock);
}

void region_on_request(RealmState *rs, Value v, int *passed_fd) {
    Runtime *rt = rs->rt;
    if (!is_tuple(v) || tuple_len(v) < 2) return;
    if (tuple_elems(v)[0] == kw(rt, "share")) accept_share(rs, v, passed_fd);
    else if (tuple_elems(v)[0] == kw(rt, "unshare")) revoke_share(rs, v);
}

/* ---- handles in messages between realms ------------------------------------------ */

bool region_to_wire(Runtime *rt, Value v, uint32_t *owner, uint64_t *id) {
    uint64_t x = imm_payload(v);
    if (x >> REGION_OWNER_SHIFT) {
        /* Of another realm already: it crosses on as it came. */
        *owner = (uint32_t)(x >> REGION_OWNER_SHIFT);
        *id = x & REGION_ID_MASK;
        return true;
    }
    RealmState *rs = realm_state(rt);
    pthread_mutex_lock(&rs->region_lock);
    Region *r = find_locked(rs, x);
    if (r) {
        /* A region the parent shares is known by the parent's id of it. */
        *owner = r->origin ? rs->parent_id : rt->realm_id;
        *id = r->origin ? r->origin : r->id;
    }
    pthread_mutex_unlock(&rs->region_lock);
    return r != NULL;
}

Value region_from_wire(Runtime *rt, uint32_t owner, uint64_t id) {
    RealmState *rs = realm_state(rt);
    Value v = IMM(IMM_REGION, (uint64_t)owner << REGION_OWNER_SHIFT | (id & REGION_ID_MASK));
    pthread_mutex_lock(&rs->region_lock);
    if (owner == rt->realm_id) {
        if (find_locked(rs, id)) v = IMM(IMM_REGION, id);
    } else if (owner == rs->parent_id && owner != 0) {
        /* The parent's region: ours if it is shared with us (the mapping
         * still there first, else a revoked one, which says :revoked). */
        Region *found = NULL;
        for (Region *r = rs->regions; r; r = r->next)
            if (r->origin == id && (!found || (r->base && !found->base))) found = r;
        if (found) v = region_value(found);
    }
    pthread_mutex_unlock(&rs->region_lock);
    return v;
}

bool region_describe(Runtime *rt, uint64_t id, Value *name, uint64_t *size) {
    RealmState *rs = realm_state(rt);
    pthread_mutex_lock(&rs->region_lock);
    Region *r = find_locked(rs, id);
    if (r) {
        *name = r->name;
        *size = r->size;
    }
    pthread_mutex_unlock(&rs->region_lock);
    return r != NULL;
}

void regions_free(RealmState *rs) {
    for (Region *r = rs->regions, *next; r; r = next) {
        next = r->next;
        if (r->base) munmap(r->base, r->size);
        if (r->fd >= 0) close(r->fd);
        free(r);
    }
    rs->regions = NULL;
}
