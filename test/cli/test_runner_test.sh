#!/bin/sh
# `lona test` itself: each failure names FILE:LINE of its `is`, an error
# inside `is` (or ending a test) shows its Lonala stack trace, tests and
# assertions are counted apart with the time taken, the per-file and final
# "N passed, N failed" lines, and the exit status (0 all passed, 1 not).
#   sh test/cli/test_runner_test.sh LONA
# Prints "test_runner_test: N passed, N failed"; exits non-zero on any failure.
set -u
lona=$1
. "$(dirname "$0")/check.sh"

cat >"$dir/good_test.lona" <<'LONA'
(deftest adds
  (is (= 2 (+ 1 1)))
  (is true))
(deftest subtracts
  (is (= 0 (- 1 1))))
LONA

cat >"$dir/bad_test.lona" <<'LONA'
(defn deep [x] (+ x :a))
(defn mid [x] (inc (deep x)))

(deftest wrong
  (testing "sums"
    (is (= 3 (+ 1 1))))
  (is false "never true")
  (is (mid 1)))

(deftest ends-early
  (is true)
  (mid 2))
LONA

"$lona" test "$dir/good_test.lona" >"$dir/good.out" 2>&1
check "all passing: status 0" "0" "$?"
check "all passing: per-file line" "$dir/good_test.lona: 3 passed, 0 failed" "$(sed -n 1p "$dir/good.out")"
check "all passing: tests and assertions" "2 tests, 3 assertions, s" \
    "$(sed -n 2p "$dir/good.out" | sed 's/[0-9.]* s$/s/')"
check "all passing: a time" "yes" \
    "$(sed -n 2p "$dir/good.out" | grep -Eq ', [0-9]+\.[0-9]{2} s$' && echo yes)"
check "all passing: final line" "3 passed, 0 failed" "$(tail -n 1 "$dir/good.out")"

"$lona" test "$dir/bad_test.lona" >"$dir/bad.out" 2>&1
check "failing: status 1" "1" "$?"
f=$dir/bad_test.lona
check "failed = with its line and context" "FAIL $f:6 in user/wrong (sums)" "$(grep -F "$f:6" "$dir/bad.out")"
check "failed = shows the values" "  expected: 3|  actual:   2" \
    "$(grep -A3 -F "$f:6" "$dir/bad.out" | sed -n '3,4p' | paste -sd'|' -)"
check "failed (is x msg) with its line" "FAIL $f:7 in user/wrong|  never true" \
    "$(grep -A1 -F "$f:7" "$dir/bad.out" | paste -sd'|' -)"
check "error inside is: line, reason and trace" \
    "FAIL $f:8 in user/wrong|  (mid 1)|  error:    [:error :type-error %{:fn + :value :a :expected \"number\"}]|    at user/deep ($f:1)|    at user/mid ($f:2)|    at user/wrong ($f:8)" \
    "$(grep -A5 -F "$f:8 " "$dir/bad.out" | paste -sd'|' -)"
check "error ending a test: reason and trace" \
    "ERROR in user/ends-early: the test ended with [:error :type-error %{:fn + :value :a :expected \"number\"}]|    at user/deep ($f:1)|    at user/mid ($f:2)" \
    "$(grep -A2 '^ERROR in' "$dir/bad.out" | paste -sd'|' -)"
check "failing: per-file line" "$f: 1 passed, 4 failed" "$(grep -F "$f: " "$dir/bad.out")"
check "failing: tests and assertions" "2 tests, 4 assertions" \
    "$(tail -n 2 "$dir/bad.out" | head -n 1 | cut -d, -f1-2)"
check "failing: final line" "1 passed, 4 failed" "$(tail -n 1 "$dir/bad.out")"

"$lona" test "$dir" >"$dir/both.out" 2>&1
check "a directory: status 1" "1" "$?"
check "a directory: a line per file" "2" "$(grep -c '_test.lona: [0-9]* passed, [0-9]* failed$' "$dir/both.out")"
check "a directory: totals" "4 tests, 7 assertions|4 passed, 4 failed" \
    "$(tail -n 2 "$dir/both.out" | cut -d, -f1-2 | paste -sd'|' -)"

echo '(deftest one (is (= 1 1)))' >"$dir/one_test.lona"
check "one test, one assertion" "1 test, 1 assertion" "$("$lona" test "$dir/one_test.lona" | tail -n 2 | head -n 1 | cut -d, -f1-2)"

report test_runner_test
