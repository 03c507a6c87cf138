/*
 * exit.c — acting on exit, link and monitor signals (see exit.h).
 */
#include "proc/exit.h"

#include <stdlib.h>

#include "proc/proc.h"

void exit_handle_signal(struct Proc *p, Signal *s) {
    (void)p;
    free(s->frag);
    free(s);
}
