#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# prepare.sh KERNEL: build rdma_sock.ko (and the KUnit module where the
# kernel has KUnit) for KERNEL, and the module tree the guest's modprobe
# reads: build/KERNEL/modroot/lib/modules/<release>/ with the module under
# updates/ and index files made by depmod here on the host (depmod on the
# whole tree takes seconds natively, minutes under TCG).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

kernel=$1
rsk_kernel "$kernel"
make -s -C "$RSK_TOP" modules KVER="$kernel" > "$RSK_BUILD/module-$kernel.log" 2>&1 ||
	{ cat "$RSK_BUILD/module-$kernel.log"; rsk_die "module build for $kernel failed"; }

root=$kbuild/modroot
dir=$root/lib/modules/$kver
# Up to date only if newer than every module built (the KUnit module is
# rebuilt alone when only a test changed).
fresh=1
for ko in "$kbuild"/*.ko; do
	[ -f "$dir/modules.dep" ] && [ "$dir/modules.dep" -nt "$ko" ] || fresh=0
done
[ $fresh = 1 ] && exit 0
rm -rf "$root"
mkdir -p "$dir/updates"
ln -s "$kmods/kernel" "$dir/kernel"
for f in modules.order modules.builtin modules.builtin.modinfo; do
	[ -f "$kmods/$f" ] && cp "$kmods/$f" "$dir/"
done
cp "$kbuild"/*.ko "$dir/updates/"
depmod -b "$root" "$kver"
grep -q "net-pf-" "$dir/modules.alias" || rsk_die "depmod found no net-pf alias"
