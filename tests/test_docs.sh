#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The man pages and the bash completion as `make install` puts them: the
# pages render without a warning (groff -ww, mandoc -T lint, man
# --warnings); iommutrace(8) has every command and, under it, every option
# that command's --help lists, and iommutrace.conf(5) every setting that
# --print-config prints, with its default; the completion loads the way
# bash-completion loads it and offers what the program accepts.
# usage: test_docs.sh BUILD_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/vm/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

make -s -C "$top" O="$(cd "$1" && pwd)" install PREFIX="$tmp/usr" SYSCONFDIR="$tmp/etc" \
	>"$tmp/install.log" 2>&1
expect_eq docs/make_install "$?" 0
it=$tmp/usr/sbin/iommutrace
man8=$tmp/usr/share/man/man8/iommutrace.8
man5=$tmp/usr/share/man/man5/iommutrace.conf.5
comp=$tmp/usr/share/bash-completion/completions/iommutrace

# --- they render, without a warning -------------------------------------------
for page in "$man8" "$man5"; do
	name=$(basename "$page")
	out=$(groff -ww -b -z -man -Tutf8 "$page" 2>&1)
	expect_eq "man/$name/groff_ww" "$?:$out" "0:"
	out=$(mandoc -T lint -W warning "$page" 2>&1)
	expect_eq "man/$name/mandoc_lint" "$?:$out" "0:"
	out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >"$tmp/$name.txt")
	expect_eq "man/$name/man_warnings" "$?:$out" "0:"
done
grep -q '^COMMANDS' "$tmp/iommutrace.8.txt" && grep -q '^SETTINGS' "$tmp/iommutrace.conf.5.txt"
expect_eq man/rendered_sections $? 0

