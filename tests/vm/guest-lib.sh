# SPDX-License-Identifier: GPL-2.0
# Sourced by the guest scripts (POSIX sh). Set STEPS to the file that
# collects their steps before using it.

# save_bugs FILE: the kernel's bug parameters as they are in this guest, one
# "/sys/module/iommufd/parameters/bug_NAME:Y|N" a line (lib.sh's bugs_on)
save_bugs() {
	grep -H . /sys/module/iommufd/parameters/bug_* >"$1" 2>&1
}

# wait_for FILE TEXT: up to 60 s for TEXT to appear in FILE; a timeout is a step
wait_for() {
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 600 ] && { echo "timed out waiting for '$2' in $1" >>"$STEPS"; return 1; }
		sleep 0.1
	done
	return 0
}
