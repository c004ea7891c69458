# SPDX-License-Identifier: GPL-2.0
#
# Test bed helpers shared by the host-side scripts: which kernel a name
# means, where its image, modules and build tree are.
#
# Kernel names: "6.12" and "6.1" are Debian's newest installed kernels of
# that series; "debug" is the test bed's own debug kernel (built and cached
# by build-debug-kernel.sh).

RSK_TOP=${RSK_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
RSK_BUILD=${RSK_BUILD:-$RSK_TOP/build}

rsk_die() { echo "testbed: $*" >&2; exit 1; }

# Newest installed Debian release of a series, e.g. 6.12.117+deb12-amd64.
rsk_debian_release() {
	local series=$1 d
	d=$(ls -d /lib/modules/"$series".*-amd64 2>/dev/null | sort -V | tail -n 1)
	[ -n "$d" ] || rsk_die "no Debian $series kernel installed: run 'make deps'"
	basename "$d"
}

rsk_debug_dir() {
	[ -n "${RSK_DEBUG_DIR:-}" ] || RSK_DEBUG_DIR=$("$RSK_TOP/selftests/vm/build-debug-kernel.sh")
	echo "$RSK_DEBUG_DIR"
}

# Sets: kver (release), kimage, kdir (build tree), kmods (module directory
# holding kernel/), kbuild (where rdma_sock.ko is built for it).
rsk_kernel() {
	local name=$1 dbg
	case "$name" in
	debug)
		dbg=$(rsk_debug_dir)
		kver=$(cat "$dbg/release")
		kimage=$dbg/bzImage
		kdir=$dbg/build
		kmods=$dbg/modules/lib/modules/$kver
		;;
	6.*)
		kver=$(rsk_debian_release "$name")
		kimage=/boot/vmlinuz-$kver
		kdir=/lib/modules/$kver/build
		kmods=/lib/modules/$kver
		;;
	*)
		rsk_die "unknown kernel '$name' (6.12, 6.1 or debug)"
		;;
	esac
	kbuild=$RSK_BUILD/$name
}

# QEMU's accelerator: KVM if /dev/kvm really boots a guest (probed once,
# with a timeout: nested KVM can hang), TCG otherwise.
rsk_accel() {
	local probe=$RSK_BUILD/.kvm-probe
	if [ ! -f "$probe" ]; then
		mkdir -p "$RSK_BUILD"
		if [ -w /dev/kvm ] && timeout 30 qemu-system-x86_64 -accel kvm -m 256 \
			-display none -monitor none -serial stdio -no-reboot \
			-kernel "$(ls /boot/vmlinuz-* | head -n 1)" \
			-append "console=ttyS0 panic=-1 root=/dev/nonexistent" 2>/dev/null |
			grep -q -m1 'Kernel panic'; then
			echo kvm > "$probe"
		else
			echo tcg > "$probe"
		fi
	fi
	if [ "$(cat "$probe")" = kvm ]; then
		echo "-accel kvm"
	else
		echo "-accel tcg,thread=multi"
	fi
}
