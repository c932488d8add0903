#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make demo`: boot the stock test kernel in QEMU and show iommutrace at
# work on the scenarios (no violation), then boot a kernel with the
# 6.13-6.16 "vDEVICE outlives its device" behaviour put back and show it
# caught.
# usage: tools/demo.sh [BUILD_DIR]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
"$top/tools/vm/run.sh" -- "$top/tools/demo-guest.sh" "$build" stock
"$top/tools/vm/run.sh" --variant vdev-outlives-idev -- \
	"$top/tools/demo-guest.sh" "$build" vdev-outlives-idev || [ $? -eq 1 ]
