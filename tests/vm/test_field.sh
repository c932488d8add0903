#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# In the field: on the distro-shaped kernel (iommufd and vfio-pci as
# modules, kprobes through ftrace) with an emulated IOMMU, QEMU with its
# iommufd backend is the VMM of a nested guest that owns an e1000e through
# vfio-pci (tools/vm/run.sh --vfio). Three runs (quit through the monitor,
# SIGKILL, unbind while QEMU holds the device), each watched by live,
# record and the daemon at once; checked here against QEMU's own trace of
# its iommufd calls.
# usage: test_field.sh BUILD_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
vm_test_setup "$1"

# The kernels it runs on: the Makefile's FIELD_KERNELS (IOMMUTRACE_FIELD_KERNELS
# narrows it)
FIELD_KERNELS=${IOMMUTRACE_FIELD_KERNELS:-$(sed -n 's/^FIELD_KERNELS := //p' "$lib_top/Makefile")}

# qemu_ids RUN: the ids QEMU's trace reports, as name=value lines for fill_ids
qemu_ids() {
	local err=$1
	sed -n 's/.*Successfully bound device .*output devid=\([0-9]*\).*/devid=\1/p' "$err" | head -n1
	sed -n 's/^iommufd_backend_alloc_ioas .*ioas=\([0-9]*\).*/ioas=\1/p' "$err" | head -n1
	sed -n 's/^iommufd_backend_alloc_hwpt .* out_hwpt=\([0-9]*\) (0).*/hwpt=\1/p' "$err" | head -n1
}

# owner_want RUN: the VM name, where it comes from and the cgroup path
# guest-field.sh gave QEMU in that run
owner_want() {
	case $1 in
	quit) echo 'field-quit argv /machine.slice/machine-qemu\x2d1\x2dfield\x2dquit.scope/libvirt/emulator' ;;
	kill) echo 'field-kill argv /machine.slice/machine-qemu\x2d2\x2dfield\x2dkill.scope' ;;
	unbind) echo 'field-unbind cgroup /machine.slice/machine-qemu\x2d3\x2dfield\x2dunbind.scope' ;;
	esac
}

