#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make demo`: boot the stock test kernel in QEMU and show iommutrace at
# work on the scenarios (no violation), then boot it again with the
# 6.13-6.16 "vDEVICE outlives its device" behaviour switched on
# (iommufd.bug_vdev_outlives_idev=1) and show it caught.
# usage: tools/demo.sh [BUILD_DIR]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
"$top/tools/vm/run.sh" -- "$top/tools/demo-guest.sh" "$build" stock
"$top/tools/vm/run.sh" --bug vdev-outlives-idev -- \
	"$top/tools/demo-guest.sh" "$build" vdev-outlives-idev || [ $? -eq 1 ]
