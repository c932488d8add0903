#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The layers of src/, lowest first, and the one direction of their
# includes: a file may include its own folder's headers and those of the
# layers below it, never one above or beside it (kernel and model are
# side by side: the commands join them).
#
#   base    logging, number parsing, hash table, text safety, JSON, handles
#   format  the records: hook table, trace files, stack and owner records
#   kernel  features, BPF loading and attaching, the ring (the tracer)
#   model   decode, graph, rules, the pipeline
#   out     sinks, export, metrics, views of the graph and of check
#   cmd     the commands and their options
#
# Prints every include that breaks the rule and exits 1 if there is one.
# usage: tools/check-layers.sh [SRC_DIR]
set -u
src=${1:-$(dirname "$0")/../src}
declare -A rank=([base]=0 [format]=1 [kernel]=2 [model]=2 [out]=3 [cmd]=4)
bad=0
for f in "$src"/*/*.[ch]; do
	layer=$(basename "$(dirname "$f")")
	if [ -z "${rank[$layer]:-}" ]; then
		echo "${f#"$src"/}: in a folder that is not a layer (${!rank[*]})"
		bad=1
		continue
	fi
	while IFS= read -r inc; do
		case $inc in
		iommutrace.h | iommutrace.skel.h | report_assets.h) continue ;; # include/ and the build's own headers
		*/*) ;;
		*)
			echo "${f#"$src"/}: includes \"$inc\" without its layer's folder"
			bad=1
			continue
			;;
		esac
		to=${inc%%/*}
		if [ -z "${rank[$to]:-}" ]; then
			echo "${f#"$src"/}: includes \"$inc\", not in a layer"
			bad=1
		elif [ "$to" != "$layer" ] && [ "${rank[$to]}" -ge "${rank[$layer]}" ]; then
			echo "${f#"$src"/}: includes \"$inc\": $layer may not use $to"
			bad=1
		fi
	done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
done
exit $bad
