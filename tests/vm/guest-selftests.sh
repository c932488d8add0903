#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in a stock guest: the kernel's own iommufd selftests, once alone
# and recorded by iommutrace attached each way (the default, fentry; then
# kprobes: files T.kprobe.*); then each recording replayed and its final
# graph. Their verdict lines come out in OUTDIR.
# usage: guest-selftests.sh BUILD_DIR OUTDIR KERNEL [both] (the selftests
# of BUILD_DIR/selftests/KERNEL, built from that kernel's source; the
# kprobe pass only with "both")
set -u
B=$1
DEST=$2
T=$B/selftests/$3
OUT=/tmp/iommutrace-out
mkdir -p "$OUT"
cd "$OUT" || exit 1
for t in iommufd iommufd_fail_nth; do
	"$T/$t" >"$t.alone.txt" 2>&1
	for a in auto ${4:+kprobe}; do
		p=$t
		[ $a = kprobe ] && p=$t.kprobe
		"$B/iommutrace" record --attach $a -o "$p.itr" -- "$T/$t" >"$p.traced.txt" \
			2>"$p.record.err"
		echo $? >"$p.record.rc"
		"$B/iommutrace" replay --json --quiet "$p.itr" >"$p.replay.json" 2>"$p.replay.err"
		echo $? >"$p.replay.rc"
		"$B/iommutrace" graph --format json "$p.itr" >"$p.graph.json" 2>"$p.graph.err"
		# the contexts alone: their opens, releases and owners
		"$B/iommutrace" replay --json --type ctx "$p.itr" >"$p.ctx.json" 2>/dev/null
		rm -f "$p.itr"
	done
done
cp "$OUT"/* "$DEST"/
exit 0
