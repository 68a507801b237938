#!/usr/bin/env bash
# End-to-end report benchmark: `rramprof report` on a large capture.
#
# Writes a capture of EVENTS synthetic events with rp_bench_ingest (a
# write-verify / read / MVM mix encoded by the firmware encoder, as a device
# sends it), then runs `rramprof report FILE -o DIR --format all` RUNS
# times under /usr/bin/time and prints, per run, the wall time, events per
# second and the peak resident memory. Run it with two sizes to see that
# memory does not follow the length of the capture.
#
# Usage: bench/report_bench.sh [BUILD_DIR] [EVENTS] [RUNS]
#        (defaults: build 100000000 3; needs ~5.5 bytes of disk per event in $TMPDIR)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
events="${2:-100000000}"
runs="${3:-3}"

[ -f "$build/CMakeCache.txt" ] || { echo "report_bench.sh: configure $build first (scripts/build $build)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "report_bench.sh: /usr/bin/time missing (apt-get install time)" >&2; exit 2; }
cmake --build "$build" --target rramprof rp_bench_ingest -j2 >/dev/null

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
file="$tmp/big.rpcap"
"$build/bin/rp_bench_ingest" --events "$events" --runs 1 --file "$file" --keep >/dev/null
size=$(stat -c %s "$file")
echo "capture: $events events, $size bytes"
printf '%-4s %10s %14s %12s\n' run wall_s events/s peak_MiB
for i in $(seq 1 "$runs"); do
  rm -rf "$tmp/out"
  /usr/bin/time -f '%e %M' -o "$tmp/time" "$build/bin/rramprof" report "$file" -o "$tmp/out" \
      --format all >/dev/null
  read -r wall kib <"$tmp/time"
  awk -v r="$i" -v w="$wall" -v k="$kib" -v n="$events" \
      'BEGIN { printf "%-4s %10.2f %14.0f %12.1f\n", r, w, n / w, k / 1024 }'
done
