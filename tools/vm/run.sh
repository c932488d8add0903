#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run one command as root in a QEMU guest booted on the iommutrace test
# kernel. The host's filesystem is the guest's root at the same paths, read
# only: what the guest writes stays in a tmpfs overlay and is gone after it;
# a scratch directory is shared writable. The command's stdout and stderr
# come back on ours, and its exit status is ours.
#
# usage: tools/vm/run.sh [OPTIONS] -- CMD [ARGS...]
#   --kernel NAME     kernel to boot (7.2, 7.3, 6.12, or linux-source-X.Y=VERSION)
#   --variant NAME    kernel configuration: distro (the default: iommufd and
#                     vfio-pci as modules, kprobes through ftrace), tiny (the
#                     base alone: iommufd built in, breakpoint kprobes), or
#                     distro+NAME with tools/vm/variants/NAME.config on top
#   --no-modprobe     leave iommufd unloaded (by default the guest loads it,
#                     with the --bug parameters, before the command)
#   --bug NAME        switch on a known bug put back in the kernel (its boot
#                     parameter iommufd.bug_NAME); repeatable; --list-bugs
#                     names them
#   --vfio            an emulated IOMMU and an e1000e bound to vfio-pci in the
#                     guest (not with --variant tiny); the command finds it in
#                     IOMMUTRACE_VFIO_BDF, _CDEV, _GROUP (tools/vm/guest-vfio.sh)
#   --iommu NAME      the IOMMU for --vfio: intel (VT-d, caching mode; the
#                     default) or virtio (virtio-iommu)
#   --scratch DIR     writable directory, same path in the guest (default: a new
#                     temporary one, removed afterwards)
#   --timeout SEC     kill the guest after SEC seconds (default 900); exit 124
#   --smp N           virtual CPUs (default 2)
#   --mem MB          guest memory (default 1024)
#   --console FILE    keep the kernel console log in FILE
#   --quiet           no progress messages
#   --list-bugs       the bugs this kernel can switch on, and exit
set -euo pipefail
. "$(dirname "$0")/common.sh"

kernel=$DEFAULT_KERNEL
variant=$DEFAULT_VARIANT
modprobe=1
bugs=()
list_bugs=
scratch=
timeout_s=900
smp=2
mem=1024
console_out=
vfio=
iommu=intel
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=${2:?}; shift 2 ;;
	--variant) variant=${2:?}; shift 2 ;;
	--no-modprobe) modprobe=; shift ;;
	--bug) bugs+=("${2:?}"); shift 2 ;;
	--list-bugs) list_bugs=1; shift ;;
	--vfio) vfio=1; shift ;;
	--iommu) iommu=${2:?}; shift 2 ;;
	--scratch) scratch=${2:?}; shift 2 ;;
	--timeout) timeout_s=${2:?}; shift 2 ;;
	--smp) smp=${2:?}; shift 2 ;;
	--mem) mem=${2:?}; shift 2 ;;
	--console) console_out=${2:?}; shift 2 ;;
	--quiet) VM_QUIET=1; shift ;;
	-h|--help) sed -n '3,31p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--) shift; break ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
resolve_kernel "$kernel"
variant_fragments "$variant" >/dev/null
if [ -n "$list_bugs" ]; then
	kernel_bugs
	exit 0
fi
bug_args=
for b in "${bugs[@]}"; do
	bug_args="$bug_args $(bug_param "$b")"
done
[ $# -gt 0 ] || die "no command given: tools/vm/run.sh [OPTIONS] -- CMD [ARGS...]"
[ "$(id -u)" -eq 0 ] || die "must run as root: QEMU exports the host's / to the guest as root over 9p"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 is missing: run tools/install-deps.sh --vm"
[ -x /bin/busybox ] || die "/bin/busybox is missing: run tools/install-deps.sh --vm"

case $iommu in intel|virtio) ;; *) die "unknown --iommu '$iommu': intel or virtio" ;; esac

kdir=$(VM_QUIET=${VM_QUIET:-} "$VM_DIR/build-kernel.sh" --kernel "$kernel" --variant "$variant" --print-dir)

# --vfio: the IOMMU in front of an e1000e that no guest driver claims
vfio_args=()
vfio_cmdline=
if [ -n "$vfio" ]; then
	find "$kdir/modroot" -name 'vfio-pci.ko*' 2>/dev/null | grep -q . ||
		die "--vfio needs a kernel with vfio-pci: not --variant $variant"
	if [ "$iommu" = intel ]; then
		vfio_args=(-device intel-iommu,caching-mode=on,intremap=on)
		vfio_cmdline=" intel_iommu=on"
	else
		vfio_args=(-device virtio-iommu-pci)
	fi
	# its network: user mode, restricted to the guest (no traffic out)
	vfio_args+=(-netdev user,id=vfionet,restrict=on -device e1000e,addr=0x3,netdev=vfionet)
fi

