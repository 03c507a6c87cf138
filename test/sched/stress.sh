#!/bin/sh
# stress.sh LONA [ROUNDS [DIVISOR]] — the scheduler stress suite.
#
# Runs each program of test/sched/ ROUNDS times (default 3) on 1, 2 and 4
# schedulers (its sizes, the `(def rounds N)` and `(def n N)` lines, divided
# by DIVISOR, default 1, for the slower sanitizer builds), while a busy loop competes for the cores. Each run must print
# "ok" as its last line. A run still going after $STRESS_WATCHDOG seconds
# (default 30) has hung: its thread backtraces are printed (with gdb, when
# there is one) and it counts as a failure. Prints "stress: N passed,
# N failed" and the seconds taken; exits non-zero on any failure.
set -u
lona=$1
rounds=${2:-3}
divisor=${3:-1}
watchdog=${STRESS_WATCHDOG:-30}
dir=$(dirname "$0")
out=$(mktemp -d)
trap 'kill $busy 2>/dev/null; rm -rf "$out"' EXIT INT TERM

sh -c 'while :; do :; done' &
busy=$!

passed=0
failed=0
start=$(date +%s)

# run FILE SCHEDULERS: one run under the watchdog; 0 if it printed ok.
run() {
    "$lona" --schedulers "$2" run "$1" >"$out/log" 2>&1 &
    pid=$!
    waited=0
    while kill -0 $pid 2>/dev/null && [ $waited -lt $((watchdog * 10)) ]; do
        sleep 0.1
        waited=$((waited + 1))
    done
    if kill -0 $pid 2>/dev/null; then
        echo "stress: $(basename "$1") on $2 schedulers hung (no end after ${watchdog}s); threads:"
        if command -v gdb >/dev/null; then
            gdb -p $pid -batch -ex "thread apply all bt 12" 2>/dev/null | grep -E '^(Thread|#)'
        fi
        kill -9 $pid 2>/dev/null
        wait $pid 2>/dev/null
        tail -n 5 "$out/log"
        return 1
    fi
    wait $pid
    st=$?
    if [ $st -ne 0 ] || [ "$(tail -n 1 "$out/log")" != ok ]; then
        echo "stress: $(basename "$1") on $2 schedulers failed (status $st):"
        tail -n 15 "$out/log"
        return 1
    fi
    return 0
}

for src in "$dir"/*.lona; do
    f=$out/$(basename "$src")
    awk -v d="$divisor" '/^\(def (rounds|n) [0-9]+\)$/ { sub(/[0-9]+\)$/, int($3 / d) ")") } { print }' "$src" >"$f"
    for s in 1 2 4; do
        i=0
        while [ $i -lt "$rounds" ]; do
            if run "$f" $s; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
            i=$((i + 1))
        done
    done
done

echo "stress: $passed passed, $failed failed in $(( $(date +%s) - start ))s"
[ "$failed" -eq 0 ]
