#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make install` into a scratch prefix: the unit passes systemd-analyze
# verify, its exposure score is the one README states, the installed
# configuration parses and documents every setting.
# usage: test_systemd_unit.sh BUILD_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/vm/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

make -s -C "$top" O="$(cd "$1" && pwd)" install PREFIX="$tmp/usr" SYSCONFDIR="$tmp/etc" \
	>"$tmp/install.log" 2>&1
expect_eq unit/make_install $? 0
unit=$tmp/usr/lib/systemd/system/iommutrace.service
it=$tmp/usr/sbin/iommutrace

# (it runs man for the Documentation= pages: those installed with it)
out=$(MANPATH=$tmp/usr/share/man systemd-analyze verify "$unit" 2>&1)
expect_eq unit/verify "$?:$out" "0:"
expect_eq unit/execstart "$(sed -n 's/^ExecStart=//p' "$unit")" \
	"$it daemon --config $tmp/etc/iommutrace/iommutrace.conf"

score=$(systemd-analyze security --offline=yes "$unit" 2>&1 |
	sed -n 's/.*Overall exposure level for iommutrace.service: \([0-9.]*\).*/\1/p')
readme=$(sed -n 's/.*exposure level \*\*\([0-9.]*\)\*\*.*/\1/p' "$top/README.md" | head -n 1)
expect_eq unit/exposure_as_in_readme "$score" "$readme"
# only the capabilities the daemon needs, and no way to gain more
expect_eq unit/capabilities "$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")" \
	"CAP_BPF CAP_PERFMON CAP_SYSLOG"
expect_eq unit/no_new_privileges "$(sed -n 's/^NoNewPrivileges=//p' "$unit")" yes
expect_eq unit/protect_system "$(sed -n 's/^ProtectSystem=//p' "$unit")" strict
expect_eq unit/type_notify "$(sed -n 's/^Type=//p' "$unit")" notify

conf=$tmp/etc/iommutrace/iommutrace.conf
"$it" daemon -c "$conf" --print-config >"$tmp/effective" 2>"$tmp/err"
expect_eq conf/parses "$?:$(cat "$tmp/err")" "0:"
missing=
for key in $(grep -v '^#' "$tmp/effective" | sed 's/ = .*//'); do
	grep -q "^#$key =" "$conf" || missing="$missing $key"
done
expect_eq conf/documents_every_setting "${missing:-none}" none
# the first commented value of each setting is its default
sets=()
while IFS= read -r line; do
	sets+=(--set "$line")
done < <(sed -n 's/^#\([a-z_]*\) =[ ]*\(.*\)$/\1=\2/p' "$conf" | awk -F= '!seen[$1]++')
"$it" daemon -c /dev/null --print-config >"$tmp/defaults" 2>&1
"$it" daemon -c /dev/null "${sets[@]}" --print-config >"$tmp/commented" 2>&1
expect_eq conf/comments_are_defaults "${#sets[@]} $(diff "$tmp/commented" "$tmp/defaults" \
	>/dev/null && echo same)" "$((2 * $(grep -vc '^#' "$tmp/defaults"))) same"
