#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The VM half of `make bench` (see tools/bench-vm.sh), inside the guest.
# One workload, `iommufd-scenario pair N` (N times an IOAS allocated and
# destroyed: 5 events each), timed by itself: alone, and under each tracer
# in turn, interleaved, ROUNDS times. Each tracer writes a line per event to
# a file (the peer's way); BPF run time and count per program come from
# bpftool while it runs (kernel.bpf_stats_enabled=1). Then the live path's
# losses as the event rate grows.
# usage: bench-guest.sh BUILD_DIR OUTDIR
set -u
B=$1
OUT=$2
IT=$B/iommutrace
SC=$B/iommufd-scenario
PAIRS=${IOMMUTRACE_BENCH_PAIRS:-2000}
ROUNDS=${IOMMUTRACE_BENCH_ROUNDS:-3}
W=/tmp/bench
mkdir -p $W
echo 1 >/proc/sys/kernel/bpf_stats_enabled
echo "$PAIRS" >"$OUT/pairs"

# the functions iommutrace attaches here, with ":ret" where it takes the return
$IT check --json >$W/check.json 2>/dev/null
FUNCS=$(jq -r '.probes[] | select(.state == "attached") |
	.func + (if (.note | startswith("entry+return")) then ":ret" else "" end)' $W/check.json)
echo "$FUNCS" >"$OUT/funcs"

# where struct iommufd_object keeps type, id and users here, from BTF (the
# peer reads them by offset: bpftrace 0.17 knows no module's types)
# (in vmlinux's BTF when something built in uses it, else in the module's)
bpftool -j btf dump file /sys/kernel/btf/vmlinux >$W/btf.json 2>/dev/null
[ -e /sys/kernel/btf/iommufd ] && bpftool -j -B /sys/kernel/btf/vmlinux btf dump \
	file /sys/kernel/btf/iommufd >$W/btf-module.json 2>/dev/null
off() {
	cat $W/btf.json $W/btf-module.json 2>/dev/null | jq -rs --arg m "$1" '[.[].types[] |
		select(.kind == "STRUCT" and .name == "iommufd_object") |
		.members[] | select(.name == $m) | .bits_offset / 8] | first // empty'
}
O_TYPE=$(off type) O_ID=$(off id) O_USERS=$(off users)
echo "iommufd_object: type +$O_TYPE, id +$O_ID, users +$O_USERS" >"$OUT/peer.offsets"

# bpftrace 0.17 force-includes linux/kconfig.h from any kernel build
# directory it finds (the test kernel's has no source; parsing a whole
# source tree under emulation takes minutes): the program below reads by
# offset and needs no header, so it gets an empty one
mkdir -p $W/ksrc/include/linux
: >$W/ksrc/include/linux/kconfig.h
BPFTRACE_KERNEL_SOURCE=$W/ksrc BPFTRACE_KERNEL_BUILD=$W/ksrc
# and a perf buffer of 4 MiB per CPU (its default, 256 KiB, loses most
# lines of a run), as iommutrace's 4 MiB ring
BPFTRACE_PERF_RB_PAGES=1024
export BPFTRACE_KERNEL_SOURCE BPFTRACE_KERNEL_BUILD BPFTRACE_PERF_RB_PAGES

# the peer: bpftrace, kprobes on the same functions, one line per event
# iommutrace writes, with the same fields as its text output (time, cpu,
# comm, pid, tid, function, object type, id, users; a return's value and
# duration, its entry's time kept in a map as iommutrace keeps its frames)
{
	# BEGIN runs once every probe is attached
	printf '%s\n' 'BEGIN { printf("ready\n"); }'
	for f in $FUNCS; do
		fn=${f%:ret}
		case $fn in
		# iommutrace writes nothing for it unless a removal waits (none here)
		iommufd_get_object) continue ;;
		iommufd_fops_open | _iommufd_object_alloc) arg=- ;; # nothing printed on entry
		iommufd_fops_release) arg=0 ;; # a file, not an object
		iommufd_object_finalize | iommufd_object_abort | iommufd_object_abort_and_destroy | \
			iommufd_object_remove | *iommufd_object_destroy_user) arg=arg1 ;;
		*) arg=arg0 ;;
		esac
		body=
		[ "$f" != "$fn" ] && body="@t[tid, \"$fn\"] = nsecs; "
		case $arg in
		-) ;;
		0) body="$body printf(\"%llu %d %s %d %d $fn\\n\", nsecs, cpu, comm, pid, tid);" ;;
		*) body="$body \$o = $arg; printf(\"%llu %d %s %d %d $fn type=%d id=%u users=%d\\n\", nsecs, cpu, comm, pid, tid, *(int32 *)(\$o + $O_TYPE), *(uint32 *)(\$o + $O_ID), *(int32 *)(\$o + $O_USERS));" ;;
		esac
		printf '%s\n' "kprobe:$fn { $body }"
		[ "$f" != "$fn" ] && printf '%s\n' "kretprobe:$fn { printf(\"%llu %d %s %d %d $fn:ret %ld %llu\\n\", nsecs, cpu, comm, pid, tid, retval, nsecs - @t[tid, \"$fn\"]); delete(@t[tid, \"$fn\"]); }"
	done
} >$W/peer.bt
cp $W/peer.bt "$OUT/peer.bt"

