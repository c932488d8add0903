#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Functions longer than LIMIT lines (80) in the C sources given (default:
# src/, bpf/, tools/*.c), as "LINES FILE:LINE NAME". A function may be
# longer when a comment right above it says why, starting "Long:"; those
# are listed with the reason. Exits 1 if one is long without a reason.
# usage: tools/long-functions.sh [-n LIMIT] [FILE...]
set -u
limit=80
if [ "${1:-}" = -n ]; then
	limit=$2
	shift 2
fi
top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -gt 0 ] || set -- "$top"/src/*/*.c "$top"/bpf/*.c "$top"/tools/*.c
awk -v limit="$limit" -v top="$top/" '
	FNR == 1 { reason = ""; prev = ""; start = 0 }
	# a function body starts with "{" alone in column 0 after its declarator
	/^\{$/ { start = FNR; name = prev; sub(/\(.*/, "", name); n = split(name, w, /[ *]+/); name = w[n]; next }
	/^\}/ && start {
		len = FNR - start - 1
		if (len > limit) {
			file = FILENAME; sub(top, "", file)
			if (why[start] != "")
				printf "%d %s:%d %s (%s)\n", len, file, start, name, why[start]
			else {
				printf "%d %s:%d %s: no reason given\n", len, file, start, name
				bad = 1
			}
		}
		start = 0
		next
	}
	!start {
		if ($0 ~ /Long:/) { r = $0; sub(/.*Long: */, "", r); sub(/ *\*\/.*/, "", r); reason = r }
		# the declarator may span lines: remember the line with the name
		if ($0 ~ /^[a-zA-Z_].*\(/) { prev = $0; why[FNR + 1] = reason; why[FNR + 2] = reason; why[FNR + 3] = reason }
		if ($0 ~ /^$/) reason = ""
	}
	END { exit bad }
' "$@"
