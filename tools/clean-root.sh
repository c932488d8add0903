#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run a command on a copy of this checkout inside a minimal Debian bookworm
# root (debootstrap --variant=minbase), where nothing is installed but what
# the command installs itself: a package missing from tools/install-deps.sh
# fails there, whatever this machine has installed by hand. The root is
# cached as debootstrap left it, before any install; every run starts from
# that copy and throws its changes away. It reaches the archive as this
# machine does (its apt sources and Acquire options are copied in). The
# kernel cache (~/.cache/iommutrace) is shared at the same path, and so are
# downloaded packages.
#
# usage: tools/clean-root.sh [--keep] [--shell] [--copy FILE]... -- CMD [ARGS...]
#   --keep     leave the root in /var/tmp after the run and say where
#   --shell    after CMD, an interactive shell in the root
#   --copy     put FILE in the root's /tmp (a package to install, say)
# CMD runs as root with bash -c in the copy of the checkout, with CI and
# IOMMUTRACE_* passed on. Example: tools/clean-root.sh -- 'tools/install-deps.sh && make check'
set -euo pipefail
. "$(dirname "$0")/vm/common.sh"

keep=
shell=
copies=()
while [ $# -gt 0 ]; do
	case $1 in
	--keep) keep=1; shift ;;
	--copy) [ -f "${2:-}" ] || die "--copy: '${2:-}' is not a file"; copies+=("$2"); shift 2 ;;
	--shell) shell=1; shift ;;
	-h|--help) sed -n '3,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--) shift; break ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
[ $# -gt 0 ] || die "no command given: tools/clean-root.sh -- CMD"
[ "$(id -u)" -eq 0 ] || die "must run as root: it makes a root file system and chroots into it"
for tool in debootstrap unshare chroot tar; do
	command -v "$tool" >/dev/null || die "'$tool' is missing: apt-get install debootstrap util-linux coreutils tar"
done

suite=bookworm
mkdir -p "$CACHE_DIR/roots" "$CACHE_DIR/debs/partial"
tarball=$CACHE_DIR/roots/$suite-minbase.tar

# --- the root as debootstrap left it, made once per machine -------------------
if [ ! -f "$tarball" ]; then
	mirror=$(debian_mirror)
	tmp=$(mktemp -d /var/tmp/iommutrace-debootstrap.XXXXXX)
	log "debootstrap --variant=minbase $suite from $mirror"
	debootstrap --variant=minbase "$suite" "$tmp" "$mirror" >"$tmp.log" 2>&1 ||
		{ tail -n 20 "$tmp.log" >&2; rm -rf --one-file-system "$tmp" "$tmp.log"; die "debootstrap failed"; }
	tar -C "$tmp" -cf "$tarball.tmp" .
	mv "$tarball.tmp" "$tarball"
	rm -rf --one-file-system "$tmp" "$tmp.log"
fi

# --- a throwaway copy of it, with this checkout in /src/iommutrace ------------
root=$(mktemp -d /var/tmp/iommutrace-root.XXXXXX)
chmod 755 "$root" # it is /: every user must be able to pass through it
cleanup() {
	if [ -n "$keep" ]; then
		log "the root is kept in $root"
	else
		# the mounts lived in unshare's namespace and are gone; never cross
		# into a file system that is still mounted, all the same
		rm -rf --one-file-system "$root"
	fi
}
trap cleanup EXIT
tar -C "$root" -xf "$tarball"
mkdir -p "$root/src/iommutrace"
tar -C "$TOP_DIR" --exclude=./build --exclude=./.git -cf - . | tar -C "$root/src/iommutrace" -xf -
[ ${#copies[@]} -eq 0 ] || cp "${copies[@]}" "$root/tmp/"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# How this machine reaches Debian's archive, as a fresh machine of its kind
# would: its sources and the Acquire options its apt needs for that mirror
# (a mirror whose Release files are past their Valid-Until, say); nothing
# of what it has installed.
if ls /etc/apt/sources.list.d/*.sources >/dev/null 2>&1 || [ -f /etc/apt/sources.list ]; then
	rm -f "$root/etc/apt/sources.list"
	cp /etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list.d/" 2>/dev/null || true
	[ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$root/etc/apt/"
fi
for f in /etc/apt/apt.conf.d/*; do
	grep -qs '^[[:space:]]*Acquire::' "$f" && cp "$f" "$root/etc/apt/apt.conf.d/"
done
[ -d /etc/apt/auth.conf.d ] && cp -r /etc/apt/auth.conf.d/. "$root/etc/apt/auth.conf.d/"
# a package's maintainer script must not start its service on this host
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod +x "$root/usr/sbin/policy-rc.d"

env_args=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive
	IOMMUTRACE_CACHE="$CACHE_DIR" CI="${CI:-}")
while IFS='=' read -r name value; do
	case $name in IOMMUTRACE_CACHE) ;; IOMMUTRACE_*) env_args+=("$name=$value") ;; esac
done < <(env)

# Mounts in a private namespace: the guest's proc and sys, the host's /dev
# (QEMU needs it), the kernel cache at its own path, the package cache.
inner="mount -t proc proc '$root/proc' &&
	mount -t sysfs sysfs '$root/sys' &&
	mount --rbind /dev '$root/dev' &&
	mkdir -p '$root$CACHE_DIR' '$root/var/cache/apt/archives' &&
	mount --bind '$CACHE_DIR' '$root$CACHE_DIR' &&
	mount --bind '$CACHE_DIR/debs' '$root/var/cache/apt/archives' &&
	exec chroot '$root' /usr/bin/env -i ${env_args[*]@Q} /bin/bash -c \"\$0\" "
script="cd /src/iommutrace && $*"
[ -n "$shell" ] && script="$script; rc=\$?; bash -i; exit \$rc"
log "running in a clean $suite root: $*"
# Inside another such root (a package test in CI), / is no mount point
# and cannot be made private; its mounts are private already, and so are
# their copies in a new namespace.
propagation=private
mountpoint -q / || propagation=unchanged
rc=0
unshare --mount --propagation "$propagation" /bin/bash -c "$inner" "$script" || rc=$?
exit $rc
