#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The kernel's own iommufd selftests (thousands of object lifetimes, error
# paths and fault injection) under iommutrace on each stock kernel of the
# matrix (lib.sh's VM_KERNELS), built from its own source: no
# violation, nothing lost, nothing left alive, and the selftests' own
# results the same as without the tracer.
# usage: test_selftests.sh BUILD_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
vm_test_setup "$1"

# check_kernel KERNEL OUT: the selftests of KERNEL in a guest on it
check_kernel() {
	local kernel=$1 out=$2 t p traced sum events
	mkdir -p "$out"
	run_guest selftests "$out" --kernel "$kernel" -- \
		"$here/guest-selftests.sh" "$build" "$out" "$kernel" $both || return 0

	for p in iommufd ${both:+iommufd.kprobe} iommufd_fail_nth ${both:+iommufd_fail_nth.kprobe}; do
		t=${p%.kprobe}
		expect_same_totals "$p/same_results_traced" "$out/$t.alone.txt" "$out/$p.traced.txt"
		traced=$(grep '^# Totals' "$out/$p.traced.txt")
		echo "# $kernel $p: $traced"
		expect_eq "$p/record_exit" "$(cat "$out/$p.record.rc")" 0
		# attached by fentry (the default here), and by kprobes when asked
		if [ "$p" = "$t" ]; then
			expect_eq "$p/attached_by" "$(grep -c '([0-9]* by fentry, 0 by kprobe)' \
				"$out/$p.record.err")" 1
		else
			expect_eq "$p/attached_by" "$(grep -c '(0 by fentry, [0-9]* by kprobe)' \
				"$out/$p.record.err")" 1
		fi
		expect_eq "$p/replay_exit" "$(cat "$out/$p.replay.rc")" 0
		sum=$(jq -c 'select(.kind == "summary")' "$out/$p.replay.json")
		expect_eq "$p/no_violations" "$(jq -r '"\(.violations) \(.uncertain)"' <<<"$sum")" "0 0"
		expect_eq "$p/no_loss" "$(jq -r '"\(.lost) \(.kernel_drops) \(.missed_returns) \(.rejected)"' \
			<<<"$sum")" "0 0 0 0"
		events=$(jq -r .events <<<"$sum")
		echo "# $kernel $p: $events events"
		if [ "${events:-0}" -ge 10000 ]; then
			pass "$p/volume"
		else
			fail "$p/volume" "only $events events"
		fi
		expect_eq "$p/graph_empty" "$(jq -r '.objects | length' "$out/$p.graph.json")" 0
		# every context opened has its owner: one owner line per open that
		# succeeded, the selftest's own process, none lost
		expect_eq "$p/owners" "$(jq -rs '[.[] | select(.kind == "event" and
			.hook == "iommufd_fops_open" and .ret == 0)] as $open |
			[.[] | select(.kind == "owner")] as $own |
			"\($open | length > 0) \(($open | length) == ($own | length))" +
			" \([$own[].owner.comm] | unique | join(",")) \(.[-1].owners_lost)"' "$out/$p.ctx.json")" \
			"true true ${t:0:15} 0"
	done
}

# both ways (fentry and kprobes) on the first kernel, the default way on the others
both=both
for k in $VM_KERNELS; do
	TEST_PREFIX=$k/
	check_kernel "$k" "$out/$k"
	both=
done
