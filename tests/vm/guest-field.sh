#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in a guest of the distro kernel booted with tools/vm/run.sh --vfio:
# QEMU, with its iommufd backend, is the VMM of a nested guest that owns the
# e1000e through vfio-pci. Three runs: quit through QEMU's monitor, SIGKILL,
# and an unbind from vfio-pci while QEMU holds the device (QEMU then quits so
# that the unbind completes). Each run is watched at once by `live --json`,
# `record` and the daemon; QEMU's own trace of its iommufd calls is kept so
# that the host can compare the ids.
# Then the kernel's own VFIO selftests in iommufd mode on the device, once
# alone and once recorded, when they were built (BUILD_DIR/selftests/KERNEL/vfio).
# usage: guest-field.sh BUILD_DIR OUTDIR KERNEL
set -u
B=$1
DEST=$2
VT=$B/selftests/$3/vfio
# straight into the shared directory: little is written, and what a run
# that hangs leaves behind is there to read
OUT=$DEST
IT=$B/iommutrace
STEPS=$OUT/steps
. "$(dirname "$0")/guest-lib.sh"
step() { echo "$*" >>"$STEPS"; }
# a monitor FIFO whose QEMU is gone must not kill the script
trap '' PIPE

save_bugs "$OUT/bugs"
# the kernel itself survives kprobes registered through ftrace again and again
"$(dirname "$0")/../../tools/vm/kprobe-reregister.sh" do_sys_openat2 3 >"$OUT/reregister.txt" 2>&1
env | grep '^IOMMUTRACE_VFIO_' | LC_ALL=C sort >"$OUT/vfio.env"
$IT check >"$OUT/check.txt" 2>&1
echo $? >"$OUT/check.rc"
$IT check --json >"$OUT/check.json" 2>/dev/null

cat >"$OUT/daemon.conf" <<CONF
log = stderr
export_events = yes
snapshot_interval = 0
CONF

# qemu_run NAME CGROUP [-name ...]: start QEMU paused, owning the device
# through iommufd, in the cgroup v2 directory CGROUP (under
# /sys/fs/cgroup), named as the rest says; its monitor reads the FIFO
# NAME.mon, its pid goes to NAME.qemu-pid
qemu_run() {
	local name=$1 cg=/sys/fs/cgroup/$2
	shift 2
	rm -f "$OUT/$name.mon"
	mkfifo "$OUT/$name.mon"
	mkdir -p "$cg"
	# in its cgroup before it opens anything, as libvirt and systemd put it
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" \
	qemu-system-x86_64 "$@" -S -nodefaults -nographic \
		-machine q35 -accel tcg -m 64 \
		-object iommufd,id=iommufd0 \
		-device vfio-pci,host="$IOMMUTRACE_VFIO_BDF",iommufd=iommufd0,id=nic0 \
		-trace 'iommufd_*' -monitor stdio \
		<"$OUT/$name.mon" >"$OUT/$name.qemu-out" 2>"$OUT/$name.qemu-err" &
	qpid=$!
	echo $qpid >"$OUT/$name.qemu-pid"
	exec 4>"$OUT/$name.mon"
}

# tracers_start NAME [DAEMON_OPTIONS]: live, record and the daemon, each
# once it traces
tracers_start() {
	local name=$1
	shift
	$IT live --json >"$OUT/$name.json" 2>"$OUT/$name.err" &
	lpid=$!
	$IT record -o "$OUT/$name.itr" 2>"$OUT/$name.rec-err" &
	rpid=$!
	$IT daemon -c "$OUT/daemon.conf" --export "$OUT/$name.export" "$@" \
		>"$OUT/$name.daemon-out" 2>"$OUT/$name.daemon-err" &
	dpid=$!
	wait_for "$OUT/$name.err" "tracing [0-9]* of" || step "$name: live did not start"
	wait_for "$OUT/$name.rec-err" "tracing [0-9]* of" || step "$name: record did not start"
	wait_for "$OUT/$name.daemon-err" "tracing [0-9]* of" || step "$name: daemon did not start"
}

# tracers_stop NAME: SIGINT to live and record, SIGTERM to the daemon
tracers_stop() {
	sleep 1
	kill -INT $lpid $rpid
	kill -TERM $dpid
	wait $lpid
	echo $? >"$OUT/$1.rc"
	wait $rpid
	echo $? >"$OUT/$1.rec-rc"
	wait $dpid
	echo $? >"$OUT/$1.daemon-rc"
	$IT replay --json "$OUT/$1.itr" >"$OUT/$1.replay.json" 2>"$OUT/$1.replay-err"
	echo $? >"$OUT/$1.replay-rc"
	rm -f "$OUT/$1.itr"
}

