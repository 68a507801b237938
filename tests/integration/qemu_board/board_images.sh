#!/bin/sh
# The board tag of the built images: each QEMU board's image names its
# board (`rramprof flash --dry-run` prints it), and `rramprof capture
# --board` refuses the other board's image before QEMU starts (exit 10)
# even where the addresses would not tell: the netduinoplus2 image carries
# a vector table at 0x08000000 like any STM32F4's.
#
#   board_images.sh RRAMPROF BUILD_DIR
set -u
rramprof=$1 build=$2
an386=$build/fw-qemu-mps2-an386/bin/rramprof-qemu-mps2-an386.elf
nd2=$build/fw-netduinoplus2/bin/rramprof-netduinoplus2.elf
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

for pair in "qemu-mps2-an386 $an386" "netduinoplus2 $nd2"; do
    set -- $pair
    [ -s "$2" ] || { fail "missing image $2"; continue; }
    "$rramprof" flash --board "$1" --dry-run "$2" >"$dir/out" 2>&1 || { cat "$dir/out" >&2; fail "dry run of $2"; }
    grep -q "built for $1\$" "$dir/out" || { cat "$dir/out" >&2; fail "$2 does not name board $1"; }
done

# expect_refused BOARD IMAGE IMAGE_BOARD
expect_refused() {
    "$rramprof" capture --board "$1" --firmware "$2" -o "$dir/x.rpcap" >"$dir/out" 2>&1
    st=$?
    [ $st -eq 10 ] || fail "capture --board $1 --firmware $2: exit $st, wanted 10"
    grep -qF "$2 is built for board $3, not $1" "$dir/out" || { cat "$dir/out" >&2; fail "no board message"; }
    [ ! -e "$dir/x.rpcap" ] || fail "a refused capture left $dir/x.rpcap"
}
expect_refused netduinoplus2 "$an386" qemu-mps2-an386
expect_refused qemu-mps2-an386 "$nd2" netduinoplus2

[ $fails -eq 0 ] || exit 1
echo "ok: both images name their board; each is refused on the other board"
