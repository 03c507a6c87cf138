#!/bin/sh
# The memory budget (LONA_MAX_MEMORY, --max-memory): a heap bomb, a binary
# bomb and a mailbox flood each end the process that made them with exactly
# [:error :oom] (what wanted how much is said by the crash report only),
# never the runtime, which frees what they held, goes on answering calls
# and can spawn. Run with a small budget (200 MB), and for
# the release build under `ulimit -v` as well, so that nothing here can
# exhaust the machine.
#   sh test/cli/oom_test.sh LONA
# Prints "oom_test: N passed, N failed"; exits non-zero on any failure.
set -u
lona=$1
. "$(dirname "$0")/check.sh"

# A run of lona with the budget, contained: address space capped where
# the sanitizers do not need it all, and a time limit.
run_lona() {
    (
        case $lona in *asan* | *tsan*) ;; *) ulimit -v 8000000 ;; esac
        timeout 120 "$lona" --max-memory 200000000 "$@"
    )
}

cat >"$dir/bombs.lona" <<'LONA'
(defn counter [event n] (case (first event) :call [:reply n (inc n)] [:noreply n]))
(def srv (second (server-start (fn [] [:ok 0]) counter)))
(defn reason-of [f]
  (let [[_ m] (spawn-monitor f)]
    (receive [:DOWN r _ why] when (= r m) why
             :after 60000 :timeout)))