# --- every command and option of --help, under its command --------------------
cmds=$("$it" --help | sed -n '/^COMMANDS/,/^$/p' | awk 'NR > 1 && NF { print $1 }')
missing=
ncmds=0 nopts=0
for c in $cmds; do
	ncmds=$((ncmds + 1))
	grep -q "^\\.SS \"\\?$c[ \"]" "$man8" || grep -q "^\\.SS $c\$" "$man8" ||
		{ missing="$missing $c"; continue; }
	[ "$c" = help ] || [ "$c" = version ] && continue
	# the command's subsection, as rendered
	sed -n "/^   $c /,/^   [a-z]/p" "$tmp/iommutrace.8.txt" >"$tmp/section"
	for o in $("$it" help "$c" | sed -n '/^OPTIONS/,/^$/p' | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		nopts=$((nopts + 1))
		grep -q -- "^       \(-[a-zA-Z], \)\?$o\b" "$tmp/section" || missing="$missing $c:$o"
	done
done
expect_eq man/every_command_and_option "${missing:-none} ($ncmds commands)" \
	"none ($("$it" --help | sed -n '/^COMMANDS/,/^$/p' | awk 'NR > 1 && NF' | wc -l) commands)"
[ "$nopts" -ge 40 ]
expect_eq man/options_counted "$? ($nopts)" "0 ($nopts)"

# every setting, with the default --print-config prints (a size may be 4M)
missing=
while IFS=' =' read -r key def; do
	line=$(grep -A1 "^\\\\fB$key\\\\fR = " "$man5" | head -n 1)
	[ -n "$line" ] || { missing="$missing $key"; continue; }
	shown=$(echo "$line" | sed -n 's/.*\\fI\(.*\)\\fR.*/\1/p')
	# the man page's default, read back by the daemon, is the default
	back=$("$it" daemon -c /dev/null --set "$key=$shown" --print-config 2>&1 | grep "^$key = ")
	[ "$back" = "$key = $def" ] || missing="$missing $key($shown!=$def)"
done < <("$it" daemon -c /dev/null --print-config | grep -v '^#' | sed 's/ = / /')
expect_eq man/every_setting_with_its_default "${missing:-none}" none

# the checks above find what is missing: a page with an option and a setting cut
sed -e '/^\\fB\\-\\-long\\-wait\\fR/d' -e '/^\\fB\\-w\\fR, \\fB\\-\\-long\\-wait/d' "$man8" \
	>"$tmp/cut.8"
MANWIDTH=80 man -l "$tmp/cut.8" 2>/dev/null | sed -n "/^   live /,/^   [a-z]/p" >"$tmp/cut"
grep -q -- "^       \(-[a-zA-Z], \)\?--long-wait\b" "$tmp/cut"
expect_eq man/cut_option_is_found "$?" 1
grep -q '^\\fBowner\\fR = ' <(sed '/^\\fBowner\\fR = /d' "$man5")
expect_eq man/cut_setting_is_found "$?" 1

# --- bash completion ---------------------------------------------------------
# complete LINE prints the candidates for the cursor at LINE's end, from the
# completion that bash-completion's loader finds under the prefix
cat >"$tmp/drive.sh" <<'EOF'
set -u
. /usr/share/bash-completion/bash_completion
compopt() { :; } # outside a real completion, options are no-ops
_completion_loader iommutrace 2>/dev/null
complete -p iommutrace
complete() {
	local words
	COMP_LINE=$1 COMP_POINT=${#1}
	read -ra COMP_WORDS <<<"$1"
	[[ $1 == *' ' ]] && COMP_WORDS+=('')
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_iommutrace iommutrace "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
	echo
}
EOF
mkdir -p "$tmp/traces/sub" && touch "$tmp/traces/a.itr" "$tmp/traces/b.itr" "$tmp/traces/notes.txt"
mkdir -p "$tmp/plain" && touch "$tmp/plain/run1.trace"
drive() {
	(cd "$2" && XDG_DATA_DIRS="$tmp/usr/share" bash -c ". '$tmp/drive.sh' >'$tmp/spec' && complete '$1'")
}
drive "iommutrace " "$tmp" >/dev/null
expect_eq completion/loaded_by_bash_completion "$(cat "$tmp/spec")" "complete -F _iommutrace iommutrace"
expect_completion() { # NAME LINE EXPECTED [DIR]
	expect_eq "completion/$1" "$(drive "$2" "${4:-$tmp}")" "$3 "
}
sorted() { printf '%s\n' "$@" | sort | tr '\n' ' ' | sed 's/ $//'; }
expect_completion commands "iommutrace " "$(sorted $cmds)"
expect_completion command_prefix "iommutrace re" "record replay report"
expect_completion live_options "iommutrace live --" \
	"$(sorted $("$it" help live | sed -n '/^OPTIONS/,/^$/p' | grep -o -- '--[a-z][a-z-]*' | sort -u))"
expect_completion default_is_live "iommutrace --at" "--attach"
expect_completion daemon_options "iommutrace daemon --print" "--print-config"
# every type --help names, and the word after a comma
types=$("$it" help live | sed -n '/^OPTIONS/,/^$/p' | sed -n '/--type/,/--long-wait/p' |sed -e '1s/.*types://' -e '$d' |
	tr ',' ' ')
expect_completion types "iommutrace live --type " "$(sorted $types)"
expect_completion type_after_comma "iommutrace replay -t vdevice,hw" \
	"vdevice,hw_queue vdevice,hwpt_nested vdevice,hwpt_paging"
expect_completion attach_values "iommutrace record --attach " "auto fentry kprobe"
expect_completion check_attach "iommutrace check -a k" "kprobe"
expect_completion stacks_values "iommutrace live --stacks=" "all none proof"
expect_completion owner_values "iommutrace replay --owner " "full hash omit"
expect_completion graph_format "iommutrace graph -f " "dot json tree"
expect_completion help_commands "iommutrace help " \
	"$(sorted $(echo "$cmds" | grep -vx -e help -e version))"
# the configuration's keys, and a key's values, as --print-config has them
keys=$("$it" daemon -c /dev/null --print-config | grep -v '^#' | sed 's/ = .*/=/')
expect_completion set_keys "iommutrace daemon --set " "$(sorted $keys)"
expect_completion set_key_values "iommutrace daemon -s log=" "log=auto log=journal log=stderr"
expect_completion set_bool "iommutrace daemon --set export_compress=" \
	"export_compress=no export_compress=yes"
for kv in log=journal log=stderr export_compress=no stacks=all attach=kprobe owner=omit; do
	"$it" daemon -c /dev/null --set "$kv" --print-config >/dev/null 2>&1 ||
		fail completion/values_are_accepted "$kv"
done
# trace files: *.itr and directories first, any file where there is none
expect_completion replay_traces "iommutrace replay " "a.itr b.itr sub" "$tmp/traces"
expect_completion replay_any_file "iommutrace replay " "run1.trace" "$tmp/plain"
expect_completion record_output "iommutrace record -o " "a.itr b.itr notes.txt sub" "$tmp/traces"
# after --, the command to trace, as bash completes commands
expect_completion command_after_dashdash "iommutrace live -- trueXX" ""
[ "$(drive "iommutrace record -o x.itr -- ech" "$tmp" | tr ' ' '\n' | sort -u | tr -d '\n')" = echo ]
expect_eq completion/command_after_dashdash_found $? 0
expect_completion report_traces "iommutrace report -o x.html " "a.itr b.itr sub" "$tmp/traces"
