#!/bin/sh
# `rramprof capture --board qemu-mps2-an386` end to end, for one workload:
#
# 1. The normal image (it waits for the host): capture --workload W
#    --events N; `info --json` must show the board, no loss and only passing
#    workload runs; QEMU ran with its private directory under $TMPDIR and
#    nothing of it is left afterwards (no process, no directory); `rramprof
#    report` writes summary.json.
#    Determinism, host-driven: a second such capture must give the same
#    events, byte for byte, in the exported trace and in `info --json`
#    (host time and chunking aside). Start carries the workload and the
#    event limit, and the board restarts its timer at Start, so where the
#    host's command lands in emulated time does not show.
# 2. Determinism, passive: the -test-W image records W from boot by
#    itself; a --passive capture run twice must give the same events.
#
#   board_capture.sh RRAMPROF FW_DIR WORKLOAD [EVENTS [BOARD [SAME_TICKS]]]
#
# BOARD defaults to qemu-mps2-an386. SAME_TICKS=0 skips the host-driven
# identity check, for netduinoplus2: QEMU's STM32 timer keeps its
# prescaler phase tied to emulated time, so a host-driven run's timestamps
# may move by a tick (docs/cli.md); its passive runs must still match.
set -eu
rramprof=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
fw=$(cd "$2" && pwd) workload=$3 events=${4:-3000}
board=${5:-qemu-mps2-an386} same_ticks=${6:-1}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL ($workload): $*" >&2; exit 1; }
mkdir "$dir/tmp"

# 1. host-driven capture of the normal image
TMPDIR="$dir/tmp" "$rramprof" capture --board $board --firmware "$fw/rramprof-$board.elf" \
    --workload "$workload" --events "$events" --timeout 20 -o "$dir/run.rpcap" -q >"$dir/capture.txt" 2>&1 &
cap=$!
seen=0
while kill -0 $cap 2>/dev/null; do
    if pgrep -f "$dir/tmp/rramprof-qemu-" >/dev/null; then seen=1; fi
    sleep 0.05
done
wait $cap || { cat "$dir/capture.txt" >&2; fail "rramprof capture exited with $?"; }
[ $seen -eq 1 ] || fail "no QEMU with its directory under \$TMPDIR was seen during the capture"
! pgrep -f "$dir/tmp/rramprof-qemu-" >/dev/null || fail "QEMU is still running after the capture"
[ -z "$(ls -A "$dir/tmp")" ] || fail "the temporary directory was left behind: $(ls -A "$dir/tmp")"

"$rramprof" info "$dir/run.rpcap" --json >"$dir/info.json" || fail "rramprof info failed"
check() { grep -Eq "$1" "$dir/info.json" || { cat "$dir/info.json" >&2; fail "$2"; }; }
check "\"board\": \"$board\"" "wrong board"
check '"loss": \{"link": 0, "device": 0, "unsent": 0, "total": 0' "events lost"
check "\"name\": \"$workload\", \"runs\": [0-9]+, \"passed\": [1-9][0-9]*, \"failed\": 0" \
    "no passing run of $workload, or a failed one"
check '"failed": 0' "a workload run failed"
got=$(sed -n 's/^  "events": \([0-9]*\),$/\1/p' "$dir/info.json")
[ -n "$got" ] && [ "$got" -eq "$events" ] || fail "captured ${got:-no} events, wanted exactly $events (the device's limit)"

"$rramprof" report "$dir/run.rpcap" -o "$dir/report" >"$dir/report.txt" 2>&1 \
    || { cat "$dir/report.txt" >&2; fail "rramprof report failed"; }
[ -s "$dir/report/summary.json" ] || fail "no report/summary.json"

# The same capture again: identical events.
if [ "$same_ticks" -eq 1 ]; then
mkdir "$dir/h"
TMPDIR="$dir/tmp" "$rramprof" capture --board $board --firmware "$fw/rramprof-$board.elf" \
    --workload "$workload" --events "$events" --timeout 20 -o "$dir/h/run.rpcap" -q >"$dir/h/capture.txt" 2>&1 \
    || { cat "$dir/h/capture.txt" >&2; fail "second host-driven capture failed"; }
for run in "$dir" "$dir/h"; do
    (cd "$run" && "$rramprof" export run.rpcap -o trace.json >/dev/null && \
        "$rramprof" info run.rpcap --json | grep -Ev '"(host_time_ns|integrity)"' >info-cmp.json) \
        || fail "export/info of a host-driven capture failed"
done
cmp -s "$dir/trace.json" "$dir/h/trace.json" || fail "two host-driven captures gave different events"
cmp -s "$dir/info-cmp.json" "$dir/h/info-cmp.json" \
    || { diff "$dir/info-cmp.json" "$dir/h/info-cmp.json" >&2; fail "two host-driven captures differ"; }
fi

# 2. the -test image, twice, passively
for run in a b; do
    mkdir "$dir/$run"
    (cd "$dir/$run" && TMPDIR="$dir/tmp" "$rramprof" capture --board $board --passive \
        --firmware "$fw/rramprof-$board-test-$workload.elf" -o run.rpcap -q >capture.txt 2>&1) \
        || { cat "$dir/$run/capture.txt" >&2; fail "passive capture $run failed"; }
    (cd "$dir/$run" && "$rramprof" export run.rpcap -o trace.json >/dev/null && \
        "$rramprof" info run.rpcap --json | grep -Ev '"(host_time_ns|integrity)"' >info.json) \
        || fail "export/info of passive capture $run failed"
done
grep -q '"loss": {"link": 0, "device": 0, "unsent": 0, "total": 0' "$dir/a/info.json" || fail "passive capture lost events"
grep -q "\"events\": $events," "$dir/a/info.json" || fail "passive capture does not hold the $events events of the image"
cmp -s "$dir/a/trace.json" "$dir/b/trace.json" || fail "two runs of the same image gave different events"
cmp -s "$dir/a/info.json" "$dir/b/info.json" || { diff "$dir/a/info.json" "$dir/b/info.json" >&2; fail "two runs differ"; }
[ -z "$(ls -A "$dir/tmp")" ] || fail "the temporary directory was left behind"
echo "ok: $board $workload: $got events host-driven, no loss, report written; runs identical (host-driven: $same_ticks, passive: 1)"
