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

# --- wrong options and files: exit 2, the option or file and the fix named,
# no control byte in the message -------------------------------------------
# expect_msg NAME MESSAGE ARGS...
expect_msg() {
	local name=$1 msg=$2
	shift 2
	timeout 10 "$it" "$@" >/dev/null 2>"$tmp.err" </dev/null
	expect_eq "$name/exit" $? 2
	if grep -qF -- "$msg" "$tmp.err"; then
		pass "$name/says_why"
	else
		fail "$name/says_why" "no '$msg' in: $(tr '\n' '|' <"$tmp.err" | cat -v)"
	fi
	if LC_ALL=C grep -q '[[:cntrl:]]' <(tr -d '\n' <"$tmp.err"); then
		fail "$name/printable" "a control byte: $(cat -v "$tmp.err" | head -n 3)"
	else
		pass "$name/printable"
	fi
}
mkfifo replay.fifo
expect_msg opt/long_wait_zero "--long-wait '0': give a whole number from 1 to 3600000" live --long-wait 0
expect_msg opt/long_wait_overflow "give a whole number from 1 to 3600000" live --long-wait 99999999999999999999999
expect_msg opt/ringbuf_overflow "--ringbuf-size '17179869184G': give a power of two" live --ringbuf-size 17179869184G
expect_msg opt/ringbuf_not_pow2 "give a power of two from 4K to 1G" record -o x.itr --ringbuf-size 3M
expect_msg opt/duration_zero "--duration '0': give a whole number from 1 to 31536000" graph --duration 0
expect_msg opt/duration_hex "--duration '0x10'" live --duration 0x10
expect_msg opt/pid_zero "--pid '0': give a whole number from 1 to 4194304" live --pid 0
expect_msg opt/long_option_no_value "option --duration needs a value" live --duration
expect_msg opt/short_option_no_value "option -o needs a value" record -o
expect_msg opt/unknown "option '--bogus' is unknown" live --bogus
expect_msg opt/type_empty "--type '' names no type: give one or more of" live --type ''
expect_msg opt/type_unknown "unknown object type 'bogus'" live --type bogus
expect_msg opt/owner "--owner is full, hash or omit, not 'x'" replay --owner x old.itr
expect_msg opt/graph_file_and_duration "give a trace file or --duration SEC" graph --duration 5 old.itr
expect_msg opt/graph_format "--format is tree, dot or json" graph --format svg old.itr
expect_msg opt/stacks "--stacks 'maybe': give proof, all or none" live --stacks maybe
expect_msg opt/stacks_yes "--stacks 'yes': give proof, all or none" record -o x.itr --stacks yes
expect_msg opt/attach "--attach 'uprobe': give auto, fentry or kprobe" live --attach uprobe
expect_msg opt/check_attach "--attach 'kfunc': give auto, fentry or kprobe" check --attach kfunc
expect_msg opt/no_command "no command 'bogus'" bogus
expect_msg file/missing "can't open /nonexistent.itr: No such file or directory" replay /nonexistent.itr
expect_msg file/directory "dir is not a regular file (a directory)" replay dir
expect_msg file/fifo "replay.fifo is not a regular file (a FIFO)" replay replay.fifo
expect_msg file/device "/dev/null is not a regular file (a device)" graph /dev/null
expect_msg file/foreign "old.itr is not an iommutrace trace file" replay old.itr
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	# unreadable: a recording of mode 000, read by root without the
	# capabilities that override file modes (another user might not reach
	# the libraries of a build)
	cp "$here/golden/stock-close-all.itr" secret.itr && chmod 000 secret.itr
	setpriv --inh-caps=-dac_override,-dac_read_search \
		--bounding-set=-dac_override,-dac_read_search -- \
		"$it" replay secret.itr >/dev/null 2>"$tmp.err"
	expect_eq file/unreadable/exit $? 2
	grep -qF "can't open secret.itr: Permission denied" "$tmp.err" &&
		pass file/unreadable/says_why || fail file/unreadable/says_why "$(cat "$tmp.err")"
else
	skip file/unreadable "needs root and setpriv to drop CAP_DAC_OVERRIDE"
fi
expect_msg conf/unknown "--set 'colour=blue': unknown setting 'colour'" daemon -c /dev/null --set colour=blue
expect_msg conf/listen "give a loopback ADDRESS:PORT" daemon -c /dev/null --set 'metrics_listen = 127.foo:1'
expect_msg conf/number "give a whole number from 1 to 3600000" daemon -c /dev/null --set long_wait_ms=010x
expect_msg conf/missing_file "can't read /nonexistent.conf" daemon -c /nonexistent.conf
# the daemon's stderr (not a terminal) is for a log: every line has its level
timeout 10 "$it" daemon -c /dev/null --set log=stderr >/dev/null 2>"$tmp.err" </dev/null
expect_eq daemon/exit_without_iommufd $? 2
if [ -s "$tmp.err" ] && ! grep -qv '^<[0-7]>' "$tmp.err"; then
	pass daemon/every_line_has_its_level
else
	fail daemon/every_line_has_its_level "$(head -n 5 "$tmp.err" | cat -v)"
fi
