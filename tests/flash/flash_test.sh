#!/bin/sh
# One `rramprof flash` scenario against the simulated STM32 bootloader
# (sim_an3155 on a pty), checked byte for byte against the memory the
# flash must hold (written by mkimages from the payload, not the parser).
#
#   flash_test.sh RRAMPROF SIM MKIMAGES WORKDIR CASE [STM32FLASH | QEMU_ELF |
#                 UMOCKDEV_DRIVER MODEM_SHIM]
#
# Every failure case must exit with its documented status, print its
# message, and never print "verified".
set -u
. "$(dirname "$0")/../integration/qemu_board/mini_elf.sh"
RP=$1 SIM=$2 MK=$3 CASE=$5 EXTRA=${6:-} EXTRA2=${7:-}
W=$4/$CASE
SIM_PID=

die() {
    echo "FAIL [$CASE]: $*" >&2
    for f in out.txt err.txt sim.log tool.txt; do
        [ -f "$W/$f" ] && { echo "--- $f" >&2; tail -n 25 "$W/$f" >&2; }
    done
    [ -n "$SIM_PID" ] && kill -TERM "$SIM_PID" 2>/dev/null
    exit 1
}

rm -rf "$W" && mkdir -p "$W" && cd "$W" || die "cannot make $W"
"$MK" . || die "mkimages failed"

# Starts the simulator with extra options; PTY is its terminal.
start_sim() {
    rm -f pty.txt
    "$SIM" --image mem.img "$@" > pty.txt 2> sim.log &
    SIM_PID=$!
    i=0
    while [ ! -s pty.txt ]; do
        i=$((i + 1))
        [ $i -gt 100 ] && die "simulator did not start"
        sleep 0.05
    done
    PTY=$(cat pty.txt)
}

# Stops it; it writes its flash to mem.img on the way out.
stop_sim() {
    kill -TERM "$SIM_PID" 2>/dev/null
    wait "$SIM_PID"
    SIM_PID=
    [ -s mem.img ] || die "simulator wrote no memory image"
}

# flash ARGS...: rramprof flash over the simulator; RC is its status.
flash() {
    "$RP" flash --board nucleo-f446re --method serial --port "$PTY" --timeout 1 "$@" > out.txt 2> err.txt
    RC=$?
}

expect_ok() {   # expect_ok EXPECTED_MEM
    [ "$RC" -eq 0 ] || die "rramprof flash exited $RC, expected 0"
    grep -q "verified, started" out.txt || die "no 'verified, started' line"
    grep -q "STM32F446xx (ID 0x421), bootloader 3.1" out.txt || die "device identity missing"
    stop_sim
    cmp mem.img "$1" || die "flash memory differs from $1"
    grep -q "sim: go 0x08000000" sim.log || die "the image was not started (no Go)"
}

expect_fail() {   # expect_fail STATUS MESSAGE
    [ "$RC" -eq "$1" ] || die "rramprof flash exited $RC, expected $1"
    grep -q -- "$2" err.txt || die "message '$2' missing"
    if grep -qi "verified" out.txt err.txt; then die "a failure printed 'verified'"; fi
    [ -n "$SIM_PID" ] && stop_sim
    if grep -q "sim: go" sim.log 2>/dev/null; then die "a failed flash started the image"; fi
    return 0
}

case $CASE in
bin)
    start_sim; flash app.bin; expect_ok exp_bin.mem ;;
elf)
    start_sim; flash app.elf; expect_ok exp_elf.mem
    grep -q "sim: erased sector 4" sim.log || die ".data's sector 4 was not erased" ;;
hex)
    start_sim; flash app.hex; expect_ok exp_hex.mem
    # 0x08000000+3000 is in sector 0; 0x0801fff0+600 spans sectors 4 and 5.
    grep "sim: erased sector" sim.log > erased.txt
    printf 'sim: erased sector %s\n' 0 4 5 > want.txt
    cmp erased.txt want.txt || die "erased other sectors than 0, 4, 5: $(cat erased.txt)" ;;
legacy-erase)
    start_sim --legacy-erase; flash app.bin; expect_ok exp_bin.mem
    grep -q "sim: command 0x43" sim.log || die "the legacy Erase (0x43) was not used" ;;
