#!/bin/sh
# Ctrl-C and the other signals that end or interrupt work: in the REPL on
# a terminal (given by script(1)) a SIGINT interrupts a runaway
# evaluation and the definitions survive; at the prompt it drops the
# half-typed form, and twice on an empty prompt it leaves; SIGTERM
# leaves; every way out saves the history. On piped input a SIGINT
# interrupts the evaluation too. lona run and lona eval end on SIGINT
# with status 130. Nothing here sleeps for a fixed time: each step waits
# (with a deadline) for the output that says the previous one is done.
#   sh test/cli/repl_interrupt_test.sh LONA
# Prints "repl_interrupt_test: N passed, N failed"; exits non-zero on any
# failure.
set -u
lona=$1
. "$(dirname "$0")/check.sh"

# wait_count FILE PATTERN N PID: like wait_for, until N lines match.
wait_count() {
    n=0
    while [ "$(grep -c "$2" "$1" 2>/dev/null)" -lt "$3" ] && kill -0 "$4" 2>/dev/null && [ $n -lt 600 ]; do
        sleep 0.1
        n=$((n + 1))
    done
}

# has FILE PATTERN: "yes" if a line of FILE matches.
has() {
    if grep -q "$2" "$1" 2>/dev/null; then echo yes; else echo no; fi
}

# running PID: true while PID runs (a child that has ended but is not yet
# waited for is a zombie, which kill -0 still finds).
running() {
    [ "$(cut -d" " -f3 "/proc/$1/stat" 2>/dev/null || echo Z)" != Z ]
}

# ends PID: wait (at most a minute) for PID, a child of this shell, to
# end; sets $status to its exit status, or to "running" (it is then
# killed). Not run in $(...): a subshell cannot wait for it.
ends() {
    n=0
    while running "$1" && [ $n -lt 600 ]; do
        sleep 0.1
        n=$((n + 1))
    done
    if running "$1"; then
        kill -KILL "$1" 2>/dev/null
        status=running
        return
    fi
    wait "$1"
    status=$?
}

# A program that says it has started, then loops for ever.
loop='(defn lf [n] (lf (inc n)))'
started='(println (str "start" "ed"))'

# lona run and lona eval: SIGINT ends them with status 130. They run in
# the background, where the shell starts them with SIGINT ignored.
printf '%s\n%s\n(lf 0)\n' "$loop" "$started" > "$dir/loop.lona"
"$lona" run "$dir/loop.lona" > "$dir/run.out" 2>&1 &
pid=$!
wait_for "$dir/run.out" '^started' $pid
kill -INT $pid
ends $pid
check "run: SIGINT gives status 130" 130 "$status"
"$lona" eval "(do $loop $started (lf 0))" > "$dir/eval.out" 2>&1 &
pid=$!
wait_for "$dir/eval.out" '^started' $pid
kill -INT $pid
ends $pid
check "eval: SIGINT gives status 130" 130 "$status"

# Piped input: SIGINT interrupts the evaluation, the REPL reads on.
mkfifo "$dir/pipe.in"
"$lona" repl < "$dir/pipe.in" > "$dir/pipe.out" 2>&1 &
pid=$!
exec 3> "$dir/pipe.in"
printf '(def y 7)\n%s\n(do %s (lf 0))\n' "$loop" "$started" >&3
wait_for "$dir/pipe.out" '^started' $pid
kill -INT $pid
wait_for "$dir/pipe.out" 'interrupted' $pid
printf 'y\n' >&3
exec 3>&-
ends $pid
check "piped: SIGINT, then the REPL goes on" 0 "$status"
check "piped: the interruption is reported" yes "$(has "$dir/pipe.out" '^\*\* interrupted')"
check "piped: the definition survives" yes "$(has "$dir/pipe.out" '^7$')"

if ! command -v script >/dev/null 2>&1; then
    echo "repl_interrupt_test: no script(1), the REPL on a terminal not checked"
    report repl_interrupt_test
    exit
fi

# start_repl NAME: lona's REPL on a terminal, reading what is written to
# fd 3, writing $dir/NAME.out; sets $pid (script's) and $lpid (lona's).
start_repl() {
    rm -f "$dir/$1.in" "$dir/lpid"
    mkfifo "$dir/$1.in"
    script -qec "echo \$\$ > $dir/lpid; exec $lona" /dev/null < "$dir/$1.in" > "$dir/$1.out" 2>&1 &
    pid=$!
    exec 3> "$dir/$1.in"
    wait_for "$dir/$1.out" 'Ctrl-D quits' $pid
    lpid=$(cat "$dir/lpid")
}

export HOME="$dir/home"
mkdir -p "$HOME"
out="$dir/term.out"
start_repl term
printf '(def x 42)\n' >&3
wait_for "$out" "#'user/x" $pid
printf '%s\n' "$loop" >&3
wait_for "$out" "#'user/lf" $pid
printf '(do %s (lf 0))\n' "$started" >&3
wait_for "$out" '^started' $pid
kill -INT $lpid
wait_for "$out" '^\*\* interrupted' $pid
check "terminal: SIGINT interrupts the evaluation" yes "$(has "$out" '^\*\* interrupted')"
printf 'x\n' >&3
wait_for "$out" '^42' $pid
check "terminal: the definition survives" yes "$(has "$out" '^42')"

# Ctrl-C (the terminal turns it into SIGINT) in the middle of a form drops
# it: what follows is read as a new form. Each step waits for the next
# prompt, since the terminal discards input typed before a Ctrl-C.
prompts=$(grep -c 'user=> ' "$out")
printf '(+ 1\n' >&3
wait_for "$out" '^ *\.\. ' $pid
printf '\003' >&3
wait_count "$out" 'user=> ' $((prompts + 1)) $pid
printf '(+ 2 3)\n' >&3
wait_for "$out" '^5' $pid
check "terminal: Ctrl-C drops a half-typed form" yes "$(has "$out" '^5')"

# On an empty prompt Ctrl-C says how to leave, and a second one leaves.
printf '\003' >&3
wait_for "$out" 'Ctrl-C again' $pid
printf '\003' >&3
ends $pid
check "terminal: Ctrl-C twice leaves, status 0" 0 "$status"
exec 3>&-
check "terminal: history saved" yes "$(has "$HOME/.lona_history" 'def.040x.04042')"

# SIGTERM leaves (status 143) and saves the history too.
start_repl term2
printf '(def z 1)\n' >&3
wait_for "$dir/term2.out" "#'user/z" $pid
kill -TERM $lpid
ends $pid
check "terminal: SIGTERM leaves, status 143" 143 "$status"
exec 3>&-
check "terminal: history saved after SIGTERM" yes "$(has "$HOME/.lona_history" 'def.040z.0401')"

# SIGHUP (the terminal went away) leaves the same way.
start_repl term3
printf '(def h 1)\n' >&3
wait_for "$dir/term3.out" "#'user/h" $pid
kill -HUP $lpid
ends $pid
check "terminal: SIGHUP leaves, status 129" 129 "$status"
exec 3>&-
check "terminal: history saved after SIGHUP" yes "$(has "$HOME/.lona_history" 'def.040h.0401')"

# (halt) ends the program at once; the input that called it is saved.
start_repl term4
printf '(halt 3)\n' >&3
ends $pid
check "terminal: (halt 3), status 3" 3 "$status"
exec 3>&-
check "terminal: history saved before (halt)" yes "$(has "$HOME/.lona_history" 'halt.0403')"

report repl_interrupt_test
