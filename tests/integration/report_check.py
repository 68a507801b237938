#!/usr/bin/env python3
"""Checks the outputs of `rramprof report` and `rramprof export`.

  report_check.py json FILE [--min-events N]   summary.json parses, has the schema and complete findings
  report_check.py csv FILE                     metrics.csv: header, four columns on every row, numeric values
  report_check.py manifest DIR NAME...         manifest.json lists NAMEs with sizes and SHA-256 (sha256sum)
  report_check.py trace FILE [--min-events N]  Chrome trace: valid JSON, named tracks, X events nest per track
  report_check.py html FILE --chromium PATH [--no-charts]
                                               headless Chromium renders it with no console message and
                                               (unless --no-charts: a report of nothing) SVG charts

Exit 0 when the check passes, 1 with the reasons on stderr when it fails.
"""
import csv
import decimal
import json
import os
import re
import subprocess
import sys
import tempfile

failures = []


def fail(msg):
    failures.append(msg)


def check_json(path, min_events):
    with open(path, encoding="utf-8") as f:
        d = json.load(f)
    if d.get("schema") != "rramprof.report/1":
        fail("schema is %r" % d.get("schema"))
    for key in ("tool", "capture", "integrity", "problems", "device", "session", "loss", "validity", "primary",
                "findings", "run", "ops", "tiles", "names", "gaps", "write_verify", "series", "memory"):
        if key not in d:
            fail("missing key " + key)
    if failures:
        return
    if d["validity"]["class"] not in ("unknown", "clean", "marginal", "contaminated"):
        fail("bad validity class %r" % d["validity"]["class"])
    if not isinstance(d["findings"], list):
        fail("findings is not a list")
        return
    for i, x in enumerate(d["findings"]):
        for k in ("rank", "id", "severity", "scope", "title", "explanation", "recommendation", "gain_ticks",
                  "gain_s", "gain_share", "evidence"):
            if k not in x:
                fail("finding %d lacks %s" % (i, k))
        if x.get("rank") != i + 1:
            fail("finding %d has rank %r" % (i, x.get("rank")))
        for e in x.get("evidence", []):
            if set(e) != {"name", "value", "unit"}:
                fail("finding %d evidence %r" % (i, e))
    if d["findings"] and d["primary"] != d["findings"][0]["id"]:
        fail("primary %r is not the first finding" % d["primary"])
    events = d["session"]["events"] if d["session"] else 0
    if events < min_events:
        fail("only %d events" % events)
    if min_events:
        if not d["findings"]:
            fail("no findings")
        if not d["ops"]:
            fail("no per-op statistics")
        for op in d["ops"]:
            for k in ("count", "busy_ticks", "share", "p50_ticks", "p90_ticks", "p99_ticks", "p999_ticks",
                      "ops_per_s", "bytes_per_s", "macs_per_s"):
                if k not in op:
                    fail("op %s lacks %s" % (op.get("op"), k))
            if op["count"] and not (op["p50_ticks"] <= op["p90_ticks"] <= op["p99_ticks"] <= op["p999_ticks"]
                                    <= op["max_ticks"]):
                fail("op %s quantiles out of order" % op["op"])
        if sum(op["count"] for op in d["ops"]) != d["run"]["events"]:
            fail("per-op counts do not add up to the events")
        if not d["series"]["buckets"]:
            fail("empty time series")


def check_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    if not rows or rows[0] != ["scope", "metric", "value", "unit"]:
        fail("bad header %r" % (rows[0] if rows else None))
        return
    for n, row in enumerate(rows[1:], start=2):
        if len(row) != 4:
            fail("line %d has %d columns: %r" % (n, len(row), row))
            continue
        if row[2] != "":
            try:
                float(row[2])
            except ValueError:
                fail("line %d value %r is not a number" % (n, row[2]))
    if len(rows) < 2:
        fail("no metrics")


def check_manifest(d, names):
    with open(os.path.join(d, "manifest.json"), encoding="utf-8") as f:
        m = json.load(f)
    files = {x["name"]: x for x in m.get("files", [])}
    if sorted(files) != sorted(names):
        fail("manifest lists %r, expected %r" % (sorted(files), sorted(names)))
    for name, x in files.items():
        p = os.path.join(d, name)
        if not os.path.exists(p):
            fail("%s is listed but missing" % name)
            continue
        if os.path.getsize(p) != x.get("size"):
            fail("%s size %d, manifest says %r" % (name, os.path.getsize(p), x.get("size")))
        out = subprocess.run(["sha256sum", p], capture_output=True, text=True, check=True).stdout.split()[0]
        if out != x.get("sha256"):
            fail("%s sha256 %s, manifest says %r" % (name, out, x.get("sha256")))


