#!/bin/sh
# `rramprof capture --board`: the board list, usage errors, the errors of
# a QEMU board that cannot run (exit 3 with a message saying what to do),
# images it must not run (exit 10), and the sim board through --board. Needs no QEMU and no cross compiler.
#
#   board_cli.sh RRAMPROF
set -u
rramprof=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# expect STATUS TEXT -- ARGS...: rramprof ARGS exits STATUS and prints TEXT
# (fixed string) on stdout or stderr.
expect() {
    want=$1 text=$2
    shift 3
    "$rramprof" "$@" >"$dir/out" 2>&1
    st=$?
    [ $st -eq "$want" ] || { fail "rramprof $*: exit $st, wanted $want"; cat "$dir/out" >&2; return; }
    grep -qF -- "$text" "$dir/out" || { fail "rramprof $*: no '$text' in:"; cat "$dir/out" >&2; }
}

. "$(dirname "$0")/mini_elf.sh"
mini_elf "$dir/fake.elf" '\000\000\000\000'
# the known boards, both ways
for args in "capture --board list" "list --boards"; do
    # shellcheck disable=SC2086
    "$rramprof" $args >"$dir/list" 2>&1 || fail "rramprof $args failed"
    for b in sim qemu-mps2-an386 netduinoplus2 nucleo-f446re; do
        grep -q "^$b " "$dir/list" || fail "rramprof $args does not list $b"
    done
    grep -q "USB 0483:374b, 115200 baud" "$dir/list" || fail "rramprof $args: nucleo link missing"
done

# usage errors (exit 2)
expect 2 "unknown board 'no-such-board'" -- capture --board no-such-board -o "$dir/x.rpcap"
expect 2 "qemu-mps2-an386" -- capture --board no-such-board -o "$dir/x.rpcap"
expect 2 "--board and --from exclude each other" -- capture --board sim --from unix:/x -o "$dir/x.rpcap"
expect 2 "--firmware needs --board" -- capture --firmware "$dir/fake.elf" -o "$dir/x.rpcap"
expect 2 "nucleo-f446re is flashed with stlink-swd" -- \
    capture --board nucleo-f446re --firmware "$dir/fake.elf" -o "$dir/x.rpcap"
expect 2 "--passive sends no command" -- capture --board sim --passive --workload mlp -o "$dir/x.rpcap"

# a QEMU board that cannot run (exit 3)
expect 3 "cannot run the firmware on qemu-mps2-an386: $dir/missing.elf: No such file or directory" -- \
    capture --board qemu-mps2-an386 --firmware "$dir/missing.elf" -o "$dir/x.rpcap"
RRAMPROF_QEMU=/nonexistent expect 3 "apt-get install qemu-system-arm" -- \
    capture --board qemu-mps2-an386 --firmware "$dir/fake.elf" -o "$dir/x.rpcap"
RRAMPROF_QEMU=/nonexistent expect 3 "QEMU binary /nonexistent" -- \
    capture --board qemu-mps2-an386 --firmware "$dir/fake.elf" -o "$dir/x.rpcap"
# an image QEMU cannot boot as the board is refused before QEMU starts
# (exit 10), whether QEMU is installed or not
printf 'not firmware\n' >"$dir/text.elf"
printf '\001\002\003\004' >"$dir/fw.bin"
mini_elf "$dir/stm32.elf" '\000\000\000\010' '\001\000\000\010'   # reset vector 0x08000001: startable
RRAMPROF_QEMU=/nonexistent expect 10 "$dir/text.elf: not an ELF file" -- \
    capture --board qemu-mps2-an386 --firmware "$dir/text.elf" -o "$dir/x.rpcap"
RRAMPROF_QEMU=/nonexistent expect 10 "$dir/fw.bin is not an ELF image: QEMU boots the .elf" -- \
    capture --board qemu-mps2-an386 --firmware "$dir/fw.bin" -o "$dir/x.rpcap"
RRAMPROF_QEMU=/nonexistent expect 10 \
    "bytes 0x08000000-0x08000007 lie outside the flash 0x00000000-0x003fffff of qemu-mps2-an386" -- \
    capture --board qemu-mps2-an386 --firmware "$dir/stm32.elf" -o "$dir/x.rpcap"
RRAMPROF_QEMU=/nonexistent expect 10 "bytes 0x00000000-0x00000007 lie outside the flash 0x08000000-0x080fffff" -- \
    capture --board netduinoplus2 --firmware "$dir/fake.elf" -o "$dir/x.rpcap"
# a flash method the board cannot have (exit 2)
expect 2 "board qemu-mps2-an386 is flashed with qemu, not --method serial" -- \
    flash --board qemu-mps2-an386 --method serial --port /dev/null --dry-run "$dir/fake.elf"
expect 2 "board sim has no flash method" -- flash --board sim --method serial --port /dev/null --dry-run "$dir/fake.elf"
# dfu looks for the ROM bootloader (0483:df11), not the board's link (0483:374b)
expect 0 "method dfu (USB DfuSe) on the DFU device 0483:df11" -- \
    flash --board nucleo-f446re --method dfu --dry-run "$dir/stm32.elf"
# options another method would use are refused, not ignored (exit 2)
expect 2 "--port does not apply to --method openocd" -- \
    flash --board nucleo-f446re --port /dev/ttyACM0 --dry-run "$dir/stm32.elf"
