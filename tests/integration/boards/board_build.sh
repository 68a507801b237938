#!/bin/sh
# A real-board port's build, checked without the board: the .elf, .bin and
# .hex exist, the size report was written, text + data fit the board's
# flash and data + bss its RAM, and `rramprof flash --dry-run` accepts the
# .hex for that board (addresses inside its flash, erase plan printed) and
# the .elf, which names the board.
#
#   board_build.sh RRAMPROF SIZE_TOOL BIN_DIR BOARD RAM_BYTES
set -eu
rramprof=$1 size=$2 bin=$3 board=$4 ram=$5
fail() { echo "FAIL ($board): $*" >&2; exit 1; }
base="$bin/rramprof-$board"
for ext in elf bin hex size.txt; do
    [ -s "$base.$ext" ] || fail "missing $base.$ext"
done
grep -q '^\.text ' "$base.size.txt" || fail "the size report has no .text line"

# Berkeley format: text data bss dec hex filename.
set -- $("$size" -B "$base.elf" | awk 'NR == 2 { print $1, $2, $3 }')
text=$1 data=$2 bss=$3
flash_size=$(sed -n 's/^flash_size *= *//p' "$(dirname "$0")/../../../boards/$board/board.conf")
[ -n "$flash_size" ] || fail "no flash_size in boards/$board/board.conf"
[ $((text + data)) -le "$flash_size" ] || fail "text + data = $((text + data)) B > flash $flash_size B"
[ $((data + bss)) -le "$ram" ] || fail "data + bss = $((data + bss)) B > RAM $ram B"
bin_bytes=$(wc -c < "$base.bin")
[ "$bin_bytes" -ge "$text" ] || fail ".bin ($bin_bytes B) is shorter than .text ($text B)"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$rramprof" flash --board "$board" --method serial --port /dev/null --dry-run "$base.hex" \
    >"$dir/out.txt" 2>&1 || { cat "$dir/out.txt" >&2; fail "flash --dry-run refused the image"; }
grep -q "erase sector" "$dir/out.txt" || { cat "$dir/out.txt" >&2; fail "no erase plan in the dry run"; }
# The ELF names its board (section .rramprof.board), which the .bin and .hex leave out.
"$rramprof" flash --board "$board" --method serial --port /dev/null --dry-run "$base.elf" \
    >"$dir/elf.txt" 2>&1 || { cat "$dir/elf.txt" >&2; fail "flash --dry-run refused the .elf"; }
grep -q "built for $board\$" "$dir/elf.txt" || { cat "$dir/elf.txt" >&2; fail "the .elf does not name $board"; }
! grep -q "built for" "$dir/out.txt" || fail "the .hex names a board"
echo "ok: $board: flash $((text + data)) of $flash_size B, RAM $((data + bss)) of $ram B; dry run accepted the .hex and the .elf, which names $board"
