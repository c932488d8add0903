#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The demo, inside the test guest (see tools/demo.sh).
# usage: demo-guest.sh BUILD_DIR stock|vdev-outlives-idev
B=$1
banner() {
	printf '\n\033[1m=== %s\033[0m\n' "$*"
}
if [ "$2" != stock ]; then
	banner "the same kernel with the 6.13-6.16 behaviour switched on (iommufd.bug_vdev_outlives_idev=1): unbind the device first"
	"$B/iommutrace" live --quiet -- sh -c "exec $B/iommufd-scenario idev-first >/dev/null"
	exit $?
fi
banner "iommutrace check: what this kernel offers"
"$B/iommutrace" check || exit 1
for s in orderly idev-first close-all alloc-fail; do
	banner "iommutrace live -- iommufd-scenario $s"
	"$B/iommufd-scenario" --help | grep "^  $s " | sed 's/^ */scenario: /'
	"$B/iommutrace" live -- sh -c "exec $B/iommufd-scenario $s >/dev/null" || exit 1
done
banner "the same as NDJSON (idev-first, vDEVICE and device events only)"
"$B/iommutrace" live --json --type vdevice,device -- \
	sh -c "exec $B/iommufd-scenario idev-first >/dev/null" 2>/dev/null
banner "record, replay and the graph of what is alive (close-all, before the close)"
cd /tmp && "$B/iommutrace" record -o demo.itr -- sh -c "exec $B/iommufd-scenario loop 3 >/dev/null"
"$B/iommutrace" replay --quiet demo.itr | tail -n 2
