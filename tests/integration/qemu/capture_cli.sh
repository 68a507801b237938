#!/bin/sh
# The host tool against the emulated MCU, both directions of the link:
# `rramprof capture` sends GetInfo/Start/Stop to the mps2-an386 firmware
# (normal image, waiting for the host) over a Unix socket, records
# EVENTS events, and `rramprof info --json` must show the board, no loss,
# and only passing workload runs.
#
#   capture_cli.sh QEMU ELF RRAMPROF [EVENTS]
set -eu
qemu=$1 elf=$2 rramprof=$3 events=${4:-2000}
dir=$(mktemp -d)
qpid=
cleanup() {
    if [ -n "$qpid" ]; then kill "$qpid" 2>/dev/null || true; wait "$qpid" 2>/dev/null || true; fi
    rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$dir/info.json" ] && cat "$dir/info.json" >&2; exit 1; }

"$qemu" -M mps2-an386 -cpu cortex-m4 -icount shift=0,sleep=off -display none -monitor none \
    -chardev "socket,id=s0,path=$dir/uart0.sock,server=on,wait=off" -serial chardev:s0 \
    -kernel "$elf" 2>"$dir/qemu.err" &
qpid=$!
i=0
while [ ! -S "$dir/uart0.sock" ]; do
    i=$((i + 1)); [ $i -lt 200 ] || fail "QEMU did not open its socket"; sleep 0.05
done

"$rramprof" capture --from "unix:$dir/uart0.sock" --events "$events" -o "$dir/an386.rpcap" -q \
    || fail "rramprof capture exited with $?"
"$rramprof" info "$dir/an386.rpcap" --json >"$dir/info.json" || fail "rramprof info failed"

grep -q '"board": "qemu-mps2-an386"' "$dir/info.json" || fail "wrong board"
grep -q '"loss": {"link": 0, "device": 0, "unsent": 0, "total": 0' "$dir/info.json" || fail "events lost"
grep -q '"failed": 0' "$dir/info.json" || fail "a workload run failed"
grep -Eq '"passed": [1-9]' "$dir/info.json" || fail "no workload run finished"
got=$(sed -n 's/^  "events": \([0-9]*\),$/\1/p' "$dir/info.json")
[ -n "$got" ] && [ "$got" -ge "$events" ] || fail "captured ${got:-no} events, wanted >= $events"
echo "ok: $got events from qemu-mps2-an386, no loss, workloads passed"
