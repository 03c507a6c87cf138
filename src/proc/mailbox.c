/*
 * mailbox.c — see mailbox.h.
 */
#include "proc/mailbox.h"

#include <stdlib.h>

#include "proc/proc.h"

void mbox_init(Mailbox *m) {
    m->first = NULL;
    m->last_next = &m->first;
    m->len = 0;
    m->taken = 0;
    m->next_seq = 0;
    m->mark_last = NULL;
    m->mark_refnum = 0;
    m->mark_set = false;
}

static void free_entry(Msg *x) {
    if (x->absorbed)
        signal_free(x);
    else
        heap_frag_release(x->frag); /* releases off-heap objects, frees the block */
}

void mbox_release(Mailbox *m) {
    Msg *x = m->first;
    while (x) {
        Msg *next = x->mnext;
        free_entry(x);
        x = next;
    }
    mbox_init(m);
}

void mbox_append(Mailbox *m, Msg *x) {
    x->mnext = NULL;
    x->seq = m->next_seq++;
    *m->last_next = x;
    m->last_next = &x->mnext;
    m->len++;
}

void mbox_append_local(Mailbox *m, Value v) {
    Msg *x = signal_alloc(0);
    x->kind = SIG_MESSAGE;
    x->value = v;
    x->from = LV_NIL;
    x->absorbed = true; /* the value is on the heap already */
    mbox_append(m, x);
}

void mbox_remove(Mailbox *m, Msg **link, Heap *h) {
    Msg *x = *link;
    if (x == m->mark_last) /* the mark moves back to the predecessor */
        m->mark_last = link == &m->first ? NULL : (Msg *)((char *)link - offsetof(Msg, mnext));
    *link = x->mnext;
    if (m->last_next == &x->mnext) m->last_next = link;
    m->len--;
    if (x->flags & SF_COUNTED) m->taken++;
    if (x->absorbed || x->frag->used == 0)
        signal_free(x);
    else
        heap_adopt_frag(h, x->frag); /* the taken value lives there until the next collection */
}

size_t mbox_absorb_frags(Proc *p) {
    size_t words = 0;
    for (Msg *x = p->mbox.first; x; x = x->mnext)
        if (!x->absorbed) {
            heap_track_frag_offheap(&p->heap, x->frag);
            x->absorbed = true;
            words += x->frag->used;
        }
    return words;
}

void mbox_forward_roots(Proc *p, Value (*fwd)(void *ctx, Value v), void *ctx) {
    for (Msg *x = p->mbox.first; x; x = x->mnext) x->value = fwd(ctx, x->value);
}
