#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A million object lifecycles (a golden recording of the stock kernel, played
# again and again) through the daemon's pipeline and sinks: its heap stays
# flat after the warm-up, and a control that forgets nothing is seen to grow
# (tests/longrun/longrun.c says how).
# usage: test_longrun.sh BUILD_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/vm/lib.sh"
bin=$(cd "$1" && pwd)/longrun
if [ ! -x "$bin" ]; then
	fail longrun/built "no $bin: make check builds it"
	exit 0
fi
"$bin" "$here/golden/stock-close-all.itr" 1000000
rc=$?
[ "$rc" = 0 ] || [ "$rc" = 1 ] || fail longrun/exit "longrun exited $rc"