# --- quit through the monitor ------------------------------------------------
echo "quit" >>"$OUT/progress"
tracers_start quit
# named as libvirt names it, in the cgroup libvirt gives its emulator
qemu_run quit 'machine.slice/machine-qemu\x2d1\x2dfield\x2dquit.scope/libvirt/emulator' \
	-name guest=field-quit,debug-threads=on
wait_for "$OUT/quit.qemu-err" "Successfully attached" || step "quit: QEMU did not attach"
sleep 3
echo quit >&4
exec 4>&-
wait $qpid
echo $? >"$OUT/quit.qemu-rc"
tracers_stop quit

# --- SIGKILL -----------------------------------------------------------------
echo "kill" >>"$OUT/progress"
# the daemon's export with the owner's names hashed
tracers_start kill --set owner=hash
qemu_run kill 'machine.slice/machine-qemu\x2d2\x2dfield\x2dkill.scope' -name field-kill
wait_for "$OUT/kill.qemu-err" "Successfully attached" || step "kill: QEMU did not attach"
sleep 3
kill -KILL $qpid
{ wait $qpid; } 2>/dev/null # not sh's "Killed"
echo $? >"$OUT/kill.qemu-rc"
exec 4>&-
tracers_stop kill

# --- unbind from vfio-pci while QEMU holds the device ------------------------
echo "unbind" >>"$OUT/progress"
tracers_start unbind
# no -name: the VM is known by its machine scope only
qemu_run unbind 'machine.slice/machine-qemu\x2d3\x2dfield\x2dunbind.scope'
wait_for "$OUT/unbind.qemu-err" "Successfully attached" || step "unbind: QEMU did not attach"
sleep 2
echo "$IOMMUTRACE_VFIO_BDF" >/sys/bus/pci/drivers/vfio-pci/unbind &
upid=$!
sleep 3
# vfio-pci asks QEMU for the device back and waits; the unbind is still
# blocked while QEMU runs
if kill -0 $upid 2>/dev/null; then echo blocked; else echo done; fi >"$OUT/unbind.while-held"
echo quit >&4
exec 4>&-
wait $qpid
echo $? >"$OUT/unbind.qemu-rc"
wait $upid
echo $? >"$OUT/unbind.unbind-rc"
{ [ -e "/sys/bus/pci/devices/$IOMMUTRACE_VFIO_BDF/driver" ] && echo bound || echo unbound; } >"$OUT/unbind.after"
tracers_stop unbind

# --- the kernel's VFIO selftests, iommufd mode, on the device bound again -----
echo "vfio selftests" >>"$OUT/progress"
if [ "$(cat "$VT/stamp" 2>/dev/null)" = built ]; then
	echo "$IOMMUTRACE_VFIO_BDF" >/sys/bus/pci/drivers_probe
	[ -d "/sys/bus/pci/devices/$IOMMUTRACE_VFIO_BDF/vfio-dev" ] || step "vfio-pci did not take the device back"
	# vfio_pci_device_test uses iommufd (libvfio's default mode) and
	# vfio_iommufd_setup_test nothing else; vfio_dma_mapping_test runs
	# every mode, so only its iommufd variant
	for t in vfio_pci_device_test vfio_dma_mapping_test vfio_iommufd_setup_test; do
		set -- "$IOMMUTRACE_VFIO_BDF"
		[ $t = vfio_dma_mapping_test ] && set -- -v iommufd -v iommufd_anonymous \
			-v iommufd_anonymous_hugetlb_2mb -v iommufd_anonymous_hugetlb_1gb "$IOMMUTRACE_VFIO_BDF"
		# under a time limit: once, untraced, a selftest never finished in
		# the emulated guest; that is then said, not waited on for the
		# whole VM's limit
		timeout -k 10 240 "$VT/$t" "$@" >"$OUT/$t.alone.txt" 2>&1
		rc=$?
		if [ $rc = 124 ] || [ $rc = 137 ]; then
			echo "$rc" >"$OUT/$t.alone.hung"
			break # the device may be stuck in it: no later selftest
		fi
		timeout -k 10 240 $IT record -o "$OUT/$t.itr" -- "$VT/$t" "$@" \
			>"$OUT/$t.traced.txt" 2>"$OUT/$t.record.err"
		echo $? >"$OUT/$t.record.rc"
		$IT replay --json "$OUT/$t.itr" >"$OUT/$t.replay.json" 2>"$OUT/$t.replay.err"
		$IT graph --format json "$OUT/$t.itr" >"$OUT/$t.graph.json" 2>"$OUT/$t.graph.err"
		rm -f "$OUT/$t.itr"
	done
fi
exit 0
