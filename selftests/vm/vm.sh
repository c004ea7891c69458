#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm.sh: boot one test guest and run a stage script in it.
#
#   vm.sh -k KERNEL -n NAME -s STAGE -o OUTDIR [-p OWN:PEER] [-m MAC]
#         [-t SECONDS] [-c CPUS] [-e VAR=VALUE]... [-x KILLFILE]
#
# KERNEL is 6.12, 6.1, debug or gcov (lib.sh).  The guest shares the host root
# read-only, OUTDIR read-write (tag rskout), and runs STAGE as root with
# OUTDIR as $RSK_OUT.  -p joins the guest's eth0 to another guest over UDP
# on 127.0.0.1 (own and peer port); without it eth0 is joined to nothing.
# The console goes to OUTDIR/NAME.console.  Exit status: 0 only if the
# stage script exited 0, the guest powered off by itself in time, and its
# console and kernel log show no splat (check-splats.sh).  With -x the
# guest is killed (SIGKILL to QEMU) as soon as KILLFILE appears, and
# KILLFILE.done is written after; such a guest passes if it was killed
# that way, in time, and its console shows no splat.  SIGTERM to vm.sh
# ends the guest early (the two-guest runner in lib.sh does so when the
# other guest failed): QEMU is stopped and the guest fails.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

kernel=6.12 name=guest stage='' out='' ports='' mac=52:54:00:12:34:01 killfile=''
timeout_s=${RSK_VM_TIMEOUT:-600} cpus=2
extra=()
while getopts k:n:s:o:p:m:t:c:e:x: opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	n) name=$OPTARG ;;
	s) stage=$OPTARG ;;
	o) out=$OPTARG ;;
	p) ports=$OPTARG ;;
	m) mac=$OPTARG ;;
	t) timeout_s=$OPTARG ;;
	c) cpus=$OPTARG ;;
	e) extra+=("$OPTARG") ;;
	x) killfile=$OPTARG ;;
	*) rsk_die "usage: see the head of $0" ;;
	esac
done
if [ -z "$stage" ] || [ -z "$out" ]; then
	rsk_die "-s STAGE and -o OUTDIR are required"
fi
stage=$(cd "$(dirname "$stage")" && pwd)/$(basename "$stage")
mkdir -p "$out"
out=$(cd "$out" && pwd)
rsk_kernel "$kernel"
modroot=$kbuild/modroot
[ -d "$modroot/lib/modules/$kver" ] || rsk_die "no module tree in $modroot: run prepare.sh $kernel"

console=$out/$name.console
: > "$console"

# SIGTERM: the host ends this guest.  QEMU runs under timeout(1), which
# passes the signal on to it (and SIGKILLs it 10 s later if need be), so
# it is stopped through timeout's own PID, and no guest is booted after.
stopped=0 tpid=
# shellcheck disable=SC2317 # run by the trap
stop() {
	stopped=1
	[ -z "$tpid" ] || kill -TERM "$tpid" 2> /dev/null || true
}
trap stop TERM

cmdline="console=ttyS0 loglevel=5 panic=-1 oops=panic sysctl.kernel.hung_task_timeout_secs=60"
cmdline+=" sysctl.kernel.hung_task_panic=1 rsk_run=$stage rsk_name=$name"
cmdline+=" rsk_mods=$kmods rsk_modroot=$modroot"
for kv in "${extra[@]}"; do
	cmdline+=" $kv"
done

# CPU model: Nehalem, not "max".  With -cpu max, QEMU 7.2's TCG twice left
# a guest kworker with EFLAGS equal to the low half of a register (TF set
# once, then #DB and a cascade of faults; a double fault the other time)
# in kmem_cache_alloc under rxe's skb allocation, in two of four full-size
# two-guest runs; with Nehalem none did.  RSK_QEMU_CPU overrides it.
# shellcheck disable=SC2054 # the commas are within QEMU's options
qemu=(qemu-system-x86_64 -cpu "${RSK_QEMU_CPU:-Nehalem}" -m 2G -smp "$cpus"
	-display none -monitor none -serial "file:$console" -no-reboot
	-kernel "$kimage"
	-fsdev "local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap"
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
	-fsdev "local,id=rskout,path=$out,security_model=none"
	-device virtio-9p-pci,fsdev=rskout,mount_tag=rskout)
read -ra accel <<< "$(rsk_accel)"
qemu+=("${accel[@]}")

