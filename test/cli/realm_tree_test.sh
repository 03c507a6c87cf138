#!/bin/sh
# Realms below realms, seen from outside: a grandchild's OS process killed
# with SIGKILL fires the monitors into it with :noconnection, and the tree
# lives on; a realm bomb that recurses down the tree is bounded by
# LONA_MAX_REALMS, which counts every realm of the tree; once the tree is
# terminated the root has no child OS process left, not even a zombie.
#   sh test/cli/realm_tree_test.sh LONA
# Prints "realm_tree_test: N passed, N failed"; exits non-zero on any failure.
set -u
lona=$1
. "$(dirname "$0")/check.sh"

# The program prints the grandchild's OS pid, then waits for the :DOWN
# that the kill below must cause; the script waits for that line.
cat >"$dir/killed.lona" <<'LONA'
(defn wait-forever [] (receive :never-sent nil))
(defn echo [] (receive [from msg] (send from [:echo msg])))
(defn make [to] (send to [:made (realm-create %{:name 'grand :schedulers 1})]) (wait-forever))
(let [c (realm-create %{:name 'middle :schedulers 1})
      _ (spawn-in c make (self))
      g (receive [:made g] g :after 60000 :timeout)
      m (monitor (spawn-in g wait-forever))]
  (println (get-in (realm-info g) [:resource-usage :os-pid]))
  (println (receive [:DOWN x _ why] when (= x m) why :after 60000 :timeout))
  (println (realm-info g) (count (child-realms)))
  (spawn-in c make (self))
  (let [e (spawn-in (receive [:made g2] g2 :after 60000 :timeout) echo)]
    (send e [(self) :alive])
    (println (receive [:echo v] v :after 60000 :timeout))))
LONA
kill_printed "kill -9 of a grandchild realm" "$dir/killed.lona" ":noconnection nil 1 :alive"

# Every realm of the bomb makes realms in a loop and starts the bomb in
# each: the tree fills up, realm-create answers :system-limit, the root
# lives on; terminating its children leaves no OS process behind.
cat >"$dir/bomb.lona" <<'LONA'
(defn bomb [] (let [r (realm-create %{:name 'b :schedulers 1})] (spawn-in r bomb) (bomb)))
(let [[_ m] (spawn-monitor bomb)]
  (println (receive [:DOWN r _ [:error why & _]] when (= r m) why :after 60000 :timeout)))
(println (<= 1 (count (child-realms)) 6))
(doseq [r (child-realms)] (realm-terminate r))
(println (realm-id? (realm-create %{:name 'again})))
(doseq [r (child-realms)] (realm-terminate r))
(println :reaped)
(receive :never-sent :ok :after 60000 :timeout)
LONA
LONA_MAX_REALMS=6 "$lona" run "$dir/bomb.lona" >"$dir/bomb.out" 2>"$dir/bomb.err" &
parent=$!
wait_for "$dir/bomb.out" ":reaped" $parent
check "LONA_MAX_REALMS bounds a bomb down the tree" ":system-limit true true :reaped" \
    "$(tr '\n' ' ' <"$dir/bomb.out" | sed 's/ $//')"
check "no child OS process left, no zombie" "" "$(ps -o pid=,stat= --ppid $parent)"
kill $parent 2>/dev/null
wait $parent 2>/dev/null

report realm_tree_test
