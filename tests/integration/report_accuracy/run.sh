#!/bin/sh
# Accuracy of `rramprof report` against the sim board's ground truth.
#
#   run.sh truth BINDIR WORKLOAD
#       The sim board records WORKLOAD from boot (--autostart) with --truth;
#       the report of its raw stream must equal the truth (check_truth.py).
#   run.sh threads BINDIR WORKLOAD
#       the report on one thread and on two gives identical outputs.
#   run.sh scenario BINDIR NAME EXPECTED_ID [EVENTS]
#       `rramprof capture --board`-style capture of the sim board loaded with
#       scenario NAME (boards/sim/scenarios/NAME.params, which also picks the
#       workload); the report's primary finding must be EXPECTED_ID.
set -eu
mode=$1 bin=$2
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

case "$mode" in
truth)
    workload=$3
    "$bin/rramprof-sim" --transport stdio --autostart --events 30000 --quiet \
        --workload "$workload" --truth "$dir/truth.csv" >"$dir/raw.bin" \
        || fail "rramprof-sim exited with $?"
    "$bin/rramprof" report "$dir/raw.bin" -o "$dir/report" --format json >"$dir/out.txt" \
        || fail "rramprof report exited with $?"
    python3 "$here/check_truth.py" "$dir/report/summary.json" "$dir/truth.csv"
    ;;
scenario)
    name=$3 want=$4 events=${5:-20000}
    "$bin/rramprof" capture -q --from "exec:'$bin/rramprof-sim' --transport stdio --quiet --scenario $name" \
        --events "$events" -o "$dir/$name.rpcap" >"$dir/capture.txt" || fail "capture exited with $?"
    "$bin/rramprof" report "$dir/$name.rpcap" -o "$dir/report" --format json,md >"$dir/out.txt" \
        || fail "rramprof report exited with $?"
    got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); f=d["findings"]; print(f[0]["id"] if f else "none")' \
        "$dir/report/summary.json")
    if [ "$got" != "$want" ]; then
        python3 -c 'import json,sys
for f in json.load(open(sys.argv[1]))["findings"]:
    print(f["rank"], f["id"], f["severity"], f["gain_share"], f["title"], file=sys.stderr)' "$dir/report/summary.json"
        fail "scenario $name: primary finding is $got, expected $want"
    fi
    # The Markdown report names it first too.
    grep -q "$want" "$dir/report/report.md" || fail "report.md does not mention $want"
    echo "ok: scenario $name -> primary $got"
    ;;
threads)
    # The report's memory analytics run on a second thread; on one thread
    # (RRAMPROF_REPORT_THREADS=1) every output must be byte-identical.
    workload=$3
    "$bin/rramprof-sim" --transport stdio --autostart --events 60000 --quiet \
        --workload "$workload" >"$dir/raw.bin" || fail "rramprof-sim exited with $?"
    "$bin/rramprof" report "$dir/raw.bin" -o "$dir/two" --format json,csv,md >/dev/null \
        || fail "rramprof report exited with $?"
    RRAMPROF_REPORT_THREADS=1 "$bin/rramprof" report "$dir/raw.bin" -o "$dir/one" \
        --format json,csv,md >/dev/null || fail "rramprof report (one thread) exited with $?"
    for f in summary.json metrics.csv report.md; do
        cmp "$dir/one/$f" "$dir/two/$f" || fail "$f differs between one and two threads"
    done
    grep -q '"rows_accessed": [1-9]' "$dir/two/summary.json" || fail "no memory analytics in the report"
    echo "ok: $workload report identical on one and two threads"
    ;;
*)
    fail "unknown mode $mode"
    ;;
esac
