/*
 * kernel.c — the intrinsics that may block: sleep, yield!,
 * notifications (lona.time, lona.kernel, lona.process/make-notification)
 * and read-line. They park the process (they return LV_SUSPEND), never
 * the scheduler thread.
 */
#include "lib/intrinsic.h"
#include "proc/input.h"
#include "proc/notif.h"
#include "realm/realm.h"
#include "sched/timer.h"
#include "term/atoms.h"
#include "term/num.h"
#include "vm/error.h"
#include "vm/runtime.h"

static Value nat_sleep(Proc *p, Value *a, uint32_t n) {
    int64_t ms;
    if (!is_integer(a[0]) || !num_to_i64(a[0], &ms) || ms < 0) return err_badarg(p, "sleep", a, n);
    p->resume_value = K_(ok);
    if (ms == 0) {
        p->park = PARK_YIELD;
        return LV_SUSPEND;
    }
    timer_cancel(p);
    p->park = PARK_SLEEP;
    p->wait_deadline = timer_deadline_ms(ms);
    return LV_SUSPEND;
}

static Value nat_yield(Proc *p, Value *a, uint32_t n) {
    p->resume_value = LV_NIL;
    p->park = PARK_YIELD;
    return LV_SUSPEND;
}

static Value nat_make_notification(Proc *p, Value *a, uint32_t n) { return notif_new(p->rt); }

static Value nat_notification_p(Proc *p, Value *a, uint32_t n) {
    return lv_bool(is_imm_of(a[0], IMM_NOTIF));
}

/* A notification received from another realm (proc/notif.h). */
static bool is_remote_notif(Value v) { return is_imm_of(v, IMM_NOTIF) && notif_owner(v) != 0; }

static Value nat_signal(Proc *p, Value *a, uint32_t n) {
    uint64_t bits = 1;
    bool remote = is_remote_notif(a[0]);
    if (!remote && !notif_exists(p->rt, a[0])) return err_badarg(p, "signal!", a, n);
    if (n > 1) {
        int64_t b;
        if (!is_integer(a[1]) || !num_to_i64(a[1], &b) || b <= 0) return err_badarg(p, "signal!", a, n);
        bits = (uint64_t)b;
    }
    if (remote) return realm_notify(p, a[0], bits);
    notif_signal(p->rt, a[0], bits);
    return K_(ok);
}

/* wait! and poll! on a notification of another realm return a ref to
 * wait for (lona.kernel/wait! in 46_notify.lona does). One in the remote
 * form whose realm is this one has a token nobody here knows: :badarg. */
static Value take_remote(Proc *p, Value *a, uint32_t n, const char *fname, bool block) {
    if (notif_owner(a[0]) == p->rt->realm_id) return err_badarg(p, fname, a, n);
    return realm_notify_take(p, a[0], block);
}

static Value nat_wait(Proc *p, Value *a, uint32_t n) {
    if (is_remote_notif(a[0])) return take_remote(p, a, n, "wait!", true);
    if (!notif_exists(p->rt, a[0])) return err_badarg(p, "wait!", a, n);
    uint64_t word;
    if (notif_take(p->rt, a[0], p, true, &word)) return num_from_u64(p, word);
    p->park = PARK_NOTIF;
    return LV_SUSPEND;
}

static Value nat_poll(Proc *p, Value *a, uint32_t n) {
    if (is_remote_notif(a[0])) return take_remote(p, a, n, "poll!", false);
    if (!notif_exists(p->rt, a[0])) return err_badarg(p, "poll!", a, n);
    uint64_t word;
    return notif_take(p->rt, a[0], p, false, &word) ? num_from_u64(p, word) : LV_NIL;
}

/* Standard input is read by whichever process asks; one waiting for a
 * line parks until the poller sees input (proc/input.h). */
static Value nat_read_line(Proc *p, Value *a, uint32_t n) {
    Value line;
    if (input_read_line(p->rt->input, p, &line)) return line;
    p->park = PARK_INPUT;
    return LV_SUSPEND;
}

LONA_INTRINSICS(kernel) = {
    {"lona.time", "sleep", 1, 1, nat_sleep, "([ms])", "suspend the calling process for at least ms milliseconds"},
    {"lona.kernel", "yield!", 0, 0, nat_yield, "([])", "let other ready processes run"},
    {"lona.process", "make-notification", 0, 0, nat_make_notification, "([])", "a new notification"},
    {"lona.core", "notification?", 1, 1, nat_notification_p, "([x])", "is x a notification?"},
    {"lona.kernel", "signal!", 1, 2, nat_signal, "([n] [n bits])", "OR bits into the notification word"},
    {"lona.kernel", "%wait!", 1, 1, nat_wait, "([n])", "wait!, or a ref for one of another realm"},
    {"lona.kernel", "%poll!", 1, 1, nat_poll, "([n])", "poll!, or a ref for one of another realm"},
    {"lona.core", "read-line", 0, 0, nat_read_line, "([])",
     "the next line of standard input, without its newline; nil at the end"},
};
LONA_INTRINSICS_COUNT(kernel);
