#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in a guest on another kernel release: check, then every scenario
# under `iommutrace live --json`, keeping each scenario's own exit status
# (77: the kernel cannot do it). With "module", iommufd is a module: first
# check before it is loaded, then one tracer that waits for modprobe, sees
# `basic`, rmmod, a new modprobe and `basic` again (by kprobes: fentry
# would pin the module); then, attached by fentry, rmmod is refused; the
# module stays loaded for the rest.
# usage: guest-other-kernel.sh BUILD_DIR OUTDIR [module]
set -u
B=$1
DEST=$2
OUT=/tmp/iommutrace-out
mkdir -p "$OUT"

STEPS=$OUT/reload.steps
. "$(dirname "$0")/guest-lib.sh"

# wait_all TEXT: until live, record and the daemon have all said it
wait_all() {
	for who in reload record daemon; do
		wait_for "$OUT/$who.err" "$1" || return 1
	done
}

if [ "${3:-}" = module ]; then
	$B/iommutrace check --json >"$OUT/check-unloaded.json" 2>/dev/null
	echo $? >"$OUT/check-unloaded.rc"
	$B/iommutrace live --json --attach kprobe >"$OUT/reload.json" 2>"$OUT/reload.err" &
	pid=$!
	$B/iommutrace record -o "$OUT/reload.itr" --attach kprobe 2>"$OUT/record.err" &
	rpid=$!
	# and the daemon, with the service's capabilities only
	setpriv --bounding-set -all,+bpf,+perfmon,+syslog --inh-caps -all -- \
		$B/iommutrace daemon -c /dev/null --set log=stderr --export "$OUT/daemon.ndjson" \
		--set export_events=yes --set snapshot_interval=0 2>"$OUT/daemon.err" &
	dpid=$!
	{
		wait_for "$OUT/reload.err" "waiting for 'modprobe iommufd'" &&
			wait_for "$OUT/record.err" "waiting for 'modprobe iommufd'" &&
			wait_for "$OUT/daemon.err" "running:" && echo waiting
		modprobe iommufd && echo "modprobe $?"
		wait_all "tracing .* iommufd functions" && echo attached
		$B/iommufd-scenario basic >"$OUT/reload-1.ids" 2>>"$OUT/reload.steps"
		echo "basic $?"
		rmmod iommufd
		echo "rmmod $?"
		wait_all "module was unloaded" && echo detached
		modprobe iommufd
		echo "modprobe $?"
		wait_all "module is back" && echo attached
		$B/iommufd-scenario basic >"$OUT/reload-2.ids" 2>>"$OUT/reload.steps"
		echo "basic $?"
		sleep 0.5
	} >>"$OUT/reload.steps" 2>&1
	kill -INT $pid $rpid
	kill -TERM $dpid
	wait $dpid
	echo $? >"$OUT/daemon.rc"
	wait $pid
	echo $? >"$OUT/reload.rc"
	wait $rpid
	echo $? >"$OUT/record.rc"

	# by fentry (root: CAP_SYS_ADMIN finds the module's BTF) the kernel
	# holds the module: rmmod is refused and tracing goes on
	$B/iommutrace live --json >"$OUT/pin.json" 2>"$OUT/pin.err" &
	pid=$!
	wait_for "$OUT/pin.err" "tracing .* iommufd functions" || echo "pin: no start" >>"$STEPS"
	rmmod iommufd 2>"$OUT/pin.rmmod"
	echo $? >"$OUT/pin.rmmod.rc"
	$B/iommufd-scenario basic >/dev/null 2>&1
	kill -INT $pid
	wait $pid
	echo $? >"$OUT/pin.rc"
fi

$B/iommutrace check --json >"$OUT/check.json" 2>/dev/null
echo $? >"$OUT/check.rc"
if [ "${3:-}" = module ]; then
	# the daemon unit's capabilities, no CAP_SYS_ADMIN: module BTF all the same
	setpriv --bounding-set -all,+bpf,+perfmon,+syslog --inh-caps -all -- \
		$B/iommutrace live --json -- sh -c "exec $B/iommufd-scenario basic >'$OUT/caps.ids'" \
		>"$OUT/caps.json" 2>"$OUT/caps.err"
	echo $? >"$OUT/caps.rc"
fi
for s in basic orderly idev-first close-all alloc-fail; do
	$B/iommutrace live --json -- sh -c \
		"$B/iommufd-scenario $s >'$OUT/$s.ids' 2>'$OUT/$s.scenario-err'; echo \$? >'$OUT/$s.scenario-rc'" \
		>"$OUT/$s.json" 2>"$OUT/$s.err"
	echo $? >"$OUT/$s.rc"
done
cp "$OUT"/* "$DEST"/
exit 0
