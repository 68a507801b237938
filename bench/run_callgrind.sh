#!/usr/bin/env bash
# Instructions per event of the firmware recorder, counted by callgrind on
# the host build (-O2, the sim board's port): the record hot path
# (accepted, rejected by the op mask, rejected by the threshold) and the
# drain (ring -> EventBatch encoding -> CRC + COBS framing -> link).
# Only the measured function (and what it calls) is counted:
# --toggle-collect=<function>, averaged over EVENTS calls / events.
# Instruction counts are exact and repeatable, not timings.
# The drain figure uses a synthetic write-verify pattern (bench_drain.c);
# a last table measures encode + framing on the sim board's real demo
# workloads (SIM_EVENTS events each, default 20000), where the same
# 80-instruction target applies.
#
# Usage: bench/run_callgrind.sh [BUILD_DIR] [EVENTS]   (defaults: build 200000)
# Exits 1 if a figure misses its target.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
events="${2:-200000}"

command -v valgrind >/dev/null || { echo "run_callgrind.sh: valgrind not found" >&2; exit 2; }
[ -f "$build/CMakeCache.txt" ] || { echo "run_callgrind.sh: configure $build first (scripts/build $build)" >&2; exit 2; }
type="$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt")"
if grep -q '^RRAMPROF_SANITIZE:BOOL=ON' "$build/CMakeCache.txt"; then
  echo "run_callgrind.sh: $build is a sanitizer build; use a plain one" >&2; exit 2
fi
case "$type" in
  Release|RelWithDebInfo) ;;
  *) echo "run_callgrind.sh: warning: $build is a '$type' build; the encoder is not -O2 there" >&2 ;;
esac
cmake --build "$build" --target bench_record bench_drain rramprof-sim -j2 >/dev/null

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# measure FUNCTION OUTFILE-TAG COMMAND...: prints the instructions counted
# inside FUNCTION; the benchmark's stdout goes to $tmp/TAG.out.
measure() {
  local fn="$1" tag="$2"; shift 2
  valgrind --tool=callgrind --callgrind-out-file="$tmp/$tag.cg" --toggle-collect="$fn" \
    "$@" >"$tmp/$tag.out" 2>"$tmp/$tag.err" || { cat "$tmp/$tag.err" "$tmp/$tag.out" >&2; exit 1; }
  sed -n 's/^summary: *//p' "$tmp/$tag.cg" | awk '{print $1}'
}

rec="$build/bin/bench_record"
drain="$build/bin/bench_drain"
ir_empty="$(measure bench_empty_call empty "$rec" empty "$events")"
ir_acc="$(measure rp_recorder_record accepted "$rec" accepted "$events")"
ir_mask="$(measure rp_recorder_record filtered "$rec" filtered "$events")"
ir_thr="$(measure rp_recorder_record threshold "$rec" threshold "$events")"
ir_drain="$(measure rp_device_drain drain "$drain" "$events")"
sent="$(sed -n 's/.*\bsent=\([0-9]*\).*/\1/p' "$tmp/drain.out")"
bytes="$(sed -n 's/.*\blink_bytes=\([0-9]*\).*/\1/p' "$tmp/drain.out")"

status=0
row() {  # name value target
  local verdict=ok
  if awk -v v="$2" -v t="$3" 'BEGIN { exit !(v > t) }'; then verdict=MISS; status=1; fi
  printf '| %s | %s | <= %s | %s |\n' "$1" "$2" "$3" "$verdict"
}
per() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
call="$(per "$ir_empty" "$events")"

echo "callgrind, $events events, build $build ($type), $(uname -m)"
echo
echo "| path (instructions per event) | measured | target | |"
echo "| --- | ---: | ---: | --- |"
row "rp_recorder_record, accepted" "$(per "$ir_acc" "$events")" 40
row "rp_recorder_record, op mask rejects, beyond the call" \
    "$(awk -v a="$ir_mask" -v e="$ir_empty" -v n="$events" 'BEGIN { printf "%.2f", (a - e) / n }')" 5
printf '| rp_recorder_record, threshold rejects (info) | %s | | |\n' "$(per "$ir_thr" "$events")"
row "rp_device_drain (encode + frame + write)" "$(per "$ir_drain" "$sent")" 80

# Where the drain's instructions go: inclusive counts of its callees. A
# function can be listed more than once (code inlined from a header under
# the header's name, and a line with everything); the largest is the total.
incl() {
  callgrind_annotate --inclusive=yes "$tmp/drain.cg" 2>/dev/null |
    awk -v fn="$1" '{ f = $3; sub(/^.*:/, "", f) }
                    f == fn { gsub(",", "", $1); if ($1 + 0 > v) v = $1 + 0 } END { print v + 0 }'
}
enc="$(incl rp_encode_batch)"
fit="$(incl rp_encode_batch_fit)"
frm="$(incl rp_frame_encode)"
own="$(awk -v t="$ir_drain" -v a="$enc" -v b="$fit" -v c="$frm" 'BEGIN { print t - a - b - c }')"
echo
echo "| drain breakdown (instructions per event) | |"
echo "| --- | ---: |"
printf '| rp_encode_batch (EventBatch encoder) | %s |\n' "$(per "$enc" "$sent")"
printf '| rp_encode_batch_fit (batch sizing) | %s |\n' "$(per "$fit" "$sent")"
printf '| rp_frame_encode (CRC-32 + COBS, one pass) | %s |\n' "$(per "$frm" "$sent")"
printf '| device loop + ring (rp_device_drain itself) | %s |\n' "$(per "$own" "$sent")"
echo
echo "call itself (empty function, its ret): $call instructions;"
echo "op-mask reject including the ret: $(per "$ir_mask" "$events");"
echo "drain: $sent events, $(per "$bytes" "$sent") link bytes per event (synthetic"
echo "write-verify pattern of bench_drain.c)."

# The synthetic pattern is kinder than real traffic: the sim board's demo
# workloads (testchip preset) mix ops, so columns vary, durations are long
# and the encoder gathers per-op statistics. Encode + frame per event on
# each, for the same number of events (the sim stops at a workload step
# boundary, so a few more than that may be drained; they only lower the
# figure slightly). rp_frame_encode frames every frame kind, not only the
# batches.
sim="$build/bin/rramprof-sim"
sim_events="${SIM_EVENTS:-20000}"
echo
echo "| real workload, $sim_events events, testchip (instructions per event) | rp_encode_batch | rp_frame_encode | encode + frame | target | |"
echo "| --- | ---: | ---: | ---: | ---: | --- |"
for w in program mlp scan solver; do
  enc_w="$(measure rp_encode_batch "sim-$w-enc" "$sim" --autostart --quiet --seed 1 \
             --events "$sim_events" --workload "$w" --preset testchip </dev/null)"
  frm_w="$(measure rp_frame_encode "sim-$w-frm" "$sim" --autostart --quiet --seed 1 \
             --events "$sim_events" --workload "$w" --preset testchip </dev/null)"
  total_w="$(per "$((enc_w + frm_w))" "$sim_events")"
  verdict=ok
  if awk -v v="$total_w" 'BEGIN { exit !(v > 80) }'; then verdict=MISS; status=1; fi
  printf '| %s | %s | %s | %s | <= 80 | %s |\n' "$w" "$(per "$enc_w" "$sim_events")" \
    "$(per "$frm_w" "$sim_events")" "$total_w" "$verdict"
done
exit $status
