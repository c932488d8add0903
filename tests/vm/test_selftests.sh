#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The kernel's own iommufd selftests (thousands of object lifetimes, error
# paths and fault injection) under iommutrace on the stock kernel: no
# violation, nothing lost, nothing left alive, and the selftests' own
# results the same as without the tracer.
# usage: test_selftests.sh BUILD_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
vm_test_setup "$1"

run_guest selftests "$out" -- "$here/guest-selftests.sh" "$build" "$out" || exit 0

for t in iommufd iommufd_fail_nth; do
	alone=$(grep '^# Totals' "$out/$t.alone.txt")
	traced=$(grep '^# Totals' "$out/$t.traced.txt")
	if [ -n "$alone" ] && [ "$alone" = "$traced" ]; then
		pass "$t/same_results_traced"
	else
		fail "$t/same_results_traced" "alone: '$alone', traced: '$traced'"
	fi
	echo "# $t: $traced"
	expect_eq "$t/record_exit" "$(cat "$out/$t.record.rc")" 0
	expect_eq "$t/replay_exit" "$(cat "$out/$t.replay.rc")" 0
	sum=$(jq -c 'select(.kind == "summary")' "$out/$t.replay.json")
	expect_eq "$t/no_violations" "$(jq -r '"\(.violations) \(.uncertain)"' <<<"$sum")" "0 0"
	expect_eq "$t/no_loss" "$(jq -r '"\(.lost) \(.kernel_drops) \(.missed_returns) \(.rejected)"' \
		<<<"$sum")" "0 0 0 0"
	events=$(jq -r .events <<<"$sum")
	echo "# $t: $events events"
	if [ "${events:-0}" -ge 10000 ]; then
		pass "$t/volume"
	else
		fail "$t/volume" "only $events events"
	fi
	expect_eq "$t/graph_empty" "$(jq -r '.objects | length' "$out/$t.graph.json")" 0
done
