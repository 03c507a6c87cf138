# check.sh — what the command-line tests share: sourced by each
# test/cli/*_test.sh after it has set `lona`. Gives $dir, a temporary
# folder removed on exit; `check NAME EXPECTED ACTUAL` counts one
# assertion; `report TEST` prints "TEST: N passed, N failed" and is
# non-zero on any failure (the script's last command, its exit status).
passed=0
failed=0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

check() { # name expected actual
    if [ "$2" = "$3" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $1: expected [$2], got [$3]"
    fi
}

report() {
    echo "$1: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

# wait_for FILE PATTERN PID: wait (at most a minute) until FILE has a line
# matching PATTERN (grep) or process PID has ended.
wait_for() {
    n=0
    while ! grep -q "$2" "$1" 2>/dev/null && kill -0 "$3" 2>/dev/null && [ $n -lt 600 ]; do
        sleep 0.1
        n=$((n + 1))
    done
}
