#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The Grafana dashboard, statically (Grafana is not in Debian): it parses,
its panels have unique ids, a datasource and queries; every metric a query
or an alert rule names is in NAMES (one metric name a line: what the daemon
exports); the queries, their dashboard variables given values, written as
recording rules into OUT_RULES for promtool to parse.
Prints "ok NAME" / "not ok NAME: why".

usage: check-dashboard.py DASHBOARD.json ALERTS.yml NAMES OUT_RULES [PREFIX]"""
import json
import re
import sys

dash_path, alerts_path, names_path, out_rules = sys.argv[1:5]
prefix = sys.argv[5] if len(sys.argv) > 5 else "dashboard"
failed = False


def check(name, ok, why=""):
    global failed
    print(("ok %s/%s" % (prefix, name)) if ok else ("not ok %s/%s: %s" % (prefix, name, why)))
    failed |= not ok


try:
    dash = json.load(open(dash_path))
    check("parses", True)
except ValueError as e:
    check("parses", False, str(e))
    sys.exit(1)

panels = dash.get("panels", [])
ids = [p.get("id") for p in panels]
check("panels", len(panels) >= 6, "%d panels" % len(panels))
check("unique_ids", len(ids) == len(set(ids)) and None not in ids, "ids %s" % ids)
exprs = []
bad = []
for p in panels:
    t = p.get("targets") or []
    if not p.get("datasource") or not t or not all(x.get("expr") for x in t):
        bad.append(p.get("title"))
    exprs += [(p.get("title"), x["expr"]) for x in t if x.get("expr")]
check("every_panel_queries", not bad, "panels without a datasource or a query: %s" % bad)
types = {p.get("type") for p in panels}
check("heatmap_of_waits", any(p.get("type") == "heatmap" and "remove_wait_seconds_bucket" in
                              json.dumps(p.get("targets")) for p in panels), "types %s" % types)
for v in dash.get("templating", {}).get("list", []):
    q = v.get("query")
    if isinstance(q, dict) and q.get("query"):
        m = re.search(r"label_values\((\w+)", q["query"])
        if m:
            exprs.append(("variable " + v["name"], m.group(1)))

exported = {l.strip() for l in open(names_path) if l.strip()}
alert_text = open(alerts_path).read()
alert_exprs = re.findall(r"\biommutrace_[a-z_]+", alert_text)
used = {}
for title, e in exprs:
    for m in re.findall(r"\biommutrace_[a-z_]+", e):
        used.setdefault(m, title)
for m in alert_exprs:
    used.setdefault(m, "alert rules")
missing = sorted("%s (%s)" % (m, where) for m, where in used.items() if m not in exported)
check("metrics_exist", not missing and len(used) >= 10,
      "not exported: %s" % ", ".join(missing) if missing else "only %d metrics used" % len(used))

# every query as a recording rule, for promtool to parse
subst = {"$__rate_interval": "5m", "$__range": "6h", "$__interval": "1m", "$instance": ".*"}
with open(out_rules, "w") as f:
    f.write("groups:\n  - name: dashboard\n    rules:\n")
    for i, (title, e) in enumerate(exprs):
        for k, v in subst.items():
            e = e.replace(k, v)
        f.write("      - record: dashboard:query_%d\n        expr: %s\n" % (i, json.dumps(e)))
sys.exit(1 if failed else 0)
