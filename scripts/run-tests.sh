#!/bin/sh
# Run every test of one build: C unit tests, Lonala tests, command-line
# tests, doctests.
#   scripts/run-tests.sh BUILD_DIR
# Prints a "== MODE: PASS ==" header before each pass and a final
# "MODE: N passed, N failed" line; exits non-zero on any failure. What the
# doctests print goes to BUILD_DIR/doctest.log, shown only on failure.
set -u
build=$1
lona=$build/lona
mode=$(basename "$build")
passed=0
failed=0

header() {
    echo "== $mode: $1 =="
}

count() { # name status
    if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $1"; fi
}

header "unit tests"
for t in "$build"/unit/*_test; do
    [ -x "$t" ] || continue
    "$t" >"$t.log" 2>&1
    st=$?
    [ $st -eq 0 ] || tail -n 30 "$t.log"
    count "$(basename "$t")" $st
done

if ls test/lona/*_test.lona >/dev/null 2>&1; then
    header "Lonala tests"
    "$lona" test test/lona
    count "lona test" $?
fi

header "command-line tests"
for t in test/cli/*_test.sh; do
    [ -f "$t" ] || continue
    sh "$t" "$lona"
    count "$(basename "$t")" $?
done

# The scheduler stress suite: STRESS_ROUNDS runs of each program on 1, 2
# and 4 schedulers, sizes divided by STRESS_DIVISOR (sanitizer builds).
header "scheduler stress"
sh test/sched/stress.sh "$lona" "${STRESS_ROUNDS:-3}" "${STRESS_DIVISOR:-1}"
count "scheduler stress" $?

if ls docs/*.md >/dev/null 2>&1; then
    header "doctests"
    "$lona" doctest docs/*.md >"$build/doctest.log" 2>&1
    st=$?
    if [ $st -eq 0 ]; then tail -n 1 "$build/doctest.log"; else tail -n 200 "$build/doctest.log"; fi
    count "lona doctest" $st
fi

echo "$mode: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
