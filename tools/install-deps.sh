#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install what iommutrace needs from Debian's archive: the build by default,
# the test VM (kernel build, QEMU, test tools) with --vm, the benchmark's
# comparison library with --bench. As root it runs
# apt-get; otherwise it prints the command to run.
#
# usage: tools/install-deps.sh [--vm | --bench]
set -euo pipefail

build_pkgs=(clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config
	libsodium-dev libsystemd-dev libmicrohttpd-dev make gcc)
vm_pkgs=(qemu-system-x86 busybox-static flex bison bc cpio dwarves libssl-dev
	jq kmod patch systemd prometheus python3-jsonschema curl)

bench_pkgs=(libjansson-dev)

pkgs=("${build_pkgs[@]}")
[ "${1:-}" = --vm ] && pkgs+=("${vm_pkgs[@]}")
[ "${1:-}" = --bench ] && pkgs+=("${bench_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing[*]}" >&2
	echo "install-deps: run: sudo apt-get install -y ${missing[*]}" >&2
	exit 2
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# an old package list may not know a package yet
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
	{ apt-get update -q >&2 &&
	  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; }
