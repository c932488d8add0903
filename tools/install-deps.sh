#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install what iommutrace needs from Debian's archive: the build by default,
# and with each option a group on top: --vm the test VM and the test suite
# (kernel build, QEMU, the kernel's selftests, the tools the tests call),
# --bench the benchmark's comparison library, --clean-root what
# tools/clean-root.sh needs on the host. As root it runs apt-get; otherwise
# it prints the command to run. CI runs the test suite in a minimal Debian
# root with nothing but these installed (tools/clean-root.sh), so a package
# missing here fails there.
#
# usage: tools/install-deps.sh [--vm] [--bench] [--clean-root]
set -euo pipefail

build_pkgs=(clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config
	libsodium-dev libsystemd-dev libmicrohttpd-dev make gcc)
# xz-utils: the test kernels are XZ-compressed (tinyconfig's choice);
# libcap-dev: the kernel's iommufd selftests; procps: pkill in the guest and
# /bin/kill, which the systemd unit's ExecReload names; iproute2: loopback up
# in the daemon's guest (its metrics endpoint)
vm_pkgs=(qemu-system-x86 busybox-static flex bison bc cpio dwarves libssl-dev
	xz-utils libcap-dev jq kmod patch procps iproute2 systemd prometheus
	python3-jsonschema curl)
bench_pkgs=(libjansson-dev)
clean_root_pkgs=(debootstrap)

pkgs=("${build_pkgs[@]}")
for opt in "$@"; do
	case $opt in
	--vm) pkgs+=("${vm_pkgs[@]}") ;;
	--bench) pkgs+=("${bench_pkgs[@]}") ;;
	--clean-root) pkgs+=("${clean_root_pkgs[@]}") ;;
	-h|--help) sed -n '3,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "install-deps: unknown option '$opt' (see --help)" >&2; exit 2 ;;
	esac
done

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
