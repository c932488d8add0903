#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# End to end on each stock test kernel of the matrix (lib.sh's VM_KERNELS,
# every bug switched off): run every scenario under
# `iommutrace live --json` in the guest, then check here that the events are
# exactly the lifecycle the kernel goes through, with the scenario's ids,
# that nothing was lost and that every object created was seen destroyed.
# usage: test_scenarios.sh BUILD_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
vm_test_setup "$1"

# "F K": the functions the tracer says it attached by fentry and by kprobe
attached_by() {
	sed -n 's/.*(\([0-9]*\) by fentry, \([0-9]*\) by kprobe).*/\1 \2/p' "$1" | head -n 1
}

# check_kernel KERNEL OUT [VARIANT]: boot KERNEL, run the guest's part,
# check its results
check_kernel() {
	local kernel=$1 out=$2 variant=${3:-${IOMMUTRACE_VARIANT:-distro}}
	mkdir -p "$out"
	run_guest stock "$out" --kernel "$kernel" --variant "$variant" -- \
		"$here/guest-scenarios.sh" "$build" "$out" || return 0

	# stock: the kernel's known bugs are there, every one switched off
	expect_eq bugs_off "$(bugs_on "$out/bugs")" "none "
	expect_eq bugs_known "$(grep -c '/bug_[a-z0-9_]*:N$' "$out/bugs")" \
		"$("$lib_top/tools/vm/run.sh" --kernel "$kernel" --list-bugs | wc -l)"

	# --- check in the guest -----------------------------------------------------
	expect_eq check_exit "$(cat "$out/check.rc")" 0
	expect_eq check_json_ok "$(jq -r .ok "$out/check.json")" true
	expect_eq check_core_attached \
		"$(jq -r '[.probes[] | select(.core and .state != "attached")] | length' "$out/check.json")" 0
	expect_eq check_layout "$(jq -r '.layouts.iommufd_object + " / " + .layouts.iommufd_vdevice' \
		"$out/check.json")" "wait_cnt / idev, virt_id"
	# what the BPF program itself sees through CO-RE on this kernel
	expect_eq check_core_view "$(jq -c '.core' "$out/check.json")" \
		'{"iommufd_object":"wait_cnt","iommufd_vdevice":"idev, virt_id","hwpt":"hwpt_paging, hwpt_nested","types":{"1":"device","2":"hwpt_paging","3":"hwpt_nested","4":"ioas","5":"access","6":"fault","7":"viommu","8":"vdevice","9":"veventq","10":"hw_queue","11":"selftest"}}'
	expect_eq check_old_hooks_missing \
		"$(jq -r '[.probes[] | select(.func == "iommufd_object_destroy_user") | .state] | .[0]' \
		"$out/check.json")" missing

	# how the functions are attached: on the distribution's configuration
	# by fentry (BPF trampolines through ftrace), on the base configuration
	# (no dynamic ftrace) by kprobes after the trampolines fail
	n_attached=$(jq '[.probes[] | select(.state == "attached")] | length' "$out/check.json")
	if [ "$variant" = tiny ]; then
		attach_auto=kprobe by_default="0 $n_attached" attach_fentry=""
	else
		attach_auto=fentry by_default="$n_attached 0" attach_fentry=fentry
	fi

	# --- each scenario ----------------------------------------------------------
	for s in basic orderly idev-first close-all alloc-fail; do
		json=$out/$s.json
		expect_eq "$s/scenario_exit" "$(cat "$out/$s.scenario-rc")" 0
		expect_eq "$s/live_exit" "$(cat "$out/$s.rc")" 0

		# the JSON contract: every line is an object with the common fields
		bad=$(jq -c 'select((has("schema") and has("kind") and has("seq") and has("ts_ns")
			and has("cpu") and has("pid") and has("comm")) | not)' "$json" 2>&1 | head -n 3)
		if [ -n "$bad" ] || ! jq -e . "$json" >/dev/null 2>&1; then
			fail "$s/json_contract" "bad line: $bad"
		else
			pass "$s/json_contract"
		fi
		# no kernel address anywhere, only keyed hashes
		if grep -qE 'ffff[0-9a-f]{12}' "$json"; then
			fail "$s/no_raw_pointers" "$(grep -oE 'ffff[0-9a-f]{12}' "$json" | head -n 1)"
		else
			pass "$s/no_raw_pointers"
		fi

		expect_events "$s/exact_events" "$json" "$here/expect/$s.events" "$out/$s.ids"

		expect_eq "$s/no_loss" "$(jq -r 'select(.kind == "summary") |
			"\(.lost) \(.kernel_drops) \(.missed_returns) \(.rejected)"' "$json")" "0 0 0 0"

		# every object allocated was destroyed: a destroy or abort callback
		# saw the same handle (the context: its release returned)
		left=$(jq -rs '
			[.[] | select(.kind == "event")] as $ev |
			[$ev[] | select(.hook == "_iommufd_object_alloc" and .obj != null) | .obj.handle] as $born |
			[$ev[] | select((.hook | test("_destroy$|_destroy_object$|^iommufd_object_abort$"))
				and .phase == "entry") | .obj.handle] as $dead |
			($born - $dead) | length' "$json")
		expect_eq "$s/all_destroyed" "$left" 0
		expect_eq "$s/ctx_released" "$(jq -r 'select(.kind == "event" and
			.hook == "iommufd_fops_release" and .phase == "return") | .ret' "$json")" 0
		# all events come from the scenario's own process
		expect_eq "$s/one_process" "$(jq -r 'select(.kind == "event") | .pid' "$json" | sort -u |
			wc -l)" 1

		# the same stream from kprobes as from fentry, times and stacks aside
		expect_eq "$s/kprobe_exit" "$(cat "$out/$s.kprobe.rc")" 0
		expect_eq "$s/attached_by" "$(attached_by "$out/$s.err")" "$by_default"
		expect_eq "$s/kprobe_attached_by" "$(attached_by "$out/$s.kprobe.err")" "0 $n_attached"
		if d=$(/usr/bin/python3 "$lib_top/tests/same-stream.py" "$json" "$out/$s.kprobe.json"); then
			pass "$s/fentry_kprobe_same"
		else
			fail "$s/fentry_kprobe_same" "$d"
		fi
	done
	# the comparison sees one event missing: the kprobe stream of basic
	# without its 6th event
	jq -c 'select(.seq != 5 or .kind != "event")' "$out/basic.kprobe.json" >"$out/basic.cut.json"
	if /usr/bin/python3 "$lib_top/tests/same-stream.py" "$out/basic.json" "$out/basic.cut.json" \
		>/dev/null; then
		fail compare/sees_a_dropped_event "same-stream.py found no difference"
	else
		pass compare/sees_a_dropped_event
	fi
	# check, per function: how each kind attaches, and why
	expect_eq check/attach_auto "$(jq -r '[.probes[] | select(.state == "attached") | .attach] |
		unique | join(",")' "$out/check.json")" "$attach_auto"
	expect_eq check/attach_kprobe "$(jq -r '[.probes[] | select(.state == "attached") |
		.attach + ": " + .attach_why] | unique | join(",")' "$out/check-kprobe.json")" \
		"kprobe: --attach kprobe"
	expect_eq check/attach_fentry "$(jq -r '[.probes[] | select(.state == "attached") | .attach] |
		unique | join(",")' "$out/check-fentry.json")" "$attach_fentry"

	# --- what idev-first shows about 7.2's vdev-on-idev-destroy ----------------
	expect_eq idev-first/vdev_tombstoned "$(grep '^destroy_vdev=' "$out/idev-first.ids" |
		sed 's/.* rc=//')" ENOENT

	# --- the text output ----------------------------------------------------------
	txt=$out/idev-first.txt
	expect_eq text/exit "$(cat "$out/idev-first.txt.rc")" 0
	if grep -qE '^[0-9:.]{15} +[0-9]+ +iommufd-scenari\[[0-9]+\] +iommufd_device_pre_destroy +device#[0-9]+ dev=iommufd_mock' "$txt"; then
		pass text/event_line
	else
		fail text/event_line "no readable pre_destroy line in: $(head -n 3 "$txt")"
	fi
	if grep -qE '^[0-9]+ events in [0-9.]+s \([0-9]+ shown\), 0 lost$' "$txt" &&
		grep -qE '^  iommufd_vdevice_destroy +1$' "$txt"; then
		pass text/summary
	else
		fail text/summary "$(tail -n 20 "$txt" | tr '\n' '|')"
	fi

	# --- load: many rounds, nothing lost, every object destroyed ---------------
	json=$out/loop.json
	expect_eq load/exit "$(cat "$out/loop.rc")" 0
	expect_eq load/no_loss "$(jq -r 'select(.kind == "summary") |
		"\(.lost) \(.kernel_drops) \(.missed_returns)"' "$json")" "0 0 0"
	born=$(jq -r 'select(.kind == "event" and .hook == "_iommufd_object_alloc" and .obj != null) |
		.obj.handle' "$json" | wc -l)
	events=$(jq -r 'select(.kind == "summary") | .events' "$json")
	if [ "$born" -ge 800 ] && [ "$events" -ge 8000 ]; then
		pass load/volume
	else
		fail load/volume "only $born objects and $events events for 200 rounds"
	fi
	seqs=$(jq -r 'select(.kind == "event") | .seq' "$json")
	if [ "$(echo "$seqs" | sort -n -c 2>&1)" = "" ] && [ "$(echo "$seqs" | uniq -d | wc -l)" = 0 ]; then
		pass load/in_sequence
	else
		fail load/in_sequence "events are not in strictly increasing sequence order"
	fi

	# --- a ring buffer too small: every loss is counted, in the stream and by the kernel
	json=$out/loss.json
	# exit 0: every verdict reached across a loss is uncertain, none certain
	expect_eq loss/exit "$(cat "$out/loss.rc")" 0
	if [ "$(cat "$out/loss.rc")" != 0 ]; then
		jq -c 'select(.kind == "violation" or .kind == "lost") | [.kind, .seq, .rule // .count,
			.detail, [.chain[]? | "\(.seq):\(.hook):\(.obj)"]]' "$json" | head -n 40 | sed 's/^/# /'
	fi
	read -r lost drops events <<<"$(jq -r 'select(.kind == "summary") |
		"\(.lost) \(.kernel_drops) \(.events)"' "$json")"
	if [ "${lost:-0}" -gt 0 ] && [ "$lost" = "$drops" ]; then
		pass loss/counted
	else
		fail loss/counted "lost=$lost kernel_drops=$drops: expected losses, equal to the kernel's count"
	fi
	expect_eq loss/lost_lines_add_up "$(jq -s '[.[] | select(.kind == "lost") | .count] | add' "$json")" "$lost"
	# the sequence numbers delivered and those reported lost cover 0..N-1
	# exactly once
	expect_eq loss/sequence_covered "$(jq -s '[(.[] | select(.kind == "event") | .seq),
		(.[] | select(.kind == "lost") | range(.seq; .seq + .count))] |
		(sort == [range(0; length)])' "$json")" true

	# the text summary, and the daemon's metrics and export, under the same overload
	expect_eq loss/text_exit "$(cat "$out/loss.txt.rc")" 0
	if grep -qE '^[0-9]+ events in [0-9.]+s \([0-9]+ shown\), ([0-9]+) lost \(\1 failed reservations in the kernel\)' \
		"$out/loss.txt" && ! grep -q '^[0-9]* events.*, 0 lost' "$out/loss.txt"; then
		pass loss/text_summary
	else
		fail loss/text_summary "$(grep -E 'events in|violation' "$out/loss.txt" | tr '\n' '|')"
	fi
	grep -qE '^0 violation\(s\), [0-9]+ uncertain$' "$out/loss.txt" &&
		pass loss/text_no_violation ||
		fail loss/text_no_violation "$(grep 'violation' "$out/loss.txt" | head -n 3 | tr '\n' '|')"
	expect_eq loss/daemon_exit "$(cat "$out/loss-daemon.rc")" 0
	read -r mlost mdrops mviol <<<"$(awk '
		/^iommutrace_lost_events_total / { l = $2 }
		/^iommutrace_kernel_drops_total / { d = $2 }
		/^iommutrace_violations_total\{/ { v += $2 }
		END { print l + 0, d + 0, v + 0 }' "$out/loss.prom")"
	if [ "$mlost" -gt 0 ] && [ "$mlost" = "$mdrops" ]; then
		pass loss/metrics_counted
	else
		fail loss/metrics_counted "iommutrace_lost_events_total $mlost, iommutrace_kernel_drops_total $mdrops"
	fi
	expect_eq loss/metrics_no_violation "$mviol" 0
	expect_eq loss/export_summary "$(jq -r 'select(.kind == "summary") |
		"\(.lost) \(.kernel_drops) \(.violations)"' "$out/loss-daemon.ndjson")" "$mlost $mdrops 0"
	expect_eq loss/export_lost_lines "$(jq -s '[.[] | select(.kind == "lost") | .count] | add // 0' \
		"$out/loss-daemon.ndjson")" "$mlost"

	# --- the stock kernel breaks no rule, in any scenario or under load ------------
	for s in basic orderly idev-first close-all alloc-fail loop; do
		expect_eq "$s/no_violations" "$(jq -r 'select(.kind == "summary") |
			"\(.violations) \(.uncertain)"' "$out/$s.json")" "0 0"
	done

	# --- the graph of a live process's objects -------------------------------------
	expect_eq graph/exit "$(cat "$out/graph.rc")" 0
	g=$out/graph.json
	expect_eq graph/objects "$(jq -r '[.objects[] | "\(.type)#\(.id)"] | sort | join(" ")' "$g")" \
		"$(fill_ids /dev/stdin "$out/hold.ids" <<<"device#{idev} hwpt_paging#{hwpt_auto} hwpt_paging#{hwpt} ioas#{ioas} selftest#{stdev} vdevice#{vdev} viommu#{viommu}" |
		tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')"
	expect_eq graph/vdev_edges "$(jq -r '.objects[] | select(.type == "vdevice") |
		"\(.parent.type)#\(.parent.id) \(.idev.type)#\(.idev.id) \(.dev)"' "$g")" \
		"$(fill_ids /dev/stdin "$out/hold.ids" <<<"viommu#{viommu} device#{idev} iommufd_mock0")"
	expect_eq graph/viommu_parent "$(jq -r '.objects[] | select(.type == "viommu") |
		"\(.parent.type)#\(.parent.id)"' "$g")" "$(fill_ids /dev/stdin "$out/hold.ids" <<<"hwpt_paging#{hwpt}")"
	if grep -qE '^[| ]*`- vdevice#[0-9]+ virt_id=0x1234 -> device#[0-9]+' "$out/graph.txt" &&
		grep -q '^ctx ' "$out/graph.txt"; then
		pass graph/tree
	else
		fail graph/tree "$(tr '\n' '|' <"$out/graph.txt")"
	fi
	grep -q 'digraph iommufd' "$out/graph.dot" && grep -q 'style=dashed, label="idev"' "$out/graph.dot" &&
		pass graph/dot || fail graph/dot "$(head -c 300 "$out/graph.dot")"

	# --- a daemon killed while objects live, and the next one -------------------------
	expect_eq restart/killed "$(cat "$out/restart1.rc")" 137
	expect_eq restart/second_exit "$(cat "$out/restart2.rc")" 0
	# the second saw the teardown of objects born before it, and no birth
	local r2=$out/restart2.ndjson
	expect_eq restart/teardown_seen "$(jq -r --argjson id "$(sed -n 's/^vdev=//p' "$out/restart.ids")" \
		'select(.kind == "event" and .obj.type == "vdevice" and .obj.id == $id and
		.hook == "iommufd_vdevice_destroy") | .hook' "$r2" | wc -l)" 1
	expect_eq restart/no_birth_seen "$(jq -r 'select(.kind == "event" and
		.hook == "iommufd_object_finalize") | .seq' "$r2" | wc -l)" 0
	expect_eq restart/no_verdict "$(jq -r 'select(.kind == "summary") |
		"\(.violations) \(.uncertain) \(.lost)"' "$r2")" "0 0 0"
	expect_eq restart/no_violation_line "$(jq -r 'select(.kind == "violation" or
		.kind == "uncertain") | .rule' "$r2" | wc -l)" 0

	# --- a recorder killed with SIGKILL ----------------------------------------------
	expect_eq killed/replay_exit "$(cat "$out/killed.rc")" 0
	n=$(jq -r 'select(.kind == "summary") | .events' "$out/killed.json")
	if [ "${n:-0}" -gt 100 ]; then
		pass killed/events_read
	else
		fail killed/events_read "only '$n' events read back: $(cat "$out/killed.err")"
	fi
	grep -q 'has no end record' "$out/killed.err" && pass killed/says_no_end ||
		fail killed/says_no_end "$(cat "$out/killed.err")"
	expect_eq killed/kprobes_released "$(jq -r 'select(.kind == "summary") | .events' \
		"$out/after-kill.json")" "$(grep -vc '^#' "$here/expect/orderly.events")"

	# --- Ctrl-C ends live with its summary ----------------------------------------------
	expect_eq sigint/exit "$(cat "$out/sigint.rc")" 0
	expect_eq sigint/summary "$(jq -r 'select(.kind == "summary") | "\(.events) \(.lost) \(.violations)"' \
		"$out/sigint.json")" "$(grep -vc '^#' "$here/expect/orderly.events") 0 0"

	# --- environments that cannot trace: exit 2, the cause and the fix named ------
	for c in live record check; do
		expect_eq "noperm/$c/exit" "$(cat "$out/noperm-$c.rc")" 2
		grep -q 'not privileged: loading BPF needs CAP_BPF and CAP_PERFMON' "$out/noperm-$c.err" &&
			grep -q 'setcap cap_bpf,cap_perfmon+ep' "$out/noperm-$c.err" &&
			pass "noperm/$c/says_why" || fail "noperm/$c/says_why" "$(tr '\n' '|' <"$out/noperm-$c.err")"
		expect_eq "nobtf/$c/exit" "$(cat "$out/nobtf-$c.rc")" 2
		grep -q 'no BTF: /sys/kernel/btf/vmlinux is missing' "$out/nobtf-$c.err" &&
			grep -q 'CONFIG_DEBUG_INFO_BTF=y' "$out/nobtf-$c.err" &&
			pass "nobtf/$c/says_why" || fail "nobtf/$c/says_why" "$(tr '\n' '|' <"$out/nobtf-$c.err")"
	done
	expect_eq env/record_left_no_file "$(cat "$out/env.files")" ""

	# --- every line of every run above, against the JSON Schema ------------------
	if v=$(/usr/bin/python3 "$lib_top/tests/validate-ndjson.py" \
		"$lib_top/tools/schema/iommutrace-v2.schema.json" \
		$(ls "$out"/*.json | grep -v '/check\(-[a-z]*\)\?.json$') 2>&1); then
		pass schema/live_output
		echo "# $(echo "$v" | tail -n 1)"
	else
		fail schema/live_output "lines that do not match tools/schema/iommutrace-v2.schema.json:"
		echo "$v" | head -n 20 | sed 's/^/# /'
	fi
}

for k in $VM_KERNELS; do
	TEST_PREFIX=$k/
	check_kernel "$k" "$out/$k"
done
# make check-all: the same on the base configuration alone (iommufd built
# in, breakpoint kprobes)
for k in ${IOMMUTRACE_TINY_KERNELS:-}; do
	TEST_PREFIX=$k-tiny/
	check_kernel "$k" "$out/$k-tiny" tiny
done