expect 2 "--port does not apply to --method qemu" -- flash --board qemu-mps2-an386 --port /dev/null "$dir/fake.elf"
expect 2 "--baud is for --method serial, not qemu" -- flash --board qemu-mps2-an386 --baud 9600 "$dir/fake.elf"
expect 2 "--baud is for --method serial, not dfu" -- \
    flash --board nucleo-f446re --method dfu --baud 9600 --dry-run "$dir/stm32.elf"
# an openocd named by RRAMPROF_OPENOCD that is not there is reported as such
RRAMPROF_OPENOCD=$dir/no-openocd expect 3 "RRAMPROF_OPENOCD=$dir/no-openocd is not an executable file" -- \
    flash --board nucleo-f446re "$dir/stm32.elf"
# an image that is not a regular file is refused before it is read (a FIFO
# would block the read until a writer came)
mkfifo "$dir/fifo.elf"
expect 10 "$dir/fifo.elf: not a regular file" -- flash --board nucleo-f446re --dry-run "$dir/fifo.elf"
expect 10 "$dir: not a regular file" -- flash --board nucleo-f446re --dry-run "$dir"
# a boards dir named in the environment must exist (exit 2); a board file
# there that is invalid is what --board loads, and the list does not show
# the built-in board of that name in its place
RRAMPROF_BOARDS_DIR=$dir/no-boards expect 2 "RRAMPROF_BOARDS_DIR=$dir/no-boards: No such file or directory" -- \
    capture --board sim -o "$dir/x.rpcap"
RRAMPROF_BOARDS_DIR=$dir/no-boards expect 2 "RRAMPROF_BOARDS_DIR=$dir/no-boards" -- \
    flash --board nucleo-f446re --dry-run "$dir/stm32.elf"
# the lists too, with the same message (they exited 1)
printf 'name = sim\n' >"$dir/a-file"
for args in "list --boards" "capture --board list"; do
    # shellcheck disable=SC2086
    RRAMPROF_BOARDS_DIR=$dir/no-boards expect 2 "RRAMPROF_BOARDS_DIR=$dir/no-boards: No such file or directory" -- $args
    # shellcheck disable=SC2086
    RRAMPROF_BOARDS_DIR=$dir/a-file expect 2 "RRAMPROF_BOARDS_DIR=$dir/a-file: not a directory" -- $args
done
RRAMPROF_BOARDS_DIR=$dir/a-file expect 2 "RRAMPROF_BOARDS_DIR=$dir/a-file: not a directory" -- \
    flash --board nucleo-f446re --dry-run "$dir/stm32.elf"
# list --boards takes no device options and no arguments (exit 2)
expect 2 "--no-probe, --all and --timeout are for devices, not --boards" -- list --boards --no-probe
expect 2 "unexpected argument 'sim'" -- list --boards sim
mkdir "$dir/boards"
printf 'name = sim\n' >"$dir/boards/sim.conf"
RRAMPROF_BOARDS_DIR=$dir/boards expect 1 "$dir/boards/sim.conf: missing 'mcu'" -- capture --board sim -o "$dir/x.rpcap"
RRAMPROF_BOARDS_DIR=$dir/boards expect 0 "warning: skipped $dir/boards/sim.conf: missing 'mcu'" -- list --boards
RRAMPROF_BOARDS_DIR=$dir/boards "$rramprof" list --boards 2>/dev/null | grep -q "^sim " \
    && fail "list --boards shows the built-in sim board that the invalid override hides"
# the STM32 image on its board gets as far as QEMU
RRAMPROF_QEMU=/nonexistent expect 3 "QEMU binary /nonexistent" -- \
    capture --board netduinoplus2 --firmware "$dir/stm32.elf" -o "$dir/x.rpcap"
# no --firmware and no image where the build puts it: the commands to build it
mkdir "$dir/bin"
cp "$rramprof" "$dir/bin/rramprof"
rramprof_orig=$rramprof
rramprof=$dir/bin/rramprof
expect 3 "no firmware image for board netduinoplus2: $dir/fw-netduinoplus2/bin/rramprof-netduinoplus2.elf" -- \
    capture --board netduinoplus2 -o "$dir/x.rpcap"
expect 3 "-B $dir/fw-netduinoplus2 -DRRAMPROF_BOARD=netduinoplus2" -- capture --board netduinoplus2 -o "$dir/x.rpcap"
expect 3 "cmake --build $dir/fw-netduinoplus2 --target rramprof-netduinoplus2" -- \
    capture --board netduinoplus2 -o "$dir/x.rpcap"
# the sim board is looked for next to the binary too
expect 3 "the sim board program $dir/bin/rramprof-sim is missing" -- capture --board sim -o "$dir/x.rpcap"
rramprof=$rramprof_orig
[ ! -e "$dir/x.rpcap" ] || fail "a failed capture left $dir/x.rpcap"

# a serial board with nothing attached (exit 3), unless one is attached
if ! "$rramprof" list --no-probe 2>/dev/null | grep -q "0483:374b"; then
    expect 3 "no nucleo-f446re board attached (looking for a serial device with USB ID 0483:374b" -- \
        capture --board nucleo-f446re -o "$dir/x.rpcap"
fi

# the sim board through --board
"$rramprof" capture --board sim --events 2000 -o "$dir/sim.rpcap" -q >"$dir/out" 2>&1 \
    || { cat "$dir/out" >&2; fail "capture --board sim failed"; }
"$rramprof" info "$dir/sim.rpcap" --json >"$dir/info.json" 2>&1 || fail "info of the sim capture failed"
grep -q '"board": "sim"' "$dir/info.json" || fail "the sim capture is not from the sim board"

[ $fails -eq 0 ] || exit 1
echo "ok: board list, usage errors, QEMU errors, images for another board, sim board"
