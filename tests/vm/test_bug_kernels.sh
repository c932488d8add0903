#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Each test kernel of the matrix (lib.sh's VM_KERNELS) booted with each of
# its bugs switched on in turn (tests/kernel-patches/, tools/vm/run.sh --bug
# NAME): each must yield its rule's violation, with the right objects, and
# nothing else.
# usage: test_bug_kernels.sh BUILD_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
vm_test_setup "$1"

# violations of a scenario's run: "rule objects..." one per line
violations_of() {
	jq -r 'select(.kind == "violation" or .kind == "uncertain") |
		"\(.kind) \(.rule) " + ([.objects[] | "\(.role)=\(.type)#\(.id)"] | join(" "))' "$1"
}

# run_bug NAME: boot $kernel with bug NAME on, its outputs in $out/NAME
run_bug() {
	mkdir -p "$out/$1"
	run_guest "$1" "$out/$1" --kernel "$kernel" --bug "$1" -- \
		"$here/guest-bugs.sh" "$build" "$out/$1" $both || return 1
	expect_eq "$1/bug_switched_on" "$(bugs_on "$out/$1/bugs")" "$1 "
}

# expect_violations VARIANT SCENARIO EXIT WANT (WANT: lines, {ids} filled):
# attached by fentry (the default here) and, on the first kernel, by
# kprobes too (SCENARIO.kprobe)
expect_violations() {
	local v=$1 s=$2 rc=$3 want=$4 got w r
	for r in "$s" ${both:+"$s.kprobe"}; do
		expect_eq "$v/$r/exit" "$(cat "$out/$v/$r.rc")" "$rc"
		got=$(violations_of "$out/$v/$r.json")
		w=$(printf '%s\n' "$want" | fill_ids /dev/stdin "$out/$v/$r.ids")
		if [ "$got" = "$w" ]; then
			pass "$v/$r/violations"
		else
			fail "$v/$r/violations" "got [$(echo "$got" | tr '\n' '|')] want [$(echo "$w" | tr '\n' '|')]"
		fi
		expect_eq "$v/$r/no_loss" "$(jq -r 'select(.kind == "summary") | .lost' \
			"$out/$v/$r.json")" 0
		# each verdict names who opened the context: the scenario, in the root cgroup
		if [ -n "$want" ]; then
			expect_eq "$v/$r/owner" "$(jq -r 'select(.kind == "violation") |
				"\(.owner.comm) \(.owner.cgroup) \(.owner.vm // "-")"' "$out/$v/$r.json" |
				sort -u)" "iommufd-scenari / -"
		fi
	done
	expect_eq "$v/$s/attached_by" "$(grep -c '([0-9]* by fentry, 0 by kprobe)' "$out/$v/$s.err")" 1
	if [ -n "$both" ]; then
		expect_eq "$v/$s/kprobe_attached_by" \
			"$(grep -c '(0 by fentry, [0-9]* by kprobe)' "$out/$v/$s.kprobe.err")" 1
	fi
}

# check_kernel KERNEL OUT: every bug of KERNEL, its outputs under OUT
check_kernel() {
	local kernel=$1 out=$2 v
	# --- 6.13-6.16 behaviour: destroying the idev leaves its vdev alive ----------
	v=vdev-outlives-idev
	if run_bug $v; then
		expect_violations $v orderly 0 ""
		expect_violations $v alloc-fail 0 ""
		# reported when the idev dies, and again when the vdev is destroyed later
		expect_violations $v idev-first 1 "violation vdev_outlives_idev idevice=device#{idev} vdevice=vdevice#{vdev}
violation vdev_outlives_idev vdevice=vdevice#{vdev} idevice=device#{idev}"
		expect_eq $v/idev-first/vdev_destroy_succeeds "$(sed -n 's/^destroy_vdev=.* rc=//p' \
			"$out/$v/idev-first.ids")" 0
		expect_violations $v close-all 1 "violation vdev_outlives_idev idevice=device#{idev} vdevice=vdevice#{vdev}
violation vdev_outlives_idev vdevice=vdevice#{vdev} idevice=device#{idev}"
		# the proof: a stack through iommufd_device_destroy and the event chain
		for r in idev-first ${both:+idev-first.kprobe}; do
			expect_eq $v/$r/stack "$(jq -r 'select(.kind == "violation") | .stack[0]' \
				"$out/$v/$r.json" | head -n 1 | sed 's/+.*//')" iommufd_device_destroy
		done
		expect_eq $v/idev-first/chain "$(jq -r 'select(.kind == "violation") |
			[.chain[] | .hook] | index("iommufd_object_finalize") != null' \
			"$out/$v/idev-first.json" | head -n 1)" true
	fi

	# --- vdevice abort runs twice ---------------------------------------------------
	v=double-abort
	if run_bug $v; then
		expect_violations $v orderly 1 "violation double_abort object=vdevice#{vdev}"
		expect_violations $v idev-first 1 "violation double_abort object=vdevice#{vdev}"
		expect_violations $v close-all 1 "violation double_abort object=vdevice#{vdev}"
		expect_violations $v alloc-fail 1 "violation double_abort object=vdevice#{vdev}"
	fi

	# --- a vdev destroy holds the idev's wait reference for 300 ms ----------------
	v=long-wait
	if run_bug $v; then
		expect_violations $v orderly 0 ""
		expect_violations $v alloc-fail 0 ""
		expect_violations $v idev-first 1 "violation long_wait object=device#{idev}"
		expect_violations $v close-all 1 "violation long_wait object=device#{idev}"
		ms=$(jq -r 'select(.kind == "violation") | .detail' "$out/$v/idev-first.json" |
			sed -n 's/.* for \([0-9]*\)\..* ms (threshold.*/\1/p')
		if [ -n "$ms" ] && [ "$ms" -ge 300 ] && [ "$ms" -lt 5000 ]; then
			pass $v/idev-first/wait_measured
		else
			fail $v/idev-first/wait_measured "wait '$ms' ms, want 300 ms or a little more"
		fi
	fi
}

# both ways (fentry and kprobes) on the first kernel, the default way on the others
both=both
for k in $VM_KERNELS; do
	TEST_PREFIX=$k/
	check_kernel "$k" "$out/$k"
	both=
done
TEST_PREFIX=

# the recordings are the golden files' source: keep them when asked
if [ -n "${IOMMUTRACE_KEEP_RECORDINGS:-}" ]; then
	for v in vdev-outlives-idev double-abort long-wait; do
		cp "$out/7.2/$v/idev-first.itr" "$IOMMUTRACE_KEEP_RECORDINGS/$v.itr" 2>/dev/null
	done
fi
