#!/usr/bin/env bash
# Wire size per event for every demo workload on both presets: runs the sim
# board for a fixed number of events (recording from boot, default link)
# and measures its stdout stream with rp_wire_size. The figures are exact
# and repeatable (virtual time, fixed seed), not timings.
#
# Usage: bench/wire_size.sh [BUILD_DIR] [EVENTS]   (defaults: build 100000)
# Prints a Markdown table and the average; exits 1 if the average stream
# bytes per event is above the target (6 bytes/event, framing included).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
events="${2:-100000}"
sim="$build/bin/rramprof-sim"
measure="$build/bin/rp_wire_size"
target="6.0"
for exe in "$sim" "$measure"; do
  [ -x "$exe" ] || { echo "wire_size.sh: $exe missing; build first (scripts/build $build)" >&2; exit 2; }
done

echo "| workload | preset | events | batch B/event | stream B/event |"
echo "| --- | --- | ---: | ---: | ---: |"
sum_batch=0; sum_stream=0; runs=0
for preset in testchip macro; do
  for workload in program mlp scan solver; do
    line="$("$sim" --autostart --quiet --seed 1 --events "$events" \
              --workload "$workload" --preset "$preset" </dev/null | "$measure")"
    got="$(sed -n 's/.*\bevents=\([0-9]*\).*/\1/p' <<<"$line")"
    batch="$(sed -n 's/.*batch_bytes_per_event=\([0-9.]*\).*/\1/p' <<<"$line")"
    stream="$(sed -n 's/.*stream_bytes_per_event=\([0-9.]*\).*/\1/p' <<<"$line")"
    # The device stops at a workload step boundary, so a few more than
    # $events may arrive; the figure is per event received either way.
    if [ -z "$got" ] || [ "$got" -lt "$events" ]; then
      echo "wire_size.sh: $workload/$preset delivered ${got:-no} events, expected $events" >&2
      exit 1
    fi
    echo "| $workload | $preset | $got | $batch | $stream |"
    sum_batch="$(awk -v a="$sum_batch" -v b="$batch" 'BEGIN { print a + b }')"
    sum_stream="$(awk -v a="$sum_stream" -v b="$stream" 'BEGIN { print a + b }')"
    runs=$((runs + 1))
  done
done
avg_batch="$(awk -v s="$sum_batch" -v n="$runs" 'BEGIN { printf "%.3f", s / n }')"
avg_stream="$(awk -v s="$sum_stream" -v n="$runs" 'BEGIN { printf "%.3f", s / n }')"
echo "| **average** | | | **$avg_batch** | **$avg_stream** |"
echo
if awk -v a="$avg_stream" -v t="$target" 'BEGIN { exit !(a <= t) }'; then
  echo "average $avg_stream bytes/event on the wire (target <= $target): met"
else
  echo "average $avg_stream bytes/event on the wire (target <= $target): NOT met"
  exit 1
fi
