/*
 * order.h — the total order of `compare`: nil first; then, within one kind,
 * numbers by value, booleans (false first), characters by code point,
 * strings by code points, keywords and symbols by namespace (none first)
 * then name, tuples and vectors by length then element by element, lists
 * element by element (a prefix first). Values of two different kinds
 * (other than nil), and maps, sets, functions and the other kinds without
 * an order, cannot be compared.
 */
#ifndef LONA_ORDER_H
#define LONA_ORDER_H

#include "term/atoms.h"
#include "term/term.h"

/* The result of lv_compare when two values have no order. */
#define ORDER_NONE 2

/* -1, 0 or 1 as a is before, with or after b; or ORDER_NONE, with the two
 * values that have no order (a and b themselves, or elements of theirs)
 * in *bad_a and *bad_b. *steps counts the pairs compared. */
int lv_compare(const AtomTable *atoms, Value a, Value b, Value *bad_a, Value *bad_b,
               size_t *steps);

/* Name of the kind of v as `compare` orders it ("number", "string"...),
 * or NULL for a value without an order. */
const char *lv_order_kind(Value v);

#endif
