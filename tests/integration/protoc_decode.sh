#!/usr/bin/env bash
# Proves `protoc --decode=rramprof.v1.Frame` accepts every Frame payload the
# firmware encoder writes and prints the values that went in.
# Usage: protoc_decode.sh <protoc_payloads binary> <protoc> <proto dir> <work dir>
set -euo pipefail
gen=$1 protoc=$2 proto_dir=$3 work=$4
rm -rf "$work"
mkdir -p "$work"
"$gen" "$work"
count=0
for bin in "$work"/*.bin; do
    name=$(basename "$bin" .bin)
    if ! "$protoc" --proto_path="$proto_dir" --decode=rramprof.v1.Frame rramprof.proto \
            <"$bin" >"$work/$name.txt" 2>"$work/$name.err"; then
        echo "FAIL $name: protoc rejected the payload:" >&2
        cat "$work/$name.err" >&2
        exit 1
    fi
    while IFS= read -r line; do
        if ! grep -qxF -- "$line" <(sed 's/^ *//' "$work/$name.txt"); then
            echo "FAIL $name: missing line: $line" >&2
            cat "$work/$name.txt" >&2
            exit 1
        fi
    done <"$work/$name.expect"
    count=$((count + 1))
done
if [ "$count" -ne 9 ]; then
    echo "FAIL: expected 9 payloads, decoded $count" >&2
    exit 1
fi
echo "protoc decoded all $count payload kinds"
