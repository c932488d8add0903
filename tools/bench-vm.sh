#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The cost of tracing, in the test VM (tools/bench-guest.sh runs there):
# one workload, `iommufd-scenario pair N` (an IOAS allocated and destroyed
# N times: 5 events each), timed alone and under each tracer, interleaved,
# median of the rounds:
#   - iommutrace attached by fentry and by kprobes (stacks on the proof
#     events, the default), and by fentry with every stack and with none;
#   - programs that do nothing on the same functions, each kind (the cost
#     of the attach kind itself);
#   - the peer: bpftrace, kprobes on the same functions, a line per event;
#   - per BPF program, the kernel's own run time per call
#     (kernel.bpf_stats_enabled=1), against the empty program of its kind.
# Then how many events the live path takes without loss as the rate grows.
# The guest is emulated (TCG): ratios measured in the same run mean
# something, absolute times are upper bounds.
# usage: tools/bench-vm.sh BUILD_DIR [KERNEL]
#   IOMMUTRACE_BENCH_PAIRS (2000), _GETS (50000), _ROUNDS (3), _LOSS (1; 0: no loss runs),
#   _KEEP=DIR (the guest's raw results kept there; with _REPRINT=1, print
#   those again without a new run)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
kernel=${2:-$(sed -n 's/^KERNEL ?= //p' "$top/Makefile")}
# IOMMUTRACE_BENCH_KEEP=DIR keeps the guest's raw results there
if [ -n "${IOMMUTRACE_BENCH_KEEP:-}" ]; then
	out=$IOMMUTRACE_BENCH_KEEP
	mkdir -p "$out"
else
	out=$(mktemp -d /tmp/iommutrace-bench.XXXXXX)
	trap 'rm -rf "$out"' EXIT
fi

