#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The Debian package: dpkg-buildpackage -us -uc -b builds it from a copy of
# the tree; it holds the binary, the unit (not enabled), the configuration
# as a conffile, the schemas, the man pages and the completion; lintian
# finds no error and no warning, and every tag it still reports is one
# README lists with its reason; installed with apt into a minimal Debian
# root (tests/package-root.sh), it runs and purges without a trace.
# usage: test_package.sh BUILD_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/vm/lib.sh"
tmp=$(mktemp -d /var/tmp/iommutrace-package.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

version=$(sed -n '1s/^iommutrace (\([^)]*\)).*/\1/p' "$top/debian/changelog")
src=$tmp/iommutrace-$version
mkdir -p "$src"
tar -C "$top" --exclude=./build --exclude=./.git -cf - . | tar -C "$src" -xf -
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1
rc=$?
expect_eq package/dpkg_buildpackage "$rc" 0
[ "$rc" -eq 0 ] || { grep -m 5 -i -e error -e 'not found' "$tmp/build.log" | sed 's/^/# /'; exit 0; }
deb=$tmp/iommutrace_${version}_$(dpkg --print-architecture).deb
expect_eq package/deb_built "$(ls "$deb" 2>&1)" "$deb"

# the package's version is the program's
expect_eq package/version "$(dpkg-deb -f "$deb" Version)" \
	"$("$1/iommutrace" version | sed 's/^iommutrace \([^ ]*\).*/\1/')"
# what it holds
dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' >"$tmp/files"
missing=
for f in /usr/sbin/iommutrace /lib/systemd/system/iommutrace.service \
	/etc/iommutrace/iommutrace.conf /usr/share/iommutrace/iommutrace-v2.schema.json \
	/usr/share/iommutrace/iommutrace-v1.schema.json /usr/share/man/man8/iommutrace.8.gz \
	/usr/share/man/man5/iommutrace.conf.5.gz /usr/share/bash-completion/completions/iommutrace \
	/usr/share/doc/iommutrace/copyright /usr/share/doc/iommutrace/README.md; do
	grep -qx "$f" "$tmp/files" || missing="$missing $f"
done
expect_eq package/contents "${missing:-all there}" "all there"
dpkg-deb --ctrl-tarfile "$deb" | tar -C "$tmp" -xf - ./conffiles
expect_eq package/conffiles "$(cat "$tmp/conffiles")" /etc/iommutrace/iommutrace.conf
expect_eq package/unit_in_package "$(dpkg-deb --fsys-tarfile "$deb" |
	tar -xOf - ./lib/systemd/system/iommutrace.service | sed -n 's/^ExecStart=//p')" \
	"/usr/sbin/iommutrace daemon --config /etc/iommutrace/iommutrace.conf"

# lintian: no error, no warning; every other tag is in README's list
lintian -E -I --pedantic --tag-display-limit 0 "$tmp"/iommutrace_"${version}"_*.changes \
	>"$tmp/lintian" 2>&1
grep -v -e '^N:' -e 'running with root privileges' "$tmp/lintian" | sed 's/^/# lintian: /'
expect_eq package/lintian_errors "$(grep -c '^E:' "$tmp/lintian")" 0
expect_eq package/lintian_warnings "$(grep -c '^W:' "$tmp/lintian")" 0
unlisted=
for tag in $(sed -n 's/^[IPXO]: [^ ]*: \([a-z0-9.+-]*\).*/\1/p' "$tmp/lintian" | sort -u); do
	grep -q "^| \`$tag\` |" "$top/README.md" || unlisted="$unlisted $tag"
done
expect_eq package/lintian_tags_in_readme "${unlisted:-none}" none

# installed with apt into a minimal Debian root, run, purged
"$top/tools/clean-root.sh" --copy "$deb" -- tests/package-root.sh "/tmp/$(basename "$deb")" \
	>"$tmp/root.log" 2>&1
rc=$?
grep -e '^ok ' -e '^not ok ' -e '^skip ' -e '^#' "$tmp/root.log"
[ "$rc" -eq 0 ] || grep -q '^ok package/apt_install' "$tmp/root.log" ||
	fail package/scratch_root "exit $rc: $(tail -n 3 "$tmp/root.log" | tr '\n' '|')"
