#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of a test guest, run from the host's root filesystem (read-only over
# 9p).  The kernel command line passes, as environment:
#   rsk_run     the stage script to run (a path on the host root)
#   rsk_mods    the host directory holding this kernel's modules (kernel/)
#   rsk_modroot the test bed's module tree for this kernel (depmod'ed, with
#               rdma_sock.ko under updates/)
#   rsk_name    the guest's name, for its output files
# and the test bed shares a writable folder under the tag "rskout".
# Whatever happens, the guest powers itself off at the end and prints a
# line RSK-GUEST-DONE rc=N that the host looks for.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C

# The host root is shared with everything under it, the host's own /proc,
# /sys and /dev included: cover them with the guest's, whatever is there.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
# The debug kernel mounted devtmpfs itself; otherwise /dev is the host's.
# (statfs cannot tell: 9p passes on the host file system's type.)
[ "$(findmnt -n -o FSTYPE --mountpoint /dev)" = devtmpfs ] ||
	mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm

# Writable scratch space covers /tmp, /var/tmp and /root; the clone the
# tests run from may live under one of them, so it is carried over.
top=$(cd "$(dirname "$0")/../.." && pwd)
mount -t tmpfs tmpfs /run
mkdir -p /run/rsk/top
mount --bind "$top" /run/rsk/top
for d in /tmp /var/tmp /root; do
	mount -t tmpfs tmpfs "$d"
done
if [ ! -d "$top/selftests" ]; then
	mkdir -p "$top"
	mount --bind /run/rsk/top "$top"
fi
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mkdir -p /run/rsk/out /run/rsk/hostmods
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=none rskout /run/rsk/out
hostname "${rsk_name:-rsk-guest}"
ip link set lo up

# Let modprobe (and the kernel's request_module, for the family's
# net-pf-N alias) see rdma_sock.ko: a tmpfs over /lib/modules holds this
# kernel's directory, its kernel/ from the original modules and its index
# files and updates/ from the test bed's depmod'ed tree.
kver=$(uname -r)
mount --bind /lib/modules /run/rsk/hostmods
mount -t tmpfs tmpfs /lib/modules
mkdir -p "/lib/modules/$kver"
mods=${rsk_mods:-/run/rsk/hostmods/$kver}
case "$mods" in /lib/modules/*) mods=/run/rsk/hostmods/${mods#/lib/modules/} ;; esac
ln -s "$mods/kernel" "/lib/modules/$kver/kernel"
for f in "$rsk_modroot/lib/modules/$kver"/*; do
	[ "$(basename "$f")" = kernel ] && continue
	ln -s "$f" "/lib/modules/$kver/$(basename "$f")"
done

# Only what the tests leave behind should be reported: forget boot's.
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak
	echo clear > /sys/kernel/debug/kmemleak
fi

echo "RSK-GUEST-BOOTED $(cut -d' ' -f1 /proc/uptime)"
export RSK_OUT=/run/rsk/out
bash "$rsk_run" 2>&1 | tee "/run/rsk/out/${rsk_name}.tap"
rc=${PIPESTATUS[0]}

# A kmemleak scan before power-off: anything it reports fails the run.
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak
	sleep 6
	echo scan > /sys/kernel/debug/kmemleak
	sed 's/^/RSK-KMEMLEAK /' /sys/kernel/debug/kmemleak
fi
dmesg > "/run/rsk/out/${rsk_name}.dmesg"
echo "RSK-GUEST-DONE rc=$rc"
sync
# reboot(2) ends the guest synchronously (QEMU runs with -no-reboot, and
# the debug kernel has no ACPI to power off with); the sysrq is a fallback:
# it returns at once and PID 1 must not exit (that panics the kernel).
/bin/busybox reboot -f
echo b > /proc/sysrq-trigger
while :; do
	read -r -t 60 _ < /dev/console
done
