#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in the test guest: every scenario under `iommutrace live --json`, a
# load run, and `iommutrace check`, leaving the outputs in OUTDIR for the
# host to check.
# usage: guest-scenarios.sh BUILD_DIR OUTDIR
set -u
B=$1
DEST=$2
# Work in the guest's tmpfs: writes through 9p are synchronous and so slow
# in the emulated guest that the tracer could not keep up under load.
OUT=/tmp/iommutrace-out
mkdir -p "$OUT"
IT=$B/iommutrace
SC=$B/iommufd-scenario
STEPS=$OUT/steps
. "$(dirname "$0")/guest-lib.sh"

save_bugs "$OUT/bugs"
$IT check >"$OUT/check.txt" 2>&1
echo $? >"$OUT/check.rc"
$IT check --json >"$OUT/check.json" 2>/dev/null

$IT check --json --attach kprobe >"$OUT/check-kprobe.json" 2>/dev/null
$IT check --json --attach fentry >"$OUT/check-fentry.json" 2>/dev/null

# each scenario attached the default way (fentry where the kernel allows
# it), then once more with kprobes: the host compares the two streams
for s in basic orderly idev-first close-all alloc-fail; do
	$IT live --json -- sh -c "exec $SC $s >'$OUT/$s.ids'; " \
		>"$OUT/$s.json" 2>"$OUT/$s.err"
	echo $? >"$OUT/$s.rc"
	$IT live --json --attach kprobe -- sh -c "exec $SC $s >/dev/null" \
		>"$OUT/$s.kprobe.json" 2>"$OUT/$s.kprobe.err"
	echo $? >"$OUT/$s.kprobe.rc"
done

# scenario exit status, outside the tracer (the tracer reports its own)
for s in basic orderly idev-first close-all alloc-fail; do
	$SC $s >/dev/null 2>&1
	echo $? >"$OUT/$s.scenario-rc"
done

# load: many rounds with the default ring buffer, which must lose nothing
$IT live --json -- sh -c "exec $SC loop 200 >/dev/null" >"$OUT/loop.json" 2>"$OUT/loop.err"
echo $? >"$OUT/loop.rc"
# and with a ring buffer far too small, where losses must be counted
# exactly. overload OUT ERR RC ARGS...: `iommutrace ARGS` in the background,
# stopped (SIGSTOP) while `loop 50` runs, so that its 16 KiB ring buffer
# overflows however fast the machine drains it; then let go, and ended with
# SIGINT
overload() {
	o=$1 e=$2 r=$3
	shift 3
	$IT "$@" >"$o" 2>"$e" &
	t=$!
	wait_for "$e" "tracing [0-9]* of" || echo "overload $*: did not start" >>"$STEPS"
	kill -STOP $t
	$SC loop 50 >/dev/null
	kill -CONT $t
	sleep 1
	kill -INT $t
	wait $t
	echo $? >"$r"
}
overload "$OUT/loss.json" "$OUT/loss.err" "$OUT/loss.rc" live --json --ringbuf-size 16K
# the same overload as an operator sees it: live's text summary, and the
# daemon's metrics and export
overload "$OUT/loss.txt" "$OUT/loss.txt.err" "$OUT/loss.txt.rc" live --quiet --ringbuf-size 16K
printf 'log = stderr\nsnapshot_interval = 0\nringbuf_size = 16K\nmetrics_interval = 1\n' \
	>"$OUT/loss.conf"
overload /dev/null "$OUT/loss-daemon.err" "$OUT/loss-daemon.rc" daemon -c "$OUT/loss.conf" \
	--export "$OUT/loss-daemon.ndjson" --metrics-file "$OUT/loss.prom"

# text output of one scenario, for the README's example and a format check
$IT live -- $SC idev-first >"$OUT/idev-first.txt" 2>&1
echo $? >"$OUT/idev-first.txt.rc"
# live as an operator runs it: attached, the workload elsewhere, Ctrl-C
$IT live --json >"$OUT/sigint.json" 2>"$OUT/sigint.err" &
tracer=$!
# a background job of sh starts with SIGINT ignored until live sets its
# handler: signal only once it says that it traces
wait_for "$OUT/sigint.err" "tracing [0-9]* of" || kill -9 $tracer
$SC orderly >/dev/null
kill -INT $tracer
wait $tracer
echo $? >"$OUT/sigint.rc"

