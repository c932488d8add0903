#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in a guest booted with the vdev-outlives-idev bug on: the daemon as systemd
# would run it, with systemd-journald running, a notify socket listening,
# and only the capabilities of the unit file minus CAP_SYS_ADMIN. Drives scenarios, reads the metrics over HTTP, moves
# the export away and sends SIGHUP, then SIGTERM; then a second run killed
# with SIGKILL in the middle of writing, and a third start after it.
# usage: guest-daemon.sh BUILD_DIR OUTDIR
set -u
B=$1
DEST=$2
W=/tmp/it
mkdir -p $W
exec 2>$W/guest.err

STEPS=$W/steps
. "$(dirname "$0")/guest-lib.sh"
step() { echo "$*" >>"$STEPS"; }
wait_socket() { # PATH: up to 10 s for a listening socket
	i=0
	while [ ! -S "$1" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && { step "no socket $1"; return 1; }
		sleep 0.1
	done
}

ip link set lo up || step "ip link set lo up failed" # metrics_listen is on loopback

# the real journal
mkdir -p /run/systemd/journal /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
/lib/systemd/systemd-journald >$W/journald.out 2>&1 &
wait_socket /run/systemd/journal/socket

# systemd's side of sd_notify: a datagram socket, one line per message
/usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as f:
    while True:
        m = s.recv(4096).decode()
        f.write(m.replace("\n", " | ") + "\n")
        f.flush()
' $W/notify.sock $W/notify.log &
npid=$!
wait_socket $W/notify.sock

cat >$W/iommutrace.conf <<CONF
# the daemon test's configuration
log = journal
export = $W/export.ndjson
export_events = yes
export_max_size = 16k
export_backups = 3
snapshot_interval = 1
metrics_file = $W/metrics.prom
metrics_interval = 1
metrics_listen = 127.0.0.1:9477
CONF

start_daemon() { # LOG
	NOTIFY_SOCKET=$W/notify.sock WATCHDOG_USEC=5000000 \
		setpriv --bounding-set -all,+bpf,+perfmon,+syslog --inh-caps -all -- \
		sh -c "export WATCHDOG_PID=\$\$; exec $B/iommutrace daemon -c $W/iommutrace.conf" \
		>$W/$1 2>&1 &
	dpid=$!
}

# --- run 1: scenarios, HTTP, SIGHUP, SIGTERM --------------------------------
echo 1 >/proc/sys/kernel/bpf_stats_enabled 2>>$W/steps # BPF run time in the metrics
start_daemon daemon.log
echo $dpid >$W/pid1
wait_for $W/notify.log READY=1 && step ready
grep CapEff /proc/$dpid/status | awk '{ print $2 }' >$W/capeff
# in a machine scope, as a VMM under libvirt: its VM's name is the scope's
cg='/sys/fs/cgroup/machine.slice/machine-qemu\x2d9\x2ddaemon\x2dvm.scope'
mkdir -p "$cg"
sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" \
	$B/iommufd-scenario idev-first >$W/idev-first.ids 2>>$W/steps
step "idev-first $?"
$B/iommufd-scenario loop 20 >/dev/null 2>>$W/steps
step "loop $?"
sleep 2.5 # a snapshot and a metrics file after the scenarios
curl -s -o $W/metrics-http.prom -w '%{http_code} %{content_type}\n' \
	http://127.0.0.1:9477/metrics >$W/http-status
curl -s -o /dev/null -w '%{http_code}\n' http://127.0.0.1:9477/other >>$W/http-status
cp $W/metrics.prom $W/metrics-file.prom

# logrotate's way: move the file, then SIGHUP; events off from now on
mv $W/export.ndjson $W/export-moved.ndjson
sed -i 's/^export_events = yes/export_events = no/' $W/iommutrace.conf
kill -HUP $dpid
wait_for $W/daemon.log "configuration reloaded" && step reloaded
$B/iommufd-scenario orderly >$W/orderly.ids 2>>$W/steps
step "orderly $?"
sleep 1.5
kill -TERM $dpid
wait $dpid
step "sigterm exit $?"

# --- run 2: SIGKILL while writing, run 3: the next start repairs ------------
sed -i 's/^export_events = no/export_events = yes/; s/^export_max_size = 16k/export_max_size = 64M/' \
	$W/iommutrace.conf
mv $W/export.ndjson $W/export-run1.ndjson
start_daemon daemon2.log
wait_for $W/daemon2.log "running:" && step ready2
$B/iommufd-scenario loop 200 >/dev/null 2>&1 &
lpid=$!
wait_for $W/export.ndjson '"kind":"event"' # killed while it is writing
sleep 1
kill -KILL $dpid
wait $dpid
step "sigkill exit $?"
wait $lpid
tail -c 1 $W/export.ndjson | od -An -c | tr -d ' ' >$W/killed-last-byte
cp $W/export.ndjson $W/export-killed.ndjson
sed -i 's/^log = journal/log = stderr/' $W/iommutrace.conf
start_daemon daemon3.log
wait_for $W/daemon3.log "running:" && step ready3
$B/iommufd-scenario idev-first >/dev/null 2>&1
sleep 0.5
kill -TERM $dpid
wait $dpid
step "third exit $?"

kill $npid
journalctl -o json --no-pager SYSLOG_IDENTIFIER=iommutrace >$W/journal.json 2>>$W/steps
stat -c '%n %a' $W/export*.ndjson* >$W/modes
cp $W/* "$DEST"/ 2>/dev/null
exit 0