# check_run OUT RUN: one QEMU run as live, record/replay and the daemon saw it
check_run() {
	local out=$1 r=$2 json=$1/$2.json got left qpid
	qemu_ids "$out/$r.qemu-err" >"$out/$r.ids"
	if [ "$(wc -l <"$out/$r.ids")" = 3 ]; then
		pass "$r/qemu_ids"
	else
		fail "$r/qemu_ids" "QEMU's trace did not give the device, IOAS and HWPT ids: $(tr '\n' '|' <"$out/$r.qemu-err" | head -c 600)"
		return
	fi
	expect_eq "$r/live_exit" "$(cat "$out/$r.rc")" 0
	expect_eq "$r/no_loss" "$(jq -r 'select(.kind == "summary") |
		"\(.lost) \(.kernel_drops) \(.missed_returns) \(.rejected)"' "$json")" "0 0 0 0"
	expect_eq "$r/no_violations" "$(jq -r 'select(.kind == "summary") |
		"\(.violations) \(.uncertain)"' "$json")" "0 0"

	# what QEMU made is there, with QEMU's ids: a device, an IOAS, a paging
	# HWPT, each created once and destroyed once
	for o in "device:devid" "ioas:ioas" "hwpt_paging:hwpt"; do
		local type=${o%%:*} id
		id=$(sed -n "s/^${o#*:}=//p" "$out/$r.ids")
		expect_eq "$r/${type}_created_once" "$(jq -r --arg t "$type" --argjson id "$id" \
			'select(.kind == "event" and .hook == "iommufd_object_finalize" and
				.obj.type == $t and .obj.id == $id) | .seq' "$json" | wc -l)" 1
		expect_eq "$r/${type}_destroyed_once" "$(jq -r --arg t "$type" --argjson id "$id" \
			'select(.kind == "event" and .phase == "entry" and .obj.type == $t and .obj.id == $id and
				(.hook | test("_destroy$"))) | .seq' "$json" | wc -l)" 1
	done
	# every object born was destroyed, once: the graph is empty at the end
	left=$(jq -rs '
		[.[] | select(.kind == "event")] as $ev |
		[$ev[] | select(.hook == "_iommufd_object_alloc" and .obj != null) | .obj.handle] as $born |
		[$ev[] | select((.hook | test("_destroy$|^iommufd_object_abort$")) and .phase == "entry") |
			.obj.handle] as $dead |
		"\($born | length) \(($born - $dead) | length) \(($dead | length) - ($dead | unique | length))"' "$json")
	case $left in
	"0 "*) fail "$r/graph_empty_at_end" "no object was created" ;;
	*" 0 0") pass "$r/graph_empty_at_end" ;;
	*) fail "$r/graph_empty_at_end" "born, left alive, destroyed twice: $left" ;;
	esac
	# in the kernel's order: sequence numbers strictly increasing, no gap
	expect_eq "$r/kernel_order" "$(jq -s '[.[] | select(.kind == "event") | .seq] |
		. == [range(.[0]; .[0] + length)]' "$json")" true
	# the context belongs to QEMU: it opened /dev/iommu and released it
	qpid=$(cat "$out/$r.qemu-pid")
	expect_eq "$r/ctx_owner" "$(jq -r 'select(.kind == "event" and .hook == "iommufd_fops_open" and
		.phase == "return") | "\(.pid) \(.comm)"' "$json")" "$qpid qemu-system-x86"
	# who opened it, said once: QEMU's pid, its VM (from -name, else from
	# its machine scope) and its cgroup, as guest-field.sh set them up
	expect_eq "$r/owner_line" "$(jq -r 'select(.kind == "owner") |
		"\(.owner.pid) \(.owner.comm) \(.owner.vm) \(.owner.vm_from) \(.owner.cgroup) \(.owner.cgroup_id > 1)"' \
		"$json")" "$qpid qemu-system-x86 $(owner_want "$r") true"
	expect_eq "$r/owner_of_open" "$(jq -r 'select(.kind == "owner" or (.kind == "event" and
		.hook == "iommufd_fops_open" and .phase == "return")) | "\(.kind) \(.seq) \(.ctx)"' "$json" |
		awk '{ k[NR] = $1; s[NR] = $2 " " $3 } END { print k[1], k[2], s[1] == s[2] }')" "event owner 1"
	if [ "$(jq -c 'select(.kind == "owner") | .owner' "$out/$r.replay.json")" = \
		"$(jq -c 'select(.kind == "owner") | .owner' "$json")" ]; then
		pass "$r/owner_replayed"
	else
		fail "$r/owner_replayed" "replay's owner line differs from live's"
	fi
	if [ "$r" = kill ]; then
		# the daemon ran with owner = hash: no name in its export
		expect_eq "$r/owner_hashed" "$(jq -r 'select(.kind == "owner") | .owner |
			"\(.vm | test("^h:[0-9a-f]{12}$")) \(.cgroup | test("^h:[0-9a-f]{12}$"))"' \
			"$out/$r.export")" "true true"
		expect_eq "$r/owner_names_not_exported" "$(grep -c -e field-kill -e machine-qemu \
			"$out/$r.export")" 0
	elif [ "$(jq -c 'select(.kind == "owner") | .owner' "$out/$r.export")" = \
		"$(jq -c 'select(.kind == "owner") | .owner' "$json")" ]; then
		pass "$r/owner_exported"
	else
		fail "$r/owner_exported" "the daemon's owner line differs from live's"
	fi
	expect_eq "$r/ctx_released" "$(jq -r 'select(.kind == "event" and
		.hook == "iommufd_fops_release" and .phase == "return") | .ret' "$json")" 0

	# the exact lifecycle, reviewed by hand (tests/vm/expect/field/)
	expect_events "$r/exact_events" "$json" "$here/expect/field/$r.events" "$out/$r.ids"
	got=$(events_of "$json")

	# record, then replay: the same events
	expect_eq "$r/record_exit" "$(cat "$out/$r.rec-rc")" 0
	expect_eq "$r/replay_exit" "$(cat "$out/$r.replay-rc")" 0
	if [ "$(events_of "$out/$r.replay.json")" = "$got" ]; then
		pass "$r/replay_same_events"
	else
		fail "$r/replay_same_events" "replay differs from live:"
		diff <(echo "$got") <(events_of "$out/$r.replay.json") | head -n 10 | sed 's/^/# /'
	fi
	# the daemon: the same events in its export, no violation, a clean stop
	expect_eq "$r/daemon_exit" "$(cat "$out/$r.daemon-rc")" 0
	if [ "$(events_of "$out/$r.export")" = "$got" ]; then
		pass "$r/daemon_same_events"
	else
		fail "$r/daemon_same_events" "the daemon's export differs from live:"
		diff <(echo "$got") <(events_of "$out/$r.export") | head -n 10 | sed 's/^/# /'
	fi
	expect_eq "$r/daemon_no_violations" "$(jq -r 'select(.kind == "violation") | .rule' \
		"$out/$r.export" | wc -l)" 0
}

