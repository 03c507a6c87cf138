#!/bin/sh
# Supervisor reports on standard error: a line when a child dies and is
# restarted (supervisor, child id, old pid, reason, new pid), one for each
# sibling a :one-for-all restart shuts down and starts again, one for a
# :temporary child that crashes (not restarted), one when restarts pass
# the intensity; nothing for normal exits that are not restarted, nor with
# :reports false in the spec. The program waits for each restart through
# a [:DOWN] and a call to the supervisor (never a sleep), and prints on
# standard output the lines it expects, built from the pids it sees.
#   sh test/cli/supervisor_report_test.sh LONA
# Prints "supervisor_report_test: N passed, N failed"; exits non-zero on any failure.
set -u
lona=$1
. "$(dirname "$0")/check.sh"

cat >"$dir/sup.lona" <<'LONA'
;; A worker that ends with a type error on :crash, or with the reason of
;; [:exit-with reason].
(defn worker []
  (spawn-link (fn [] (receive :crash (+ 1 :a) [:exit-with r] (exit r)))))
(defn pid-of [sup id]
  (some (fn [[i p]] (when (= i id) p)) (supervisor-which-children sup)))
;; Sends msg to child id and waits until it is gone and the supervisor has
;; dealt with its [:EXIT]; returns its old pid.
(defn end! [sup id msg]
  (let [pid (pid-of sup id) m (monitor pid)]
    (send pid msg)
    (receive [:DOWN r _ _] when (= r m) nil)
    (supervisor-which-children sup)
    pid))
(defn expect [sup & parts]
  (println (apply str "=SUPERVISOR REPORT= supervisor " (pr-str sup) " " parts)))
(def type-error "[:error :type-error %{:fn + :value :a :expected \"number\"}]")

(let [[:ok sup] (supervisor-start
                  %{:children [%{:id :worker :start [worker []]}
                               %{:id :tr :start [worker []] :restart :transient}
                               %{:id :tmp :start [worker []] :restart :temporary}
                               %{:id :tmp2 :start [worker []] :restart :temporary}]
                    :intensity 10})]
  (let [old (end! sup :worker :crash)]
    (expect sup "child :worker " (pr-str old) " exited with " type-error
            "; restarted as " (pr-str (pid-of sup :worker))))
  (let [old (end! sup :worker [:exit-with :normal])]
    (expect sup "child :worker " (pr-str old) " exited with :normal; restarted as "
            (pr-str (pid-of sup :worker))))
  (end! sup :tr [:exit-with :normal])
  (end! sup :tmp [:exit-with :shutdown])
  (let [old (end! sup :tmp2 [:exit-with :bad])]
    (expect sup "child :tmp2 " (pr-str old) " exited with :bad; not restarted (:temporary)")))

(let [[:ok sup] (supervisor-start
                  %{:strategy :one-for-all
                    :children [%{:id :a :start [worker []]} %{:id :b :start [worker []]}]})
      b (pid-of sup :b)
      a (end! sup :a [:exit-with :boom])]
  (expect sup "child :a " (pr-str a) " exited with :boom; restarted as " (pr-str (pid-of sup :a)))
  (expect sup "child :b " (pr-str b) " shut down (:one-for-all); restarted as " (pr-str (pid-of sup :b))))

(let [[:ok sup] (supervisor-start %{:intensity 0 :children [%{:id :w :start [worker []]}]})
      w (pid-of sup :w)
      m (monitor sup)]
  (send w [:exit-with :boom])
  (receive [:DOWN r _ _] when (= r m) nil)
  (expect sup "child :w " (pr-str w) " exited with :boom; too many restarts, the supervisor stops with :shutdown"))

(let [[:ok sup] (supervisor-start %{:reports false :intensity 10 :children [%{:id :q :start [worker []]}]})]
  (end! sup :q :crash)
  (end! sup :q [:exit-with :boom]))

(println "done")
LONA

# The children's own crash reports are silenced: only the supervisor's are compared.
LONA_CRASH_REPORTS=off timeout 60 "$lona" run "$dir/sup.lona" >"$dir/out" 2>"$dir/err"
check "the program ran" "0|done" "$?|$(tail -n 1 "$dir/out")"
check "one report line per expected line, in order" "$(grep '^=SUPERVISOR REPORT=' "$dir/out")" \
    "$(cat "$dir/err")"
check "six reports" "6" "$(grep -c '^=SUPERVISOR REPORT=' "$dir/err")"
check "the report of a crash" "yes" \
    "$(grep -q '^=SUPERVISOR REPORT= supervisor #pid<[0-9.]*> child :worker #pid<[0-9.]*> exited with \[:error :type-error' "$dir/err" && echo yes)"

check "a bad :reports" "[:error [:bad-supervisor-spec :reports 1]]" \
    "$("$lona" eval '(supervisor-start %{:reports 1 :children []})')"

report supervisor_report_test