def check_trace(path, min_events):
    with open(path, encoding="utf-8") as f:
        d = json.load(f, parse_float=decimal.Decimal)
    ev = d.get("traceEvents")
    if not isinstance(ev, list):
        fail("no traceEvents list")
        return
    named = set()
    tracks = {}
    order_bad = 0
    for e in ev:
        ph = e.get("ph")
        if ph == "M":
            if e.get("name") == "thread_name":
                named.add((e["pid"], e["tid"]))
            continue
        if ph == "X":
            for k in ("name", "ts", "dur", "pid", "tid"):
                if k not in e:
                    fail("X event without %s: %r" % (k, e))
                    return
            if e["dur"] < 0:
                fail("negative dur: %r" % e)
            tracks.setdefault((e["pid"], e["tid"]), []).append(e)
        elif ph not in ("i", "I"):
            fail("unexpected phase %r" % ph)
    total = sum(len(v) for v in tracks.values())
    if total < min_events:
        fail("only %d complete events" % total)
    for key, lst in tracks.items():
        if key not in named:
            fail("track %r has no thread_name" % (key,))
        # File order: by start, a parent before its children on ties.
        for a, b in zip(lst, lst[1:]):
            if (b["ts"], -b["dur"]) < (a["ts"], -a["dur"]):
                order_bad += 1
        # Nesting: sorted by (start, longest first), each event lies inside
        # the open one it starts in, or after it.
        stack = []
        for e in sorted(lst, key=lambda x: (x["ts"], -x["dur"])):
            end = e["ts"] + e["dur"]
            while stack and stack[-1] <= e["ts"]:
                stack.pop()
            if stack and end > stack[-1]:
                fail("track %r: %s at %s..%s overlaps its parent ending at %s" % (key, e["name"], e["ts"], end,
                                                                                stack[-1]))
                break
            stack.append(end)
    if order_bad:
        fail("%d event(s) out of start order in the file" % order_bad)


def check_html(path, chromium, charts):
    text = open(path, encoding="utf-8").read()
    if re.search(r"<script", text, re.I):
        fail("the page has a script")
    if re.search(r"""(src|href)\s*=\s*["']?\s*(https?:|//)""", text, re.I) or "url(" in text:
        fail("the page references an external resource")
    with tempfile.TemporaryDirectory() as prof:
        p = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr",
                            "--v=0", "--user-data-dir=" + prof, "--dump-dom",
                            "file://" + os.path.abspath(path)], capture_output=True, text=True, timeout=180)
    console = [l for l in p.stderr.splitlines() if ":CONSOLE" in l]
    for l in console:
        fail("console: " + l)
    dom = p.stdout
    if "</html>" not in dom:
        fail("chromium returned no DOM (exit %d): %s" % (p.returncode, p.stderr[-2000:]))
        return
    for sec in ("breakdown", "latency", "timeline", "heatmaps") if charts else ():
        m = re.search(r'<section id="%s".*?</section>' % sec, dom, re.S)
        if not m or "<svg" not in m.group(0):
            fail("section %s has no SVG chart in the rendered DOM" % sec)


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, target = argv[1], argv[2]
    opts = argv[3:]
    min_events = int(opts[opts.index("--min-events") + 1]) if "--min-events" in opts else 0
    try:
        if cmd == "json":
            check_json(target, min_events)
        elif cmd == "csv":
            check_csv(target)
        elif cmd == "manifest":
            check_manifest(target, opts)
        elif cmd == "trace":
            check_trace(target, min_events)
        elif cmd == "html":
            check_html(target, opts[opts.index("--chromium") + 1], "--no-charts" not in opts)
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except (OSError, ValueError, KeyError, TypeError, subprocess.SubprocessError) as e:
        fail("%s: %s" % (type(e).__name__, e))
    for f in failures:
        print("report_check %s %s: %s" % (cmd, target, f), file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
