#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `iommutrace daemon` in the VM with the kernel's vdev-outlives-idev bug on, with the
# real systemd-journald and a notify socket (tests/vm/guest-daemon.sh):
# journal entries, the NDJSON export against the JSON Schema, rotation,
# file modes, metrics through promtool (file and HTTP), sd_notify, SIGHUP,
# SIGTERM, SIGKILL and the next start, capabilities, no raw addresses.
# usage: test_daemon.sh BUILD_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
vm_test_setup "$1"
schema=$lib_top/tools/schema/iommutrace-v2.schema.json
validate() { /usr/bin/python3 "$lib_top/tests/validate-ndjson.py" "$schema" "$@"; }

run_guest daemon "$out" --bug vdev-outlives-idev -- "$here/guest-daemon.sh" "$build" "$out" ||
	exit 0
expect_eq daemon/steps "$(tr '\n' ' ' <"$out/steps")" \
	"ready idev-first 0 loop 0 reloaded orderly 0 sigterm exit 0 ready2 sigkill exit 137 ready3 third exit 0 "
# CAP_BPF, CAP_PERFMON, CAP_SYSLOG and nothing else (iommufd a module)
expect_eq daemon/capabilities "$(cat "$out/capeff")" 000000c400000000

# --- the journal ---------------------------------------------------------------
j=$out/journal.json
vdev=$(sed -n 's/^vdev=//p' "$out/idev-first.ids")
idev=$(sed -n 's/^idev=//p' "$out/idev-first.ids")
first=$(jq -c 'select(.IOMMUTRACE_RULE == "vdev_outlives_idev")' "$j" | head -n 1)
expect_eq journal/violation_fields "$(echo "$first" | jq -r '[.MESSAGE_ID, .PRIORITY,
	.IOMMUTRACE_SEVERITY, .IOMMUTRACE_CERTAIN, .IOMMUTRACE_IDEVICE_ID, .IOMMUTRACE_VDEVICE_ID,
	.IOMMUTRACE_DEVICE, .IOMMUTRACE_COMM, .IOMMUTRACE_FUNCTION] | join(" ")')" \
	"c2cd1db6eef34eb29270f1987f150ddc 3 error yes $idev $vdev iommufd_mock0 iommufd-scenari iommufd_device_destroy"
expect_eq journal/object_pid "$(echo "$first" | jq -r '.OBJECT_PID | test("^[0-9]+$")')" true
expect_eq journal/message "$(echo "$first" | jq -r .MESSAGE | sed 's/\[[0-9]*\]/[PID]/')" \
	"vdev_outlives_idev: device#$idev (iommufd_mock0) destroyed while vdevice#$vdev (virt_id 0x1234) bound to it is alive (device#$idev vdevice#$vdev; iommufd-scenari[PID] in iommufd_device_destroy; vm daemon-vm)"
# who opened the context: the scenario, in its machine scope
expect_eq journal/owner_fields "$(echo "$first" | jq -r '[.IOMMUTRACE_OWNER_COMM,
	.IOMMUTRACE_VM, .IOMMUTRACE_CGROUP, (.IOMMUTRACE_OWNER_PID == .OBJECT_PID | tostring)] | join(" ")')" \
	'iommufd-scenari daemon-vm /machine.slice/machine-qemu\x2d9\x2ddaemon\x2dvm.scope true'
expect_eq journal/stack "$(echo "$first" | jq -r '.IOMMUTRACE_STACK' | head -n 1 | sed 's/+.*//')" \
	iommufd_device_destroy
# every verdict of the daemon's runs is in the journal, no other rule fired
n_export=$( (zcat "$out"/export.ndjson.*.gz; cat "$out/export-moved.ndjson" "$out/export-run1.ndjson") |
	jq -r 'select(.kind == "summary") | .violations')
expect_eq journal/one_entry_per_violation \
	"$(jq -r --arg pid "$(cat "$out/pid1")" 'select(.IOMMUTRACE_RULE != null and ._PID == $pid) |
	.IOMMUTRACE_RULE' "$j" | sort | uniq -c | awk '{ print $1, $2 }')" \
	"$n_export vdev_outlives_idev"
