#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in a stock guest: the kernel's own iommufd selftests, once alone
# and once recorded by iommutrace; then the recording replayed and its
# final graph. Their verdict lines come out in OUTDIR.
# usage: guest-selftests.sh BUILD_DIR OUTDIR KERNEL (the selftests of
# BUILD_DIR/selftests/KERNEL, built from that kernel's source)
set -u
B=$1
DEST=$2
T=$B/selftests/$3
OUT=/tmp/iommutrace-out
mkdir -p "$OUT"
cd "$OUT" || exit 1
for t in iommufd iommufd_fail_nth; do
	"$T/$t" >"$t.alone.txt" 2>&1
	"$B/iommutrace" record -o "$t.itr" -- "$T/$t" >"$t.traced.txt" 2>"$t.record.err"
	echo $? >"$t.record.rc"
	"$B/iommutrace" replay --json --quiet "$t.itr" >"$t.replay.json" 2>"$t.replay.err"
	echo $? >"$t.replay.rc"
	"$B/iommutrace" graph --format json "$t.itr" >"$t.graph.json" 2>"$t.graph.err"
	# the contexts alone: their opens, releases and owners
	"$B/iommutrace" replay --json --type ctx "$t.itr" >"$t.ctx.json" 2>/dev/null
	rm -f "$t.itr"
done
cp "$OUT"/* "$DEST"/
exit 0
