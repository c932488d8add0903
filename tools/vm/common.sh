# SPDX-License-Identifier: GPL-2.0
# Shared settings of the tools/vm scripts: the pinned kernel source, the cache
# layout and small helpers. Sourced, not run.

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP_DIR=$(cd "$VM_DIR/../.." && pwd)

# The Debian source package each kernel name stands for. Pinned so that runs
# are reproducible; pass another version on purpose with --kernel.
declare -A KERNEL_PIN=(
	[7.2]="linux-source-7.2=7.2.13-1"
	[6.12]="linux-source-6.12=6.12.107-1"
)
DEFAULT_KERNEL=${IOMMUTRACE_KERNEL:-7.2}

CACHE_DIR=${IOMMUTRACE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/iommutrace}

die() {
	echo "${0##*/}: $*" >&2
	exit 2
}

log() {
	[ -n "${VM_QUIET:-}" ] || echo "${0##*/}: $*" >&2
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

# variant_patches VARIANT -> prints the patch files of a kernel variant, sorted
variant_patches() {
	local variant=$1
	[ "$variant" = stock ] && return 0
	local dir=$TOP_DIR/tests/kernel-patches/$variant
	[ -d "$dir" ] || die "unknown kernel variant '$variant' (no $dir)"
	find "$dir" -maxdepth 1 -name '*.patch' | LC_ALL=C sort
}

# variant_fragments VARIANT -> config fragments of a variant, base first
variant_fragments() {
	local variant=$1
	echo "$VM_DIR/iommutrace.config"
	local dir=$TOP_DIR/tests/kernel-patches/$variant
	if [ "$variant" != stock ] && [ -f "$dir/extra.config" ]; then
		echo "$dir/extra.config"
	fi
}

# kernel_key KERNEL VARIANT -> cache key of a built kernel
kernel_key() {
	local kernel=$1 variant=$2 f
	resolve_kernel "$kernel"
	{
		echo "$PKG_SPEC"
		for f in $(variant_fragments "$variant") $(variant_patches "$variant"); do
			sha256sum <"$f"
		done
	} | sha256sum | cut -c1-16
}

# kernel_dir KERNEL VARIANT -> directory of a built kernel in the cache
kernel_dir() {
	echo "$CACHE_DIR/kernels/${1}-${2}-$(kernel_key "$1" "$2")"
}
