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
    m->next_seq = 0;
}

void mbox_release(Mailbox *m) {
    Msg *x = m->first;
    while (x) {
        Msg *next = x->next;
        heap_frag_release(x->frag);
        free(x);
        x = next;
    }
    mbox_init(m);
}

void mbox_append(Mailbox *m, Value v, HeapFrag *frag, Value sync_ref, Value sync_from) {
    Msg *x = malloc(sizeof *x);
    if (!x) abort();
    x->next = NULL;
    x->value = v;
    x->frag = frag;
    x->seq = m->next_seq++;
    x->sync_ref = sync_ref;
    x->sync_from = sync_from;
    *m->last_next = x;
    m->last_next = &x->next;
    m->len++;
}

void mbox_remove(Mailbox *m, Msg **link, Heap *h) {
    Msg *x = *link;
    *link = x->next;
    if (m->last_next == &x->next) m->last_next = link;
    m->len--;
    /* The accepted value still lives in x->frag: hand the fragment to the
     * heap, whose next collection copies the value out and frees it. */
    if (x->frag) heap_adopt_frag(h, x->frag);
    free(x);
}

void mbox_absorb_frags(Proc *p) {
    for (Msg *x = p->mbox.first; x; x = x->next)
        if (x->frag) {
            heap_adopt_frag(&p->heap, x->frag);
            x->frag = NULL;
        }
}

void mbox_forward_roots(Proc *p, Value (*fwd)(void *ctx, Value v), void *ctx) {
    for (Msg *x = p->mbox.first; x; x = x->next) x->value = fwd(ctx, x->value);
}
