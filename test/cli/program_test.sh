#!/bin/sh
# A program run by `lona run`: its command-line arguments
# (*command-line-args*), ending the runtime with (halt status) from any
# process (exit status, output flushed), and the report of an error that
# ends the program (reason and Lonala stack trace with file:line).
#   sh test/cli/program_test.sh LONA
# Prints "program_test: N passed, N failed"; exits non-zero on any failure.
set -u
lona=$1
. "$(dirname "$0")/check.sh"

# run NAME SOURCE ARGS...: runs the program, sets $out, $err and $status.
run() {
    name=$1
    shift
    printf '%s\n' "$1" >"$dir/$name.lona"
    shift
    timeout 60 "$lona" run "$dir/$name.lona" "$@" >"$dir/out" 2>"$dir/err"
    status=$?
    out=$(cat "$dir/out")
    err=$(cat "$dir/err")
}

# ---- *command-line-args* ----
run args '(prn *command-line-args*)'
check "no arguments: nil" nil "$out"
run args '(prn *command-line-args*)' 1 "two words" "" -x --schedulers
check "arguments after the file, as strings" '("1" "two words" "" "-x" "--schedulers")' "$out"
run args '(def me (self))
(spawn (fn [] (send me [:seen *command-line-args*])))
(prn (receive [:seen a] a))' a b
check "a spawned process sees them" '("a" "b")' "$out"
run args '(prn (map read-string *command-line-args*))' 10 20
check "sizes read from them" '(10 20)' "$out"
printf '(prn *command-line-args*)\n' >"$dir/opts.lona"
check "options before run are not arguments" '("a")' "$("$lona" --schedulers 2 run "$dir/opts.lona" a)"
check "lona eval: nil" nil "$("$lona" eval '*command-line-args*')"

# ---- halt ----
run halt '(println "before")
(halt 3)
(println "after")'
check "halt 3: status" 3 "$status"
check "halt 3: output before it, nothing after" before "$out"
run halt '(print "no newline yet") (halt)'
check "halt: status 0" 0 "$status"
check "halt: output without newline is flushed" "no newline yet" "$out"
run halt '(halt 255)'
check "halt 255" 255 "$status"
run halt '(halt 0)'
check "halt 0 ends normally" 0 "$status"
run halt '(spawn (fn [] (println "from a child") (halt 7)))
(receive :never-sent :ok)'
check "halt from a spawned process: status" 7 "$status"
check "halt from a spawned process: its output" "from a child" "$out"
run halt '(dotimes [i 4] (spawn (fn [] (receive :never-sent :ok))))
(spawn (fn [] (halt 5)))
(receive :never-sent :ok)'
check "halt with other processes waiting" 5 "$status"
run halt '(halt 256)'
check "halt 256: status 1" 1 "$status"
case $err in
*":badarg"*"halt"*) passed=$((passed + 1)) ;;
*) failed=$((failed + 1)); echo "FAIL halt 256: :badarg report expected, got [$err]" ;;
esac
run halt '(prn (match (lona.core/%catch (fn [] (halt -1))) [:exit [:error r _]] r))
(prn (match (lona.core/%catch (fn [] (halt "3"))) [:exit [:error r _]] r))
(halt 4)'
check "halt refuses -1 and a string, then halts" ':badarg
:badarg' "$out"
check "halt after a refused halt" 4 "$status"
"$lona" eval '(halt 9)' >/dev/null 2>&1
check "halt under lona eval" 9 $?

# ---- an error that ends the program ----
run crash '(defn g [x] (+ x nil))
(defn f [x] (inc (g x)))
(f 1)'
check "crash: status 1" 1 "$status"
check "crash: reason, a sentence, stack trace" "error: [:error :type-error %{:fn + :value nil :expected \"number\"}]
  + expects a number, got nil
  at user/g ($dir/crash.lona:1)
  at user/f ($dir/crash.lona:2)" "$err"
run crash '(defn h [] (exit :bored))
(h)'
check "exit with another reason: status 1" 1 "$status"
check "exit with another reason: report" "error: :bored
  at user/h ($dir/crash.lona:1)" "$err"
mkdir -p "$dir/lib"
printf '(ns lib.bad)\n\n(defn deep [m] (:k (get m :missing) (count 5)))\n(deep {})\n' >"$dir/lib/bad.lona"
printf '(load-file "%s")\n' "$dir/lib/bad.lona" >"$dir/crash.lona"
timeout 60 "$lona" run "$dir/crash.lona" >"$dir/out" 2>"$dir/err"
status=$?
check "error in a loaded file: status 1" 1 "$status"
case $(cat "$dir/err") in
*"at lib.bad/deep ($dir/lib/bad.lona:3)"*) passed=$((passed + 1)) ;;
*) failed=$((failed + 1)); echo "FAIL error in a loaded file: trace into it expected, got [$(cat "$dir/err")]" ;;
esac
run crash '(defn f [] (exit :normal))
(f)
(println "not reached")'
check "(exit :normal): status 0, no report" "0[]" "$status[$err]"

# ---- crash reports of every process ----
run reports '(defn boom [] (+ 1 nil))
(trap-exit true)
(let [p (spawn-link boom)] (receive [:EXIT x _] :linked))
(let [[p m] (spawn-monitor boom)] (receive [:DOWN r _ _] when (= r m) :monitored))
(println :done)'
check "a linked and a monitored crash: both reported" "2 2 :done" \
    "$(grep -c '^=CRASH REPORT=' "$dir/err") $(grep -c '^  + expects a number, got nil' "$dir/err") $out"
LONA_CRASH_REPORTS=off timeout 60 "$lona" run "$dir/reports.lona" >"$dir/out" 2>"$dir/err"
check "LONA_CRASH_REPORTS=off silences them" "[]:done" "[$(cat "$dir/err")]$(cat "$dir/out")"
printf '(def x 1)\n(do (spawn-link (fn [] (exit :boom))) (receive :never-sent nil))\nx\n' >"$dir/repl.in"
timeout 60 "$lona" repl <"$dir/repl.in" >"$dir/out" 2>"$dir/err"
case $(cat "$dir/err") in
*"error: :boom"*"ended by the exit signal of #pid<"*"(a linked process, or exit/2)"*) passed=$((passed + 1)) ;;
*) failed=$((failed + 1)); echo "FAIL the REPL says which exit ended its evaluator, got [$(cat "$dir/err")]" ;;
esac
check "and carries on with the definitions" "#'user/x 1" "$(tr '\n' ' ' <"$dir/out" | sed 's/ $//')"

report program_test
