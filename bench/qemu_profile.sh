#!/bin/bash
# Where the drain's instructions go on the emulated Cortex-M4, function by
# function: the breakdown behind bench/qemu_bench.sh's "drain + encode".
#
#   [BLOCKS=20] [TOP=16] bench/qemu_profile.sh [Os|O2] [BUILD_DIR]
#                          (default Os and build-fw-profile-<opt>; needs
#                           arm-none-eabi-gcc and qemu-system-arm)
#
# Builds the mps2-an386 -bench image with BLOCKS blocks of 512 events per
# drain path (qemu_bench.sh runs 200; 20 take about 3 minutes here, and
# the averages move by up to about 6 instructions per event from the full
# run's, solver the most),
# runs it under QEMU -icount shift=0 logging every translated block
# (in_asm) and every execution of one (exec,nochain), restricted with
# -dfilter to the drain code (the objects of rp_encoder, rp_frame,
# rp_crc32, rp_device, rp_ring, rp_pbwire), and charges each execution
# with its block's instructions, per function. The UART driver is outside
# the filter: the figures are the recorder core's, as "drain + encode".
# The drain paths are told apart by the bench's report calls
# (prv_report_as: three before the drains, four after each). Drain code
# run outside the timed drains counts too, unlike in qemu_bench.sh: the
# bench's fill loop asks rp_ring_count after every workload step. Per event
# means per nominal event (512 x BLOCKS); a block interrupted by the
# icount budget is charged whole, so totals may exceed qemu_bench.sh's by
# about one instruction.
set -euo pipefail
opt=${1:-Os}
root=$(cd "$(dirname "$0")/.." && pwd)
build="${2:-$root/build-fw-profile-$opt}"
blocks=${BLOCKS:-20}
top=${TOP:-16}
case "$opt" in Os|O2) ;; *) echo "qemu_profile.sh: optimisation must be Os or O2, not '$opt'" >&2; exit 2 ;; esac
case "$blocks" in ''|*[!0-9]*|0) echo "qemu_profile.sh: BLOCKS must be a positive number" >&2; exit 2 ;; esac
for tool in arm-none-eabi-gcc arm-none-eabi-nm qemu-system-arm; do
    command -v "$tool" >/dev/null || { echo "qemu_profile.sh: $tool not found" >&2; exit 2; }
done

cmake -S "$root" -B "$build" -DRRAMPROF_BOARD=qemu-mps2-an386 \
      -DCMAKE_TOOLCHAIN_FILE="$root/cmake/arm-none-eabi.cmake" \
      -DRRAMPROF_FW_OPT="$opt" -DRRAMPROF_FW_TEST_WORKLOADS= \
      -DCMAKE_C_FLAGS="-DRP_CM_BENCH_BLOCKS=${blocks}u" >/dev/null
cmake --build "$build" --target rramprof-qemu-mps2-an386-bench -j2 >/dev/null
elf="$build/bin/rramprof-qemu-mps2-an386-bench.elf"

# The drain code's functions, as address+size ranges for -dfilter.
objs=$(find "$build" -name '*.obj' | grep -E '/(rp_encoder|rp_frame|rp_crc32|rp_device|rp_ring|rp_pbwire)\.c\.obj$')
names=$(for o in $objs; do arm-none-eabi-nm --defined-only "$o" | awk '$2 ~ /^[tT]$/ { print $3 }'; done | sort -u)
ranges=$(arm-none-eabi-nm -S --defined-only "$elf" |
         awk -v list="$names prv_report_as" '
             BEGIN { n = split(list, a, " "); for (i = 1; i <= n; i++) want[a[i]] = 1 }
             ($4 in want) && ($3 ~ /^[tT]$/) && !seen[$4]++ { printf "%s0x%s+0x%s", sep, $1, $2; sep = "," }')
report=$(arm-none-eabi-nm "$elf" | awk '$3 == "prv_report_as" { print $1 }')
[ -n "$report" ] || { echo "qemu_profile.sh: prv_report_as not found in $elf" >&2; exit 1; }

timeout 1800 qemu-system-arm -M mps2-an386 -cpu cortex-m4 -icount shift=0,sleep=off \
    -display none -monitor none -serial file:/dev/null \
    -semihosting-config enable=on,target=native -kernel "$elf" \
    -d in_asm,exec,nochain -dfilter "$ranges" -D /dev/stdout 2>/dev/null |
awk -v events=$((512 * blocks)) -v report="$report" -v top="$top" -v opt="$opt" '
    /^IN:/ { block = 1; start = ""; next }
    block && /^0x[0-9a-f]+:/ {
        pc = substr($1, 3, 8)
        if (start == "") { start = pc; size[start] = 0 }
        size[start]++
        next
    }
    block && /^$/ { block = 0; next }
    /^Trace/ {
        split($4, f, "/")
        if (f[2] == report) { reports++; next }
        fn = $NF
        if (fn == "prv_report_as" || (reports - 3) % 4 != 0) next
        p = (reports - 3) / 4
        cost[p, fn] += size[f[2]]
        total[p] += size[f[2]]
        seen[fn] = 1
    }
    END {
        if (reports != 23) {
            printf "qemu_profile.sh: expected 23 bench reports, saw %d\n", reports > "/dev/stderr"
            exit 1
        }
        split("synthetic program mlp scan solver", path, " ")
        printf "mps2-an386 (Cortex-M4), -%s: drain + encode, instructions per event, by function\n", opt
        for (p = 0; p < 5; p++) {
            printf "== %s: %.1f\n", path[p + 1], total[p] / events
            cmd = "sort -rn | head -" top
            for (fn in seen) if (cost[p, fn] > 0) printf "%8.2f  %s\n", cost[p, fn] / events, fn | cmd
            close(cmd)
        }
    }'
