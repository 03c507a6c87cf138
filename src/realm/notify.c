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
 * wait! and poll! on one are a request to the owner too, [token block],
 * answered with the word in the reply frame's arg (0: none, for poll!):
 * at once if the word is there, else (wait!) when a signal comes, the
 * asker queued at home among the local waiters. A word that reaches an
 * asker that has died meanwhile is signaled back home; the waiters of a
 * realm that is gone are dropped (notif_forget_realm), and an asker whose
 * home realm goes away gets [:error :noconnection].
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

/* The NotifDeliver of the waiters of other realms: a reply frame, the
 * word in its arg. */
static bool deliver_to_realm(Runtime *rt, Value to, Value ref, uint64_t word) {
    return realm_reply_to(realm_state(rt), to, ref, word, K_(ok));
}

Value realm_notify_take(Proc *p, Value n, bool block) {
    uint32_t owner = notif_owner(n);
    uint64_t token = notif_token_of(n);
    Value data = mk_tuple2(p, num_from_u64(p, token), lv_bool(block));
    return realm_ask_for_notif(p, REALM_OP_NOTIFY_TAKE, owner, data, token);
}

void realm_notify_take_here(RealmState *rs, RealmLink *l, const WireFrame *f, Value data) {
    int64_t token;
    if (!is_pid(f->from) || !is_ref(f->ref)) return;
    Value n = LV_NONE;
    if (is_tuple(data) && tuple_len(data) == 2 && is_integer(tuple_elems(data)[0]) &&
        num_to_i64(tuple_elems(data)[0], &token) && token > 0 &&
        (tuple_elems(data)[1] == LV_TRUE || tuple_elems(data)[1] == LV_FALSE))
        n = notif_by_token(rs->rt, (uint64_t)token);
    if (n == LV_NONE) {
        realm_reply_on(rs, l, f->from, f->ref, 0, err_pair(rs->scratch, K_(badarg)), -1);
        return;
    }
    bool block = tuple_elems(data)[1] == LV_TRUE;
    uint64_t word = 0;
    bool got = notif_take_remote(rs->rt, n, f->from, f->ref, deliver_to_realm, block, &word);
    if (got || !block) realm_reply_on(rs, l, f->from, f->ref, got ? word : 0, K_(ok), -1);
}

Value realm_notify_answer(RealmState *rs, RealmLink *l, const Pending *q, uint64_t word, Value v, bool alive) {
    if (v != K_(ok)) return v;
    if (!alive) {
        if (word) {
            Proc *sc = rs->scratch;
            realm_request_on(rs, l, q->realm, REALM_OP_NOTIFY,
                             mk_tuple2(sc, num_from_u64(sc, q->token), num_from_u64(sc, word)));
        }
        return LV_NONE;
    }
    return word ? num_from_u64(rs->scratch, word) : LV_NIL;
}
