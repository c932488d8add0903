# SPDX-License-Identifier: GPL-2.0
# Helpers for the VM tests: results as "ok NAME", "not ok NAME: why" or
# "skip NAME: why", one per line, counted by tests/run.sh.

pass() { echo "ok $1"; }
fail() { echo "not ok $1: $2"; }
skip() { echo "skip $1: $2"; }

# expect_eq NAME GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi
}

# One line per event: hook[:ret] type#id [flags=...] [ret=N]
events_of() {
	jq -r 'select(.kind == "event") |
		(.hook + (if .phase == "return" then ":ret" else "" end)) + " " +
		(if .obj == null then "-"
		 elif .obj.type == "ctx" then "ctx"
		 else "\(.obj.type)#\(.obj.id)" end) +
		(if (.remove_flags // "") != "" then " flags=\(.remove_flags)" else "" end) +
		(if .ret != null then " ret=\(.ret)" else "" end)' "$1"
}

# Replace {name} in an expectation (lines starting with # are comments) with the ids a scenario printed.
fill_ids() {
	local expect=$1 ids=$2 script=
	while IFS='=' read -r name value; do
		case $name in *[!a-z0-9_]*|'') continue ;; esac
		case $value in *[!0-9]*|'') continue ;; esac
		script="${script}s/{$name}/$value/g;"
	done <"$ids"
	sed -e '/^#/d' -e "$script" "$expect"
}