(defn alive [] [(call srv :next) (reason-of (fn [] :fine))])
;; a heap bomb: an ever-growing vector of vectors
(defn heap-bomb [acc] (heap-bomb (conj acc (vec (range 100)))))
(println :heap (reason-of (fn [] (heap-bomb []))) (alive))
;; a binary bomb: ever-larger binaries, all kept
(defn binary-bomb [b kept] (binary-bomb (binary-concat b b) (conj kept b)))
(println :binary (reason-of (fn [] (binary-bomb (binary (vec (range 200))) []))) (alive))
;; a mailbox flood: the sender ends, the receiver is untouched
(def sink (spawn (fn [] (receive :never-sent nil))))
(defn flood [] (send sink [1 2 3 4 5 6 7 8]) (flood))
(println :flood (reason-of flood) (alive? sink))
;; (a process's memory is given back just after its DOWN is sent)
(let [m (monitor sink)] (exit sink :kill) (receive [:DOWN r _ _] when (= r m) :ok))
(sleep 200)
(println :after (alive))
;; a bomb that catches its :oom goes on
(println :caught (match (lona.core/%catch (fn [] (heap-bomb [])))
                   [:exit [:error :oom]] :oom
                   other other)
         (alive))
;; three bombs at once
(def ms (mapv (fn [_] (second (spawn-monitor (fn [] (heap-bomb []))))) (range 3)))
(apply println :three (map (fn [m] (receive [:DOWN r _ why] when (= r m) why :after 60000 :timeout)) ms))
(println :alive (alive))
LONA
out=$(run_lona run "$dir/bombs.lona" 2>"$dir/err")
st=$?
check "the bombs' programs end normally" "0" "$st"
# The crash report of an [:error :oom] exit: the line after it says what
# wanted how many bytes.
oom_note() {
    grep -A1 '=CRASH REPORT= .* exited with \[:error :oom\]$' "$dir/err" |
        grep "^  $1: out of memory: [0-9][0-9]* bytes wanted, [0-9]* of 200000000 bytes in use" | head -1 |
        sed 's/ [0-9][0-9]* bytes wanted, [0-9]* of/ N bytes wanted, M of/'
}
check "a heap bomb ends with [:error :oom]" ':heap [:error :oom] [0 :normal]' "$(echo "$out" | grep '^:heap')"
check "its crash report says how much the heap wanted" \
    '  heap: out of memory: N bytes wanted, M of 200000000 bytes in use (LONA_MAX_MEMORY, --max-memory)' \
    "$(oom_note heap)"
check "a binary bomb ends with [:error :oom]" ':binary [:error :oom] [1 :normal]' "$(echo "$out" | grep '^:binary')"
check "its crash report names binary-concat" \
    '  binary-concat: out of memory: N bytes wanted, M of 200000000 bytes in use (LONA_MAX_MEMORY, --max-memory)' \
    "$(oom_note binary-concat)"
check "a flooding sender ends with [:error :oom], the receiver lives" ':flood [:error :oom] true' \
    "$(echo "$out" | grep '^:flood')"
check "its crash report names send" \
    '  send: out of memory: N bytes wanted, M of 200000000 bytes in use (LONA_MAX_MEMORY, --max-memory)' \
    "$(oom_note send)"
check "the runtime answers calls and spawns after the flood" ":after [2 :normal]" "$(echo "$out" | grep '^:after')"
check "a caught :oom" ":caught :oom [3 :normal]" "$(echo "$out" | grep '^:caught')"
check "three bombs at once" ":three [:error :oom] [:error :oom] [:error :oom] :alive [4 :normal]" \
    "$(echo "$out" | grep '^:three\|^:alive' | tr '\n' ' ' | sed 's/ $//')"
check "on stderr, only the bombs' crash reports, each with reason [:error :oom]" "0 0" \
    "$(grep -c 'internal error' "$dir/err") $(grep '=CRASH REPORT=' "$dir/err" | grep -vc ' exited with \[:error :oom\]$')"

out=$(run_lona eval '(let [r (lona.core/%catch (fn [] (bytebuf-alloc 300000000)))] r)' 2>&1)
check "a bytebuf over the budget: [:error :oom]" '[:exit [:error :oom]]' "$out"
out=$(run_lona eval '(bytebuf-alloc 300000000)' 2>&1)
check "the report of a bytebuf over the budget says how much it wanted" \
    'error: [:error :oom]
  bytebuf-alloc: out of memory: 300000000 bytes wanted, N of 200000000 bytes in use (LONA_MAX_MEMORY, --max-memory)' \
    "$(echo "$out" | head -2 | sed 's/wanted, [0-9]* of/wanted, N of/')"

# A def bomb: the values of vars stay in the literal area for good; they
# may take half the budget, and the rest is left to the processes.
out=$(run_lona eval '(do (defn def-bomb [i]
                           (intern (quote user) (symbol (str "v" i)) (apply str (repeat 100000 "0123456789")))
                           (def-bomb (inc i)))
                         (match (lona.core/%catch (fn [] (def-bomb 0))) [:exit [:error why]] [why (+ 1 2)] other other))' 2>&1)
check "a def bomb ends with :oom, and the runtime computes on" "[:oom 3]" "$out"
out=$(run_lona eval '(do (defn def-bomb [i]
                           (eval (list (quote def) (symbol (str "w" i)) (list (quote apply) (quote str) (list (quote repeat) 100000 "0123456789"))))
                           (def-bomb (inc i)))
                         (def-bomb 0))' 2>&1)
check "so does a bomb of def forms, its report saying why" 'error: [:error :oom]
  def: a value of' "$(echo "$out" | head -2 | sed 's/^\(  def: a value of\).*/\1/')"

out=$("$lona" --max-memory 12 eval 1 2>&1)
check "--max-memory too small" "lona: --max-memory needs a whole number from 1048576 to 1152921504606846976, got '12' 2" "$out $?"
out=$(LONA_MAX_MEMORY=lots "$lona" eval 1 2>&1)
check "LONA_MAX_MEMORY not a number" "lona: LONA_MAX_MEMORY needs a whole number from 1048576 to 1152921504606846976, got 'lots' 2" "$out $?"
out=$(LONA_MAX_MEMORY=300000000 "$lona" eval '(match (lona.core/%catch (fn [] (bytebuf-alloc 400000000))) [:exit [:error why]] why other other)' 2>&1)
check "LONA_MAX_MEMORY sets the budget" ":oom" "$out"

report oom_test