expect_eq journal/summary_entry "$(jq -r 'select(.MESSAGE_ID == "a52bb45a6c47462dbfa8395462daae0b") |
	.PRIORITY' "$j" | head -n 1)" 6

# without the journal: one line on stderr each, with its priority
expect_eq journal/stderr_fallback "$(grep -m1 -o '^<[0-9]>iommutrace: vdev_outlives_idev: device#[0-9]* (iommufd_mock0) destroyed' \
	"$out/daemon3.log" | sed 's/#[0-9]*/#N/')" "<3>iommutrace: vdev_outlives_idev: device#N (iommufd_mock0) destroyed"

# --- the NDJSON export -----------------------------------------------------------
# (the copy taken right after a SIGKILL may end inside a line, which the
# next start cuts off, checked below: its whole lines are checked here)
killed=$out/export-killed.ndjson
whole=$(/usr/bin/python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); print(d.rfind(b"\n") + 1)' "$killed")
head -c "$whole" "$killed" >"$out/killed-whole-lines.ndjson"
if v=$(validate $(ls "$out"/export*.ndjson* | grep -v '/export-killed\.ndjson$') \
	"$out/killed-whole-lines.ndjson" 2>&1); then
	pass export/schema
	echo "# $(echo "$v" | tail -n 1)"
else
	fail export/schema "$(echo "$v" | head -n 10)"
fi
expect_eq export/modes "$(awk '{ print $2 }' "$out/modes" | sort -u)" 640
expect_eq export/rotated "$(ls "$out" | grep -c '^export.ndjson\.[123]\.gz$')" 3
expect_eq export/no_uncompressed_backups "$(ls "$out" | grep -c '^export.ndjson\.[0-9]*$')" 0
max=$(for f in "$out"/export.ndjson.*.gz; do zcat "$f" | wc -c; done | sort -n | tail -n 1)
[ "$max" -le 16384 ] && pass export/max_size || fail export/max_size "a rotated file holds $max bytes"
# before SIGHUP: events on; the file moved away stayed whole and got no more
expect_eq export/events_before_hup "$(jq -r 'select(.kind == "event") | .kind' \
	"$out/export-moved.ndjson" | head -n 1)" event
expect_eq export/hup_reopened_no_events "$(jq -r .kind "$out/export-run1.ndjson" | sort -u | tr '\n' ' ')" \
	"graph snapshot summary "
expect_eq export/sigterm_summary_last "$(tail -n 3 "$out/export-run1.ndjson" | jq -r .kind | tr '\n' ' ')" \
	"summary snapshot graph "
expect_eq export/snapshot_counts "$(jq -r 'select(.kind == "snapshot") | .rules.vdev_outlives_idev.violations' \
	"$out/export-run1.ndjson" | tail -n 1)" "$n_export"
# SIGKILL: whatever the kill left, the next start leaves whole lines only
echo "# after SIGKILL the export ended in '$(cat "$out/killed-last-byte")'"
n=$(grep -c '"kind":"event"' "$out/export-killed.ndjson")
[ "$n" -gt 0 ] && pass export/killed_while_writing ||
	fail export/killed_while_writing "the export held no event when the daemon was killed"
if v=$(validate "$out/export.ndjson" 2>&1); then
	pass export/whole_lines_after_sigkill
else
	fail export/whole_lines_after_sigkill "$(echo "$v" | head -n 5)"
fi
# the next start kept every whole line the killed one wrote, and cut off an
# unfinished last line, saying how many bytes it cut
cut=$(($(stat -c %s "$killed") - whole))
if [ "$whole" -gt 0 ] && cmp -s -n "$whole" "$killed" "$out/export.ndjson"; then
	pass export/killed_file_kept
else
	fail export/killed_file_kept "the first $whole bytes of the killed export are not the next one's"
