/*
 * region.h — shared memory regions (lona.process.md, "Shared Memory"):
 * made by a realm, shared with its children read-only or read-write,
 * unshared again (region.c). Region handles are IMM_REGION immediates,
 * valid in the realm that holds them.
 */
#ifndef LONA_REALM_REGION_H
#define LONA_REALM_REGION_H

#include <stdbool.h>
#include <stdint.h>

#include "proc/proc.h"
#include "vm/runtime.h"

struct RealmState;
typedef struct Region Region;

/* (make-shared-region size name): a new region of size bytes (1 to 1 GiB,
 * counted in this realm's memory budget), zeroed. */
Value region_make(Proc *p, Value size, Value name);
Value region_size(Proc *p, Value r);
Value region_name(Proc *p, Value r);
/* Whether r is a region of this realm, and its size. */
bool region_lookup(Proc *p, Value r, size_t *size);
/* (region-read r offset length), the range checked by the caller: a
 * binary of the bytes there now; :revoked once unshared. */
Value region_read(Proc *p, Value r, size_t off, size_t len);
/* (region-write! r offset binary), the range checked by the caller: :ok;
 * :read-only where it was shared so, :revoked once unshared. */
Value region_write(Proc *p, Value r, size_t off, const uint8_t *bytes, size_t len);
/* (share-region r child access): :ok, or [:error :not-child]. */
Value region_share(Proc *p, Value r, Value realm, Value access);
/* (unshare-region r child): :ok, or [:error :not-child]. */
Value region_unshare(Proc *p, Value r, Value realm);
/* (get-shared-region name): a region the parent shares under name, or nil. */
Value region_get(Proc *p, Value name);

/* Child, poller thread: the parent's REALM_OP_REGION frame (its value v,
 * and the descriptor it carried, taken when kept). */
void region_on_request(struct RealmState *rs, Value v, int *passed_fd);
/* A region handle's payload is its id in this realm; one of another
 * realm, received in a message and not shared with this realm, has that
 * realm's id from bit 40 and its id there below. */
#define REGION_OWNER_SHIFT 40
#define REGION_ID_MASK ((UINT64_C(1) << REGION_OWNER_SHIFT) - 1)
/* How handle v crosses realms: the realm that made the region and its id
 * there; false if v names no region. */
bool region_to_wire(Runtime *rt, Value v, uint32_t *owner, uint64_t *id);
/* The handle, here, of region id of realm owner. */
Value region_from_wire(Runtime *rt, uint32_t owner, uint64_t id);
/* For the printer: the name and size of region id, false if unknown. */
bool region_describe(Runtime *rt, uint64_t id, Value *name, uint64_t *size);
/* Shutdown: unmap and close every region. */
void regions_free(struct RealmState *rs);

#endif
