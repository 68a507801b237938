#!/bin/sh
# Flash and RAM of the recorder core in a Cortex-M firmware image.
#
#   [RRAMPROF_FW_CRC_BITS=4|8] [RRAMPROF_FW_COMPACT_ENCODER=OFF|ON]
#   bench/fw_footprint.sh [Os|O2] [BUILD_DIR] [BOARD]
#       (defaults: Os, build-fw-size-<opt>, qemu-mps2-an386; needs
#        arm-none-eabi-gcc; about 30 seconds)
#
# The recorder core is what the firmware needs to record and stream:
# rp_recorder.c and rp_ring.c (record path), rp_encoder.c or
# rp_encoder_compact.c (EventBatch), rp_messages.c and rp_pbwire.c (the
# other frames, protobuf primitives), rp_frame.c and rp_crc32.c (framing,
# deframing), rp_command.c (command parser). Two figures: the object
# files' text + data (arm-none-eabi-size), an upper bound since it counts
# functions the linker drops; and what the linker kept of them in the
# board's firmware image (scripts/core_footprint.sh, from the link map),
# with their RAM (data + bss) and, apart, the ring's slots
# (RP_CONFIG_RING_CAPACITY records).
set -eu
opt=${1:-Os}
root=$(cd "$(dirname "$0")/.." && pwd)
build="${2:-$root/build-fw-size-$opt}"
board=${3:-qemu-mps2-an386}

cmake -S "$root" -B "$build" -DRRAMPROF_BOARD="$board" \
      -DCMAKE_TOOLCHAIN_FILE="$root/cmake/arm-none-eabi.cmake" \
      -DRRAMPROF_FW_OPT="$opt" \
      -DRRAMPROF_FW_CRC_BITS="${RRAMPROF_FW_CRC_BITS:-8}" \
      -DRRAMPROF_FW_COMPACT_ENCODER="${RRAMPROF_FW_COMPACT_ENCODER:-OFF}" \
      -DRRAMPROF_FW_TEST_WORKLOADS= >/dev/null
cmake --build "$build" --target "rramprof-$board" -j2 >/dev/null
map="$build/bin/rramprof-$board.map"
[ -f "$map" ] || { echo "fw_footprint.sh: no link map at $map" >&2; exit 1; }

echo "$board, -$opt, CRC_BITS=${RRAMPROF_FW_CRC_BITS:-8} COMPACT_ENCODER=${RRAMPROF_FW_COMPACT_ENCODER:-OFF}: recorder core (targets <= 4096 B flash, <= 512 B RAM besides the ring)"
echo "object files (arm-none-eabi-size, text + data):"
core="rp_recorder.c.obj rp_ring.c.obj rp_encoder.c.obj rp_encoder_compact.c.obj \
rp_messages.c.obj rp_pbwire.c.obj rp_frame.c.obj rp_crc32.c.obj rp_command.c.obj"
total=0
for o in $core; do
    # The board's own copy of each object (the host tree may hold others).
    f=$(find "$build/boards" "$build/firmware" -name "$o" 2>/dev/null | head -n 1)
    [ -n "$f" ] || continue
    bytes=$(arm-none-eabi-size -B "$f" | awk 'NR == 2 { print $1 + $2 }')
    [ "$bytes" -gt 0 ] || continue
    printf "  %-26s flash %6d\n" "$o" "$bytes"
    total=$((total + bytes))
done
printf "  %-26s flash %6d\n" "recorder core" "$total"
echo "linked into bin/rramprof-$board.elf (its link map):"
"$root/scripts/core_footprint.sh" "$map"
slots=$(arm-none-eabi-nm -S -t d "$build/bin/rramprof-$board.elf" | awk '$4 == "prv_slots" { s += $2 } END { print s + 0 }')
echo "  of which ring slots (RAM): $slots B"
