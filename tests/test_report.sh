#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `iommutrace report`: pages of the golden recordings (stock and bug
# kernels) opened in headless Chromium and checked against their records
# (tests/browser/report_test.py: objects, idev edges, violations, a click,
# a zoom, the link), with a screenshot each in BUILD_DIR/artifacts; a page
# of 10,000 objects and 100,000 events (an export, tests/browser/
# gen_export.py) under the time bounds README states; the export, plain
# and gzipped, giving the same page; the same input, the same page; no
# kernel address in it; and bad input refused with its cause.
# usage: test_report.sh BUILD_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/vm/lib.sh"
build=$(cd "$1" && pwd)
it=$build/iommutrace
art=$build/artifacts
mkdir -p "$art"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC
# README's bounds, on this project's 2-core machines
FIRST_PAINT_MS=5000
ZOOM_MS=500

# browser NAME ARGS...: tests/browser/report_test.py, its checks passed on;
# a crash of its own is a failure too
browser() {
	local name=$1
	shift
	python3 "$here/browser/report_test.py" "$@" >"$tmp/$name.browser" 2>"$tmp/$name.browser-err"
	local rc=$?
	cat "$tmp/$name.browser"
	if [ "$rc" -ne 0 ] && ! grep -q '^not ok' "$tmp/$name.browser"; then
		fail "report/$name/browser" "exit $rc: $(tail -n 1 "$tmp/$name.browser-err")"
	fi
}

# (from the top, so that a page names its recording as README does)
cd "$top" || exit 1
for f in tests/golden/*.itr; do
	name=$(basename "$f" .itr)
	"$it" report -o "$tmp/$name.html" "$f" 2>"$tmp/$name.err"
	expect_eq "report/$name/written" "$?:$(cat "$tmp/$name.err")" "0:"
	"$it" replay --json "$f" >"$tmp/$name.ndjson" 2>/dev/null
	waits=()
	[ "$name" = unbind-race ] && waits=(--wait device:55000)
	browser "$name" --html "$tmp/$name.html" --records "$tmp/$name.ndjson" \
		--shot "$art/report-$name.png" --name "report/$name" "${waits[@]}"
	# the page is the same every time, and holds no kernel address
	"$it" report -o "$tmp/$name.again.html" "$f" 2>/dev/null
	cmp -s "$tmp/$name.html" "$tmp/$name.again.html"
	expect_eq "report/$name/deterministic" $? 0
	expect_eq "report/$name/no_kernel_address" "$(grep -Eoc 'ffff[0-9a-f]{12}' "$tmp/$name.html")" 0
done

# an export with losses and objects created before tracing: gaps, faded bars
python3 "$here/browser/gen_export.py" --gaps 60 3 >"$tmp/gaps.ndjson"
"$it" report -o "$tmp/gaps.html" --from-export "$tmp/gaps.ndjson" 2>/dev/null
expect_eq report/gaps/written "$?" 0
browser gaps --html "$tmp/gaps.html" --records "$tmp/gaps.ndjson" \
	--shot "$art/report-gaps.png" --name report/gaps

# records whose names are markup: shown as text, nothing runs
python3 "$here/browser/gen_export.py" --hostile 20 2 >"$tmp/hostile.ndjson"
"$it" report -o "$tmp/hostile.html" --from-export "$tmp/hostile.ndjson" 2>/dev/null
expect_eq report/hostile/written "$?" 0
expect_eq report/hostile/script_element_not_closed "$(grep -c '</script><script>window.pwned' "$tmp/hostile.html")" 0
browser hostile --html "$tmp/hostile.html" --records "$tmp/hostile.ndjson" \
	--shot "$art/report-hostile.png" --name report/hostile

# the daemon's export: the same records draw the same page, plain or gzipped
python3 "$here/browser/gen_export.py" 10000 50 >"$tmp/big.ndjson"
"$it" report -o "$tmp/big.html" --title big --from-export "$tmp/big.ndjson" 2>"$tmp/big.err"
expect_eq report/export/written "$?:$(cat "$tmp/big.err")" "0:"
gzip -c "$tmp/big.ndjson" >"$tmp/big.ndjson.1.gz"
"$it" report -o "$tmp/big.gz.html" --title big --from-export "$tmp/big.ndjson.1.gz" 2>/dev/null
expect_eq report/export/gzipped_same_page \
	"$(sed 's/big\.ndjson\.1\.gz/big.ndjson/g' "$tmp/big.gz.html" | cmp - "$tmp/big.html" >/dev/null && echo same)" same
browser big --html "$tmp/big.html" --records "$tmp/big.ndjson" \
	--shot "$art/report-10k-objects.png" --name report/10k_objects --perf "$FIRST_PAINT_MS:$ZOOM_MS"

# --- bad input: its cause named, exit 2, no page left half written -------------
expect_refusal() { # NAME MESSAGE ARGS...
	local name=$1 msg=$2 out rc
	shift 2
	out=$("$it" report "$@" 2>&1 >/dev/null)
	rc=$?
	expect_eq "report/bad/$name" "$rc $(echo "$out" | grep -c -F -- "$msg")" "2 1"
}
expect_refusal no_output "give the page to write with -o FILE" "$here/golden/long-wait.itr"
expect_refusal no_input "give one trace file, or --from-export" -o "$tmp/x.html"
expect_refusal both_inputs "give one trace file, or --from-export" -o "$tmp/x.html" \
	--from-export "$tmp/big.ndjson" "$here/golden/long-wait.itr"
expect_refusal missing_file "can't read $tmp/none.ndjson" -o "$tmp/x.html" --from-export "$tmp/none.ndjson"
{ head -n 3 "$tmp/big.ndjson"; echo '{"schema":2,"seq":7 cut here'; } >"$tmp/cut.ndjson"
expect_refusal corrupt_export "cut.ndjson:4: not an iommutrace record" -o "$tmp/x.html" \
	--from-export "$tmp/cut.ndjson"
head -c 1000 "$tmp/big.ndjson.1.gz" >"$tmp/cut.gz"
expect_refusal truncated_gz "the file ends inside a record (cut short, or a truncated .gz)" -o "$tmp/x.html" --from-export "$tmp/cut.gz"
echo 'not a trace' >"$tmp/junk.itr"
expect_refusal not_a_trace "junk.itr" -o "$tmp/x.html" "$tmp/junk.itr"
expect_refusal bad_option "option '--colour' is unknown" -o "$tmp/x.html" --colour red x.itr
expect_eq report/bad/nothing_written "$(ls "$tmp"/x.html* 2>/dev/null | wc -l)" 0
"$it" report -o "$tmp/events-less.html" --from-export <(grep -v '"kind":"event"' "$tmp/big.ndjson") \
	>/dev/null 2>"$tmp/warn"
expect_eq report/export_without_events_warns "$?:$(grep -c 'export_events = yes' "$tmp/warn")" "0:1"
