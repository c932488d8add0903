#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The structure of the sources: the layers of src/ (tools/check-layers.sh),
# no include pointing up or sideways; no function longer than 80 lines
# without a reason beside it (tools/long-functions.sh); and each check
# finds what it looks for in a copy broken on purpose.
# usage: test_layers.sh BUILD_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/vm/lib.sh"
top=$(cd "$here/.." && pwd)
check=$top/tools/check-layers.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if out=$("$check" "$top/src" 2>&1); then
	pass layers/one_way
else
	fail layers/one_way "$(echo "$out" | head -n 5 | tr '\n' '|')"
fi

# a copy with one include that points up, one sideways, one without its folder
cp -r "$top/src" "$tmp/src"
sed -i '0,/^#include "/s//#include "out\/sinks.h"\n#include "/' "$tmp/src/model/graph.c"
sed -i '0,/^#include "/s//#include "model\/graph.h"\n#include "/' "$tmp/src/kernel/loader.c"
sed -i '0,/^#include "/s//#include "json.h"\n#include "/' "$tmp/src/base/text.c"
out=$("$check" "$tmp/src" 2>&1)
expect_eq layers/broken_exit $? 1
expect_eq layers/broken_found "$(echo "$out" | sort | tr '\n' '|')" \
	'base/text.c: includes "json.h" without its layer'"'"'s folder|kernel/loader.c: includes "model/graph.h": kernel may not use model|model/graph.c: includes "out/sinks.h": model may not use out|'

# --- no long function without a reason ---------------------------------------
if out=$("$top/tools/long-functions.sh" 2>&1); then
	pass functions/short
	[ -n "$out" ] && echo "$out" | sed 's/^/# long, with a reason: /'
else
	fail functions/short "$(echo "$out" | grep 'no reason' | head -n 5 | tr '\n' '|')"
fi
{
	printf 'static int long_one(void)\n{\n'
	for i in $(seq 90); do printf '\tx += %d;\n' "$i"; done
	printf '\treturn x;\n}\n\n/* Long: a table of ninety cases, clearer whole */\nstatic int excused(void)\n{\n'
	for i in $(seq 90); do printf '\tx += %d;\n' "$i"; done
	printf '\treturn x;\n}\n'
} >"$tmp/long.c"
out=$("$top/tools/long-functions.sh" "$tmp/long.c")
expect_eq functions/long_found $? 1
expect_eq functions/long_listed "$(echo "$out" | sed 's|^\([0-9]*\) .*long.c:[0-9]* |\1 |' | tr '\n' '|')" \
	"91 long_one: no reason given|91 excused (a table of ninety cases, clearer whole)|"
