/*
 * notify.c — signal! on a notification of another realm.
 *
 * A notification that leaves its realm in a message travels as its
 * owner's realm id and its token (proc/notif.h, realm/wire.c); whoever
 * receives it holds the capability to signal it. signal! on such a value
 * is a request frame to the owner's realm, [token bits], which needs no
 * answer: the owner signals the notification with that token, if it has
 * one, as if one of its processes had. A token nobody was given signals
 * nothing, and says nothing back.
 *
 * Only signal! crosses: a process waits (wait!) or polls (poll!) on the
 * notifications of its own realm.
 */
#include "realm/realm_priv.h"

#include "proc/notif.h"
#include "term/alloc.h"
#include "term/atoms.h"
#include "term/coll.h"
#include "term/num.h"
#include "vm/rt.h"

Value realm_notify(Proc *p, Value n, uint64_t bits) {
    Runtime *rt = p->rt;
    uint32_t owner = notif_owner(n);
    if (owner == rt->realm_id) {
        /* One of ours whose token we no longer know of: nothing to signal. */
        Value mine = notif_by_token(rt, notif_token_of(n));
        if (mine != LV_NONE) notif_signal(rt, mine, bits);
        return K_(ok);
    }
    Value data = mk_tuple2(p, num_from_u64(p, notif_token_of(n)), num_from_u64(p, bits));
    realm_send_request(p, owner, REALM_OP_NOTIFY, data);
    return K_(ok);
}

void realm_notify_here(RealmState *rs, Value data) {
    int64_t token, bits;
    if (!is_tuple(data) || tuple_len(data) != 2 || !is_integer(tuple_elems(data)[0]) ||
        !is_integer(tuple_elems(data)[1]) || !num_to_i64(tuple_elems(data)[0], &token) ||
        !num_to_i64(tuple_elems(data)[1], &bits) || token <= 0 || bits <= 0)
        return;
    Value n = notif_by_token(rs->rt, (uint64_t)token);
    if (n != LV_NONE) notif_signal(rs->rt, n, (uint64_t)bits);
}
