#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check NDJSON files (plain or .gz) line by line against the iommutrace
JSON Schema with Debian's python3-jsonschema. Prints each bad line as
FILE:LINE: why, and a count per kind; exits 1 when a line is bad.

usage: validate-ndjson.py SCHEMA FILE..."""
import collections
import gzip
import json
import sys

from jsonschema import Draft202012Validator


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        schema = json.load(f)
    Draft202012Validator.check_schema(schema)
    v = Draft202012Validator(schema)
    bad = 0
    kinds = collections.Counter()
    for path in sys.argv[2:]:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt") as f:
            for n, line in enumerate(f, 1):
                where = f"{path}:{n}"
                if not line.endswith("\n"):
                    print(f"{where}: unfinished line")
                    bad += 1
                    continue
                try:
                    obj = json.loads(line)
                except ValueError as e:
                    print(f"{where}: not JSON: {e}")
                    bad += 1
                    continue
                errors = sorted(v.iter_errors(obj), key=lambda e: list(e.path))
                for e in errors[:3]:
                    print(f"{where}: {'/'.join(map(str, e.path)) or '(line)'}: {e.message}")
                bad += bool(errors)
                kinds[obj.get("kind", "?")] += 1
    print(" ".join(f"{k}={kinds[k]}" for k in sorted(kinds)), f"bad={bad}")
    sys.exit(1 if bad else 0)


main()
