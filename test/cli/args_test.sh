#!/bin/sh
# The command line itself: --version, the REPL's banner, and usage errors
# (unknown options and commands, missing values, files that cannot be
# read, out-of-range settings from flags or the environment), each a
# one-line message on stderr with exit status 2.
#   sh test/cli/args_test.sh LONA
# Prints "args_test: N passed, N failed"; exits non-zero on any failure.
set -u
lona=$1
. "$(dirname "$0")/check.sh"

# status ARGS...: "STATUS|first line of stderr" of lona ARGS (stdout dropped).
status() {
    "$lona" "$@" >/dev/null 2>"$dir/err" </dev/null
    echo "$?|$(head -n 1 "$dir/err")"
}

# out ARGS...: "STATUS|stdout" of lona ARGS.
out() {
    o=$("$lona" "$@" </dev/null)
    echo "$?|$o"
}

check "--version" "0|lona 0.1.0" "$(out --version)"
check "-V" "0|lona 0.1.0" "$(out -V)"
check "--help goes to stdout, status 0" "0" "$("$lona" --help >/dev/null 2>&1; echo $?)"

check "unknown option" "2|lona: unknown option '--foo'" "$(status --foo)"
check "unknown short option" "2|lona: unknown option '-x'" "$(status -x eval 1)"
check "unknown command" "2|lona: unknown command 'frob'" "$(status frob)"
check "missing value" "2|lona: --schedulers needs a value" "$(status --schedulers)"
check "missing value at the end" "2|lona: --max-realms needs a value" "$(status --max-realms)"
check "run without a file" "2|lona: run needs a FILE to run" "$(status run)"
check "eval without an expression" "2|lona: eval needs an expression" "$(status eval)"
check "repl with an argument" "2|lona: repl takes no arguments, got 'x'" "$(status repl x)"

check "--schedulers abc" "2|lona: --schedulers needs a whole number from 1 to 1024, got 'abc'" \
    "$(status --schedulers abc eval 1)"
check "--schedulers 0" "2|lona: --schedulers needs a whole number from 1 to 1024, got '0'" \
    "$(status --schedulers 0 eval 1)"
check "--schedulers -1" "2|lona: --schedulers needs a whole number from 1 to 1024, got '-1'" \
    "$(status --schedulers -1 eval 1)"
check "--schedulers 1025" "2|lona: --schedulers needs a whole number from 1 to 1024, got '1025'" \
    "$(status --schedulers 1025 eval 1)"
check "--schedulers=2x" "2|lona: --schedulers needs a whole number from 1 to 1024, got '2x'" \
    "$(status --schedulers=2x eval 1)"
check "--max-processes 0" "2|lona: --max-processes needs a whole number from 1 to 1000000000, got '0'" \
    "$(status --max-processes 0 eval 1)"
check "--max-realms 65536" "2|lona: --max-realms needs a whole number from 0 to 65535, got '65536'" \
    "$(status --max-realms 65536 eval 1)"
check "good values run" "3" "$("$lona" --schedulers 2 --max-processes=1000 --max-realms 0 eval '(+ 1 2)')"

check "LONA_SCHEDULERS=abc" "2|lona: LONA_SCHEDULERS needs a whole number from 1 to 1024, got 'abc'" \
    "$(LONA_SCHEDULERS=abc status eval 1)"
check "LONA_SCHEDULERS=0" "2|lona: LONA_SCHEDULERS needs a whole number from 1 to 1024, got '0'" \
    "$(LONA_SCHEDULERS=0 status eval 1)"
check "LONA_MAX_PROCESSES=many" "2|lona: LONA_MAX_PROCESSES needs a whole number from 1 to 1000000000, got 'many'" \
    "$(LONA_MAX_PROCESSES=many status eval 1)"
check "LONA_MAX_REALMS=-3" "2|lona: LONA_MAX_REALMS needs a whole number from 0 to 65535, got '-3'" \
    "$(LONA_MAX_REALMS=-3 status eval 1)"
check "an empty variable is unset" "1" "$(LONA_SCHEDULERS= "$lona" eval 1)"
check "the flag wins over a bad variable" "1" "$(LONA_MAX_REALMS=x "$lona" --max-realms 2 eval 1)"
check "a bad flag is blamed, not the variable" \
    "2|lona: --max-processes needs a whole number from 1 to 1000000000, got 'x'" \
    "$(LONA_MAX_PROCESSES=5 status --max-processes x eval 1)"

check "run a directory" "2|lona: cannot read '$dir': is a directory" "$(status run "$dir")"
check "run a missing file" "2|lona: cannot open '$dir/x.lona': No such file or directory" \
    "$(status run "$dir/x.lona")"
echo '(println :ran)' >"$dir/ok.lona"
check "run a file" ":ran" "$("$lona" run "$dir/ok.lona")"
check "doctest a directory" "2|lona: cannot read '$dir': is a directory" "$(status doctest "$dir")"
check "doctest a missing file" "2|lona: cannot open '$dir/x.md': No such file or directory" \
    "$(status doctest "$dir/x.md")"
check "doctest without a file" "2|lona: doctest needs a FILE.md (usage: lona doctest [--json] FILE.md...)" \
    "$(status doctest)"
check "doctest unknown option" "2|lona: unknown option '--foo' (usage: lona doctest [--json] FILE.md...)" \
    "$(status doctest --foo x.md)"
check "test a missing path" "2|lona: cannot open '$dir/none': No such file or directory" \
    "$(status test "$dir/none")"
mkdir "$dir/tests"
echo '(deftest one (is (= 2 (+ 1 1))))' >"$dir/tests/one_test.lona"
check "test a directory" "0|" "$(status test "$dir/tests")"
check "test a directory, its count" "1 passed, 0 failed" "$("$lona" test "$dir/tests" | tail -n 1)"

# The banner needs a terminal: script(1) gives lona one, and a Ctrl-D
# (written after lona has had time to start) ends the session.
if command -v script >/dev/null 2>&1; then
    out=$( (sleep 1; printf '\004') | timeout 60 script -qec "$lona --schedulers 3" /dev/null | tr -d '\r' | head -n 1)
    check "banner on a terminal" "lona 0.1.0 on 3 schedulers. Ctrl-D quits." "$out"
else
    echo "args_test: no script(1), banner not checked"
fi
check "no banner on piped input" "3" "$(echo '(+ 1 2)' | "$lona" repl)"

report args_test
