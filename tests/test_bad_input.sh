#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Bad input on the host, where nothing can be traced (no iommufd, no
# kprobes): each case exits 2 with a message naming the cause and the fix,
# and nothing that existed is modified. Where tracing cannot start, `record`
# must leave its output path exactly as it found it.
# usage: test_bad_input.sh BUILD_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/vm/lib.sh"
it=$(cd "$1" && pwd)/iommutrace
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

# state PATH: what is there, to compare before and after
state() {
	if [ -L "$1" ]; then
		echo "link -> $(readlink "$1"), target $(md5sum <"$1" 2>/dev/null | cut -c1-32)"
	elif [ -e "$1" ]; then
		echo "$(stat -c '%F %s %Y %i' "$1") $( [ -f "$1" ] && md5sum <"$1" | cut -c1-32)"
	else
		echo absent
	fi
}

# expect_refused NAME MESSAGE PATH ARGS...: exit 2, MESSAGE on stderr, PATH
# and the directory as they were
expect_refused() {
	local name=$1 msg=$2 path=$3 before listing
	shift 3
	before=$(state "$path")
	listing=$(ls -A "$tmp")
	"$it" "$@" >"$tmp.out" 2>"$tmp.err"
	expect_eq "$name/exit" $? 2
	if grep -q -- "$msg" "$tmp.err"; then
		pass "$name/says_why"
	else
		fail "$name/says_why" "no '$msg' in: $(tr '\n' '|' <"$tmp.err")"
	fi
	expect_eq "$name/untouched" "$(state "$path")" "$before"
	expect_eq "$name/nothing_left" "$(ls -A "$tmp")" "$listing"
}

echo precious >old.itr
expect_refused record/exists "exists: give --force" old.itr record -o old.itr
# with --force the file is replaced only once tracing runs; here it never does
expect_refused record/force_no_tracing "cannot trace here" old.itr record --force -o old.itr
expect_refused record/new_no_tracing "cannot trace here" new.itr record -o new.itr
ln -s old.itr link.itr
expect_refused record/symlink "not a regular file" link.itr record --force -o link.itr
expect_refused record/symlink_target "not a regular file" old.itr record --force -o link.itr
mkfifo fifo
expect_refused record/fifo "not a regular file" fifo record --force -o fifo
mkdir dir
expect_refused record/directory "not a regular file" dir record --force -o dir
if [ "$(id -u)" = 0 ]; then
	mknod dev c 1 3 # /dev/null's numbers: a device node of our own
	expect_refused record/device "not a regular file" dev record --force -o dev
else
	skip record/device "needs root to make a device node"
fi
expect_refused record/no_directory "No such file or directory" missing/x.itr record -o missing/x.itr
