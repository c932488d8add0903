#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The layers of src/ (tools/check-layers.sh): no include points up or
# sideways; and the check itself finds one that does.
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
