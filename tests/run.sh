#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The whole test suite: unit tests on the host, then the VM tests, each
# booting the test kernel. Ends with "N passed, N failed[, N skipped]" and
# fails if anything failed.
# usage: tests/run.sh [--build DIR] [--unit-only | --vm-only] [-v]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
unit=1
vm=1
verbose=
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--unit-only) vm=; shift ;;
	--vm-only) unit=; shift ;;
	-v) verbose=1; shift ;;
	*) echo "usage: tests/run.sh [--build DIR] [--unit-only | --vm-only] [-v]" >&2; exit 2 ;;
	esac
done

passed=0 failed=0 skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

if [ -n "$unit" ]; then
	echo "== unit tests"
	IOMMUTRACE_BTF_DIR=$build/btf "$build/test_unit" | tee "$log"
	line=$(grep -E '^unit: [0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$log")
	if [ -z "$line" ]; then
		echo "not ok unit: the unit test runner did not finish"
		failed=$((failed + 1))
	else
		set -- $line
		passed=$((passed + $2))
		failed=$((failed + $4))
		skipped=$((skipped + ${6:-0}))
	fi
fi

# shell tests: on the host (tests/test_*.sh), then in the VM (tests/vm/)
shell_tests=()
[ -n "$unit" ] && shell_tests+=("$top"/tests/test_*.sh)
[ -n "$vm" ] && shell_tests+=("$top"/tests/vm/test_*.sh)
if [ ${#shell_tests[@]} -gt 0 ]; then
	for t in "${shell_tests[@]}"; do
		echo "== $(basename "$t" .sh)$(case $t in */vm/*) echo " (VM)" ;; esac)"
		start=$(date +%s)
		"$t" "$build" >"$log" 2>&1
		cat "$log" | grep -v '^#' || true
		grep -q '^not ok' "$log" && grep '^#' "$log"
		[ -n "$verbose" ] && grep '^#' "$log"
		p=$(grep -c '^ok ' "$log")
		f=$(grep -c '^not ok ' "$log")
		s=$(grep -c '^skip ' "$log")
		if [ $((p + f + s)) -eq 0 ]; then
			echo "not ok $(basename "$t"): ran no check"
			f=1
		fi
		passed=$((passed + p))
		failed=$((failed + f))
		skipped=$((skipped + s))
		echo "   ($(($(date +%s) - start))s)"
	done
fi

if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
