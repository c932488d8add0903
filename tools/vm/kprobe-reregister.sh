#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Add, enable, disable and remove a kprobe on FUNC twice through tracefs,
# calling FUNC each time, then once more after: the smallest script that
# tells whether this kernel survives a kprobe registered a second time on
# the same function through ftrace (KPROBES_ON_FTRACE). No BPF, no
# iommutrace. Run it in the test guest:
#   tools/vm/run.sh --kernel 7.3 --variant distro+size+no-jump-label -- tools/vm/kprobe-reregister.sh
# It prints "survived" and exits 0, or the kernel crashes (the console has
# the oops: run.sh --console FILE keeps it).
# usage: kprobe-reregister.sh [FUNC] [ROUNDS]
F=${1:-do_sys_openat2}
N=${2:-2}
T=/sys/kernel/tracing
[ -w $T/kprobe_events ] || { echo "no $T/kprobe_events: a kernel with KPROBE_EVENTS, as root" >&2; exit 2; }
grep -q " $F\$" /proc/kallsyms || { echo "$F is not a kernel function here" >&2; exit 2; }
# ftrace's view of FUNC: listed in available_filter_functions when kprobes
# on it go through ftrace
if grep -q "^$F\$" $T/available_filter_functions 2>/dev/null; then
	echo "$F: an ftrace site (kprobes on it go through ftrace)"
else
	echo "$F: not an ftrace site (kprobes on it are breakpoints)"
fi
i=1
while [ $i -le "$N" ]; do
	echo "p:kp$i $F" >>$T/kprobe_events
	echo 1 >$T/events/kprobes/kp$i/enable
	cat /etc/hostname >/dev/null
	echo 0 >$T/events/kprobes/kp$i/enable
	echo "-:kp$i" >>$T/kprobe_events
	echo "round $i: added, hit, removed"
	i=$((i + 1))
done
cat /etc/hostname >/dev/null
echo survived
