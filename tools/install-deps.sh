#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install what iommutrace needs from Debian's archive: the build by default,
# and with each option a group on top: --vm the test VM and the test suite
# (kernel build, QEMU, the kernel's selftests, the tools the tests call),
# --bench the benchmark's comparison library and its peer (bpftrace), --sanitize the sanitizer and
# fuzzer runtimes and valgrind, --clean-root what
# tools/clean-root.sh needs on the host. As root it runs apt-get; otherwise
# it prints the command to run. CI runs the test suite in a minimal Debian
# root with nothing but these installed (tools/clean-root.sh), so a package
# missing here fails there.
#
# usage: tools/install-deps.sh [--vm] [--bench] [--sanitize] [--clean-root]
set -euo pipefail

build_pkgs=(clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config
	libsodium-dev libsystemd-dev libmicrohttpd-dev make gcc)
# xz-utils: the test kernels are XZ-compressed (tinyconfig's choice);
# libcap-dev: the kernel's iommufd selftests; procps: pkill in the guest and
# /bin/kill, which the systemd unit's ExecReload names; iproute2: loopback up
# in the daemon's guest (its metrics endpoint); uuid-dev: the kernel's VFIO
# selftests; build-essential, debhelper, lintian and debootstrap: the
# Debian package's build, check and install into a minimal root; man-db,
# mandoc and bash-completion: the man pages' and the completion's tests;
# chromium and chromium-driver: the report's browser tests; prometheus:
# promtool, for the metrics and the alert rules
vm_pkgs=(qemu-system-x86 busybox-static flex bison bc cpio dwarves libssl-dev
	xz-utils libcap-dev jq kmod patch procps iproute2 systemd prometheus
	python3-jsonschema curl uuid-dev build-essential debhelper lintian debootstrap
	man-db mandoc bash-completion chromium chromium-driver)
bench_pkgs=(libjansson-dev bpftrace)
# clang's sanitizer and libFuzzer runtimes (not pulled in by clang without
# its recommends), valgrind for the golden replays
sanitize_pkgs=(libclang-rt-dev valgrind)
clean_root_pkgs=(debootstrap)

pkgs=("${build_pkgs[@]}")
for opt in "$@"; do
	case $opt in
	--vm) pkgs+=("${vm_pkgs[@]}") ;;
	--bench) pkgs+=("${bench_pkgs[@]}") ;;
	--sanitize) pkgs+=("${sanitize_pkgs[@]}") ;;
	--clean-root) pkgs+=("${clean_root_pkgs[@]}") ;;
	-h|--help) sed -n '3,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "install-deps: unknown option '$opt' (see --help)" >&2; exit 2 ;;
	esac
done

# The nested guest of the field tests needs QEMU's iommufd backend (-object
# iommufd), which QEMU has since 9.0: bookworm has 7.2, bookworm-backports
# 10.0. On bookworm an older QEMU counts as missing and comes from there.
qemu_min=1:9.0
want_qemu_backports=
qemu_too_old() {
	local v
	v=$(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null) || return 1
	dpkg-query -W -f='${Status}' qemu-system-x86 2>/dev/null | grep -q 'ok installed' || return 1
	! dpkg --compare-versions "$v" ge "$qemu_min"
}

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
if [[ " ${pkgs[*]} " == *" qemu-system-x86 "* ]] && [ "$codename" = bookworm ]; then
	if qemu_too_old || [[ " ${missing[*]} " == *" qemu-system-x86 "* ]]; then
		want_qemu_backports=1
		missing=("${missing[@]/qemu-system-x86/}")
		read -r -a missing <<<"${missing[*]}"
	fi
fi
[ ${#missing[@]} -eq 0 ] && [ -z "$want_qemu_backports" ] && exit 0

backports_list=/etc/apt/sources.list.d/iommutrace-bookworm-backports.sources
if [ "$(id -u)" -ne 0 ]; then
	[ ${#missing[@]} -eq 0 ] || {
		echo "install-deps: missing packages: ${missing[*]}" >&2
		echo "install-deps: run: sudo apt-get install -y ${missing[*]}" >&2
	}
	[ -z "$want_qemu_backports" ] ||
		echo "install-deps: QEMU $qemu_min or later is needed (the iommufd backend): add bookworm-backports to apt's sources and run: sudo apt-get install -y -t bookworm-backports qemu-system-x86" >&2
	exit 2
fi
export DEBIAN_FRONTEND=noninteractive
# apt_install ARGS...: apt-get install, again after an update when an old
# package list does not know a package yet
apt_install() {
	apt-get install -y -q --no-install-recommends "$@" >/dev/null ||
		{ apt-get update -q >&2 && apt-get install -y -q --no-install-recommends "$@" >/dev/null; }
}
if [ ${#missing[@]} -gt 0 ]; then
	echo "install-deps: installing ${missing[*]}" >&2
	apt_install "${missing[@]}"
fi
if [ -n "$want_qemu_backports" ]; then
	if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		# backports' suite on the mirror the machine already uses
		uri=$(. "$(dirname "$0")/vm/common.sh" && debian_mirror 2>/dev/null) ||
			uri=http://deb.debian.org/debian
		echo "install-deps: adding bookworm-backports ($uri) to apt's sources for QEMU $qemu_min+" >&2
		printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
			"$uri" >"$backports_list"
		apt-get update -q >&2
	fi
	echo "install-deps: installing qemu-system-x86 from bookworm-backports (the iommufd backend needs $qemu_min)" >&2
	apt_install -t bookworm-backports qemu-system-x86
fi
