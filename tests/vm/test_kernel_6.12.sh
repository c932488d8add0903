#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Debian trixie's 6.12 in the VM: shortterm_users, no vIOMMU or vDEVICE,
# and iommufd built as a module (CONFIG_IOMMUFD=m, as Debian ships it).
# iommutrace must load by BTF alone (the module's own BTF), name what this
# kernel lacks, run the scenarios it can with their exact events and no
# violation, and skip the others with the reason; started before modprobe,
# it waits, attaches, and follows rmmod and a new modprobe.
# usage: test_kernel_6.12.sh BUILD_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
vm_test_setup "$1"

run_guest 6.12 "$out" --kernel 6.12 --no-modprobe -- "$here/guest-other-kernel.sh" "$build" "$out" module || exit 0
# before modprobe: check names the module and the fix
c=$out/check-unloaded.json
expect_eq 6.12/unloaded/check_exit "$(cat "$out/check-unloaded.rc")" 2
expect_eq 6.12/unloaded/where "$(jq -r '.iommufd' "$c")" "module iommufd, not loaded"
expect_eq 6.12/unloaded/fix "$(jq -r '.problems[] | select(.what | test("not loaded")) | .fix' "$c")" \
	"modprobe iommufd (live, record and daemon wait for it)"

# one tracer across modprobe, rmmod and modprobe (attached by kprobes)
expect_eq 6.12/reload/steps "$(tr '\n' ' ' <"$out/reload.steps")" \
	"waiting modprobe 0 attached basic 0 rmmod 0 detached modprobe 0 attached basic 0 "
expect_eq 6.12/reload/exit "$(cat "$out/reload.rc")" 0
expect_eq 6.12/reload/module_records "$(jq -r 'select(.kind == "module") | "\(.state):\(.forgotten)"' \
	"$out/reload.json" | tr '\n' ' ')" "unloaded:0 loaded:0 "
awk -v d="$out" '/"kind":"module"/ { n++; next } /"kind":"event"/ { print > (d "/reload-part" (n + 0) ".json") }' \
	"$out/reload.json"
for i in 1 2; do
	expect_events 6.12/reload/load_$i/exact_events "$out/reload-part$((i * 2 - 2)).json" \
		"$here/expect/6.12/basic.events" "$out/reload-$i.ids"
done
# one numbering across the loads: the records of the unload sit right after
# the first load's events, and nothing is lost or suspected
n1=$(grep -c '"kind":"event"' "$out/reload-part0.json" 2>/dev/null)
expect_eq 6.12/reload/seq_continues "$(jq -r 'select(.kind == "module") | .seq' "$out/reload.json" |
	sort -u)" "$n1"
expect_eq 6.12/reload/verdicts "$(jq -r 'select(.kind == "summary") |
	"\(.events) \(.lost) \(.violations) \(.uncertain)"' "$out/reload.json")" "$((n1 * 2)) 0 0 0"
# the daemon too, with the service's capabilities: the same events (the
# context's owner right after its open), the module records, a clean
# stop, every line in the schema
expect_eq 6.12/daemon/exit "$(cat "$out/daemon.rc")" 0
expect_eq 6.12/daemon/lines "$(jq -r 'if .kind == "module" then "module:\(.state)" else .kind end' \
	"$out/daemon.ndjson" | uniq -c | awk '{ print $1, $2 }' | tr '\n' ' ')" \
	"1 event 1 owner $((n1 - 1)) event 1 module:unloaded 1 module:loaded 1 event 1 owner $((n1 - 1)) event 1 summary "
expect_same 6.12/daemon/same_events "$(jq -c 'select(.kind == "event") | [.seq, .hook, .obj.type, .obj.id]' \
	"$out/daemon.ndjson")" "$(jq -c 'select(.kind == "event") | [.seq, .hook, .obj.type, .obj.id]' \
	"$out/reload.json")"
if v=$(/usr/bin/python3 "$lib_top/tests/validate-ndjson.py" "$lib_top/tools/schema/iommutrace-v2.schema.json" \
	"$out/daemon.ndjson" "$out/reload.json" 2>&1); then
	pass 6.12/daemon/schema
else
	fail 6.12/daemon/schema "$(echo "$v" | head -n 5)"
fi

# the same recorded, replayed on the host: the same events and records
expect_eq 6.12/reload/record_exit "$(cat "$out/record.rc")" 0
"$build/iommutrace" replay --json "$out/reload.itr" >"$out/replay.json" 2>"$out/replay.err"
expect_eq 6.12/reload/replay_exit $? 0
# (each tracer hashes pointers with its own key and times its own probes:
# compare all but handles and durations)
strip='select(.kind != "summary") | del(.ts_ns, .dur_ns) | walk(if type == "object" then del(.handle, .ctx) else . end)'
expect_same 6.12/reload/replay_same "$(jq -c "$strip" "$out/replay.json")" \
	"$(jq -c "$strip" "$out/reload.json")"

