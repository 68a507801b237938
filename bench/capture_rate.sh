#!/usr/bin/env bash
# Sustained capture rate: `rramprof capture` from the sim board over a Unix
# socket, the board running as fast as the host lets it (virtual time,
# unlimited link). Each run must lose no event (link and device loss both
# 0), else the script fails.
#
# Usage: bench/capture_rate.sh [BUILD_DIR] [EVENTS] [RUNS]
#        (defaults: build 500000 5)
# Prints per-run figures and the medians of:
#   board alone   rramprof-sim writing the same run to /dev/null: the most
#                 a host could receive from it on this machine
#   live capture  rramprof capture --from unix:SOCK --events EVENTS
#   host CPU      CPU time (user + sys) of rramprof during the live
#                 capture, in % of its wall time: the host's headroom
#   replay        rramprof capture --from file:RAW (a recorded stream):
#                 the host's own ceiling, no board in the loop
# Wall-clock figures on a shared machine are noisy: compare the columns of
# one run, and quote medians.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
events="${2:-500000}"
runs="${3:-5}"
sim="$build/bin/rramprof-sim"
cli="$build/bin/rramprof"
for exe in "$sim" "$cli"; do
  [ -x "$exe" ] || { echo "capture_rate.sh: $exe missing; build first (scripts/build $build)" >&2; exit 2; }
done
tmp="$(mktemp -d)"
sim_pid=""
cleanup() {
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

now() { date +%s.%N; }
rate() { awk -v e="$1" -v t="$2" 'BEGIN { printf "%.0f", e / t }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Events and seconds from a capture summary line:
# "capture    FILE: E events in T s wall time (...)"
summary_rate() {
  local line e t
  line="$(grep '^capture ' "$1")"
  e="$(sed -n 's/.*: \([0-9]*\) events in .*/\1/p' <<<"$line")"
  t="$(sed -n 's/.* events in \([0-9.]*\) s wall time.*/\1/p' <<<"$line")"
  rate "$e" "$t"
}

check_no_loss() {
  grep -q '^loss       link 0, device 0, unsent at resets 0, total 0 events' "$1" || {
    echo "capture_rate.sh: events were lost:" >&2; cat "$1" >&2; exit 1; }
}

echo "| run | board alone (events/s) | live capture over unix socket (events/s) | host CPU | replay (events/s) |"
echo "| ---: | ---: | ---: | ---: | ---: |"
: >"$tmp/alone"; : >"$tmp/live"; : >"$tmp/cpu"; : >"$tmp/replay"
for i in $(seq 1 "$runs"); do
  # The board alone, and the raw stream the replay uses.
  t0="$(now)"
  "$sim" --autostart --quiet --events "$events" </dev/null >"$tmp/raw.bin"
  t1="$(now)"
  alone="$(rate "$events" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")"

  # Live: the board listens on a socket, the host captures from it.
  sock="$tmp/sim.sock"
  rm -f "$sock"
  # Started from a subshell: not our child, so `time` below cannot count
  # its CPU when it exits.
  ( "$sim" --quiet --transport "unix:$sock" 2>"$tmp/sim.err" & echo $! >"$tmp/sim.pid" )
  sim_pid="$(cat "$tmp/sim.pid")"
  for _ in $(seq 1 200); do [ -S "$sock" ] && break; sleep 0.02; done
  TIMEFORMAT='%3R %3U %3S'
  { time "$cli" capture --from "unix:$sock" -o "$tmp/live.rpcap" --events "$events" -q >"$tmp/live.txt"; } 2>"$tmp/time"
  cpu="$(awk '{ printf "%.0f%%", 100 * ($2 + $3) / $1 }' "$tmp/time")"
  for _ in $(seq 1 200); do kill -0 "$sim_pid" 2>/dev/null || break; sleep 0.02; done
  sim_pid=""
  check_no_loss "$tmp/live.txt"
  live="$(summary_rate "$tmp/live.txt")"

  # Whole command, start-up included: the summary's 10 ms resolution is
  # too coarse for a replay.
  { time "$cli" capture --from "file:$tmp/raw.bin" -o "$tmp/replay.rpcap" -q >"$tmp/replay.txt"; } 2>"$tmp/time"
  check_no_loss "$tmp/replay.txt"
  replay="$(rate "$events" "$(cut -d' ' -f1 "$tmp/time")")"

  echo "$alone" >>"$tmp/alone"; echo "$live" >>"$tmp/live"; echo "${cpu%\%}" >>"$tmp/cpu"
  echo "$replay" >>"$tmp/replay"
  echo "| $i | $alone | $live | $cpu | $replay |"
done
echo "| median | $(median <"$tmp/alone") | $(median <"$tmp/live") | $(median <"$tmp/cpu")% | $(median <"$tmp/replay") |"
echo
echo "events per run: $events; zero events lost in every live and replayed capture"
