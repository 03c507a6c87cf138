#!/bin/sh
# Child realms seen from outside: a child realm's OS process killed with
# SIGKILL fires the monitors into it with :noconnection and the parent
# lives on; the limit on child realms (LONA_MAX_REALMS, --max-realms)
# turns a realm bomb into :system-limit.
#   sh test/cli/realm_test.sh LONA
# Prints "realm_test: N passed, N failed"; exits non-zero on any failure.
set -u
lona=$1
. "$(dirname "$0")/check.sh"

# The program prints its child's OS pid, then waits for the :DOWN that the
# kill below must cause; the script waits for that line, not for a time.
cat >"$dir/killed.lona" <<'LONA'
(defn wait-forever [] (receive :never-sent nil))
(defn echo [] (receive [from msg] (send from [:echo msg])))
(let [r (realm-create %{:name 'victim :schedulers 1})
      m (monitor (spawn-in r wait-forever))]
  (println (get-in (realm-info r) [:resource-usage :os-pid]))
  (println (receive [:DOWN x _ why] when (= x m) why :after 60000 :timeout))
  (println (count (child-realms)))
  (let [r2 (realm-create %{:name 'after})
        e (spawn-in r2 echo)]
    (send e [(self) :alive])
    (println (receive [:echo v] v :after 60000 :timeout))))
LONA
kill_printed "kill -9 of a child realm" "$dir/killed.lona" ":noconnection 0 :alive"

cat >"$dir/bomb.lona" <<'LONA'
(defn make-many [] (realm-create %{:name 'r :schedulers 1}) (make-many))
(let [[_ m] (spawn-monitor make-many)]
  (println (receive [:DOWN r _ [:error why & _]] when (= r m) why :after 60000 :timeout)))
(println (count (child-realms)))
(doseq [r (child-realms)] (realm-terminate r))
(println (realm-id? (realm-create %{:name 'again})))
LONA
check "LONA_MAX_REALMS bounds a realm bomb" ":system-limit 5 true" \
    "$(LONA_MAX_REALMS=5 "$lona" run "$dir/bomb.lona" 2>"$dir/bomb.err" | tr '\n' ' ' | sed 's/ $//')"
check "--max-realms too" ":system-limit 3 true" \
    "$("$lona" --max-realms 3 run "$dir/bomb.lona" 2>"$dir/bomb.err" | tr '\n' ' ' | sed 's/ $//')"

# A crash in a child realm is reported on the parent's standard error,
# naming the realm; the script waits for the report, then ends the run.
cat >"$dir/crash.lona" <<'LONA'
(defn boom [] (+ 1 nil))
(spawn-in (realm-create %{:name 'crashy :schedulers 1}) boom)
(receive :never-sent :ok :after 60000 :timeout)
LONA
"$lona" run "$dir/crash.lona" >"$dir/crash.out" 2>&1 &
parent=$!
wait_for "$dir/crash.out" "at user/boom" $parent
kill $parent 2>/dev/null
wait $parent 2>/dev/null
check "a child realm's crash report names the realm" \
    "=CRASH REPORT= process #pid<2.2> in realm #realm-id<2> exited with [:error :type-error" \
    "$(grep '^=CRASH REPORT=' "$dir/crash.out" | cut -c1-86)"
check "and carries the trace" "  at user/boom ($dir/crash.lona:1)" "$(grep 'at user/boom' "$dir/crash.out")"

report realm_test
