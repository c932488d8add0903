#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fetch Debian's linux-source package through a private apt configuration and
# build the iommutrace test kernel from it, cached outside the work tree.
#
# The known bugs of tests/kernel-patches/X.Y/ are built in, each switched off
# unless its boot parameter is set (tools/vm/run.sh --bug NAME).
#
# usage: tools/vm/build-kernel.sh [--kernel NAME] [--variant NAME] [--print-dir]
set -euo pipefail
. "$(dirname "$0")/common.sh"

kernel=$DEFAULT_KERNEL
variant=$DEFAULT_VARIANT
print_dir=
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=${2:?--kernel needs a value}; shift 2 ;;
	--variant) variant=${2:?--variant needs a value}; shift 2 ;;
	--print-dir) print_dir=1; shift ;;
	-h|--help)
		sed -n '3,9p' "$0" | sed 's/^# \{0,1\}//'
		exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done

resolve_kernel "$kernel"
variant_fragments "$variant" >/dev/null
out=$(kernel_dir "$kernel" "$variant")
ready() { [ -f "$out/bzImage" ] && [ -f "$out/vmlinux.btf" ] && [ -f "$out/srcdir" ]; }
if ready; then
	[ -n "$print_dir" ] && echo "$out"
	exit 0
fi
# one build of a kernel at a time (make check and make demo at once, say):
# the second waits for the first and takes its result
mkdir -p "$CACHE_DIR/kernels"
exec 9>"$CACHE_DIR/kernels/.$(basename "$out").lock"
if ! flock -n 9; then
	log "another build of this kernel is running: waiting for it"
	flock 9
fi
if ready; then
	[ -n "$print_dir" ] && echo "$out"
	exit 0
fi

for tool in flex bison bc cpio pahole gcc make; do
	command -v "$tool" >/dev/null ||
		die "'$tool' is missing: run tools/install-deps.sh"
done

# --- the source package, fetched once per version -----------------------
src_root=$CACHE_DIR/src/$PKG_NAME-$PKG_VERSION
if [ ! -f "$src_root/.unpacked" ]; then
	log "fetching $PKG_SPEC"
	apt_dir=$CACHE_DIR/apt
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$src_root"
	# The mirror the machine already uses, with the suites that carry the
	# newer kernels; the system's own apt configuration is left alone.
	uri=$(debian_mirror)
	for suite in sid trixie trixie-backports experimental; do
		printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
			"$uri" "$suite"
	done >"$apt_dir/sources.list"
	apt_opts=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list"
		-o "Dir::Etc::sourceparts=-"
		-o "Dir::State::Lists=$apt_dir/lists"
		-o "Dir::Cache::archives=$apt_dir/archives"
		-o "APT::Get::List-Cleanup=0" -q)
	apt-get "${apt_opts[@]}" update >&2
	(cd "$apt_dir/archives" && apt-get "${apt_opts[@]}" download "$PKG_SPEC" >&2) ||
		die "can't download $PKG_SPEC: is the version still in the archive? pick another with --kernel linux-source-X.Y=VERSION"
	deb=$(ls "$apt_dir/archives/${PKG_NAME}_${PKG_VERSION}"_*.deb | head -n1)
	tmp=$(mktemp -d "$CACHE_DIR/src/unpack.XXXXXX")
	dpkg -x "$deb" "$tmp"
	tarball=$(ls "$tmp"/usr/src/linux-source-*.tar.* | head -n1)
	log "unpacking $(basename "$tarball")"
	tar -C "$src_root" --strip-components=1 -xf "$tarball"
	rm -rf "$tmp" "$deb"
	touch "$src_root/.unpacked"
fi

