#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make demo`: boot the test kernel in QEMU and show iommutrace at work on
# the scenarios, one after the other.
# usage: tools/demo.sh [BUILD_DIR]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
exec "$top/tools/vm/run.sh" -- "$top/tools/demo-guest.sh" "$build"
