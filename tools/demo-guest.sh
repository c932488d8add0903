#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The demo, inside the test guest (see tools/demo.sh).
B=$1
banner() {
	printf '\n\033[1m=== %s\033[0m\n' "$*"
}
banner "iommutrace check: what this kernel offers"
"$B/iommutrace" check || exit 1
for s in orderly idev-first close-all alloc-fail; do
	banner "iommutrace live -- iommufd-scenario $s"
	"$B/iommufd-scenario" --help | grep "^  $s " | sed 's/^ */scenario: /'
	"$B/iommutrace" live -- "$B/iommufd-scenario" "$s" || exit 1
done
banner "the same as NDJSON (idev-first, vDEVICE and device events only)"
"$B/iommutrace" live --json --type vdevice,device -- \
	sh -c "exec $B/iommufd-scenario idev-first >/dev/null" 2>/dev/null
