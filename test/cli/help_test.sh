#!/bin/sh
# Help at the prompt through the command line: an undefined symbol's
# message with its suggestions (on stderr, exit status 1), doc and i
# printing to stdout, the same in the REPL.
#   sh test/cli/help_test.sh LONA
# Prints "help_test: N passed, N failed"; exits non-zero on any failure.
set -u
lona=$1
. "$(dirname "$0")/check.sh"

# err EXPR: "STATUS|last line of stderr" of lona eval EXPR.
err() {
    "$lona" eval "$1" >/dev/null 2>"$dir/err" </dev/null
    echo "$?|$(tail -n 1 "$dir/err")"
}

check "a Clojure name" "1|  unable to resolve symbol: assoc (did you mean put, dissoc?)" \
    "$(err '(assoc %{} :a 1)')"
check "a typo" "1|  unable to resolve symbol: rnage (did you mean range, name?)" "$(err '(rnage 3)')"
check "a name of the program" "1|  unable to resolve symbol: helo-world (did you mean hello-world?)" \
    "$(err '(do (def hello-world 1) helo-world)')"
check "nothing close" "1|  unable to resolve symbol: qwertyuiop" "$(err 'qwertyuiop')"
check "the info map" "1" "$("$lona" eval 'assoc' 2>&1 </dev/null | grep -c ':did-you-mean \[put dissoc\]')"

check "doc" "-------------------------
lona.core/inc
([x])
  (+ x 1)
nil" "$("$lona" eval '(doc inc)' </dev/null)"
check "doc of a macro" "Macro" "$("$lona" eval '(doc when)' </dev/null | sed -n 4p)"
check "doc of nothing" "nil" "$("$lona" eval '(doc no-such-thing)' </dev/null)"

"$lona" eval '(do (register (quote main)) (spawn (fn [] (receive :never :ok))) (i))' >"$dir/i" </dev/null
check "i: the header" "Pid Name Status Reductions Heap Mailbox" "$(head -n 1 "$dir/i" | tr -s ' ')"
check "i: the caller, named" "main running" "$(sed -n 2p "$dir/i" | awk '{print $2, $3}')"
check "i: the other one, unnamed" "-" "$(sed -n 3p "$dir/i" | awk '{print $2}')"
check "i: the count" "2 processes" "$(sed -n 4p "$dir/i")"

printf '(doc put)\nassoc\n(apropos "whereis")\n' | "$lona" repl >"$dir/out" 2>"$dir/err"
check "repl: doc" "lona.core/put" "$(sed -n 2p "$dir/out")"
check "repl: the suggestion" "  unable to resolve symbol: assoc (did you mean put, dissoc?)" "$(tail -n 1 "$dir/err")"
check "repl: apropos" "1" "$(grep -c '^(lona.process/whereis lona.process/whereis-local)$' "$dir/out")"

report help_test