# attached by fentry (as root), the module is held: rmmod refused, tracing on
expect_eq 6.12/pin/attached_by "$(sed -n 's/.*(\([0-9]*\) by fentry, \([0-9]*\) by kprobe).*/\2/p' \
	"$out/pin.err")" 0
expect_eq 6.12/pin/rmmod_refused "$(cat "$out/pin.rmmod.rc") $(grep -c 'in use' "$out/pin.rmmod")" "1 1"
expect_eq 6.12/pin/traced_after "$(jq -r 'select(.kind == "summary") | "\(.events > 0) \(.lost)"' \
	"$out/pin.json")" "true 0"

# with the service's capabilities only: CO-RE against the module's BTF
# without CAP_SYS_ADMIN
expect_eq 6.12/caps/exit "$(cat "$out/caps.rc")" 0
got=$(events_of "$out/caps.json")
want=$(fill_ids "$here/expect/6.12/basic.events" "$out/caps.ids")
if [ -n "$got" ] && [ "$got" = "$want" ]; then
	pass 6.12/caps/exact_events
else
	fail 6.12/caps/exact_events "$(head -n 3 "$out/caps.err")"
fi

c=$out/check.json
expect_eq 6.12/check_exit "$(cat "$out/check.rc")" 0
expect_eq 6.12/kernel "$(jq -r '.kernel' "$c" | cut -d. -f1-2)" 6.12
expect_eq 6.12/layout "$(jq -r '"\(.layouts.iommufd_object) \(.layouts.iommufd_vdevice // "absent")"' "$c")" \
	"shortterm_users absent"
expect_eq 6.12/missing_named "$(jq -r '[.probes[] | select(.state == "missing") | .func] | sort | join(" ")' "$c")" \
	"__iommufd_object_destroy_user iommufd_device_pre_destroy iommufd_eventq_fops_release iommufd_fops_vma_close iommufd_fops_vma_open iommufd_hw_pagetable_abort iommufd_hw_pagetable_destroy iommufd_hw_queue_destroy iommufd_object_destroy_user iommufd_vdevice_abort iommufd_vdevice_destroy iommufd_veventq_abort iommufd_veventq_destroy iommufd_viommu_destroy"
expect_eq 6.12/core_view "$(jq -c '.core' "$c")" \
	'{"iommufd_object":"shortterm_users","iommufd_vdevice":"none","hwpt":"hwpt_paging, hwpt_nested","types":{"1":"device","2":"hwpt_paging","3":"hwpt_nested","4":"ioas","5":"access","6":"fault","7":"selftest"}}'
expect_eq 6.12/rule_degraded "$(jq -r '.rules[] | select(.name == "vdev_outlives_idev") | .state' "$c")" \
	"degraded: needs iommufd_vdevice_destroy"

s=basic
expect_eq 6.12/$s/scenario_exit "$(cat "$out/$s.scenario-rc")" 0
got=$(events_of "$out/$s.json")
want=$(fill_ids "$here/expect/6.12/$s.events" "$out/$s.ids")
if [ "$got" = "$want" ]; then
	pass 6.12/$s/exact_events
else
	fail 6.12/$s/exact_events "differs from tests/vm/expect/6.12/$s.events:"
	diff <(echo "$want") <(echo "$got") | head -n 20 | sed 's/^/# /'
fi
expect_eq 6.12/$s/verdicts "$(jq -r 'select(.kind == "summary") |
	"\(.lost) \(.violations) \(.uncertain)"' "$out/$s.json")" "0 0 0"

# the vIOMMU scenarios cannot run on 6.12: skipped, with the reason
for s in orderly idev-first close-all alloc-fail; do
	if [ "$(cat "$out/$s.scenario-rc")" = 77 ] &&
		grep -q 'the kernel has no IOMMU_VIOMMU_ALLOC' "$out/$s.scenario-err"; then
		skip "6.12/$s" "$(tail -n 1 "$out/$s.scenario-err" | sed 's/^iommufd-scenario: //')"
		# what did run before the skip was still traced cleanly
		expect_eq 6.12/$s/partial_run_clean "$(jq -r 'select(.kind == "summary") |
			"\(.lost) \(.violations) \(.uncertain)"' "$out/$s.json")" "0 0 0"
	else
		fail "6.12/$s" "expected a skip for the missing vIOMMU, got exit $(cat "$out/$s.scenario-rc")"
	fi
done
