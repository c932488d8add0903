#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# On the host, with the build of `make sanitize` (BUILD/san: AddressSanitizer
# and UndefinedBehaviorSanitizer, every finding fatal): the unit tests, the
# golden replays and the bad-input table; the golden replays of the normal
# build under valgrind; then each libFuzzer target of tests/fuzz/ for
# IOMMUTRACE_FUZZ_SECONDS (15) from its seeds, and every input that ever
# crashed or misbehaved (tests/fuzz/regress/TARGET/) once.
# usage: test_sanitizers.sh BUILD_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/vm/lib.sh"
build=$(cd "$1" && pwd)
san=$build/san
secs=${IOMMUTRACE_FUZZ_SECONDS:-15}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$san/test_unit" ]; then
	fail sanitize/built "no $san/test_unit: run make sanitize (make check does)"
	exit 0
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1

# --- the unit tests, the golden replays and the bad input, sanitized ----------
IOMMUTRACE_BTF_DIR=$san/btf "$san/test_unit" >"$tmp/unit.log" 2>&1
line=$(grep -E '^unit: [0-9]+ passed, 0 failed' "$tmp/unit.log")
if [ -n "$line" ]; then
	pass "asan/unit ($line)"
else
	fail asan/unit "$(grep -E 'FAIL|ERROR|runtime error' "$tmp/unit.log" | head -n 5)"
fi
TEST_PREFIX=asan/ "$here/test_golden.sh" "$san" 2>&1 | grep -E '^(ok|not ok|skip) |^#'
TEST_PREFIX=asan/ "$here/test_bad_input.sh" "$san" 2>&1 | grep -E '^(ok|not ok|skip) |^#'

# --- valgrind: the normal build's replays --------------------------------------
for f in "$here"/golden/*.itr; do
	name=$(basename "$f" .itr)
	for mode in --json ""; do
		valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
			"$build/iommutrace" replay $mode "$f" >/dev/null 2>"$tmp/vg.err"
		rc=$?
		if [ $rc -eq 99 ] || grep -q '^==[0-9]*==' "$tmp/vg.err"; then
			fail "valgrind/$name${mode:+/json}" "$(grep '^==' "$tmp/vg.err" | head -n 8)"
		else
			pass "valgrind/$name${mode:+/json}"
		fi
	done
done

# --- the fuzzers: seeded, bounded, then every kept input -----------------------
seeds=$tmp/seeds
mkdir -p "$seeds"/{trace,records,config,json}
cp "$here"/golden/*.itr "$seeds/trace/"
# the records inside the golden files, as the ring buffer hands them over
python3 - "$seeds/records" "$here"/golden/*.itr <<'PY' || fail fuzz/seeds "the golden files' records"
import os, struct, sys, zlib
for f in sys.argv[2:]:
    d = open(f, 'rb').read()
    off, raw = 40, b''
    while off + 24 <= len(d):
        cl = struct.unpack('<6I', d[off:off + 24])[2]
        raw += zlib.decompress(d[off + 24:off + 24 + cl])
        off += 24 + cl
    open(os.path.join(sys.argv[1], os.path.basename(f) + '.raw'), 'wb').write(raw)
PY
cp "$here/../tools/systemd/iommutrace.conf" "$seeds/config/"
printf 'qemu-system-x86' >"$seeds/json/comm"
for t in trace records config json; do
	mkdir -p "$tmp/corpus-$t" "$tmp/crash-$t"
	(cd "$tmp/crash-$t" && "$san/fuzz_$t" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 "$tmp/corpus-$t" "$seeds/$t" \
		>"$tmp/fuzz-$t.log" 2>&1)
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/fuzz-$t.log")
	if [ $rc -eq 0 ] && [ -z "$(ls -A "$tmp/crash-$t")" ]; then
		pass "fuzz/$t (${runs:-?} inputs in ${secs}s)"
	else
		# kept for a look, and for tests/fuzz/regress/$t/ once understood
		mkdir -p "$build/fuzz-findings/$t"
		cp "$tmp/crash-$t"/* "$tmp/fuzz-$t.log" "$build/fuzz-findings/$t/" 2>/dev/null
		fail "fuzz/$t" "exit $rc, the input and the log in $build/fuzz-findings/$t/: $(grep -E 'ERROR|runtime error|SUMMARY|abort' "$tmp/fuzz-$t.log" | head -n 3)"
	fi
	if ls "$here"/fuzz/regress/$t/* >/dev/null 2>&1; then
		if "$san/fuzz_$t" "$here"/fuzz/regress/$t/* >"$tmp/regress-$t.log" 2>&1; then
			pass "fuzz/regress/$t ($(ls "$here"/fuzz/regress/$t | wc -l) inputs)"
		else
			fail "fuzz/regress/$t" "$(grep -E 'ERROR|runtime error|Running' "$tmp/regress-$t.log" | tail -n 3)"
		fi
	fi
done
