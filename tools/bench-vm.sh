#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The cost of tracing, in the test VM: the same iommufd workload (the
# scenarios, 100 rounds, timed by the workload itself) alone and under
# `iommutrace live --quiet`, interleaved, 3 runs each; medians and ratio.
# The guest is emulated (TCG): the ratio means something, the absolute
# times do not.
# usage: tools/bench-vm.sh BUILD_DIR
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
out=$(mktemp -d /tmp/iommutrace-bench.XXXXXX)
trap 'rm -rf "$out"' EXIT

"$top/tools/vm/run.sh" --quiet --scratch "$out" -- "$top/tools/bench-guest.sh" "$build" "$out"
median() { sort -n "$1" | sed -n 2p; }
a=$(median "$out/alone")
t=$(median "$out/traced")
events=$(sed -n 's/.*"events":\([0-9]*\).*/\1/p' "$out/summary")
echo "VM benchmark (QEMU TCG, 2 vCPUs; 100 rounds of the 5 scenarios, median of 3)"
printf '  %-44s %8.1f ms   traced %8.1f ms   ratio %.3f (%s events, %s lost)\n' \
	"workload alone" "$(echo "$a / 1000" | bc -l)" "$(echo "$t / 1000" | bc -l)" \
	"$(echo "$t / $a" | bc -l)" "$events" \
	"$(sed -n 's/.*"lost":\([0-9]*\).*/\1/p' "$out/summary")"
printf '  %-44s %8.1f us per event\n' "added time" \
	"$(echo "($t - $a) / $events" | bc -l)"
n=$(median "$out/nostacks")
printf '  %-44s %8.1f ms   traced %8.1f ms   ratio %.3f, %.1f us per event\n' \
	"the same with --no-stacks" "$(echo "$a / 1000" | bc -l)" "$(echo "$n / 1000" | bc -l)" \
	"$(echo "$n / $a" | bc -l)" "$(echo "($n - $a) / $events" | bc -l)"
