#!/bin/sh
# The REPL on a terminal (given by script(1)): TAB completes names (vars
# of the current namespace and lona.core, vars through an alias,
# interned keywords), a second TAB lists the names when several remain;
# output from other processes while a line is half typed appears on its
# own lines above the prompt, and the line is drawn again intact. With
# standard output not a terminal the output is written as it is. Nothing
# here sleeps for a fixed time: each step waits (with a deadline) for the
# output that says the previous one is done.
#   sh test/cli/repl_complete_test.sh LONA
# Prints "repl_complete_test: N passed, N failed"; exits non-zero on any
# failure.
set -u
lona=$1
. "$(dirname "$0")/check.sh"

if ! command -v script >/dev/null 2>&1; then
    echo "repl_complete_test: no script(1), nothing checked"
    report repl_complete_test
    exit
fi

# has FILE PATTERN: "yes" if a line of FILE matches.
has() {
    if grep -q "$2" "$1" 2>/dev/null; then echo yes; else echo no; fi
}

# after FILE OFFSET: what FILE holds past its first OFFSET bytes, without
# escape sequences, one line for each carriage return or newline.
after() {
    tail -c +"$(($2 + 1))" "$1" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g' | tr '\r\a' '\n\n' | grep -v '^$'
}

# wait_after FILE OFFSET PATTERN PID: wait_for on what FILE got past OFFSET.
wait_after() {
    n=0
    while ! after "$1" "$2" | grep -q "$3" && kill -0 "$4" 2>/dev/null && [ $n -lt 600 ]; do
        sleep 0.1
        n=$((n + 1))
    done
}

size() { wc -c < "$1"; }

# start_repl NAME [REDIRECT]: lona's REPL on a terminal, reading what is
# written to fd 3, writing $dir/NAME.out (REDIRECT, e.g. "> FILE", sends
# lona's standard output elsewhere); sets $pid (script's).
start_repl() {
    rm -f "$dir/$1.in"
    mkfifo "$dir/$1.in"
    script -qec "exec $lona ${2:-}" /dev/null < "$dir/$1.in" > "$dir/$1.out" 2>&1 &
    pid=$!
    exec 3> "$dir/$1.in"
}

export HOME="$dir/home"
mkdir -p "$HOME"
out="$dir/term.out"
start_repl term
wait_for "$out" 'Ctrl-D quits' $pid

# Several names: the first TAB completes what they share (here nothing
# more), the second lists them; Ctrl-U then drops the line.
at=$(size "$out")
printf '(ma\t\t' >&3
wait_after "$out" $at 'mapv' $pid
check "TAB TAB lists the names" yes "$(after "$out" $at | grep -q 'map  ' && after "$out" $at | grep -q 'max' && echo yes || echo no)"
check "the line is drawn again below the list" yes "$(after "$out" $at | tail -n 1 | grep -q '^user=> (ma$' && echo yes || echo no)"
printf '\025(def zz-unique-name 5)\n' >&3
wait_for "$out" "#'user/zz-unique-name" $pid

# One name: completed (a var of the current namespace).
at=$(size "$out")
printf '(+ zz-uni\t 1)\n' >&3
wait_after "$out" $at '^6' $pid
check "a var of the namespace is completed" yes "$(after "$out" $at | grep -q '^6' && echo yes || echo no)"

# A var through an alias.
printf "(require '[lona.test :as t])\n" >&3
wait_after "$out" $at '^nil' $pid
at=$(size "$out")
printf '(var t/run-t\t)\n' >&3
wait_after "$out" $at "^#'lona.test/run-tests" $pid
check "the completed name resolves" yes "$(after "$out" $at | grep -q "^#'lona.test/run-tests" && echo yes || echo no)"

# A keyword already interned.
printf '(def m %%{:zebra-status 1})\n' >&3
wait_for "$out" "#'user/m" $pid
at=$(size "$out")
printf '(get m :zebra-s\t)\n' >&3
wait_after "$out" $at '^1$' $pid
check "an interned keyword is completed" yes "$(after "$out" $at | grep -q '^1$' && echo yes || echo no)"

# Output from another process while a line is half typed: a process
# prints a line every 50 ms until told to stop. Once the half line is
# on the screen, wait for a tick printed after it; the tick has a line
# of its own, the half line is drawn again below it and, finished,
# evaluates.
ticker='(defn tick [n] (receive :stop :stopped :after 50 (do (println (str "tick " n)) (when (< n 1200) (tick (inc n))))))'
printf '%s\n(def tp (spawn (fn [] (tick 0))))\n' "$ticker" >&3
at=$(size "$out")
wait_after "$out" $at "^tick" $pid
at=$(size "$out")
printf '(+ 40' >&3
wait_after "$out" $at '(+ 40$' $pid
at2=$(size "$out")
wait_after "$out" $at2 '^tick' $pid
# the half line drawn again below the tick, before the rest is typed
wait_after "$out" $at2 '^user=> (+ 40$' $pid
printf ' 2)\n' >&3
wait_after "$out" $at '^42' $pid
printf '(send tp :stop)\n' >&3
wait_after "$out" $at '^:ok' $pid
check "output while typing has its own line" yes "$(after "$out" $at2 | grep -q '^tick [0-9]*$' && echo yes || echo no)"
check "the half line is drawn again after it" yes "$(after "$out" $at2 | grep -q '^user=> (+ 40$' && echo yes || echo no)"
check "nothing is printed into the half line" no "$(has "$out" '40tick')"
check "the finished line evaluates" yes "$(after "$out" $at | grep -q '^42' && echo yes || echo no)"
exec 3>&-
wait "$pid"
check "terminal: Ctrl-D leaves, status 0" 0 $?

# Standard output not a terminal: the output goes there as it is, with
# no escape codes.
plain="$dir/plain.txt"
start_repl plain "> $plain"
printf '%s\n(def tp (spawn (fn [] (tick 0))))\n' "$ticker" >&3
wait_for "$plain" "^tick" $pid
printf '(+ 40' >&3
n=$(grep -c '^tick' "$plain")
wait_count() { # FILE PATTERN N PID
    k=0
    while [ "$(grep -c "$2" "$1" 2>/dev/null)" -lt "$3" ] && kill -0 "$4" 2>/dev/null && [ $k -lt 600 ]; do
        sleep 0.1
        k=$((k + 1))
    done
}
wait_count "$plain" '^tick' $((n + 3)) $pid
printf ' 2)\n(send tp :stop)\n' >&3
wait_for "$plain" '^:ok' $pid
exec 3>&-
wait "$pid"
check "not a terminal: Ctrl-D leaves, status 0" 0 $?
check "not a terminal: the result is written" yes "$(has "$plain" '^42$')"
check "not a terminal: whole lines of output" no "$(grep -v '^tick [0-9]*$' "$plain" | grep -q 'tick [0-9]' && echo yes || echo no)"
check "not a terminal: no clearing codes" no "$(grep -q "$(printf '\033')\\[J" "$plain" && echo yes || echo no)"

report repl_complete_test