# a recorder killed with SIGKILL mid-run leaves a readable file
(cd "$OUT" && exec $IT record -o killed.itr -- sh -c "exec $SC loop 1000 >/dev/null" 2>/dev/null) &
# killed while it writes: once whole blocks with events are in the file
# (a slow guest may take longer than any fixed sleep to get there)
i=0
n=0
while [ $i -lt 120 ]; do
	n=$($IT replay --json --quiet "$OUT/killed.itr" 2>/dev/null |
		sed -n 's/.*"kind":"summary".*"events":\([0-9]*\),.*/\1/p')
	[ "${n:-0}" -gt 200 ] && break
	sleep 0.5
	i=$((i + 1))
done
[ "${n:-0}" -gt 200 ] || echo "the killed recorder wrote no events in 60 s" >>"$STEPS"
pkill -9 -f "iommutrace record -o killed.itr"
sleep 1
pkill -f "iommufd-scenario loop 1000"
$IT replay --json --quiet "$OUT/killed.itr" >"$OUT/killed.json" 2>"$OUT/killed.err"
echo $? >"$OUT/killed.rc"
rm -f "$OUT/killed.itr"
# and the kprobes went with it: a new session attaches and sees events
$IT live --json --quiet -- sh -c "exec $SC orderly >/dev/null" >"$OUT/after-kill.json" 2>/dev/null

# the graph of what is alive while a process holds its objects
$IT graph --format json -- sh -c "$SC hold 4 >'$OUT/hold.ids' & sleep 2" \
	>"$OUT/graph.json" 2>"$OUT/graph.err"
echo $? >"$OUT/graph.rc"
$IT graph -- sh -c "$SC hold 4 >/dev/null & sleep 2" >"$OUT/graph.txt" 2>/dev/null
$IT graph --format dot -- sh -c "$SC hold 4 >/dev/null & sleep 2" >"$OUT/graph.dot" 2>/dev/null
sleep 3

# a daemon killed with SIGKILL while a process holds its objects, and the
# next one started then: it sees their teardown, never their birth, and
# must not call any of it a violation
printf 'log = stderr\nexport_events = yes\nsnapshot_interval = 0\n' >"$OUT/restart.conf"
$IT daemon -c "$OUT/restart.conf" --export "$OUT/restart1.ndjson" 2>"$OUT/restart1.err" &
daemon=$!
wait_for "$OUT/restart1.err" "tracing [0-9]* of" || echo "restart: the first daemon did not start" >>"$STEPS"
# held until killed below, once the second daemon traces (a fixed time
# raced a slow guest's start)
$SC hold 600 >"$OUT/restart.ids" &
holder=$!
wait_for "$OUT/restart.ids" "vdev=" || echo "restart: the holder built nothing" >>"$STEPS"
kill -KILL $daemon
{ wait $daemon; } 2>/dev/null # not sh's "Killed"
echo $? >"$OUT/restart1.rc"
$IT daemon -c "$OUT/restart.conf" --export "$OUT/restart2.ndjson" 2>"$OUT/restart2.err" &
daemon=$!
wait_for "$OUT/restart2.err" "tracing [0-9]* of" || echo "restart: the second daemon did not start" >>"$STEPS"
kill -0 $holder 2>/dev/null || echo "restart: the holder was gone before the second daemon" >>"$STEPS"
kill -TERM $holder # its exit closes the fd: the teardown
{ wait $holder; } 2>/dev/null # not sh's "Terminated"
sleep 0.5
kill -TERM $daemon
wait $daemon
echo $? >"$OUT/restart2.rc"

# environments that cannot trace: no privilege (an unprivileged user, every
# capability dropped) and no BTF (a mount namespace with an empty
# /sys/kernel/btf); each command is refused and record leaves no file
mkdir -p "$OUT/env" && chmod 1777 "$OUT/env"
for c in live record check; do
	set -- live -- true
	[ $c = record ] && set -- record -o "$OUT/env/noperm.itr" -- true
	[ $c = check ] && set -- check
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		--bounding-set=-all -- $IT "$@" >"$OUT/noperm-$c.err" 2>&1
	echo $? >"$OUT/noperm-$c.rc"
	[ $c = record ] && set -- record -o "$OUT/env/nobtf.itr" -- true
	unshare -m sh -c 'mount -t tmpfs none /sys/kernel/btf && exec "$@"' sh \
		$IT "$@" >"$OUT/nobtf-$c.err" 2>&1
	echo $? >"$OUT/nobtf-$c.rc"
done
ls -A "$OUT/env" >"$OUT/env.files"

cp "$OUT"/* "$DEST"/ 2>/dev/null
exit 0
