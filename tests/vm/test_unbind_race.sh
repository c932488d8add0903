#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A real upstream bug, on a stock kernel: threads calling IOMMU_GET_HW_INFO
# on a device while it is destroyed (iommufd-scenario unbind-race) make
# the unbind sleep the kernel's whole 60 s timeout, since
# iommufd_put_object() wakes destroy_wait with wake_up_interruptible_all()
# and iommufd_object_dec_wait() sleeps uninterruptibly. Recorded once on
# the first kernel of the matrix (it costs a minute): iommutrace, told
# nothing, reports one long_wait on the idev, of about 60 s, with the
# waiter's stack and the last holder's (a thread in IOMMU_GET_HW_INFO),
# nothing else and no loss; the kernel warns of nothing;
# the report draws the wait (tests/browser/report_test.py), with a
# screenshot in BUILD_DIR/artifacts.
# usage: test_unbind_race.sh BUILD_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
vm_test_setup "$1"
kernel=${VM_KERNELS%% *}
v=$kernel/unbind-race
TEST_PREFIX=
mkdir -p "$out/u"
run_guest "$v" "$out/u" --kernel "$kernel" -- "$here/guest-unbind-race.sh" "$build" "$out/u" || exit 0
expect_eq "$v/stock_kernel" "$(bugs_on "$out/u/bugs")" "none "
expect_eq "$v/exit" "$(cat "$out/u/unbind-race.rc")" 0
ids=$out/u/unbind-race.ids
echo "# $(sed -n 's/^rounds=/rounds: /p' "$ids"), $(grep -c '^hw_info_calls=' "$ids") device(s) built"
expect_ms "$v/destroy_waits_the_whole_60s" "$(sed -n 's/^destroy_stdev_ms=//p' "$ids" | tail -n 1)" \
	55000 90000
idev=$(sed -n 's/^idev=//p' "$ids" | tail -n 1)

"$build/iommutrace" replay --json "$out/u/unbind-race.itr" >"$out/u/replay.json" 2>"$out/u/replay.err"
expect_eq "$v/replay_exit" "$?" 1
expect_eq "$v/verdict" "$(jq -r 'select(.kind == "violation") |
	"\(.rule) " + ([.objects[] | "\(.type)#\(.id)"] | join(" "))' "$out/u/replay.json")" \
	"long_wait device#$idev"
ms=$(jq -r 'select(.kind == "violation") | .detail' "$out/u/replay.json" |
	sed -n 's/.* for \([0-9]*\)\.[0-9]* ms .*/\1/p')
expect_ms "$v/verdict_ms" "$ms" 55000 90000
expect_eq "$v/waiter_stack" "$(jq -r 'select(.kind == "violation") | .stack[]' "$out/u/replay.json" |
	grep -c -e '^iommufd_device_unbind' -e '^iommufd_selftest_destroy')" 2
# the holder: a thread of the scenario in IOMMU_GET_HW_INFO, with its stack
expect_eq "$v/holder" "$(jq -r 'select(.kind == "violation") | .holder |
	"\(.tasks > 0) \(.comm) \(.stack[0] | sub("\\+.*"; ""))"' "$out/u/replay.json")" \
	"true iommufd-scenari iommufd_get_hw_info"
expect_eq "$v/holds_in_the_stream" "$(jq -r 'select(.kind == "event" and
	.hook == "iommufd_get_object" and .obj.type == "device") | .obj.id' "$out/u/replay.json" |
	sort -u | tail -n 1)" "$idev"
expect_eq "$v/no_loss" "$(jq -r 'select(.kind == "summary") | .lost' "$out/u/replay.json")" 0

"$build/iommutrace" report -o "$out/u/unbind-race.html" "$out/u/unbind-race.itr" 2>/dev/null
expect_eq "$v/report_written" "$?" 0
mkdir -p "$build/artifacts"
python3 "$lib_top/tests/browser/report_test.py" --html "$out/u/unbind-race.html" \
	--records "$out/u/replay.json" --shot "$build/artifacts/report-unbind-race-$kernel.png" \
	--name "$v/report" --wait device:55000 >"$out/u/browser" 2>"$out/u/browser.err"
rc=$?
cat "$out/u/browser"
[ "$rc" -eq 0 ] || grep -q '^not ok' "$out/u/browser" ||
	fail "$v/report/browser" "exit $rc: $(tail -n 1 "$out/u/browser.err")"