if [ "$kown" = 1 ]; then
	# 9p is built in: the host root is the guest's root file system.
	cmdline+=" root=hostroot rootfstype=9p ro"
	cmdline+=" rootflags=trans=virtio,version=9p2000.L,msize=512000"
	cmdline+=" init=$RSK_TOP/selftests/vm/guest-init.sh"
else
	initrd=$RSK_BUILD/initramfs-$kver.cpio.gz
	"$here/initramfs.sh" "$kver" "$initrd"
	qemu+=(-initrd "$initrd")
	cmdline+=" rsk_init=$RSK_TOP/selftests/vm/guest-init.sh"
fi

if [ -n "$ports" ]; then
	qemu+=(-netdev "socket,id=n0,udp=127.0.0.1:${ports#*:},localaddr=127.0.0.1:${ports%%:*}")
else
	qemu+=(-netdev "socket,id=n0,udp=127.0.0.1:9,localaddr=127.0.0.1:0")
fi
qemu+=(-device "virtio-net-pci,netdev=n0,mac=$mac")

# QEMU's TCG sometimes takes an int3 while the guest kernel patches its
# own text during early boot (seen here: "Oops: int3" in sched_clock_cpu
# at 2 s, on Debian's kernel, before any module is loaded).  A guest that
# dies before its init script announces itself is booted again, at most
# twice; everything after RSK-GUEST-BOOTED counts as it happened.
start=$(date +%s)
killed=0 qrc=0
for attempt in 1 2 3; do
	[ "$stopped" = 0 ] || break
	set +e
	timeout --kill-after=10 "$timeout_s" "${qemu[@]}" -append "$cmdline" \
		> "$out/$name.qemu" 2>&1 &
	tpid=$!
	while [ -n "$killfile" ] && kill -0 $tpid 2> /dev/null; do
		if [ -e "$killfile" ]; then
			# QEMU is timeout's only child.
			qpid=
			read -r qpid < "/proc/$tpid/task/$tpid/children"
			[ -z "$qpid" ] || kill -KILL "$qpid"
			date +%s.%N > "$killfile.done"
			killed=1
			break
		fi
		sleep 0.2
	done
	# The TERM trap cuts a wait short (status 128 + 15) while QEMU is
	# still ending: wait for it again.
	while :; do
		wait $tpid
		qrc=$?
		if [ "$qrc" -le 128 ] || [ "$stopped" = 0 ] || ! kill -0 $tpid 2> /dev/null; then
			break
		fi
	done
	tpid=
	set -e
	[ "$stopped" = 0 ] || break
	grep -aq RSK-GUEST-BOOTED "$console" && break
	grep -aqE 'Kernel panic|Oops' "$console" || break
	[ "$attempt" = 3 ] && break
	echo "# $name: guest crashed while booting (attempt $attempt), booting again" >&2
	cp "$console" "$out/$name.console.bootfail$attempt"
	: > "$console"
done
# QEMU is gone: a SIGTERM from now on changes nothing of the verdict.
trap '' TERM
elapsed=$(($(date +%s) - start))

rc=0
if [ "$stopped" = 1 ]; then
	echo "# $name: ended by the host (SIGTERM)" >&2
	rc=1
elif [ "$killed" = 1 ]; then
	echo "# $name: killed as asked ($killfile)" >&2
elif [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	echo "# $name: guest timed out after ${timeout_s}s" >&2
	rc=1
elif [ "$qrc" != 0 ]; then
	echo "# $name: qemu exited $qrc: $(head -c 400 "$out/$name.qemu")" >&2
	rc=1
fi
done_line=$(grep -a -m1 'RSK-GUEST-DONE rc=' "$console" | tr -d '\r' || true)
if [ "$killed" = 1 ]; then
	[ -z "$done_line" ] || { echo "# $name: finished before the kill" >&2; rc=1; }
elif [ -z "$done_line" ]; then
	echo "# $name: the guest did not finish its stage" >&2
	rc=1
elif [ "${done_line##*rc=}" != 0 ]; then
	rc=1
fi
if ! "$here/check-splats.sh" "$console" "$out/$name.dmesg"; then
	echo "# $name: kernel splat, see $console" >&2
	rc=1
fi
if [ "$rc" != 0 ]; then
	echo "# $name: last console lines:" >&2
	tail -n 60 "$console" | sed 's/^/#   /' >&2
fi
echo "# $name: $kernel guest ran ${elapsed}s, boot $(grep -a -m1 RSK-GUEST-BOOTED "$console" | tr -d '\r' | awk '{print $2}')s" >&2
exit "$rc"
