#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The alert rules (tools/prometheus) and the Grafana dashboard
# (tools/grafana): promtool checks the rules and runs their tests, and a
# copy with a threshold changed fails them; the dashboard parses, every
# panel queries, every query is PromQL promtool reads, and every metric a
# query or a rule names is one the daemon's metrics code declares (the VM
# test of the daemon checks them against a real scrape too).
# usage: test_dashboards.sh BUILD_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/vm/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rules=$top/tools/prometheus/iommutrace-alerts.yml
dash=$top/tools/grafana/iommutrace.json

out=$(promtool check rules "$rules" 2>&1)
expect_eq alerts/promtool_check "$?" 0
expect_eq alerts/six_alerts "$(echo "$out" | sed -n 's/.*SUCCESS: \([0-9]*\) rules found.*/\1/p')" 6
out=$(cd "$top/tools/prometheus" && promtool test rules iommutrace-alerts.test.yml 2>&1)
rc=$?
expect_eq alerts/promtool_test "$rc" 0
[ "$rc" -eq 0 ] || echo "$out" | grep -v '^$' | head -n 20 | sed 's/^/# /'
# the tests find a rule that is wrong: the violation alert with a threshold of 1
cp "$top/tools/prometheus/iommutrace-alerts.test.yml" "$tmp/"
sed 's/increase(iommutrace_violations_total\[10m\]) > 0/increase(iommutrace_violations_total[10m]) > 1/' \
	"$rules" >"$tmp/iommutrace-alerts.yml"
(cd "$tmp" && promtool test rules iommutrace-alerts.test.yml >/dev/null 2>&1)
expect_eq alerts/tests_catch_a_wrong_rule "$?" 1

# the metric names the daemon declares (its histogram's series too)
sed -n 's/.*family(f, "\(iommutrace_[a-z_]*\)", "\([a-z]*\)".*/\1 \2/p' "$top/src/out/metrics.c" |
	awk '{ print $1 } $2 == "histogram" { print $1 "_bucket"; print $1 "_sum"; print $1 "_count" }' \
	>"$tmp/names"
[ "$(wc -l <"$tmp/names")" -ge 15 ]
expect_eq dashboard/names_read "$?" 0
python3 "$here/check-dashboard.py" "$dash" "$rules" "$tmp/names" "$tmp/queries.yml"
out=$(promtool check rules "$tmp/queries.yml" 2>&1)
expect_eq dashboard/queries_are_promql "$?" 0
# and the check finds a panel that queries a metric nobody exports
sed 's/iommutrace_contexts/iommutrace_contexts_open/' "$dash" >"$tmp/bad.json"
python3 "$here/check-dashboard.py" "$tmp/bad.json" "$rules" "$tmp/names" "$tmp/q2.yml" bad |
	grep -q '^not ok bad/metrics_exist: not exported: iommutrace_contexts_open'
expect_eq dashboard/unknown_metric_is_found "$?" 0
