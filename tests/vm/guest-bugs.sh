#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in a guest booted with one of the kernel's bugs switched on: every scenario under
# `iommutrace live --json`, attached the default way (fentry) and, with
# "both", with kprobes too; and idev-first recorded to a trace file.
# usage: guest-bugs.sh BUILD_DIR OUTDIR [both]
set -u
B=$1
DEST=$2
OUT=/tmp/iommutrace-out
mkdir -p "$OUT"
STEPS=$OUT/steps
. "$(dirname "$0")/guest-lib.sh"
save_bugs "$OUT/bugs"
for s in orderly idev-first close-all alloc-fail; do
	$B/iommutrace live --json -- sh -c "exec $B/iommufd-scenario $s >'$OUT/$s.ids'" \
		>"$OUT/$s.json" 2>"$OUT/$s.err"
	echo $? >"$OUT/$s.rc"
	[ "${3:-}" = both ] || continue
	$B/iommutrace live --json --attach kprobe -- \
		sh -c "exec $B/iommufd-scenario $s >'$OUT/$s.kprobe.ids'" \
		>"$OUT/$s.kprobe.json" 2>"$OUT/$s.kprobe.err"
	echo $? >"$OUT/$s.kprobe.rc"
done
(cd "$OUT" && $B/iommutrace record -o idev-first.itr -- \
	sh -c "exec $B/iommufd-scenario idev-first >idev-first.rec-ids" 2>/dev/null)
echo $? >"$OUT/record.rc"
cp "$OUT"/* "$DEST"/
exit 0
