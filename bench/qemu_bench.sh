#!/bin/sh
# Recorder cost on the emulated Cortex-M4 (mps2-an386) and its footprint.
#
#   [RRAMPROF_FW_SMALL=ON|OFF] [RRAMPROF_FW_CRC_BITS=4|8]
#   [RRAMPROF_FW_COMPACT_ENCODER=OFF|ON] bench/qemu_bench.sh [Os|O2] [BUILD_DIR]
#                          (default Os and build-fw-bench-<opt>; needs
#                           arm-none-eabi-gcc and qemu-system-arm)
#
# RRAMPROF_FW_SMALL (default ON, as the Cortex-M boards build) picks the
# small CRC and framing (RP_CONFIG_SMALL); OFF measures the table-heavy
# fast variant the host uses. RRAMPROF_FW_CRC_BITS (default 8, the boards'
# default) is the small build's CRC table; RRAMPROF_FW_COMPACT_ENCODER
# (default OFF) picks the compact EventBatch encoder.
#
# Cross-builds the board's -bench image into BUILD_DIR, runs it
# under `qemu-system-arm -icount shift=0,sleep=off`, where one instruction
# is one virtual nanosecond and the 25 MHz timer ticks every 40
# instructions, and prints instructions per event (averaged over 102,400
# events each; record paths minus the benchmark's own call) for: recording
# an accepted event, recording an event the op mask filters out, and
# draining a synthetic pattern and each real workload (batch encoding and
# framing, with the UART's byte writes timed apart and the framing's
# share shown; see rp_cm_bench.c). The
# sustained drain rate in events/s per MHz assumes one instruction per
# cycle. Then the footprint of the recorder core objects with
# arm-none-eabi-size (bench/fw_footprint.sh: the same and what the linker
# keeps, in 30 seconds). About 8 minutes (the workloads run on the simulated
# crossbar under emulation).
set -eu
opt=${1:-Os}
root=$(cd "$(dirname "$0")/.." && pwd)
build="${2:-$root/build-fw-bench-$opt}"
elf="$build/bin/rramprof-qemu-mps2-an386-bench.elf"

cmake -S "$root" -B "$build" -DRRAMPROF_BOARD=qemu-mps2-an386 \
      -DCMAKE_TOOLCHAIN_FILE="$root/cmake/arm-none-eabi.cmake" \
      -DRRAMPROF_FW_OPT="$opt" -DRRAMPROF_FW_SMALL="${RRAMPROF_FW_SMALL:-ON}" \
      -DRRAMPROF_FW_CRC_BITS="${RRAMPROF_FW_CRC_BITS:-8}" \
      -DRRAMPROF_FW_COMPACT_ENCODER="${RRAMPROF_FW_COMPACT_ENCODER:-OFF}" \
      -DRRAMPROF_FW_TEST_WORKLOADS= >/dev/null
cmake --build "$build" --target rramprof-qemu-mps2-an386-bench -j2 >/dev/null

out=$(mktemp)
trap 'rm -f "$out"' EXIT
timeout 900 qemu-system-arm -M mps2-an386 -cpu cortex-m4 -icount shift=0,sleep=off \
    -display none -monitor none -serial "file:$out" \
    -semihosting-config enable=on,target=native -kernel "$elf"

# BENCH lines carry milli-instructions per event.
val() { grep -a "^BENCH $1 " "$out" | awk '{print $3}'; }
fmt() { awk -v m="$1" 'BEGIN { printf "%.1f", m / 1000 }'; }
record=$(val record); filtered=$(val filtered)
echo "mps2-an386 (Cortex-M4), -$opt, RRAMPROF_FW_SMALL=${RRAMPROF_FW_SMALL:-ON} CRC_BITS=${RRAMPROF_FW_CRC_BITS:-8} COMPACT_ENCODER=${RRAMPROF_FW_COMPACT_ENCODER:-OFF}, qemu -icount shift=0: instructions per event (102,400 events each)"
echo "  record (accepted)   $(fmt "$record")    (target <= 30)"
echo "  record (filtered)   $(fmt "$filtered")    (target <= 5)"
echo "  drain: total = drain + encode (recorder core, target <= 100) + UART writes (board); rate without the UART"
for d in drain drain_program drain_mlp drain_scan drain_solver; do
    all=$(val $d); tx=$(val ${d}_tx); fr=$(val ${d}_frame); by=$(val ${d}_bytes)
    [ -n "$all" ] || continue
    awk -v n="$d" -v a="$all" -v t="$tx" -v f="$fr" -v b="${by:-0}" 'BEGIN {
        printf "  %-14s total %6.1f   drain + encode %6.1f (framing %5.1f)   UART %5.1f   %6.0f events/s per MHz   payload %.3f B/event\n",
               n, a / 1000, (a - t) / 1000, f / 1000, t / 1000, 1e6 / ((a - t) / 1000), b / 1000 }'
done

# Recorder core: record path (ring, recorder), drain path (encoder,
# protobuf writer, framing, CRC) and the command parser. Object sizes, so
# an upper bound on what the linker keeps (bench/fw_footprint.sh gives
# what it keeps in the firmware image too). The ring's slots are reported
# apart.
objs=$(find "$build" -name 'rp_ring.c.obj' -o -name 'rp_recorder.c.obj' \
       -o -name 'rp_encoder.c.obj' -o -name 'rp_encoder_compact.c.obj' \
       -o -name 'rp_messages.c.obj' -o -name 'rp_pbwire.c.obj' \
       -o -name 'rp_frame.c.obj' -o -name 'rp_crc32.c.obj' -o -name 'rp_command.c.obj' | sort)
ring_bytes=$(arm-none-eabi-nm -S -t d "$elf" | awk '$4 == "prv_slots" { s += $2 } END { print s + 0 }')
arm-none-eabi-size -t $objs | awk -v ring="$ring_bytes" '
  /TOTALS/ { printf "recorder core: %d B flash (text+data), %d B RAM (data+bss) of which ring slots %d B\n", $1 + $2, $2 + $3, ring }'
arm-none-eabi-size -B $objs | awk 'NR > 1 { n = split($6, p, "/"); printf "  %-20s text %6d  data %4d  bss %6d\n", p[n], $1, $2, $3 }'
