#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in a guest on another kernel release: check, then every scenario
# under `iommutrace live --json`, keeping each scenario's own exit status
# (77: the kernel cannot do it).
# usage: guest-other-kernel.sh BUILD_DIR OUTDIR
set -u
B=$1
DEST=$2
OUT=/tmp/iommutrace-out
mkdir -p "$OUT"
$B/iommutrace check --json >"$OUT/check.json" 2>/dev/null
echo $? >"$OUT/check.rc"
for s in basic orderly idev-first close-all alloc-fail; do
	$B/iommutrace live --json -- sh -c \
		"$B/iommufd-scenario $s >'$OUT/$s.ids' 2>'$OUT/$s.scenario-err'; echo \$? >'$OUT/$s.scenario-rc'" \
		>"$OUT/$s.json" 2>"$OUT/$s.err"
	echo $? >"$OUT/$s.rc"
done
cp "$OUT"/* "$DEST"/
exit 0
