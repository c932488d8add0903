#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Whether two NDJSON streams of iommutrace (live --json, replay --json) say
the same thing: the same lines in the same order, with the same hooks,
objects, ids, results and verdicts. What may differ between two runs of one
workload is left out or renamed first:
  - times, durations, CPUs and stacks (and numbers of time in a "detail");
  - pids, tids and handles (kernel addresses hashed with a per-run key),
    each renamed by its first appearance: the first pid seen is p1, the
    first handle h1, and so on, so that a different object is still a
    difference.
Prints the first difference and exits 1, or exits 0.
usage: same-stream.py A.ndjson B.ndjson"""
import json
import re
import sys

DROP = {"ts_ns", "time", "cpu", "dur_ns", "duration_ns", "stack", "holder_stack",
        "stacks", "elapsed_ns"}
HANDLE_KEYS = {"handle", "ctx"}
PID_KEYS = {"pid", "tid", "tgid"}
TIME_IN_TEXT = re.compile(r"[0-9]+(\.[0-9]+)? ?(ns|us|ms|s)\b")


class Renamer:
    def __init__(self):
        self.names = {}

    def __call__(self, prefix, value):
        key = (prefix, value)
        if key not in self.names:
            self.names[key] = "%s%d" % (prefix, sum(1 for k in self.names if k[0] == prefix) + 1)
        return self.names[key]


def norm(v, ren, key=None):
    if isinstance(v, dict):
        return {k: norm(x, ren, k) for k, x in sorted(v.items()) if k not in DROP}
    if isinstance(v, list):
        return [norm(x, ren, key) for x in v]
    if key in HANDLE_KEYS and isinstance(v, str):
        return ren("h", v)
    if key in PID_KEYS and isinstance(v, int) and v:
        return ren("p", v)
    if key == "detail" and isinstance(v, str):
        return TIME_IN_TEXT.sub("T", v)
    return v


def lines(path):
    ren = Renamer()
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                obj = json.loads(line)
            except ValueError as e:
                sys.exit("%s:%d: not JSON: %s" % (path, n, e))
            out.append((n, json.dumps(norm(obj, ren), sort_keys=True)))
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    a, b = lines(sys.argv[1]), lines(sys.argv[2])
    for i in range(max(len(a), len(b))):
        la = a[i] if i < len(a) else (None, "(end)")
        lb = b[i] if i < len(b) else (None, "(end)")
        if la[1] != lb[1]:
            print("line %d differs:\n  %s:%s: %s\n  %s:%s: %s" %
                  (i + 1, sys.argv[1], la[0], la[1], sys.argv[2], lb[0], lb[1]))
            return 1
    print("same: %d lines" % len(a))
    return 0


if __name__ == "__main__":
    sys.exit(main())
