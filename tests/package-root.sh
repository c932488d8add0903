#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Inside a minimal Debian root (tools/clean-root.sh): install the package
# with apt, so that its Depends come from the archive as on a real machine;
# run it; purge it and its dependencies; and find nothing left behind. TAP
# lines on stdout, as tests/vm/lib.sh prints them.
# usage: tests/package-root.sh DEB
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/vm/lib.sh"
deb=$1
export DEBIAN_FRONTEND=noninteractive

# every path outside what apt and dpkg keep for themselves (their state,
# caches and logs) and the mounts
snapshot() {
	find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /run -o -path /tmp \
		-o -path /var/cache -o -path /var/log -o -path /var/lib/apt -o -path /var/lib/dpkg \
		-o -path /src -o -path "${IOMMUTRACE_CACHE:-/nonexistent}" \) -prune -o -print |
		sort
}

apt-get update -q >/tmp/apt-update.log 2>&1
expect_eq package/apt_update "$?" 0
snapshot >/tmp/before
dpkg-query -W -f='${Package}\n' | sort >/tmp/pkgs-before

apt-get install -y -q "$deb" >/tmp/install.log 2>&1
rc=$?
expect_eq package/apt_install "$rc" 0
[ "$rc" -eq 0 ] || sed 's/^/# /' /tmp/install.log | tail -n 20
expect_eq package/installed "$(dpkg-query -W -f='${Status}' iommutrace 2>&1)" \
	"install ok installed"
snapshot | grep -qx /usr/sbin/iommutrace
expect_eq package/snapshot_sees_the_package "$?" 0
# the Depends came from the archive: the libraries it links are installed
out=$(ldd /usr/sbin/iommutrace 2>&1 | grep 'not found')
expect_eq package/libraries_resolved "${out:-all}" all
expect_eq package/conffile "$(dpkg-query -W -f='${Conffiles}' iommutrace | awk '{ print $1 }')" \
	/etc/iommutrace/iommutrace.conf
expect_eq package/unit_not_enabled \
	"$(ls /etc/systemd/system/multi-user.target.wants/iommutrace.service 2>&1 >/dev/null | wc -l)" 1

# check: 0 where the kernel can be traced, 2 with the causes and fixes where not
out=$(iommutrace check 2>&1)
rc=$?
case $rc in
0) expect_eq package/check_runs "$(echo "$out" | grep -c '^kernel:')" 1 ;;
2) expect_eq package/check_runs "$(echo "$out" | grep -c -e '^kernel:' -e '^    fix: ')" \
	"$(($(echo "$out" | grep -c '^    fix: ') + 1))" ;;
*) fail package/check_runs "exit $rc: $(echo "$out" | tail -n 3 | tr '\n' '|')" ;;
esac
[ "$rc" -le 2 ] && echo "$out" | sed -n 's/^/# check: /; /tracing is not possible/,$p'

# the packaged configuration is the defaults, every setting of --print-config in it
iommutrace daemon --print-config >/tmp/effective 2>/tmp/err
expect_eq package/print_config "$?:$(cat /tmp/err)" "0:"
iommutrace daemon -c /dev/null --print-config >/tmp/defaults 2>&1
expect_same package/conffile_is_the_defaults "$(cat /tmp/effective)" "$(cat /tmp/defaults)"
missing=
for key in $(grep -v '^#' /tmp/effective | sed 's/ = .*//'); do
	grep -q "^#$key =" /etc/iommutrace/iommutrace.conf || missing="$missing $key"
done
expect_eq package/conffile_documents_every_setting "${missing:-none}" none
expect_eq package/man_page "$(zcat /usr/share/man/man8/iommutrace.8.gz | grep -c '^\.SH COMMANDS')" 1

# purge: the package, then what apt installed for it
apt-get purge -y -q iommutrace >/tmp/purge.log 2>&1
expect_eq package/apt_purge "$?" 0
apt-get autoremove --purge -y -q >>/tmp/purge.log 2>&1
expect_eq package/autoremove "$?" 0
expect_eq package/gone "$(dpkg-query -W -f='${Status}' iommutrace 2>/dev/null)" ""
dpkg-query -W -f='${Package}\n' | sort >/tmp/pkgs-after
expect_eq package/dependencies_gone "$(comm -3 /tmp/pkgs-before /tmp/pkgs-after | tr -d '\t' | tr '\n' ' ')" ""
snapshot >/tmp/after
left=$(comm -13 /tmp/before /tmp/after | tr '\n' ' ')
expect_eq package/nothing_left_behind "${left:-nothing}" nothing
gone=$(comm -23 /tmp/before /tmp/after | tr '\n' ' ')
expect_eq package/nothing_taken "${gone:-nothing}" nothing
expect_eq package/dpkg_info_gone "$(ls /var/lib/dpkg/info/iommutrace.* 2>/dev/null | wc -l)" 0
