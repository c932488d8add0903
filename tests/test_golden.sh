#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Golden tests, on the host: replay the trace files recorded in the test VM
# (tests/golden/*.itr, stock and bug kernels) and compare the output, JSON
# and text, with what was reviewed and kept beside them; then feed replay
# broken files. With --update, write the expected outputs anew.
# usage: test_golden.sh BUILD_DIR [--update]
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/vm/lib.sh"
it=$(cd "$1" && pwd)/iommutrace
update=${2:-}
export TZ=UTC
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for f in "$here"/golden/*.itr; do
	name=$(basename "$f" .itr)
	"$it" replay --json "$f" >"$tmp/$name.json" 2>"$tmp/$name.err"
	echo $? >"$tmp/$name.rc"
	"$it" replay "$f" >"$tmp/$name.txt" 2>/dev/null
	for ext in json txt rc; do
		want=$here/golden/$name.$ext
		if [ "$update" = --update ]; then
			cp "$tmp/$name.$ext" "$want"
		elif cmp -s "$tmp/$name.$ext" "$want"; then
			pass "golden/$name.$ext"
		else
			fail "golden/$name.$ext" "replay output differs from tests/golden/$name.$ext"
			diff "$want" "$tmp/$name.$ext" | head -n 10 | sed 's/^/# /'
		fi
	done
	# the same output twice: replay is deterministic
	"$it" replay --json "$f" 2>/dev/null | cmp -s - "$tmp/$name.json" &&
		pass "golden/$name/deterministic" ||
		fail "golden/$name/deterministic" "two replays differ"
done
[ "$update" = --update ] && exit 0

# --- broken files: a clear error naming what and where, never a crash --------
src=$here/golden/stock-idev-first.itr
size=$(stat -c %s "$src")

head -c $((size - 7)) "$src" >"$tmp/cut.itr"
"$it" replay --json "$tmp/cut.itr" >"$tmp/cut.json" 2>"$tmp/cut.err"
expect_eq broken/truncated_exit $? 0
grep -q 'ends inside block 1 at offset [0-9]* (was the recorder killed?' "$tmp/cut.err" &&
	pass broken/truncated_says_so || fail broken/truncated_says_so "$(cat "$tmp/cut.err")"

cp "$src" "$tmp/flip.itr"
printf '\xff' | dd of="$tmp/flip.itr" bs=1 seek=80 conv=notrunc 2>/dev/null
"$it" replay "$tmp/flip.itr" >/dev/null 2>"$tmp/flip.err"
expect_eq broken/corrupt_exit $? 2
grep -qE 'checksum mismatch in block 0 at offset 40|corrupt block header' "$tmp/flip.err" &&
	pass broken/corrupt_names_block || fail broken/corrupt_names_block "$(cat "$tmp/flip.err")"

"$it" replay /etc/hostname >/dev/null 2>"$tmp/foreign.err"
expect_eq broken/foreign_exit $? 2
grep -q 'is not an iommutrace trace file' "$tmp/foreign.err" &&
	pass broken/foreign_says_so || fail broken/foreign_says_so "$(cat "$tmp/foreign.err")"

"$it" replay "$tmp/nonexistent.itr" >/dev/null 2>"$tmp/missing.err"
expect_eq broken/missing_exit $? 2

: >"$tmp/empty.itr"
"$it" replay "$tmp/empty.itr" >/dev/null 2>"$tmp/empty.err"
expect_eq broken/empty_exit $? 2

"$it" replay --bogus "$src" >/dev/null 2>&1
expect_eq cli/unknown_option_exit $? 2

# every line replay writes matches the JSON Schema, and the schema can fail
schema=$here/../tools/schema/iommutrace-v2.schema.json
if v=$(/usr/bin/python3 "$here/validate-ndjson.py" "$schema" "$tmp"/*.json 2>&1); then
	pass schema/replay_output
else
	fail schema/replay_output "$(echo "$v" | head -n 5)"
fi
head -n 1 "$tmp/$(ls "$tmp" | grep '\.json$' | head -n 1)" |
	jq -c '. + {"undocumented": 1}' >"$tmp/mutant.ndjson"
/usr/bin/python3 "$here/validate-ndjson.py" "$schema" "$tmp/mutant.ndjson" >/dev/null 2>&1
expect_eq schema/rejects_unknown_field $? 1
printf '{"schema":1,"kind":"event","seq":1' >"$tmp/cut.ndjson"
/usr/bin/python3 "$here/validate-ndjson.py" "$schema" "$tmp/cut.ndjson" >/dev/null 2>&1
expect_eq schema/rejects_unfinished_line $? 1
