/*
 * set.c — the set API of term/coll.h: a set is the map code of map.c with
 * one-word entries (layouts in term/coll_priv.h). Adding an element that is
 * already present keeps the stored one and returns the set unchanged.
 */
#include "term/coll_priv.h"

Value set_empty(Proc *p) { return hc_empty(p, 1); }
size_t set_count(Value s) { return hc_count(s); }
bool set_contains(Value s, Value x) { return hc_find(s, x, 1) != NULL; }

Value set_get(Value s, Value x) {
    const Value *e = hc_find(s, x, 1);
    return e ? e[0] : LV_NONE;
}

Value set_add(Proc *p, Value s, Value x) { return hc_put(p, s, &x, 1); }
Value set_remove(Proc *p, Value s, Value x) { return hc_remove(p, s, x, 1); }
Value set_from(Proc *p, const Value *xs, size_t n) { return hc_from(p, xs, n, 1); }