if [ "${IOMMUTRACE_BENCH_REPRINT:-}" != 1 ] || [ ! -s "$out/alone.us" ]; then
	run_guest=1
	rm -f "$out"/* # one run's results only
fi
export IOMMUTRACE_GUEST_ENV="IOMMUTRACE_BENCH_PAIRS=${IOMMUTRACE_BENCH_PAIRS:-2000} \
IOMMUTRACE_BENCH_GETS=${IOMMUTRACE_BENCH_GETS:-50000} \
IOMMUTRACE_BENCH_ROUNDS=${IOMMUTRACE_BENCH_ROUNDS:-3} IOMMUTRACE_BENCH_LOSS=${IOMMUTRACE_BENCH_LOSS:-1}"
[ -n "${run_guest:-}" ] && "$top/tools/vm/run.sh" --quiet --kernel "$kernel" --scratch "$out" \
	--timeout 1800 -- "$top/tools/bench-guest.sh" "$build" "$out"
if [ -s "$out/errors" ]; then
	sed 's/^/bench: /' "$out/errors" >&2
fi
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
alone=$(median "$out/alone.us")

# "NS_PER_CALL CALLS" of the programs in a bpftool listing whose name
# matches REGEX
bpf_cost() {
	jq -r --arg re "$2" '[.[] | select(.name | test($re)) | select(.run_cnt != null)] |
		(map(.run_time_ns) | add) as $t | (map(.run_cnt) | add) as $c |
		if $c and $c > 0 then "\($t / $c) \($c)" else "- 0" end' "$1" 2>/dev/null || echo "- 0"
}

events_of() { # NAME: events per run (iommutrace's count, or the peer's lines)
	[ -s "$out/$1.events" ] && median "$out/$1.events" || echo 0
}
n_events=$(events_of it-fentry)
printf 'VM benchmark: QEMU TCG (emulated), 2 vCPUs, kernel %s; `iommufd-scenario pair %s`\n' \
	"$kernel" "$(cat "$out/pairs")"
printf '(%s events a run), median of %s interleaved runs; absolute times are upper bounds\n' \
	"$n_events" "$(wc -l <"$out/alone.us")"
printf '  %-40s %9s %8s %12s %13s %9s\n' "" "workload" "ratio" "added per" "BPF per call" "ratio to"
printf '  %-40s %9s %8s %12s %13s %9s\n' "" "ms" "to alone" "event, us" "(bpf_stats)" "empty"

row() { # LABEL NAME PROG_REGEX EMPTY_NS
	local us ns calls ratio_empty=-
	[ -s "$out/$2.us" ] || { printf '  %-40s %9s\n' "$1" "failed"; return; }
	us=$(median "$out/$2.us")
	read -r ns calls < <(bpf_cost "$out/$2.progs.json" "$3")
	if [ "$ns" != - ] && [ -n "${4:-}" ] && [ "$4" != - ]; then
		ratio_empty=$(printf '%.2fx' "$(echo "$ns / $4" | bc -l)")
	fi
	printf '  %-40s %9.1f %7.2fx %12.1f %13s %9s\n' "$1" "$(echo "$us / 1000" | bc -l)" \
		"$(echo "$us / $alone" | bc -l)" "$(echo "($us - $alone) / $n_events" | bc -l)" \
		"$([ "$ns" = - ] && echo - || printf '%.0f ns' "$ns")" "$ratio_empty"
}
printf '  %-40s %9.1f %7.2fx\n' "workload alone" "$(echo "$alone / 1000" | bc -l)" 1
read -r empty_fe _ < <(bpf_cost "$out/empty-fentry.progs.json" '^empty_')
read -r empty_kp _ < <(bpf_cost "$out/empty-kprobe.progs.json" '^empty_')
row "empty programs, fentry/fexit" empty-fentry '^empty_'
row "empty programs, kprobe/kretprobe" empty-kprobe '^empty_'
row "iommutrace, fentry (stacks: proof)" it-fentry '^f[ex]_' "$empty_fe"
row "iommutrace, kprobe (stacks: proof)" it-kprobe '^(obj|fops|device|vdevice|ioas|hwpt|hw_|access|fault|viommu|veventq|selftest)' "$empty_kp"
row "iommutrace, fentry, --stacks all" it-fentry-all '^f[ex]_' "$empty_fe"
row "iommutrace, fentry, --stacks none" it-fentry-none '^f[ex]_' "$empty_fe"
row "peer: $(head -n 1 "$out/peer.version" 2>/dev/null), kprobes" peer '.' "$empty_kp"
printf '  (each tracer writes a line per event to a file in the guest'"'"'s tmpfs; the peer wrote %s\n' \
	"$(events_of peer) lines a run and lost $([ -s "$out/peer.lost" ] && median "$out/peer.lost" || echo ?))"

# per hook: each program's run time per call, by fentry and by kprobe
# against the empty program of its
# kind on all the same functions
per_prog() { # FILE REGEX: "hook ns calls" for the programs that ran
	jq -r --arg re "$2" '.[] | select(.name | test($re)) | select((.run_cnt // 0) > 0) |
		"\(.name | sub("^f[ex]_"; "")) \(.run_time_ns / .run_cnt) \(.run_cnt)"' \
		"$1" 2>/dev/null | sort
}
echo "per program, ns per call (bpf_stats; the same run; empty: $(printf '%.0f' "$empty_fe") ns fentry, $(printf '%.0f' "$empty_kp") ns kprobe):"
printf '  %-14s %10s %8s %10s %8s %8s\n' program fentry "x empty" kprobe "x empty" calls
join -a 1 -a 2 -e - -o 0,1.2,2.2,1.3 <(per_prog "$out/it-fentry.progs.json" '^f[ex]_') \
	<(per_prog "$out/it-kprobe.progs.json" '^[a-z]') |
	while read -r name fe kp calls; do
		printf '  %-14s %10s %8s %10s %8s %8s\n' "$name" \
			"$([ "$fe" = - ] && echo - || printf '%.0f' "$fe")" \
			"$([ "$fe" = - ] && echo - || printf '%.1fx' "$(echo "$fe / $empty_fe" | bc -l)")" \
			"$([ "$kp" = - ] && echo - || printf '%.0f' "$kp")" \
			"$([ "$kp" = - ] && echo - || printf '%.1fx' "$(echo "$kp / $empty_kp" | bc -l)")" \
			"$calls"
	done

if [ -s "$out/gets-alone.us" ]; then
	ga=$(median "$out/gets-alone.us")
	echo "the lookup path: \`iommufd-scenario hwinfo $(cat "$out/gets")\` (IOMMU_GET_HW_INFO, one iommufd_get_object each, no removal waiting), median of $(wc -l <"$out/gets-alone.us") interleaved runs:"
	printf '  %-40s %9.1f ms %7.2fx\n' "alone" "$(echo "$ga / 1000" | bc -l)" 1
	for k in fentry kprobe; do
		[ -s "$out/gets-it-$k.us" ] || { printf '  %-40s failed\n' "iommutrace, $k"; continue; }
		g=$(median "$out/gets-it-$k.us")
		read -r ns calls < <(bpf_cost "$out/gets-it-$k.progs.json" '^(fx_)?get_object_ret$')
		printf '  %-40s %9.1f ms %7.2fx   get_object_ret: %s per call, %s calls\n' \
			"iommutrace, $k" "$(echo "$g / 1000" | bc -l)" "$(echo "$g / $ga" | bc -l)" \
			"$([ "$ns" = - ] && echo - || printf '%.0f ns' "$ns")" "$calls"
	done
fi

[ -s "$out/loss" ] || exit 0
echo "the live path, \`live --json\` into a file, K workloads at once:"
while read -r name k us events lost; do
	printf '  %-40s %6s events in %6.2f s: %7.0f events/s, %s lost\n' \
		"$name (K=$k)" "$events" "$(echo "$us / 1000000" | bc -l)" \
		"$(echo "$events / ($us / 1000000)" | bc -l)" "$lost"
done <"$out/loss"