twice)
    # The second run finds the pty at the speed already (a pty keeps no
    # parity, and its settings read back differently): it flashes too.
    start_sim; flash app.bin
    [ "$RC" -eq 0 ] || die "first flash exited $RC"
    flash app.bin; expect_ok exp_bin.mem ;;
not-a-port)
    flash_port() { "$RP" flash --board nucleo-f446re --method serial --port "$1" --timeout 1 app.bin > out.txt 2> err.txt; RC=$?; }
    flash_port /dev/null; expect_fail 3 "/dev/null is not a serial port"
    flash_port "$W"; expect_fail 3 "is not a serial port" ;;
no-start)
    start_sim; flash --no-start app.bin
    [ "$RC" -eq 0 ] || die "exit $RC"
    grep -q "verified, not started" out.txt || die "no 'verified, not started'"
    stop_sim; cmp mem.img exp_bin.mem || die "memory differs"
    if grep -q "sim: go" sim.log; then die "--no-start sent Go"; fi ;;
start-check)
    # Go jumps through the two words at the image's first address: one
    # that cannot be started there is refused before the device is
    # touched (exit 10), dry run included; --no-start still writes it.
    for args in "--address 0x08000100 app.bin" "--address 0x08004000 app.bin" "noise.bin"; do
        # shellcheck disable=SC2086
        start_sim; flash $args
        case $args in
        *0x08000100*) why="0x08000100 is not a vector table address (not 512-byte aligned)" ;;
        *0x08004000*) why="its reset vector 0x08000101 is not a Thumb address inside the image" ;;
        *) why="its first word 0x12345678 is no initial stack pointer (not in RAM)" ;;
        esac
        expect_fail 10 "cannot start the image with Go: $why; nothing was written"
        grep -q "or add --no-start" err.txt || die "$args: no --no-start hint"
        grep -q "exit (0 bytes received)" sim.log || die "$args: the device was touched"
    done
    "$RP" flash --board nucleo-f446re --method serial --port /dev/null --dry-run --address 0x08000100 app.bin \
        > out.txt 2> err.txt
    RC=$?
    expect_fail 10 "0x08000100 is not a vector table address"
    if grep -q "then Go" out.txt; then die "the dry run printed a plan it refuses"; fi
    start_sim; flash --no-start --address 0x08000100 app.bin
    [ "$RC" -eq 0 ] || die "--no-start: exit $RC"
    grep -q "verified, not started" out.txt || die "--no-start: no 'verified, not started'"
    stop_sim
    if grep -q "sim: go" sim.log; then die "--no-start sent Go"; fi
    # Linked for 0x08004000 and written there: started there.
    rm -f mem.img
    start_sim; flash --address 0x08004000 app4000.bin
    [ "$RC" -eq 0 ] || die "app4000.bin: exit $RC"
    grep -q "verified, started" out.txt || die "app4000.bin: no 'verified, started'"
    stop_sim
    cmp mem.img exp_4000.mem || die "app4000.bin: flash memory differs"
    grep -q "sim: go 0x08004000" sim.log || die "app4000.bin was not started at 0x08004000" ;;
dry-run)
    "$RP" flash --board nucleo-f446re --method serial --port /dev/null --dry-run app.hex > out.txt 2> err.txt
    RC=$?
    [ "$RC" -eq 0 ] || die "exit $RC"
    grep -q "0x08000000-0x08000bb7  3000 bytes" out.txt || die "first segment not shown"
    grep -q "0x0801fff0-0x08020247  600 bytes" out.txt || die "second segment not shown"
    grep -q "erase sector(s) 0,4,5, write, verify, then Go" out.txt || die "erase plan not shown"
    if grep -qi "verified" out.txt err.txt; then die "a dry run printed 'verified'"; fi ;;
wrong-chip)
    start_sim --chip-id 0x413; flash app.bin
    expect_fail 8 "wrong chip: the device is STM32F405/407/415/417 (ID 0x413), the board expects STM32F446xx"
    cmp mem.img exp_empty.mem || die "a wrong chip was written" ;;
nack)
    start_sim --nack 0x31:3; flash app.bin
    expect_fail 8 "refused the write at 0x08000200 (NACK)" ;;