# --- the initramfs: busybox and an init that chroots into the host's tree -
initrd=$CACHE_DIR/initramfs-$(sha256sum "$VM_DIR/guest-init.sh" /bin/busybox | sha256sum | cut -c1-16).cpio.gz
if [ ! -f "$initrd" ]; then
	mkdir -p "$CACHE_DIR"
	root=$(mktemp -d)
	mkdir -p "$root"/{bin,dev,proc,sys,host,ctl,tmp}
	cp /bin/busybox "$root/bin/busybox"
	for app in sh mount umount mkdir chroot reboot cat stty sleep echo; do
		ln -s busybox "$root/bin/$app"
	done
	cp "$VM_DIR/guest-init.sh" "$root/init"
	chmod +x "$root/init"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$initrd.tmp"
	mv "$initrd.tmp" "$initrd"
	rm -rf "$root"
fi

# --- per-run state ------------------------------------------------------------
ctl=$(mktemp -d /tmp/iommutrace-vm.XXXXXX)
own_scratch=
if [ -z "$scratch" ]; then
	scratch=$ctl/scratch
	own_scratch=1
fi
mkdir -p "$scratch"
scratch=$(cd "$scratch" && pwd)
cleanup() {
	[ -n "$console_out" ] && [ -f "$ctl/console.log" ] && cp "$ctl/console.log" "$console_out"
	rm -rf "$ctl"
}
trap cleanup EXIT

{
	printf 'cd %q 2>/dev/null || cd /\n' "$PWD"
	printf 'export PATH=%q HOME=/tmp TERM=dumb LANG=C.UTF-8\n' "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	[ -n "${IOMMUTRACE_GUEST_ENV:-}" ] && printf 'export %s\n' "$IOMMUTRACE_GUEST_ENV"
	# as a distribution's device manager would: iommufd loaded before the
	# VMM starts (built in, modprobe has nothing to do); its parameters,
	# the bugs' among them, come from the kernel command line
	[ -n "$modprobe" ] && printf 'modprobe iommufd 2>/dev/null\n'
	if [ -n "$vfio" ]; then
		printf 'IOMMUTRACE_VFIO_IOMMU=%s\n. %q\n' "$iommu" "$VM_DIR/guest-vfio.sh"
	fi
	printf 'exec'
	printf ' %q' "$@"
	printf '\n'
} >"$ctl/cmd.sh"
echo "$scratch" >"$ctl/scratch_path"
# the kernel's own modules, where modprobe looks for them
if [ -d "$kdir/modroot/lib/modules" ]; then
	echo "$kdir/modroot/lib/modules" >"$ctl/modules_path"
fi

# The guest's stdout and stderr arrive through FIFOs copied by cat, so they
# share our file descriptions (and offsets) whatever ours are.
mkfifo "$ctl/out" "$ctl/err"
cat "$ctl/out" &
out_pid=$!
cat "$ctl/err" >&2 &
err_pid=$!

# Without ACPI the guest finds no HPET or PM timer to calibrate its TSC
# against and falls back to jiffies (4 ms steps). Under TCG the guest reads
# the host's TSC, so tell it the host's frequency when that is constant.
tsc_args=
if grep -q constant_tsc /proc/cpuinfo; then
	mhz=$(awk -F: '/^cpu MHz/ { printf "%d", $2; exit }' /proc/cpuinfo)
	[ -n "$mhz" ] && [ "$mhz" -gt 0 ] && tsc_args="tsc_early_khz=$((mhz * 1000)) tsc=reliable"
fi

log "booting $(cat "$kdir/source") ($smp cpus, ${mem}M)${bug_args:+, bugs:$bug_args}${vfio:+, e1000e behind $iommu-iommu for vfio}"
rc=0
timeout -k 5 "$timeout_s" qemu-system-x86_64 \
	-nodefaults -no-user-config -nographic -no-reboot \
	-machine q35 -smp "$smp" -m "$mem" \
	"${vfio_args[@]}" \
	-kernel "$kdir/bzImage" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 quiet loglevel=5 $tsc_args rdinit=/init$bug_args$vfio_cmdline" \
	-chardev file,id=con,path="$ctl/console.log" -serial chardev:con \
	-chardev file,id=out,path="$ctl/out" -serial chardev:out \
	-chardev file,id=err,path="$ctl/err" -serial chardev:err \
	-virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
	-virtfs local,path="$scratch",mount_tag=scratch,security_model=none,multidevs=remap \
	-virtfs local,path="$ctl",mount_tag=ctl,security_model=none,multidevs=remap \
	</dev/null || rc=$?
# QEMU has closed the FIFOs; wait for the copies to drain. If it never
# opened them (it failed early), open and close them once so that cat sees
# an end (read-write opens of a FIFO do not block).
for fifo in "$ctl/out" "$ctl/err"; do
	exec 3<>"$fifo"
	exec 3>&-
done
wait "$out_pid" "$err_pid" 2>/dev/null || true

if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	echo "run.sh: the guest did not finish in ${timeout_s}s and was killed" >&2
	tail -n 20 "$ctl/console.log" >&2 || true
	exit 124
fi
if [ ! -f "$ctl/rc" ]; then
	echo "run.sh: the guest ended without running the command (qemu exit $rc); console:" >&2
	tail -n 40 "$ctl/console.log" >&2 || true
	exit 125
fi
[ -n "$own_scratch" ] && rm -rf "$scratch"
exit "$(cat "$ctl/rc")"
