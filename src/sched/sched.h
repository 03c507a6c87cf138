/*
 * sched.h — the schedulers of a realm.
 */
#ifndef LONA_SCHED_H
#define LONA_SCHED_H

struct Runtime;
struct Proc;
typedef struct Sched Sched;

Sched *sched_new(struct Runtime *rt, unsigned nthreads);
void sched_free(Sched *s);

#endif
