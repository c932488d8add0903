# SPDX-License-Identifier: GPL-2.0
# Helpers for the VM tests: results as "ok NAME", "not ok NAME: why" or
# "skip NAME: why", one per line, counted by tests/run.sh.

lib_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# vm_test_setup BUILD_DIR: $build (absolute) and a scratch $out removed at exit
vm_test_setup() {
	build=$(cd "$1" && pwd)
	# IOMMUTRACE_TEST_OUT=DIR keeps the guests' outputs there, to look at
	if [ -n "${IOMMUTRACE_TEST_OUT:-}" ]; then
		out=$IOMMUTRACE_TEST_OUT
		mkdir -p "$out" || exit 1
	else
		out=$(mktemp -d /tmp/iommutrace-test.XXXXXX)
		trap 'rm -rf "$out"' EXIT
	fi
}

# The kernels of the matrix with the vIOMMU uAPI (6.13 and later), on which
# the scenarios, the bugs and the selftests run: the Makefile's TEST_KERNELS;
# IOMMUTRACE_TEST_KERNELS narrows it (to "7.2" while working on a test, say).
VM_KERNELS=${IOMMUTRACE_TEST_KERNELS:-$(sed -n 's/^TEST_KERNELS := //p' "$lib_top/Makefile")}

# Results; TEST_PREFIX (a kernel's "7.3/", say) goes before every name.
pass() { echo "ok ${TEST_PREFIX:-}$1"; }
fail() { echo "not ok ${TEST_PREFIX:-}$1: $2"; }
skip() { echo "skip ${TEST_PREFIX:-}$1: $2"; }

# expect_eq NAME GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi
}

# expect_ms NAME MS LOW HIGH: a time in ms, LOW <= MS < HIGH
expect_ms() {
	if [ -n "$2" ] && [ "$2" -ge "$3" ] 2>/dev/null && [ "$2" -lt "$4" ]; then
		pass "$1"
	else
		fail "$1" "took '$2' ms, want $3 ms to under $4 ms"
	fi
}

# expect_same NAME GOT WANT: equal, and something to compare (two empty
# outputs, from a failed run or a wrong filter, are not a match); a
# mismatch shows the first line that differs
expect_same() {
	if [ -z "$2" ]; then
		fail "$1" "nothing to compare: the output is empty"
	elif [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "$(diff <(echo "$2") <(echo "$3") | grep -m 2 '^[<>]' | tr '\n' ' ')"
	fi
}

# bugs_on FILE: the bugs a guest had switched on, from its copy of
# /sys/module/iommufd/parameters/bug_* (guest-lib.sh's save_bugs), as
# "name name...", or "none"
bugs_on() {
	local on
	on=$(sed -n 's|.*/bug_\([a-z0-9_]*\):Y$|\1|p' "$1" | tr _ - | LC_ALL=C sort | tr '\n' ' ')
	echo "${on:-none }"
}

# One line per event: hook[:ret] type#id [flags=...] [ret=N]
events_of() {
	jq -r 'select(.kind == "event") |
		(.hook + (if .phase == "return" then ":ret" else "" end)) + " " +
		(if .obj == null then "-"
		 elif .obj.type == "ctx" then "ctx"
		 else "\(.obj.type)#\(.obj.id)" end) +
		(if (.remove_flags // "") != "" then " flags=\(.remove_flags)" else "" end) +
		(if .ret != null then " ret=\(.ret)" else "" end)' "$1"
}

# Replace {name} in an expectation (lines starting with # are comments) with the ids a scenario printed.
fill_ids() {
	local expect=$1 ids=$2 script=
	while IFS='=' read -r name value; do
		case $name in *[!a-z0-9_]*|'') continue ;; esac
		case $value in *[!0-9]*|'') continue ;; esac
		script="${script}s/{$name}/$value/g;"
	done <"$ids"
	sed -e '/^#/d' -e "$script" "$expect"
}

# expect_events NAME JSON EXPECT IDS: the run's events are exactly EXPECT's,
# its {name}s filled from IDS
expect_events() {
	local got want
	got=$(events_of "$2" 2>/dev/null)
	want=$(fill_ids "$3" "$4")
	if [ "$got" = "$want" ]; then
		pass "$1"
	else
		fail "$1" "differs from ${3#"$lib_top"/}:"
		diff <(echo "$want") <(echo "$got") | head -n 20 | sed 's/^/# /'
	fi
}

# expect_same_totals NAME ALONE TRACED: a kselftest's "# Totals" line is
# the same in its output alone and under iommutrace
expect_same_totals() {
	local alone traced
	alone=$(grep '^# Totals' "$2")
	traced=$(grep '^# Totals' "$3")
	if [ -n "$alone" ] && [ "$alone" = "$traced" ]; then
		pass "$1"
	else
		fail "$1" "alone: '$alone', traced: '$traced'"
	fi
}

# run_guest NAME OUT [run.sh options] -- GUEST_SCRIPT [ARGS...]: boot the test
# kernel with OUT as the shared scratch directory and run the guest script;
# check that the kernel neither oopsed nor warned, or, with KERNEL_SAYS set
# ("LABEL PATTERN" lines, PATTERN for grep -E: a bug's own warnings), that
# it said each of those and did not oops. Returns 1 (after saying so, with the console's
# tail) when the guest did not run the script.
run_guest() {
	local name=$1 out=$2 script= a
	shift 2
	for a in "$@"; do # the guest script: the word after --
		[ "$script" = -- ] && { script=${a##*/}; break; }
		[ "$a" = -- ] && script=--
	done
	if ! "$lib_top/tools/vm/run.sh" --quiet --scratch "$out" --console "$out/console.log" "$@"; then
		fail "$name/vm_boot" "the guest did not run $script"
		tail -n 30 "$out/console.log" 2>/dev/null | sed 's/^/# /'
		return 1
	fi
	if [ -n "${KERNEL_SAYS:-}" ]; then
		local label p
		while read -r label p; do
			if grep -qE -- "$p" "$out/console.log"; then
				pass "$name/kernel_says/$label"
			else
				fail "$name/kernel_says/$label" "no '$p' in the guest's console"
			fi
		done <<<"$KERNEL_SAYS"
		if grep -q -e 'BUG:' -e 'Oops' "$out/console.log"; then
			fail "$name/kernel_no_oops" "the guest kernel oopsed"
			grep -A20 -e 'BUG:' -e 'Oops' "$out/console.log" | head -n 30 | sed 's/^/# /'
		else
			pass "$name/kernel_no_oops"
		fi
	elif grep -q -e 'BUG:' -e 'Oops' -e 'WARNING:' "$out/console.log"; then
		fail "$name/kernel_clean" "the guest kernel oopsed or warned"
		grep -A20 -e 'BUG:' -e 'Oops' -e 'WARNING:' "$out/console.log" | head -n 30 | sed 's/^/# /'
	else
		pass "$name/kernel_clean"
	fi
}
