#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in a guest of a stock kernel (every bug off): iommufd-scenario
# unbind-race under `iommutrace record`, its trace file, ids and exit
# status into OUTDIR.
# usage: guest-unbind-race.sh BUILD_DIR OUTDIR
set -u
B=$1
DEST=$2
OUT=/tmp/iommutrace-out
mkdir -p "$OUT"
STEPS=$OUT/steps
. "$(dirname "$0")/guest-lib.sh"
save_bugs "$OUT/bugs"
cd "$OUT" && $B/iommutrace record -o unbind-race.itr -- \
	sh -c "exec $B/iommufd-scenario unbind-race >unbind-race.ids" 2>unbind-race.err
echo $? >"$OUT/unbind-race.rc"
cp "$OUT"/* "$DEST"/
exit 0
