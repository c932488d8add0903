#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Regenerate the checked-in vmlinux.h from the BTF of the test kernel
# (tools/vm/iommutrace.config): the host's own BTF has no iommufd types.
#
# usage: tools/gen-vmlinux-h.sh [--kernel NAME] [OUTPUT]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kernel_args=()
if [ "${1:-}" = --kernel ]; then
	kernel_args=(--kernel "$2")
	shift 2
fi
out=${1:-$top/vmlinux.h}
kdir=$("$top/tools/vm/build-kernel.sh" "${kernel_args[@]}" --print-dir)
bpftool btf dump file "$kdir/vmlinux.btf" format c >"$out.tmp"
mv "$out.tmp" "$out"
echo "gen-vmlinux-h: wrote $out from $(cat "$kdir/source")" >&2
