#!/bin/sh
# read-line from the command line: lines and their ends, end of input,
# files and pipes, several readers, and a process waiting for input that
# does not hold up its scheduler (with one scheduler, another process
# runs and prints before any input is given; no sleeps: the input is
# written only once that output has been read).
#   sh test/cli/stdin_test.sh LONA
# Prints "N passed, N failed"; exits non-zero on any failure.
set -u
lona=$1
. "$(dirname "$0")/check.sh"

check "lines, CRLF, last line without newline" '("a" "b" "c" nil nil)' \
    "$(printf 'a\nb\r\nc' | "$lona" eval '(list (read-line) (read-line) (read-line) (read-line) (read-line))')"
check "empty lines" '["" "" "x" nil]' \
    "$(printf '\n\nx\n' | "$lona" eval '[(read-line) (read-line) (read-line) (read-line)]')"
check "no input" nil "$("$lona" eval '(read-line)' </dev/null)"
printf 'from a file\nsecond\n' >"$dir/in.txt"
check "a regular file" '["from a file" "second" nil]' \
    "$("$lona" eval '[(read-line) (read-line) (read-line)]' <"$dir/in.txt")"
check "invalid UTF-8 becomes U+FFFD" '"x�y"' "$(printf 'x\377y\n' | "$lona" eval '(read-line)')"
check "a long line" 100000 \
    "$(awk 'BEGIN { for (i = 0; i < 100000; i++) printf "z"; print "" }' | "$lona" eval '(count (read-line))')"
check "two readers share the lines" true "$(printf '1\n2\n' | "$lona" eval '
  (let [me (self)]
    (spawn (fn [] (send me [:line (read-line)])))
    (spawn (fn [] (send me [:line (read-line)])))
    (= #{"1" "2"} (hash-set (receive [:line l] l) (receive [:line l] l))))')"

cat >"$dir/prog.lona" <<'LONA'
(def me (self))
(spawn (fn [] (send me :reading) (send me [:line (read-line)])))
(receive :reading :ok)
(spawn (fn [] (send me [:sum (reduce + (range 100000))])))
(println "computed" (receive [:sum s] s))
(println "read" (receive [:line l] l))
LONA
mkfifo "$dir/in" "$dir/out"
timeout 60 "$lona" --schedulers 1 run "$dir/prog.lona" <"$dir/in" >"$dir/out" &
exec 3>"$dir/in" 4<"$dir/out"
read -r first <&4
check "a waiting reader leaves the scheduler free" "computed 4999950000" "$first"
echo "late input" >&3
exec 3>&-
read -r second <&4
check "the reader gets the line given later" "read late input" "$second"
exec 4<&-
wait

report stdin_test
