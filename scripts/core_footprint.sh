#!/bin/sh
# The recorder core's share of a linked Cortex-M firmware image, from its
# link map: the bytes of code, constants and initialised data (flash) and
# of data + bss (RAM) the linker kept from each core object.
#
#   scripts/core_footprint.sh MAP [FLASH_LIMIT]
#
# The recorder core is what the firmware needs to record and stream:
# rp_recorder.c and rp_ring.c (record path), rp_encoder.c or
# rp_encoder_compact.c (EventBatch), rp_messages.c and rp_pbwire.c (the
# other frames, protobuf primitives), rp_frame.c and rp_crc32.c (framing
# and deframing), rp_command.c (command parser). Prints one line per
# object and the totals; with FLASH_LIMIT, exits 1 when the flash total
# is above it. The ring's slots are part of the RAM figure (see
# bench/fw_footprint.sh for them apart).
set -eu
map=${1:?usage: core_footprint.sh MAP [FLASH_LIMIT]}
limit=${2:-}
[ -r "$map" ] || { echo "core_footprint.sh: cannot read $map" >&2; exit 2; }

awk -v limit="$limit" '
function hex(s,   v, i) {
    v = 0
    s = tolower(substr(s, 3))
    for (i = 1; i <= length(s); i++) {
        v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
    }
    return v
}
# One input section: its name, size and the object it came from
# ("lib.a(obj)" or a path).
function take(sec, size, obj,   k, m) {
    for (k = 1; k <= n; k++) {
        m = mods[k]
        if (substr(obj, length(obj) - length(m) - 1) != "(" m ")" &&
            substr(obj, length(obj) - length(m)) != "/" m) {
            continue
        }
        seen[m] = 1
        if (sec ~ /^\.(text|rodata|data)/) {
            flash[m] += hex(size)
        }
        if (sec ~ /^\.(data|bss)/) {
            ram[m] += hex(size)
        }
    }
}
BEGIN {
    n = split("rp_recorder.c.obj rp_ring.c.obj rp_encoder.c.obj rp_encoder_compact.c.obj " \
              "rp_messages.c.obj rp_pbwire.c.obj rp_frame.c.obj rp_crc32.c.obj " \
              "rp_command.c.obj", mods, " ")
}
# Only what follows this line was kept (the discarded sections come first).
/^Linker script and memory map/ { on = 1; next }
!on { next }
# A long section name stands alone; its address, size and object follow
# on the next line.
/^ \.[^ ]+$/ { sec = $1; next }
/^ \.[^ ]+ +0x[0-9a-f]+ +0x[0-9a-f]+ +[^ ]+$/ { take($1, $3, $4); sec = ""; next }
/^ +0x[0-9a-f]+ +0x[0-9a-f]+ +[^ ]+$/ { if (sec != "") take(sec, $2, $3); sec = ""; next }
{ sec = "" }
END {
    for (k = 1; k <= n; k++) {
        m = mods[k]
        if (!(m in seen)) {
            continue
        }
        printf "  %-26s flash %6d  RAM %6d\n", m, flash[m], ram[m]
        tf += flash[m]
        tr += ram[m]
    }
    printf "  %-26s flash %6d  RAM %6d\n", "recorder core", tf, tr
    if (tf == 0) {
        print "core_footprint.sh: no recorder core object in the map" > "/dev/stderr"
        exit 2
    }
    if (limit != "" && tf > limit + 0) {
        printf "core_footprint.sh: recorder core flash %d B > %d B\n", tf, limit > "/dev/stderr"
        exit 1
    }
}' "$map"
