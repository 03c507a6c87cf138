#!/bin/sh
# Run every test of one build: C unit tests, Lonala tests, command-line
# tests, doctests.
#   scripts/run-tests.sh BUILD_DIR
# Prints a final "N passed, N failed" line; exits non-zero on any failure.
set -u
build=$1
lona=$build/lona
passed=0
failed=0

count() { # name status
    if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $1"; fi
}

for t in "$build"/unit/*_test; do
    [ -x "$t" ] || continue
    "$t" >"$t.log" 2>&1
    st=$?
    [ $st -eq 0 ] || tail -n 30 "$t.log"
    count "$(basename "$t")" $st
done

if ls test/lona/*_test.lona >/dev/null 2>&1; then
    "$lona" test test/lona
    count "lona test" $?
fi

for t in test/cli/*_test.sh; do
    [ -f "$t" ] || continue
    sh "$t" "$lona"
    count "$(basename "$t")" $?
done

# The scheduler stress suite: STRESS_ROUNDS runs of each program on 1, 2
# and 4 schedulers, sizes divided by STRESS_DIVISOR (sanitizer builds).
sh test/sched/stress.sh "$lona" "${STRESS_ROUNDS:-3}" "${STRESS_DIVISOR:-1}"
count "scheduler stress" $?

if ls docs/*.md >/dev/null 2>&1; then
    "$lona" doctest docs/*.md
    count "lona doctest" $?
fi

echo "$(basename "$build"): $passed passed, $failed failed"
[ "$failed" -eq 0 ]
