#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in a guest booted with one of the kernel's bugs switched on: each
# SCENARIO under `iommutrace live --json`, attached the default way (fentry)
# and, with "both", with kprobes too (a SCENARIO:once runs the default way
# only); idev-first, when among them, is also recorded to a trace file.
# usage: guest-bugs.sh BUILD_DIR OUTDIR both|one SCENARIO...
set -u
B=$1
DEST=$2
WAYS=$3
shift 3
OUT=/tmp/iommutrace-out
mkdir -p "$OUT"
STEPS=$OUT/steps
. "$(dirname "$0")/guest-lib.sh"
save_bugs "$OUT/bugs"
for a in "$@"; do
	s=${a%:once}
	$B/iommutrace live --json -- sh -c "exec $B/iommufd-scenario $s >'$OUT/$s.ids'" \
		>"$OUT/$s.json" 2>"$OUT/$s.err"
	echo $? >"$OUT/$s.rc"
	[ "$WAYS" = both ] && [ "$a" = "$s" ] || continue
	$B/iommutrace live --json --attach kprobe -- \
		sh -c "exec $B/iommufd-scenario $s >'$OUT/$s.kprobe.ids'" \
		>"$OUT/$s.kprobe.json" 2>"$OUT/$s.kprobe.err"
	echo $? >"$OUT/$s.kprobe.rc"
done
case " $* " in
*" idev-first "*)
	(cd "$OUT" && $B/iommutrace record -o idev-first.itr -- \
		sh -c "exec $B/iommufd-scenario idev-first >idev-first.rec-ids" 2>/dev/null)
	echo $? >"$OUT/record.rc" ;;
esac
cp "$OUT"/* "$DEST"/
exit 0
