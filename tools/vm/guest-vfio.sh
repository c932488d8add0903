# SPDX-License-Identifier: GPL-2.0
# Sourced in the guest before the command of tools/vm/run.sh --vfio: bind the
# emulated e1000e to vfio-pci and say where it is. This is the interface the
# field tests rely on (README, "A real IOMMU and device"):
#   IOMMUTRACE_VFIO_BDF    the device's PCI address (0000:00:03.0, say)
#   IOMMUTRACE_VFIO_CDEV   its vfio device cdev, /dev/vfio/devices/vfioN
#   IOMMUTRACE_VFIO_GROUP  its vfio group, /dev/vfio/N
#   IOMMUTRACE_VFIO_IOMMU  the IOMMU in front of it (intel, virtio; with
#                          virtio, iommufd.allow_unsafe_interrupts is set:
#                          virtio-iommu does not isolate MSIs)
# Loading vfio-pci loads iommufd (vfio's cdev calls into it).
vfio_fail() {
	echo "guest-vfio: $*" >&2
	exit 125
}
modprobe vfio-pci || vfio_fail "modprobe vfio-pci failed: boot a kernel with vfio (--variant distro)"
if [ "${IOMMUTRACE_VFIO_IOMMU:-intel}" = virtio ]; then
	modprobe virtio_iommu || vfio_fail "modprobe virtio_iommu failed"
	# virtio-iommu remaps no interrupts, so MSIs are not isolated and
	# iommufd binds no device unless told that this is accepted
	echo 1 >/sys/module/iommufd/parameters/allow_unsafe_interrupts ||
		vfio_fail "can't set iommufd.allow_unsafe_interrupts"
fi
IOMMUTRACE_VFIO_BDF=
for d in /sys/bus/pci/devices/*; do
	# 8086:10d3, the 82574L that QEMU's e1000e emulates
	if [ "$(cat "$d/vendor")" = 0x8086 ] && [ "$(cat "$d/device")" = 0x10d3 ]; then
		IOMMUTRACE_VFIO_BDF=${d##*/}
		break
	fi
done
[ -n "$IOMMUTRACE_VFIO_BDF" ] || vfio_fail "no e1000e (8086:10d3) on the guest's PCI bus"
# vfio_wait TEST-ARGS...: up to 5 s for a test(1) to hold
vfio_wait() {
	i=0
	while ! test "$@" && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	test "$@"
}
d=/sys/bus/pci/devices/$IOMMUTRACE_VFIO_BDF
vfio_wait -e "$d/iommu_group" || vfio_fail "$IOMMUTRACE_VFIO_BDF has no IOMMU group: is the IOMMU on (dmesg | grep -i -e DMAR -e iommu)?"
echo vfio-pci >"$d/driver_override"
echo "$IOMMUTRACE_VFIO_BDF" >/sys/bus/pci/drivers_probe
vfio_wait -d "$d/vfio-dev" || vfio_fail "vfio-pci did not take $IOMMUTRACE_VFIO_BDF (no $d/vfio-dev)"
IOMMUTRACE_VFIO_CDEV=/dev/vfio/devices/$(ls "$d/vfio-dev" | head -n1)
IOMMUTRACE_VFIO_GROUP=/dev/vfio/$(basename "$(readlink "$d/iommu_group")")
vfio_wait -c "$IOMMUTRACE_VFIO_CDEV" || vfio_fail "$IOMMUTRACE_VFIO_CDEV did not appear"
IOMMUTRACE_VFIO_IOMMU=${IOMMUTRACE_VFIO_IOMMU:-intel}
export IOMMUTRACE_VFIO_BDF IOMMUTRACE_VFIO_CDEV IOMMUTRACE_VFIO_GROUP IOMMUTRACE_VFIO_IOMMU
unset d i
unset -f vfio_wait vfio_fail