# --- the pristine source plus this version's patches ---------------------
src=$src_root
patches=$(kernel_patches)
if [ -n "$patches" ]; then
	src=$out/src
	rm -rf "$src"
	mkdir -p "$out"
	cp -al "$src_root" "$src" 2>/dev/null || cp -a "$src_root" "$src"
	for p in $patches; do
		log "applying $(basename "$p")"
		# copy the files a patch touches so that the pristine tree,
		# hard-linked into this one, stays as it was
		for f in $(sed -n 's|^+++ [^/]*/\([^[:space:]]*\).*|\1|p' "$p"); do
			[ -f "$src/$f" ] && cp --remove-destination "$src_root/$f" "$src/$f"
		done
		(cd "$src" && patch -p1 -s --no-backup-if-mismatch <"$p") ||
			die "patch $p does not apply to $PKG_SPEC"
	done
	for b in $(kernel_bugs); do
		log "bug $b: off unless booted with $(bug_param "$b")"
	done
fi

# --- configure and build out of tree -------------------------------------
obj=$out/obj
mkdir -p "$obj"
log "configuring in $obj"
make -s -C "$src" O="$obj" tinyconfig >&2
# shellcheck disable=SC2046
(cd "$obj" && "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" .config \
	$(variant_fragments "$variant") >/dev/null)
make -s -C "$src" O="$obj" olddefconfig >&2

# every option of the fragments must have survived olddefconfig (a later
# fragment overrides an earlier one); options this kernel does not know at
# all are fine
grep -rh --include='Kconfig*' '^config ' "$src" | awk '{ print "CONFIG_" $2 }' |
	sort -u >"$obj/.known-options"
# shellcheck disable=SC2046
cat $(variant_fragments "$variant") | awk '
	/^CONFIG_[A-Za-z0-9_]+=/ { opt = $0; sub(/=.*/, "", opt); want[opt] = $0; next }
	/^# CONFIG_[A-Za-z0-9_]+ is not set/ { want[$2] = $0 }
	END { for (o in want) print want[o] }' | LC_ALL=C sort >"$obj/.wanted"
missing=
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		opt=${line%%=*}
		grep -qx "$line" "$obj/.config" && continue ;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }
		opt=${opt%% *}
		grep -q "^$opt=" "$obj/.config" || continue ;;
	esac
	grep -qx "$opt" "$obj/.known-options" || continue
	missing="$missing $line"
done <"$obj/.wanted"
[ -z "$missing" ] || die "kernel config lost:$missing (a dependency is missing from the fragment)"

jobs=$(($(nproc) + 1))
log "building bzImage and modules with -j$jobs (about 9 minutes on 2 cores)"
make -s -C "$src" O="$obj" -j"$jobs" bzImage modules >&2
make -s -C "$src" O="$obj" headers >&2 2>/dev/null ||
	make -s -C "$src" O="$obj" headers_install INSTALL_HDR_PATH="$obj/usr" >&2

# modules (iommufd itself in the module variant) where the guest mounts them
rm -rf "$out/modroot"
if grep -q '^CONFIG_MODULES=y' "$obj/.config" && [ -f "$obj/modules.order" ] &&
	[ -s "$obj/modules.order" ]; then
	make -s -C "$src" O="$obj" modules_install INSTALL_MOD_PATH="$out/modroot" >&2
fi

cp "$obj/arch/x86/boot/bzImage" "$out/bzImage.tmp"
objcopy --dump-section .BTF="$out/vmlinux.btf.tmp" "$obj/vmlinux"
mkdir -p "$out/include"
cp -r "$obj/usr/include/." "$out/include/"
cp "$src/drivers/iommu/iommufd/iommufd_test.h" "$out/include/iommufd_test.h"
echo "$PKG_SPEC $variant" >"$out/source"
echo "$src" >"$out/srcdir"
mv "$out/vmlinux.btf.tmp" "$out/vmlinux.btf"
mv "$out/bzImage.tmp" "$out/bzImage"
log "kernel ready in $out ($((SECONDS / 60)) min $((SECONDS % 60)) s)"
[ -n "$print_dir" ] && echo "$out"
exit 0