write-protected)
    start_sim --wp 1; flash app.bin
    expect_fail 8 "refused to erase sector(s) 0,1,2 (NACK): write-protected"
    cmp mem.img exp_empty.mem || die "flash changed although the erase was refused" ;;
vanish)
    start_sim --vanish-after 5000; flash app.bin
    expect_fail 5 "the device went away during the write at"
    grep -q "image on the board is incomplete" err.txt || die "no hint that the board holds a partial image" ;;
silent)
    start_sim --silent; flash app.bin
    expect_fail 4 "no answer to the bootloader sync (0x7F)" ;;
bad-readback)
    start_sim --bad-byte 1234; flash app.bin
    expect_fail 11 "verify failed at 0x080004d2" ;;
too-big)
    start_sim; flash big.bin
    expect_fail 10 "the image does not fit: bytes 0x08080000-0x080927bf lie outside the flash 0x08000000-0x0807ffff"
    grep -q "exit (0 bytes received)" sim.log || die "the device was touched for an image that does not fit" ;;
outside)
    start_sim; flash outside.elf
    expect_fail 10 "the image does not fit: bytes 0x20000000"
    grep -q "exit (0 bytes received)" sim.log || die "the device was touched" ;;
corrupt-hex)
    start_sim; flash corrupt.hex
    expect_fail 10 "corrupt.hex:5: checksum mismatch"
    grep -q "exit (0 bytes received)" sim.log || die "the device was touched for a corrupt file" ;;
no-eof-hex)
    start_sim; flash noeof.hex
    expect_fail 10 "noeof.hex:.*no end-of-file record" ;;
no-port)
    "$RP" flash --board nucleo-f446re --method serial --port "$W/nothing" app.bin > out.txt 2> err.txt
    RC=$?
    expect_fail 3 "no serial port $W/nothing" ;;
stm32flash)
    # The independent client writes, verifies and starts through the same
    # simulator. -m 8n1: the Linux pty driver drops PARENB, and stm32flash
    # checks that its 8E1 settings took.
    start_sim
    "$EXTRA" -m 8n1 -w app.bin -v -g 0x0 "$PTY" > tool.txt 2>&1 || die "stm32flash -w failed"
    stop_sim
    cmp mem.img exp_bin.mem || die "stm32flash's write differs from the image"
    grep -q "sim: go 0x08000000" sim.log || die "stm32flash did not start the image"
    # rramprof writes (into erased flash), stm32flash reads back.
    rm -f mem.img
    start_sim; flash app.elf
    [ "$RC" -eq 0 ] || die "rramprof flash exited $RC"
    "$EXTRA" -m 8n1 -r readback.bin -S 0x08000000:0x10400 "$PTY" > tool.txt 2>&1 || die "stm32flash -r failed"
    stop_sim
    head -c 66560 exp_elf.mem > want.bin
    cmp readback.bin want.bin || die "stm32flash reads back other bytes than rramprof wrote" ;;
umockdev)
    # Through libserialport: /dev/ttyUSB0 of a umockdev testbed, the
    # simulator on its pty master (tests/flash/umockdev_flash.c).
    "$EXTRA" "$SIM" "$EXTRA2" mem.img "$RP" flash --board nucleo-f446re --method serial --port /dev/ttyUSB0 \
        --timeout 1 app.elf > out.txt 2> err.txt
    RC=$?
    [ "$RC" -eq 0 ] || die "exit $RC"
    grep -q "verified, started" out.txt || die "no 'verified, started'"
    cmp mem.img exp_elf.mem || die "flash memory differs from exp_elf.mem" ;;
usage)
    "$RP" flash --board nucleo-f446re > out.txt 2> err.txt; RC=$?
    expect_fail 2 "no image given"
    "$RP" flash --board nucleo-f446re --method jtag app.bin > out.txt 2> err.txt; RC=$?
    expect_fail 2 "--method 'jtag' is not one of serial, dfu, qemu, openocd"
    "$RP" flash --board sim app.bin > out.txt 2> err.txt; RC=$?
    expect_fail 2 "board sim has no flash method"
    "$RP" flash --board no-such-board app.bin > out.txt 2> err.txt; RC=$?
    expect_fail 2 "no-such-board"
    "$RP" flash app.bin > out.txt 2> err.txt; RC=$?
    expect_fail 2 "name the board (--board NAME) or the method (--method M)"
    "$RP" flash --help > out.txt 2> err.txt || die "--help failed"
    grep -q "usage: rramprof flash" out.txt || die "no usage on --help" ;;
