#!/bin/sh
# Run the Lonala benchmarks beside their Erlang twins and print a table.
#
#   sh bench/run.sh LONA [bench ...]       e.g. sh bench/run.sh build/release/lona ring
#   sh bench/run.sh --report RAW           the tables again, from a raw.txt
#
# For every benchmark, RUNS rounds (default 5); in each round the Lonala
# program (bench/NAME.lona) and the Erlang twin (bench:run(NAME, N) of the
# shared bench.erl, or bench/erlang/NAME.erl for programs it lacks; the
# realm_* twins start peer nodes and talk to them over distribution) run once
# each, in a fresh OS process, alternating which goes first. Then a table:
# the median of per_op_ns for each side, the ratio lona/BEAM (a time ratio:
# above 1 means Lonala is slower) and the sorted runs; then the same for the
# secondary figures. Benchmarks are measurements, never tests: nothing fails.
#
# Environment:
#   QUICK=1          small sizes and one round (a smoke run)
#   RUNS=n           rounds (default 5, or 1 with QUICK=1)
#   N_<bench>=n      size of one benchmark, e.g. N_ring=100
#   OUTDIR=dir       raw output and compiled Erlang (default /tmp/lona-bench)
#   TIMEOUT=s        limit per run in seconds (default 600); a run that
#                    exceeds it, or crashes, is reported as an error
#   ERL_FLAGS        extra BEAM flags (read by erl itself)
#
# The Erlang baseline lives in shared/bench/erlang beside the repository
# (falling back to /work/shared/bench/erlang).
set -eu

# summarize RAW: the tables, from the raw result lines of a run.
summarize() {
awk '
function num(s) { return s ~ /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/ }
function fmt(v) {
    if (v == "") return "-"
    if (v >= 1000 || v <= -1000) return sprintf("%.0f", v)
    if (v >= 10 || v <= -10) return sprintf("%.1f", v)
    return sprintf("%.3g", v)
}
# sorted list s (comma-separated) -> median (lower middle)
function median(s,   a, n) { n = split(s, a, ","); return n ? a[int((n + 1) / 2)] : "" }
function insert(s, v,   a, n, i, out, done) {
    if (s == "") return v
    n = split(s, a, ","); out = ""; done = 0
    for (i = 1; i <= n; i++) {
        if (!done && v + 0 < a[i] + 0) { out = out (out == "" ? "" : ",") v; done = 1 }
        out = out (out == "" ? "" : ",") a[i]
    }
    if (!done) out = out "," v
    return out
}
function pretty(s,   a, n, i, out) {
    if (s == "") return "-"
    n = split(s, a, ","); out = ""
    for (i = 1; i <= n; i++) out = out (i > 1 ? " " : "") fmt(a[i])
    return out
}
BEGIN {
    skip["impl"] = skip["run"] = skip["name"] = skip["n"] = skip["k"] = skip["m"] = skip["r"] = 1
    skip["window"] = skip["senders"] = skip["per_sender"] = skip["procs"] = skip["result"] = 1
    skip["calls"] = skip["queue_len"] = skip["target"] = skip["process_limit"] = skip["process_count"] = 1
    skip["total_ms"] = skip["per_op_ns"] = skip["msg_bytes"] = 1
}
/^impl=/ {
    delete f
    nf = 0
    for (i = 1; i <= NF; i++) {
        p = index($i, "="); key = substr($i, 1, p - 1)
        # the memory figures of the two sides are not the same measure
        # (see bench/README.md) but are shown on one row
        if (key == "rss_bytes_per_proc" || key == "total_bytes_per_proc") key = "bytes_per_proc"
        f[key] = substr($i, p + 1); fk[++nf] = key
    }
    if ("error" in f) { errors = errors sprintf("  %s %s run %s: %s\n", f["impl"], f["name"], f["run"], f["error"]); next }
    row = f["name"] ("k" in f ? " k=" f["k"] : "")
    if (!(row in seen)) { seen[row] = 1; order[++nrows] = row; rown[row] = f["n"] }
    v[row, "per_op_ns", f["impl"]] = insert(v[row, "per_op_ns", f["impl"]], f["per_op_ns"])
    for (i = 1; i <= nf; i++) {
        key = fk[i]
        if ((key in skip) || !num(f[key])) continue
        id = row SUBSEP key
        if (!(id in kseen)) { kseen[id] = 1; keys[row] = keys[row] " " key }
        v[row, key, f["impl"]] = insert(v[row, key, f["impl"]], f[key])
    }
}
END {
    printf "%-28s %11s %12s %12s %9s   %s | %s\n", "benchmark", "n", "lona", "BEAM", "lona/BEAM", "lona runs", "BEAM runs"
    printf "%-28s %11s %12s %12s %9s\n", "(per_op_ns, median)", "", "", "", ""
    for (i = 1; i <= nrows; i++) {
        row = order[i]; a = median(v[row, "per_op_ns", "lona"]); b = median(v[row, "per_op_ns", "beam"])
        ratio = (a != "" && b != "" && b > 0) ? sprintf("%.2f", a / b) : "-"
        printf "%-28s %11s %12s %12s %9s   %s | %s\n", row, rown[row], fmt(a), fmt(b), ratio,
               pretty(v[row, "per_op_ns", "lona"]), pretty(v[row, "per_op_ns", "beam"])
    }
    print ""
    printf "%-46s %12s %12s %9s\n", "secondary figures (median)", "lona", "BEAM", "lona/BEAM"
    for (i = 1; i <= nrows; i++) {
        row = order[i]; nk = split(keys[row], ks, " ")
        for (j = 1; j <= nk; j++) {
            key = ks[j]; a = median(v[row, key, "lona"]); b = median(v[row, key, "beam"])
            ratio = (a != "" && b != "" && b > 0) ? sprintf("%.2f", a / b) : "-"
            printf "%-46s %12s %12s %9s\n", row " " key, fmt(a), fmt(b), ratio
        }
    }
    print ""
    print "lona/BEAM is a ratio of times (or of sizes): above 1, Lonala is slower (bigger)."
    print "For msgs_per_s (a throughput) it is inverted: there, below 1 means Lonala is slower."
    if (errors != "") { print ""; printf "errors:\n%s", errors }
}' "$1"
}