# wait_for FILE PATTERN: up to 120 s (a tracer attaching under emulation)
wait_for() {
	i=0
	while ! grep -qs "$2" "$1"; do
		i=$((i + 1))
		[ $i -gt 1200 ] && return 1
		sleep 0.1
	done
}

# settle FILE: until FILE has not grown for a second (up to 60 s)
settle() {
	last=-1 i=0
	while [ $i -lt 60 ]; do
		n=$(wc -c <"$1")
		[ "$n" = "$last" ] && return 0
		last=$n i=$((i + 1))
		sleep 1
	done
}

# run NAME READY_FILE READY_PATTERN [TRACER...]: one timed workload, under
# TRACER when given (its output in $W/NAME.out, stderr in $W/NAME.err)
run() {
	name=$1 ready=$2 pat=$3
	shift 3
	t=
	if [ $# -gt 0 ]; then
		"$@" >$W/$name.out 2>$W/$name.err &
		t=$!
		if ! wait_for "$ready" "$pat"; then
			echo "$name: did not start: $(head -c 300 $W/$name.err)" >>"$OUT/errors"
			kill -9 $t
			wait $t
			return
		fi
	fi
	$SC pair $PAIRS | sed -n 's/^elapsed_us=//p' >>"$OUT/$name.us"
	if [ -n "$t" ]; then
		bpftool prog show --json >"$OUT/$name.progs.json" 2>/dev/null
		# bpftrace drops what it has not printed yet when interrupted:
		# let its output settle first (the workload's time is taken)
		[ "$name" = peer ] && settle $W/$name.out
		kill -INT $t
		wait $t
		case $name in
		it-*) sed -n 's/^\([0-9]*\) events in .*/\1/p' $W/$name.out >>"$OUT/$name.events" ;;
		peer)
			grep -c ' iommufd_\| _iommufd_' $W/$name.out >>"$OUT/$name.events"
			# bpftrace says "Lost N events" when its buffer overflowed
			sed -n 's/^Lost \([0-9]*\) events.*/\1/p' $W/$name.out $W/$name.err |
				awk '{ n += $1 } END { print n + 0 }' >>"$OUT/$name.lost"
			;;
		esac
		[ "$name" = peer ] && cp $W/peer.out "$OUT/peer.out"
	fi
}

# one run of each first, so that nothing is measured cold
$SC pair 100 >/dev/null
for r in $(seq "$ROUNDS"); do
	run alone "" ""
	run it-fentry $W/it-fentry.err "tracing [0-9]* of" $IT live --attach fentry
	run it-kprobe $W/it-kprobe.err "tracing [0-9]* of" $IT live --attach kprobe
	run it-fentry-all $W/it-fentry-all.err "tracing [0-9]* of" $IT live --attach fentry --stacks all
	run it-fentry-none $W/it-fentry-none.err "tracing [0-9]* of" $IT live --attach fentry --stacks none
	run empty-fentry $W/empty-fentry.err "attached" $B/empty-probes fentry $FUNCS
	run empty-kprobe $W/empty-kprobe.err "attached" $B/empty-probes kprobe $FUNCS
	run peer $W/peer.out "^ready" bpftrace $W/peer.bt
done
bpftrace --version >"$OUT/peer.version" 2>&1

# the lookup path: IOMMU_GET_HW_INFO, an iommufd_get_object() each, whose
# return iommutrace probes (it writes nothing unless a removal waits)
GETS=${IOMMUTRACE_BENCH_GETS:-50000}
echo "$GETS" >"$OUT/gets"
run_gets() { # NAME [TRACER...]
	name=$1
	shift
	t=
	if [ $# -gt 0 ]; then
		"$@" >$W/$name.out 2>$W/$name.err &
		t=$!
		wait_for $W/$name.err "tracing [0-9]* of" || { kill -9 $t; wait $t; return; }
	fi
	$SC hwinfo $GETS | sed -n 's/^elapsed_us=//p' >>"$OUT/$name.us"
	if [ -n "$t" ]; then
		bpftool prog show --json >"$OUT/$name.progs.json" 2>/dev/null
		kill -INT $t
		wait $t
	fi
}
$SC hwinfo 100 >/dev/null
for r in $(seq "$ROUNDS"); do
	run_gets gets-alone
	run_gets gets-it-fentry $IT live --attach fentry
	run_gets gets-it-kprobe $IT live --attach kprobe
done

# the live path's losses as the rate grows: K workloads at once under
# `live --json` (default ring, 4 MiB) into a file; then a 64 KiB ring
loss_run() { # NAME K LIVE-ARGS...
	name=$1 k=$2
	shift 2
	$IT live --json "$@" >$W/$name.json 2>$W/$name.err &
	t=$!
	wait_for $W/$name.err "tracing [0-9]* of" || { kill -9 $t; return; }
	start=$(date +%s%N)
	pids=
	for i in $(seq "$k"); do
		$SC pair $PAIRS >/dev/null &
		pids="$pids $!"
	done
	wait $pids
	end=$(date +%s%N)
	sleep 1
	kill -INT $t
	wait $t
	echo "$name $k $(( (end - start) / 1000 )) $(jq -r 'select(.kind == "summary") | "\(.events) \(.lost)"' $W/$name.json)" >>"$OUT/loss"
}
[ "${IOMMUTRACE_BENCH_LOSS:-1}" = 0 ] && exit 0
for k in 1 2 4 8; do
	loss_run ring-default-$k $k
done
for k in 1 4; do
	loss_run ring-64k-$k $k --ringbuf-size 64K
done
exit 0