tty-progress)
    # On a terminal the phases are drawn as bars (script(1) gives a pty).
    start_sim
    script -qec "'$RP' flash --board nucleo-f446re --method serial --port $PTY app.bin" /dev/null > out.txt 2>&1
    RC=$?
    tr '\r' '\n' < out.txt > lines.txt
    [ "$RC" -eq 0 ] || die "exit $RC"
    grep -q "^write  \[##############################\] 100%  40000/40000" lines.txt || die "no full write bar"
    grep -q "^verify \[#.*\]  [0-9 ]*%" lines.txt || die "no verify bar"
    grep -q "verified, started" lines.txt || die "no final line"
    stop_sim; cmp mem.img exp_bin.mem || die "memory differs" ;;
openocd-missing)
    env PATH=/nonexistent RRAMPROF_OPENOCD= "$RP" flash --board nucleo-f446re app.elf > out.txt 2> err.txt
    RC=$?
    expect_fail 3 "openocd is not installed: install it (Debian/Ubuntu: sudo apt-get install openocd)" ;;
openocd)
    # A stand-in openocd: records its arguments, talks, exits with $FAKE_RC.
    mkdir -p bin
    cat > bin/openocd <<'EOF'
#!/bin/sh
for a in "$@"; do printf '%s\n' "$a"; done > "$(dirname "$0")/../args.txt"
echo "fake openocd: programming"
exit "${FAKE_RC:-0}"
EOF
    chmod +x bin/openocd
    env PATH="$W/bin:$PATH" RRAMPROF_OPENOCD= "$RP" flash --board nucleo-f446re app.elf > out.txt 2> err.txt
    RC=$?
    [ "$RC" -eq 0 ] || die "exit $RC with a succeeding openocd"
    grep -q "fake openocd: programming" out.txt err.txt || die "openocd's output was not relayed"
    grep -q "verified, started" out.txt || die "no final line"
    printf '%s\n' -f interface/stlink.cfg -f target/stm32f4x.cfg -c "program {app.elf} verify reset exit" > want.txt
    cmp args.txt want.txt || die "openocd got other arguments: $(cat args.txt)"
    env PATH="$W/bin:$PATH" RRAMPROF_OPENOCD= "$RP" flash --board nucleo-f446re --address 0x08004000 --no-start \
        app.bin > out.txt 2> err.txt
    grep -q "program {app.bin} 0x08004000 verify exit" args.txt || die "bin: $(cat args.txt)"
    env FAKE_RC=1 PATH="$W/bin:$PATH" RRAMPROF_OPENOCD= "$RP" flash --board nucleo-f446re app.elf > out.txt 2> err.txt
    RC=$?
    expect_fail 8 "openocd failed (exit status 1)" ;;
qemu)
    # "Flashing" a QEMU board boots the image until the firmware says Hello.
    "$RP" flash --board qemu-mps2-an386 --timeout 20 "$EXTRA" > out.txt 2> err.txt
    RC=$?
    [ "$RC" -eq 0 ] || die "exit $RC"
    grep -q "booted in QEMU: board qemu-mps2-an386" out.txt || die "no 'booted in QEMU' line"
    "$RP" flash --board qemu-mps2-an386 app.bin > out.txt 2> err.txt
    RC=$?
    expect_fail 10 "QEMU boots ELF images"
    # An image that locks the core up at reset (a reset vector without the
    # Thumb bit, no fault handler): QEMU's own words, and the device is gone.
    mini_elf crash.elf '\000\000\000\000' '\010\000\000\000'
    "$RP" flash --board qemu-mps2-an386 --timeout 20 crash.elf > out.txt 2> err.txt
    RC=$?
    expect_fail 5 "qemu: fatal: Lockup" ;;
*)
    die "unknown case" ;;
esac
echo "ok [$CASE]"
