# SPDX-License-Identifier: GPL-2.0
# Shared settings of the tools/vm scripts: the pinned kernel source, the cache
# layout and small helpers. Sourced, not run.

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP_DIR=$(cd "$VM_DIR/../.." && pwd)

# The Debian source package each kernel name stands for. Pinned so that runs
# are reproducible; pass another version on purpose with --kernel.
declare -A KERNEL_PIN=(
	[7.2]="linux-source-7.2=7.2.13-1"
	[7.3]="linux-source-7.3=7.3.4-1~bpo13+1"
	[6.12]="linux-source-6.12=6.12.107-1"
)
DEFAULT_KERNEL=${IOMMUTRACE_KERNEL:-7.2}
# Every test kernel is distribution-shaped (variants/distro.config) unless
# asked otherwise; "tiny" is the base configuration alone
DEFAULT_VARIANT=${IOMMUTRACE_VARIANT:-distro}

CACHE_DIR=${IOMMUTRACE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/iommutrace}

die() {
	echo "${0##*/}: $*" >&2
	exit 2
}

log() {
	[ -n "${VM_QUIET:-}" ] || echo "${0##*/}: $*" >&2
}

# debian_mirror -> the Debian mirror this machine's apt already uses
debian_mirror() {
	local uri
	uri=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
		grep -v security | head -n1 || true)
	[ -n "$uri" ] || uri=$(awk '$1 == "deb" && $0 !~ /security/ { print $2; exit }' \
		/etc/apt/sources.list 2>/dev/null || true)
	[ -n "$uri" ] || die "can't find the Debian mirror in /etc/apt: add one"
	echo "${uri%% *}"
}

# resolve_kernel NAME -> sets PKG_SPEC ("package=version"), PKG_NAME, PKG_VERSION
resolve_kernel() {
	local name=$1
	if [ -n "${KERNEL_PIN[$name]:-}" ]; then
		PKG_SPEC=${KERNEL_PIN[$name]}
	elif [[ $name == *=* ]]; then
		PKG_SPEC=$name
	else
		die "unknown kernel '$name': use one of ${!KERNEL_PIN[*]} or linux-source-X.Y=VERSION"
	fi
	PKG_NAME=${PKG_SPEC%%=*}
	PKG_VERSION=${PKG_SPEC#*=}
}

# kernel_patches -> the patch files applied to every build of the resolved
# kernel (tests/kernel-patches/X.Y/, by the source package's version): the
# known bugs put back, each off unless its boot parameter is set
kernel_patches() {
	local dir=$TOP_DIR/tests/kernel-patches/${PKG_NAME#linux-source-}
	[ -d "$dir" ] || return 0
	find "$dir" -maxdepth 1 -name '*.patch' | LC_ALL=C sort
}

# kernel_bugs -> the bugs the resolved kernel's patches can switch on, one
# name a line (a patch's iommufd.bug_NAME parameter, spelled with dashes)
kernel_bugs() {
	local p
	for p in $(kernel_patches); do
		sed -n 's/^+module_param_named(bug_\([a-z0-9_]*\),.*/\1/p' "$p"
	done | tr _ - | LC_ALL=C sort -u
}

# bug_param NAME -> the kernel command-line parameter that switches bug NAME
# on; dies naming the known ones when the resolved kernel has no such bug
bug_param() {
	local name=$1
	kernel_bugs | grep -qx -- "$name" ||
		die "kernel $PKG_SPEC has no bug '$name' (it has: $(kernel_bugs | tr '\n' ' '))"
	echo "iommufd.bug_${name//-/_}=1"
}

# variant_fragments VARIANT -> config fragments of a variant, base first
# (tiny: the base alone; NAME: tools/vm/variants/NAME.config on top;
# NAME+NAME2: both, in that order, the later one winning)
variant_fragments() {
	local variant=$1 v
	echo "$VM_DIR/iommutrace.config"
	[ "$variant" = tiny ] && return 0
	for v in ${variant//+/ }; do
		[ -f "$VM_DIR/variants/$v.config" ] ||
			die "unknown kernel variant '$v': the variants are tiny $(cd "$VM_DIR/variants" && ls -- *.config | sed 's/\.config$//' | tr '\n' ' ')(combine them with +; a bug put back is --bug NAME)"
		echo "$VM_DIR/variants/$v.config"
	done
}

# kernel_key KERNEL VARIANT -> cache key of a built kernel
kernel_key() {
	local kernel=$1 variant=$2 f
	resolve_kernel "$kernel"
	{
		echo "$PKG_SPEC"
		for f in $(variant_fragments "$variant") $(kernel_patches); do
			sha256sum <"$f"
		done
	} | sha256sum | cut -c1-16
}

# kernel_dir KERNEL VARIANT -> directory of a built kernel in the cache
kernel_dir() {
	echo "$CACHE_DIR/kernels/${1}-${2}-$(kernel_key "$1" "$2")"
}