fi
if [ "$cut" -gt 0 ]; then
	grep -q "ended in an unfinished line ($cut bytes" "$out/daemon3.log" &&
		pass export/unfinished_line_cut || fail export/unfinished_line_cut \
		"$cut bytes after the last newline, not reported: $(grep -m1 unfinished "$out/daemon3.log")"
else
	! grep -q 'unfinished line' "$out/daemon3.log" && pass export/unfinished_line_cut ||
		fail export/unfinished_line_cut "the killed export ended whole, but: $(grep -m1 unfinished "$out/daemon3.log")"
fi

# --- metrics ---------------------------------------------------------------------
for m in file http; do
	f=$out/metrics-$m.prom
	if v=$(promtool check metrics <"$f" 2>&1); then
		pass metrics/$m/promtool
	else
		fail metrics/$m/promtool "$(echo "$v" | head -n 5)"
	fi
	# (the unit's capabilities have no CAP_SYS_ADMIN: module iommufd by kprobes)
	expect_eq metrics/$m/values "$(awk '
		/^iommutrace_violations_total\{rule="vdev_outlives_idev"\}/ { v = $2 }
		/^iommutrace_attached / { a = $2 }
		/^iommutrace_probe_attached\{function="iommufd_vdevice_destroy",attach="kprobe"\}/ { p = $2 }
		/^iommutrace_remove_wait_seconds_count / { c = ($2 > 0) }
		/^iommutrace_lost_events_total / { l = $2 }
		END { print (v > 0), a, p, c, l }' "$f")" "1 1 1 1 0"
done
# BPF run time per program, kernel.bpf_stats_enabled being 1
expect_eq metrics/bpf_run_time "$(awk '/^iommutrace_bpf_run_count_total\{program="obj_remove"\}/ { print ($2 > 0) }
	/^iommutrace_bpf_run_time_seconds_total\{program="obj_remove"\}/ { print ($2 > 0) }' \
	"$out/metrics-file.prom" | tr '\n' ' ')" "1 1 "
expect_eq metrics/http_status "$(tr '\n' ' ' <"$out/http-status")" \
	"200 text/plain; version=0.0.4; charset=utf-8 404 "
expect_eq metrics/bounded_series "$(grep -vc '^#' "$out/metrics-file.prom")" \
	"$(grep -vc '^#' "$out/metrics-http.prom")"
# the dashboard's queries and the alert rules name only metrics this scrape has
grep -v '^#' "$out/metrics-file.prom" | sed 's/[{ ].*//' | sort -u >"$out/metric-names"
python3 "$lib_top/tests/check-dashboard.py" "$lib_top/tools/grafana/iommutrace.json" \
	"$lib_top/tools/prometheus/iommutrace-alerts.yml" "$out/metric-names" "$out/queries.yml" \
	metrics/dashboard | grep 'metrics_exist'

# --- sd_notify ---------------------------------------------------------------------
n=$out/notify.log
expect_eq notify/ready_first "$(grep -v '^STATUS=' "$n" | head -n 1)" READY=1
grep -q '^STATUS=[0-9]* events, [0-9]* objects alive, [0-9]* violations' "$n" &&
	pass notify/status || fail notify/status "$(grep STATUS "$n" | head -n 2)"
grep -q '^WATCHDOG=1' "$n" && pass notify/watchdog || fail notify/watchdog "no WATCHDOG=1"
grep -q '^RELOADING=1' "$n" && pass notify/reloading || fail notify/reloading "no RELOADING=1"
grep -q '^STOPPING=1' "$n" && pass notify/stopping || fail notify/stopping "no STOPPING=1"

# --- nothing exported shows a kernel address ------------------------------------------
hits=$( (zcat "$out"/export.ndjson.*.gz; cat "$out"/export*.ndjson "$out"/metrics-*.prom \
	"$out/journal.json") | grep -Eoi 'ffff[0-9a-f]{12}' | head -n 3)
expect_eq no_raw_addresses "${hits:-none}" none
