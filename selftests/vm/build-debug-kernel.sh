#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) and cache the test bed's debug kernel from Debian's
# linux-source-6.12: tinyconfig plus debug-kernel.config.  The cache is keyed
# by the source package version and the fragment's hash, and lives outside
# the clone so that a second `make check`, or one in a fresh clone on the
# same machine, reuses it.
#
# Prints the cache directory on stdout; everything else goes to stderr.
# With --source-only it only makes sure the source is extracted.  With
# --gcov it builds (once) the same kernel with gcov-kernel.config merged on
# top: the kernel `make coverage` runs, cached under its own key.
# The directory holds: bzImage, build/ (the O= tree, for building modules
# against), modules/lib/modules/<release>/ and release (the kernel release).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
frags=("$here/debug-kernel.config")
variant=
if [ "${1:-}" = --gcov ]; then
	frags+=("$here/gcov-kernel.config")
	variant=-gcov
	shift
fi
src=${RDMASOCK_KSRC:-/usr/src/linux-source-6.12}
cache_root=${RDMASOCK_CACHE:-/var/cache/rdmasock}
tarball=/usr/src/linux-source-6.12.tar.xz

log() { printf '%s\n' "$*" >&2; }

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || echo unknown)
[ -f "$src/Makefile" ] || [ -f "$tarball" ] || { log "no $src and no $tarball: run 'make deps'"; exit 1; }

# Keep the source extracted where checkpatch.pl and the selftest harness
# headers are expected; a marker file names the version it came from.
if [ -f "$tarball" ] && [ "$(cat "$src/.rdmasock-srcver" 2>/dev/null)" != "$srcver" ]; then
	log "extracting $tarball to $src"
	rm -rf "$src.tmp"
	mkdir -p "$src.tmp"
	tar -C "$src.tmp" --strip-components=1 -xJf "$tarball"
	echo "$srcver" > "$src.tmp/.rdmasock-srcver"
	rm -rf "$src"
	mv "$src.tmp" "$src"
fi

[ "${1:-}" = --source-only ] && exit 0

key=$srcver-$(cat "${frags[@]}" | sha256sum | cut -c1-12)$variant
out=$cache_root/kernel-$key
mkdir -p "$cache_root"

exec 9> "$cache_root/.kernel.lock"
flock 9

if [ -f "$out/.done" ]; then
	echo "$out"
	exit 0
fi

log "building debug kernel $key in $out (about 5 minutes on 2 cores)"
start=$(date +%s)
rm -rf "$out"
mkdir -p "$out/build"
kmake() { nice -n 10 make -C "$src" O="$out/build" -j"$(($(nproc) + 1))" "$@"; }
kmake tinyconfig > "$out/build.log" 2>&1
(cd "$out/build" && "$src/scripts/kconfig/merge_config.sh" -m .config "${frags[@]}") >> "$out/build.log" 2>&1
kmake olddefconfig >> "$out/build.log" 2>&1
# Every line of the fragment must have survived olddefconfig, or the kernel
# would silently lack a checker the test bed relies on.
missing=0
while IFS= read -r line; do
	case "$line" in ''|'#'*) continue ;; esac
	opt=${line%%=*}
	val=${line#*=}
	if [ "$val" = n ]; then
		grep -q "^$opt=" "$out/build/.config" && { log "config: $opt should be unset"; missing=1; }
	else
		grep -qx "$line" "$out/build/.config" || { log "config: $line did not stick"; missing=1; }
	fi
done < <(cat "${frags[@]}")
[ "$missing" = 0 ] || { log "debug kernel config incomplete, see $out/build/.config"; exit 1; }

if ! kmake bzImage modules >> "$out/build.log" 2>&1; then
	tail -40 "$out/build.log" >&2
	exit 1
fi
kmake INSTALL_MOD_PATH="$out/modules" modules_install >> "$out/build.log" 2>&1
cp "$out/build/arch/x86/boot/bzImage" "$out/bzImage"
kmake -s kernelrelease > "$out/release"
touch "$out/.done"
log "debug kernel built in $(($(date +%s) - start)) s"
echo "$out"
