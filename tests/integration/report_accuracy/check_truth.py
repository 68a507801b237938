#!/usr/bin/env python3
"""Profiled numbers in summary.json against the sim board's ground truth.

usage: check_truth.py SUMMARY_JSON TRUTH_CSV

The sim board writes the true duration of every crossbar operation it
performed (op,tile,row,start,duration in ticks). The recorder records the
same operations in the same order, so for each op kind the first `count`
truth rows are the ones the report aggregated. Checks, per op kind:
  - the report saw no more operations than the truth has;
  - busy time equals the sum of the true durations to one tick per op;
  - min and max equal the true ones to one tick;
  - p50, p90, p99 and p99.9 lie within 1 % (plus one tick) of the exact
    quantiles of the true durations;
and per tile: the busy time of each tile equals the truth's.
Exits 1 with a message on the first mismatch."""
import csv
import json
import math
import sys


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def exact_quantile(sorted_values, q):
    # Smallest value with at least ceil(q * n) values <= it (rp_hist.h).
    n = len(sorted_values)
    rank = max(1, math.ceil(q * n))
    return sorted_values[rank - 1]


def main():
    if len(sys.argv) != 3:
        fail("usage: check_truth.py SUMMARY_JSON TRUTH_CSV")
    summary = json.load(open(sys.argv[1]))
    truth = {}
    with open(sys.argv[2]) as f:
        for row in csv.DictReader(f):
            truth.setdefault(row["op"], []).append(
                (int(row["tile"]), int(row["duration"])))
    if summary["loss"]["total_events"] != 0:
        fail("events were lost; the comparison needs a complete capture")

    checked = 0
    tile_busy_report = {}
    tile_busy_truth = {}
    for op in summary["ops"]:
        name = op["op"]
        if name not in truth:
            continue          # SPAN, COMPUTE: not crossbar operations
        count = op["count"]
        rows = truth[name]
        if count == 0:
            continue
        if count > len(rows):
            fail(f"{name}: report has {count} ops, truth only {len(rows)}")
        durations = [d for _, d in rows[:count]]
        for tile, d in rows[:count]:
            tile_busy_truth[tile] = tile_busy_truth.get(tile, 0) + d
        busy = sum(durations)
        if abs(op["busy_ticks"] - busy) > count:
            fail(f"{name}: busy {op['busy_ticks']} ticks, truth {busy} (> 1 tick per op apart)")
        s = sorted(durations)
        if abs(op["min_ticks"] - s[0]) > 1 or abs(op["max_ticks"] - s[-1]) > 1:
            fail(f"{name}: min/max {op['min_ticks']}/{op['max_ticks']}, truth {s[0]}/{s[-1]}")
        for key, q in (("p50_ticks", 0.5), ("p90_ticks", 0.9), ("p99_ticks", 0.99),
                       ("p999_ticks", 0.999)):
            want = exact_quantile(s, q)
            got = op[key]
            if abs(got - want) > 0.01 * want + 1:
                fail(f"{name}: {key} {got}, exact {want} (beyond 1 %)")
        checked += 1
        print(f"ok {name}: {count} ops, busy {op['busy_ticks']} ticks = truth {busy}")
    if checked < 2:
        fail(f"only {checked} op kinds compared; expected crossbar ops in the capture")

    for tile in summary["tiles"]:
        t = tile["tile"]
        # Tiles count TRANSFER too, which the truth lists as well.
        want = tile_busy_truth.get(t, 0)
        if abs(tile["busy_ticks"] - want) > tile["count"]:
            fail(f"tile {t}: busy {tile['busy_ticks']}, truth {want}")
    print(f"ok: {checked} op kinds and {len(summary['tiles'])} tile(s) equal the ground truth")


main()
