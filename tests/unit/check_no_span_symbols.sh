#!/bin/sh
# Usage: check_no_span_symbols.sh NM ENABLED_OBJ DISABLED_OBJ
# The enabled object must call the span API (so this check can see it);
# the disabled one must not reference any of it.
nm="$1"; on="$2"; off="$3"
pattern='rp_span_|rp_compute_mark|rp_name_'
if ! "$nm" -u "$on" | grep -Eq "$pattern"; then
    echo "FAIL: enabled build references no span symbol (check broken?)"
    "$nm" -u "$on"
    exit 1
fi
if "$nm" -u "$off" | grep -E "$pattern"; then
    echo "FAIL: RRAMPROF_ENABLED=0 build still references the span API"
    exit 1
fi
echo "ok: enabled references $("$nm" -u "$on" | grep -Ec "$pattern") span symbols, disabled none"