if [ "${1:-}" = --report ] && [ $# = 2 ]; then
    summarize "$2"
    exit 0
fi
if [ $# -lt 1 ]; then
    echo "usage: sh bench/run.sh LONA [bench ...] | sh bench/run.sh --report RAW" >&2
    exit 2
fi
lona=$1
shift
case $lona in /*) ;; *) lona=$(pwd)/$lona ;; esac
root=$(cd "$(dirname "$0")/.." && pwd)
shared="$root/../shared/bench/erlang"
[ -f "$shared/bench.erl" ] || shared=/work/shared/bench/erlang
out=${OUTDIR:-/tmp/lona-bench}
quick=${QUICK:-0}
if [ "$quick" = 1 ]; then runs=${RUNS:-1}; else runs=${RUNS:-5}; fi
limit=${TIMEOUT:-600}

# max_processes is left out of the default list: it measures capacity, not
# speed, and takes long on machines where page faults are slow.
all="fib loop ping_pong ring spawn_exit fanout_throughput selective_receive big_message link_exit_storm memory_per_process spawn_notify realm_start realm_ping_pong realm_throughput realm_idle_memory realm_call realm_link_storm"
benches=${*:-$all}

# Sizes. The full sizes are bench.erl's defaults except where that would
# take minutes per run (see bench/README.md); QUICK sizes are a smoke run.
size() {
    eval "v=\${N_$1:-}"
    if [ -n "$v" ]; then echo "$v"; return; fi
    if [ "$quick" = 1 ]; then
        case $1 in
            fib) echo 25 ;; loop) echo 10000000 ;; ping_pong) echo 100000 ;;
            ring) echo 100 ;; spawn_exit) echo 10000 ;; fanout_throughput) echo 100000 ;;
            selective_receive) echo 1000 ;; big_message) echo 2000 ;;
            link_exit_storm) echo 10000 ;; memory_per_process) echo 10000 ;;
            spawn_notify) echo 10000 ;; max_processes) echo 20000 ;;
            realm_start) echo 5 ;; realm_ping_pong) echo 10000 ;;
            realm_throughput) echo 100000 ;; realm_idle_memory) echo 2 ;;
            realm_call) echo 10000 ;; realm_link_storm) echo 2000 ;; *) echo "" ;;
        esac
    else
        case $1 in
            fib) echo 30 ;; loop) echo 100000000 ;; ping_pong) echo 1000000 ;;
            ring) echo 1000 ;; spawn_exit) echo 100000 ;; fanout_throughput) echo 1000000 ;;
            selective_receive) echo 10000 ;; big_message) echo 100000 ;;
            link_exit_storm) echo 50000 ;; memory_per_process) echo 100000 ;;
            spawn_notify) echo 50000 ;; max_processes) echo 200000 ;;
            realm_start) echo 20 ;; realm_ping_pong) echo 100000 ;;
            realm_throughput) echo 1000000 ;; realm_idle_memory) echo 5 ;;
            realm_call) echo 100000 ;; realm_link_storm) echo 10000 ;; *) echo "" ;;
        esac
    fi
}

for b in $benches; do
    if [ ! -f "$root/bench/$b.lona" ] || [ -z "$(size "$b")" ]; then
        echo "bench/run.sh: unknown benchmark $b" >&2
        exit 2
    fi
done

mkdir -p "$out/beam"
erlc -o "$out/beam" "$shared/bench.erl"
for f in "$root"/bench/erlang/*.erl; do
    if [ -f "$f" ]; then erlc -o "$out/beam" "$f"; fi
done
raw="$out/raw.txt"
: > "$raw"

if command -v timeout >/dev/null 2>&1; then tmo="timeout $limit"; else tmo=""; fi

# run_one IMPL BENCH N ROUND: one run; its result lines go to $raw prefixed
# with impl= and run=; a crash, a timeout or no output becomes an error line.
run_one() {
    impl=$1 b=$2 n=$3 r=$4
    log="$out/last.txt"
    set +e
    if [ "$impl" = lona ]; then
        (cd "$root" && LONA_PATH="$root" $tmo "$lona" run "bench/$b.lona" "$n") > "$log" 2>&1
    elif [ -f "$root/bench/erlang/$b.erl" ]; then
        (cd "$out" && $tmo erl -noshell -pa "$out/beam" -eval "$b:run($n), init:stop().") > "$log" 2>&1
    else
        (cd "$out" && $tmo erl +P 10000000 -noshell -pa "$out/beam" \
            -eval "bench:run($b, $n), init:stop().") > "$log" 2>&1
    fi
    rc=$?
    set -e
    grep '^name=' "$log" | sed "s/^/impl=$impl run=$r /" >> "$raw" || true
    if [ "$rc" != 0 ] || ! grep -q '^name=.* per_op_ns=' "$log"; then
        why="exit=$rc"
        [ "$rc" = 124 ] && why="timeout=${limit}s"
        echo "impl=$impl run=$r name=$b error=$why" >> "$raw"
        sed "s/^/# $impl $b: /" "$log" | tail -5 >> "$raw"
    fi
}

echo "# lona=$lona beam=$(erl -noshell -eval 'io:format("~s", [erlang:system_info(otp_release)]), init:stop().') runs=$runs quick=$quick" | tee -a "$raw"
i=1
while [ "$i" -le "$runs" ]; do
    for b in $benches; do
        n=$(size "$b")
        echo "# round $i/$runs: $b n=$n" >&2
        if [ $((i % 2)) = 1 ]; then
            run_one lona "$b" "$n" "$i"; run_one beam "$b" "$n" "$i"
        else
            run_one beam "$b" "$n" "$i"; run_one lona "$b" "$n" "$i"
        fi
    done
    i=$((i + 1))
done

# ---- the tables (see summarize) ----
# Rows are keyed by name (and k for selective_receive). The main table
# compares per_op_ns; the secondary one every other numeric figure that is
# not a size or a constant of the program.
summarize "$raw" | tee "$out/table.txt"
echo "(raw lines: $raw)"
