#!/bin/sh
# Reset causes end to end on the emulated MCU (mps2-an386, normal image):
#   1. a plain boot: the Hello says power-on, and the report has no
#      device-reset finding;
#   2. QEMU's monitor resets the board in the middle of a capture: the
#      capture says so at once, ends with status 5 and keeps the file
#      readable, `rramprof info` counts one reset of unknown cause (the
#      an386 has no reset-cause register; its RAM kept the boot record);
#   3. the same reset under --follow-resets: the capture starts the new
#      boot and goes on to its event limit, exit 0, two segments;
#   4. a boot after rp_cm_fatal: QEMU's loader device puts the record a
#      HardFault leaves (magic, reason 3, one reset) into .noinit RAM at
#      the address the ELF gives rp_cm_last_fatal, so the firmware boots
#      as after that fault; the Hello, `info` and the report's device-reset
#      finding name the HardFault.
#
#   reset_cause.sh QEMU ELF RRAMPROF NM
set -eu
qemu=$1 elf=$2 rramprof=$3 nm=$4
dir=$(mktemp -d)
qpid=
stop_qemu() {
    if [ -n "$qpid" ]; then kill "$qpid" 2>/dev/null || true; wait "$qpid" 2>/dev/null || true; fi
    qpid=
}
cleanup() { stop_qemu; rm -rf "$dir"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; for f in "$dir"/*.out "$dir"/*.err "$dir"/*.json; do [ -f "$f" ] && { echo "== $f" >&2; cat "$f" >&2; }; done; exit 1; }

# start_qemu NAME [QEMU ARGS...]: the board with UART0 and the monitor on sockets.
start_qemu() {
    name=$1; shift
    rm -f "$dir/uart.sock" "$dir/mon.sock"
    "$qemu" -M mps2-an386 -cpu cortex-m4 -icount shift=0,sleep=off -display none \
        -monitor "unix:$dir/mon.sock,server=on,wait=off" \
        -chardev "socket,id=s0,path=$dir/uart.sock,server=on,wait=off" -serial chardev:s0 \
        -kernel "$elf" "$@" 2>"$dir/$name.qemu.err" &
    qpid=$!
    i=0
    while [ ! -S "$dir/uart.sock" ] || [ ! -S "$dir/mon.sock" ]; do
        i=$((i + 1)); [ $i -lt 200 ] || fail "QEMU did not open its sockets"; sleep 0.05
    done
}

monitor() {
    python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
time.sleep(0.3)' "$dir/mon.sock" "$1"
}

# capture_report NAME: 500 events from the running QEMU, then stops it;
# NAME.out (the capture's output), NAME.json (`info --json`) and
# NAME.report/summary.json.
capture_report() {
    "$rramprof" capture --from "unix:$dir/uart.sock" --events 500 -o "$dir/$1.rpcap" >"$dir/$1.out" 2>&1 \
        || fail "capture $1 exited with $?"
    stop_qemu
    "$rramprof" info "$dir/$1.rpcap" --json >"$dir/$1.json" || fail "info $1 failed"
    "$rramprof" report "$dir/$1.rpcap" -o "$dir/$1.report" --format json >"$dir/$1.report.out" 2>&1 \
        || fail "report $1 failed"
}

# 1. Power-on.
start_qemu plain
capture_report plain
grep -q '^last reset power-on$' "$dir/plain.out" || fail "capture 1 does not say power-on"
grep -q '"reset_cause": "power_on", "fatal_reason": 0' "$dir/plain.json" || fail "info 1: not power-on"
grep -q '"resets": {"count": 0,' "$dir/plain.json" || fail "info 1: resets counted"
if grep -q device-reset "$dir/plain.report/summary.json"; then fail "report 1: device-reset on a plain boot"; fi

# reset_midway NAME [CAPTURE ARGS...]: a capture of the running QEMU, whose
# board the monitor resets once events are arriving: the file then holds a
# few batches beyond its header and the Hello (60 s at most: a loaded
# machine slows QEMU down). Leaves the capture's status in st.
reset_midway() {
    name=$1; shift
    "$rramprof" capture --from "unix:$dir/uart.sock" -o "$dir/$name.rpcap" "$@" >"$dir/$name.out" \
        2>"$dir/$name.err" &
    cpid=$!
    i=0
    while [ "$(stat -c %s "$dir/$name.rpcap" 2>/dev/null || echo 0)" -lt 4096 ]; do
        i=$((i + 1)); [ $i -lt 1200 ] || fail "capture $name wrote no events in 60 s"; sleep 0.05
    done
    monitor system_reset
    st=0
    wait $cpid || st=$?
    stop_qemu
}

# 2. A reset in the middle of a capture.
start_qemu midway
reset_midway midway --duration 60
[ "$st" -eq 5 ] || fail "capture 2 exited with $st, wanted 5 (device reset)"
grep -q 'the device reset during the capture (unknown cause)' "$dir/midway.err" || fail "capture 2 did not report the reset"
grep -q '^resets     1 during the capture: 1 unknown cause$' "$dir/midway.out" || fail "capture 2 summary has no resets line"
"$rramprof" info "$dir/midway.rpcap" --json >"$dir/midway.json" || fail "info 2 failed"
grep -q '"segments": 2,' "$dir/midway.json" || fail "info 2: not two segments"
grep -q '"resets": {"count": 1, "last_fatal_reason": 0, "by_cause": {"unknown": 1}}' "$dir/midway.json" \
    || fail "info 2: reset not counted"
# The reset handler salvaged the old boot's counts from RAM (QEMU's reset
# keeps it, as a warm reset does): the reset's loss is exact.
grep -q '"resets_unreported": 0}' "$dir/midway.json" || fail "info 2: the new boot did not report the old one's counts"
grep -q '(unknown cause); [0-9]* event(s) still in its ring were lost$' "$dir/midway.err" \
    || fail "capture 2 did not give the reset's loss exactly"

# 3. The same reset, followed: the new boot gets the Start again. About
# 700 events reach the file before the reset; 2000 need the second boot.
start_qemu follow
reset_midway follow --events 2000 --follow-resets --duration 120
[ "$st" -eq 0 ] || fail "capture 3 exited with $st, wanted 0 (reset followed)"
grep -q 'recording again after the reset' "$dir/follow.err" || fail "capture 3 did not start the new boot"
"$rramprof" info "$dir/follow.rpcap" --json >"$dir/follow.json" || fail "info 3 failed"
grep -q '"segments": 2,' "$dir/follow.json" || fail "info 3: not two segments"
grep -q '"resets": {"count": 1,' "$dir/follow.json" || fail "info 3: reset not counted"
events=$(sed -n 's/^  "events": \([0-9]*\),$/\1/p' "$dir/follow.json")
[ "${events:-0}" -ge 2000 ] || fail "info 3: ${events:-no} events, wanted 2000"

# 4. The boot after a HardFault.
addr=$("$nm" "$elf" | sed -n 's/^\([0-9a-fA-F]*\) [bBdD] rp_cm_last_fatal$/\1/p')
[ -n "$addr" ] || fail "no rp_cm_last_fatal in $elf"
a=$((0x$addr))
start_qemu fatal -device "loader,addr=$a,data=0x52504654,data-len=4" \
    -device "loader,addr=$((a + 4)),data=3,data-len=4" -device "loader,addr=$((a + 8)),data=1,data-len=4"
capture_report fatal
grep -q '^last reset fatal error: HardFault (exception 3)$' "$dir/fatal.out" || fail "capture 4 does not name the HardFault"
grep -q '"reset_cause": "fatal", "fatal_reason": 3' "$dir/fatal.json" || fail "info 4: not fatal 3"
grep -q 'followed a failure (fatal error: HardFault (exception 3))' "$dir/fatal.report/summary.json" \
    || fail "report 4: no device-reset finding naming the HardFault"
echo "ok: power-on, a reset during the capture (ending it, or followed), and the boot after a HardFault, as the Hello says"