check_kernel() {
	local kernel=$1 out=$2 r
	mkdir -p "$out"
	run_guest field "$out" --kernel "$kernel" --vfio --timeout 900 \
		-- "$here/guest-field.sh" "$build" "$out" "$kernel" || return 0
	if [ -s "$out/steps" ]; then
		fail field/guest_steps "$(tr '\n' '|' <"$out/steps")"
	else
		pass field/guest_steps
	fi
	expect_eq field/bugs_off "$(bugs_on "$out/bugs")" "none "
	expect_eq field/vfio_cdev "$(sed -n 's/^IOMMUTRACE_VFIO_CDEV=//p' "$out/vfio.env")" /dev/vfio/devices/vfio0
	expect_eq field/check_exit "$(cat "$out/check.rc")" 0
	# kprobes go through ftrace here, and registering them again is safe:
	# the kprobe callback is at an even address, so ftrace does not take
	# it for a jump
	expect_eq field/kprobes_on_ftrace "$(sed -n 's/^kprobes: *//p' "$out/check.txt")" \
		"through ftrace with DYNAMIC_FTRACE_WITH_JMP (/proc/config.gz); kprobe_ftrace_handler at an even address"
	if grep -q 'an ftrace site' "$out/reregister.txt" && grep -qx survived "$out/reregister.txt"; then
		pass field/kprobe_reregistered
	else
		fail field/kprobe_reregistered "$(tr '\n' '|' <"$out/reregister.txt")"
	fi
	# iommufd is a module here, kprobes go through ftrace
	expect_eq field/check_module "$(jq -r '.iommufd | split(" ")[0]' "$out/check.json")" module

	for r in quit kill unbind; do
		check_run "$out" "$r"
	done
	expect_eq quit/qemu_exit "$(cat "$out/quit.qemu-rc")" 0
	expect_eq kill/qemu_killed "$(cat "$out/kill.qemu-rc")" 137
	# vfio-pci waits for QEMU to let the device go; the unbind ends when it quits
	expect_eq unbind/blocked_while_held "$(cat "$out/unbind.while-held")" blocked
	expect_eq unbind/unbind_exit "$(cat "$out/unbind.unbind-rc")" 0
	expect_eq unbind/device_released "$(cat "$out/unbind.after")" unbound

	# the kernel's VFIO selftests in iommufd mode on the device (tools/testing/selftests/vfio)
	local stamp t traced sum
	stamp=$(cat "$build/selftests/$kernel/vfio/stamp" 2>/dev/null || echo "not built")
	if [ "$stamp" != built ]; then
		# a source known not to build them is a skip; anything else (a
		# header this machine lacks, say) is a failure
		case $kernel in
		7.2) skip vfio_selftests "linux-source 7.2.13's VFIO selftests do not build (its libvfio calls calloc_assert, which it does not define): $stamp" ;;
		*) fail vfio_selftests "linux-source $kernel's VFIO selftests: $stamp" ;;
		esac
		return
	fi
	for t in vfio_pci_device_test vfio_dma_mapping_test vfio_iommufd_setup_test; do
		# hung with no tracer at all: the kernel's or the emulator's, not
		# iommutrace's; nothing traced to compare it with
		if [ -f "$out/$t.alone.hung" ]; then
			skip "$t" "the selftest did not finish in 240 s without iommutrace (the kernel's or the emulated machine's hang; later selftests not run): $(tail -n 2 "$out/$t.alone.txt" | tr '\n' '|')"
			break
		fi
		expect_same_totals "$t/same_results_traced" "$out/$t.alone.txt" "$out/$t.traced.txt"
		traced=$(grep '^# Totals' "$out/$t.traced.txt")
		echo "# $kernel $t (iommufd): $traced"
		case $traced in
		*"Totals: pass:0 "*) fail "$t/ran" "no test passed: $(tail -n 5 "$out/$t.traced.txt" | tr '\n' '|')" ;;
		*) pass "$t/ran" ;;
		esac
		expect_eq "$t/record_exit" "$(cat "$out/$t.record.rc")" 0
		sum=$(jq -c 'select(.kind == "summary")' "$out/$t.replay.json")
		expect_eq "$t/no_violations" "$(jq -r '"\(.violations) \(.uncertain)"' <<<"$sum")" "0 0"
		expect_eq "$t/no_loss" "$(jq -r '"\(.lost) \(.kernel_drops) \(.missed_returns) \(.rejected)"' \
			<<<"$sum")" "0 0 0 0"
		echo "# $kernel $t: $(jq -r .events <<<"$sum") events"
		expect_eq "$t/graph_empty" "$(jq -r '.objects | length' "$out/$t.graph.json")" 0
	done
	# the device itself went through iommufd: bound as an iommufd device
	if [ "$(jq -r 'select(.kind == "event" and .obj.type == "device" and
		.hook == "iommufd_object_finalize") | .seq' "$out/vfio_pci_device_test.replay.json" |
		wc -l)" -ge 1 ]; then
		pass vfio_selftests/device_bound_through_iommufd
	else
		fail vfio_selftests/device_bound_through_iommufd "no iommufd device object in vfio_pci_device_test"
	fi
}

for k in $FIELD_KERNELS; do
	TEST_PREFIX=$k/
	check_kernel "$k" "$out/$k"
done
