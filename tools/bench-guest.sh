#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The VM half of `make bench` (see tools/bench-vm.sh), inside the guest.
# usage: bench-guest.sh BUILD_DIR OUTDIR
B=$1
OUT=$2
for i in 1 2 3; do
	"$B/iommufd-scenario" loop 100 | sed -n 's/^elapsed_us=//p' >>"$OUT/alone"
	"$B/iommutrace" live --quiet -- "$B/iommufd-scenario" loop 100 2>/dev/null |
		sed -n 's/^elapsed_us=//p' >>"$OUT/traced"
done
"$B/iommutrace" live --json --quiet -- sh -c "exec $B/iommufd-scenario loop 100 >/dev/null" \
	2>/dev/null | tail -n 1 >"$OUT/summary"
for i in 1 2 3; do
	"$B/iommutrace" live --quiet --no-stacks -- "$B/iommufd-scenario" loop 100 2>/dev/null |
		sed -n 's/^elapsed_us=//p' >>"$OUT/nostacks"
done
