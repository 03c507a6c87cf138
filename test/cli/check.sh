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

# kill_printed NAME FILE EXPECTED: run program FILE with $lona in the
# background; the first line it prints is an OS pid, which gets SIGKILL;
# then lines 2 to 4 of its output, joined by spaces, must be EXPECTED.
kill_printed() {
    "$lona" run "$2" >"$dir/out" 2>&1 &
    _runner=$!
    wait_for "$dir/out" . $_runner
    _victim=$(head -n 1 "$dir/out")
    case "$_victim" in
        ''|*[!0-9]*) check "$1: an OS pid printed" "a pid" "$_victim" ;;
        *) kill -9 "$_victim" ;;
    esac
    wait $_runner
    check "$1" "$3" "$(sed -n 2,4p "$dir/out" | tr '\n' ' ' | sed 's/ $//')"
}
