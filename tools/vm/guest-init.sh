#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /init of the test guest: mount the host's tree (9p, read-only, under a
# tmpfs overlay) with the guest's own proc, sys, dev, tracefs, debugfs and
# bpffs on top, run the command from tools/vm/run.sh in it, and hand its
# exit status back.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 ctl /ctl

# The host's tree, read-only, under a tmpfs overlay: the same paths as on
# the host (even under /tmp), writable, with writes kept in the guest.
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose host /host
mkdir -p /rw
mount -t tmpfs -o size=50% tmpfs /rw
mkdir -p /rw/upper /rw/work /rw/root
R=/rw/root
mount -t overlay overlay -o lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work $R
# the guest's own kernel interfaces, never the host's (its BTF lacks iommufd)
mount -t proc proc $R/proc
mount -t sysfs sysfs $R/sys
mount -t devtmpfs dev $R/dev
mount -t tracefs tracefs $R/sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs $R/sys/kernel/debug 2>/dev/null
mount -t bpf bpf $R/sys/fs/bpf 2>/dev/null
mount -t cgroup2 cgroup2 $R/sys/fs/cgroup 2>/dev/null
mount -t tmpfs tmpfs $R/run 2>/dev/null
if [ -f /ctl/modules_path ]; then
	mkdir -p $R/lib/modules 2>/dev/null
	mount -o bind $R$(cat /ctl/modules_path) $R/lib/modules
fi
scratch=$(cat /ctl/scratch_path)
mkdir -p $R$scratch 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 scratch $R$scratch

# stdout and stderr of the command go to the 2nd and 3rd serial ports
stty -F /dev/ttyS1 raw -echo 2>/dev/null
stty -F /dev/ttyS2 raw -echo 2>/dev/null
chroot $R /bin/sh /proc/self/fd/3 3</ctl/cmd.sh >/dev/ttyS1 2>/dev/ttyS2 </dev/null
echo $? >/ctl/rc
umount $R$scratch /ctl 2>/dev/null
reboot -f
