#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# initramfs.sh KVER OUT: a busybox initramfs for a Debian kernel that loads
# the virtio and 9p modules, mounts the host root (read-only, 9p tag
# "hostroot") and hands over to the init named by rsk_init= on the kernel
# command line (selftests/vm/guest-init.sh).  Rebuilt only when missing.
set -euo pipefail

kver=$1
out=$2
[ -s "$out" ] && exit 0

busybox=/bin/busybox
file "$busybox" 2>/dev/null | grep -q static || busybox=$(command -v busybox)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,dev,proc,sys,newroot,lib/mods}
cp "$busybox" "$work/bin/busybox"

# The modules, dependencies first, in the order modinfo gives.
declare -A seen=()
order=()
add_module() {
	local m=$1 dep path
	[ -n "${seen[$m]:-}" ] && return
	seen[$m]=1
	path=$(modinfo -k "$kver" -n "$m")
	[ "$path" = "(builtin)" ] && return
	for dep in $(modinfo -k "$kver" -F depends "$m" | tr , ' '); do
		add_module "$dep"
	done
	order+=("$m")
	case "$path" in
	*.xz) xz -dc "$path" > "$work/lib/mods/$m.ko" ;;
	*.zst) zstd -qdc "$path" > "$work/lib/mods/$m.ko" ;;
	*) cp "$path" "$work/lib/mods/$m.ko" ;;
	esac
}
for m in virtio_pci 9pnet_virtio 9p; do
	add_module "$m"
done
printf '%s\n' "${order[@]}" > "$work/lib/mods/order"

cat > "$work/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /lib/mods/order); do
	insmod "/lib/mods/$m.ko" || echo "initramfs: insmod $m failed"
done
if ! mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000 hostroot /newroot; then
	echo "initramfs: cannot mount the host root"
	echo o > /proc/sysrq-trigger
fi
umount /proc /sys /dev
exec switch_root /newroot "${rsk_init:-/sbin/init}"
INIT
chmod +x "$work/init"
# Two guests started together may both build it: each writes its own file
# and renames it into place, the last one winning, whole.
(cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) > "$out.tmp.$$"
mv -f "$out.tmp.$$" "$out"
