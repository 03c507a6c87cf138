#!/bin/sh
# The process limit (LONA_MAX_PROCESSES, --max-processes): a spawn bomb
# ends the spawner with :system-limit, never the runtime, which goes on
# answering calls. Run with a small limit, so that nothing here can exhaust
# the machine.
#   sh test/cli/limits_test.sh LONA
# Prints "limits_test: N passed, N failed"; exits non-zero on any failure.
set -u
lona=$1
. "$(dirname "$0")/check.sh"

cat >"$dir/bomb.lona" <<'LONA'
(defn counter [event n] (case (first event) :call [:reply n (inc n)] [:noreply n]))
(def srv (second (server-start (fn [] [:ok 0]) counter)))
(defn wait-forever [] (receive :never-sent nil))
(defn bomber [] (spawn wait-forever) (bomber))
(defn reason-of [f]
  (let [[_ m] (spawn-monitor f)]
    (receive [:DOWN r _ [:error why & _]] when (= r m) why
             [:DOWN r _ why] when (= r m) why
             :after 60000 :timeout)))
;; a linear bomb, then another spawner at the limit
(println (reason-of bomber))
(println (reason-of bomber))
;; the tree bomb of the issue: its processes end with :system-limit
(defn bomb [] (spawn bomb) (spawn bomb) (receive :x :ok))
(spawn bomb)
(println (reduce (fn [acc i] (+ acc (call srv :next))) 0 (range 100)))
LONA
out=$(LONA_MAX_PROCESSES=1000 "$lona" run "$dir/bomb.lona" 2>"$dir/err")
check "a spawn bomb meets :system-limit and the runtime answers calls" ":system-limit :system-limit 4950" \
    "$(echo "$out" | tr '\n' ' ' | sed 's/ $//')"
out=$("$lona" --max-processes 500 eval '
  (defn wait-forever [] (receive :never-sent nil))
  (defn spawn-all [n] (spawn wait-forever) (spawn-all (inc n)))
  (match (lona.core/%catch (fn [] (spawn-all 0)))
    [:exit [:error why info]] [why (get info :message)]
    other other)' 2>&1)
check "--max-processes, and the error says which limit" \
    '[:system-limit "spawn: 500 processes already (LONA_MAX_PROCESSES, --max-processes)"]' "$out"

report limits_test
