#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Debian trixie's 6.12 in the VM: shortterm_users, no vIOMMU or vDEVICE.
# iommutrace must load by BTF alone, name what this kernel lacks, run the
# scenarios it can with their exact events and no violation, and skip the
# others with the reason.
# usage: test_kernel_6.12.sh BUILD_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
vm_test_setup "$1"

run_guest 6.12 "$out" --kernel 6.12 -- "$here/guest-other-kernel.sh" "$build" "$out" || exit 0
c=$out/check.json
expect_eq 6.12/check_exit "$(cat "$out/check.rc")" 0
expect_eq 6.12/kernel "$(jq -r '.kernel' "$c" | cut -d. -f1-2)" 6.12
expect_eq 6.12/layout "$(jq -r '"\(.layouts.iommufd_object) \(.layouts.iommufd_vdevice // "absent")"' "$c")" \
	"shortterm_users absent"
expect_eq 6.12/missing_named "$(jq -r '[.probes[] | select(.state == "missing") | .func] | sort | join(" ")' "$c")" \
	"__iommufd_object_destroy_user iommufd_device_pre_destroy iommufd_hw_pagetable_abort iommufd_hw_pagetable_destroy iommufd_hw_queue_destroy iommufd_object_destroy_user iommufd_vdevice_abort iommufd_vdevice_destroy iommufd_veventq_abort iommufd_veventq_destroy iommufd_viommu_destroy"
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
