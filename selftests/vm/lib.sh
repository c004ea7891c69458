# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Test bed helpers shared by the host-side scripts: which kernel a name
# means, where its image, modules and build tree are; the two-guest
# runner.
#
# Kernel names: "6.12" and "6.1" are Debian's newest installed kernels of
# that series; "debug" is the test bed's own debug kernel (built and cached
# by build-debug-kernel.sh), "gcov" the same with the kernel's gcov support
# (`make coverage`).

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

rsk_gcov_dir() {
	[ -n "${RSK_GCOV_DIR:-}" ] ||
		RSK_GCOV_DIR=$("$RSK_TOP/selftests/vm/build-debug-kernel.sh" --gcov)
	echo "$RSK_GCOV_DIR"
}

# Sets: kver (release), kimage, kdir (build tree), kmods (module directory
# holding kernel/), kbuild (where rdma_sock.ko is built for it), kown (1
# for the test bed's own kernels, which have 9p built in and boot with no
# initramfs).
# shellcheck disable=SC2034 # for the caller
rsk_kernel() {
	local name=$1 dbg
	kown=0
	case "$name" in
	debug|gcov)
		if [ "$name" = gcov ]; then dbg=$(rsk_gcov_dir); else dbg=$(rsk_debug_dir); fi
		kown=1
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
		rsk_die "unknown kernel '$name' (6.12, 6.1, debug or gcov)"
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

# This folder: vm.sh and tcg-fault.sh, for the runner below.
rsk_vm_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# What a caller prints before running guests again after the TCG fault.
rsk_tcg_again="QEMU's TCG corrupted a guest's EFLAGS (see Documentation/testbed.rst); running it again"

# rsk_tcg_fault CONSOLE...: whether a failed guest's console shows QEMU's
# TCG EFLAGS fault (tcg-fault.sh); if so, says it will run again.
rsk_tcg_fault() {
	"$rsk_vm_dir/tcg-fault.sh" "$@" && echo "$rsk_tcg_again"
}

# rsk_two_guests OPTIONS [-- ARGS...] [--server ARGS...] [--client ARGS...]
#
# The two-guest runner of check.sh, demo.sh and bench.sh.  Boots a server
# and a client guest (vm.sh -n server and -n client, MAC addresses
# 52:54:00:12:34:01 and :02, one vCPU each) joined by QEMU's UDP socket
# network on a random pair of ports, and waits for both.
#
#   -k KERNEL   both guests' kernel (6.12 unless given)
#   -o DIR      their output folder, for this run's files alone (required)
#   -S STAGE    the server's stage script (required)
#   -C STAGE    the client's stage script (required)
#   -t SECONDS  each guest's time limit (vm.sh -t)
#   -l PREFIX   vm.sh's messages go to PREFIX.server.log and
#               PREFIX.client.log, rewritten each run (to stderr unless given)
#   -E WHO      when a guest fails, end WHO at once: server (when the
#               client fails), client (when the server fails), both (the
#               other, either way), none (unless given: each guest runs
#               to its own end)
#   -b CMD      run before each run: a command, or a function of the
#               caller's (to print a line, or to follow the run's files)
#   -r LINE     printed before a run is made again ($rsk_tcg_again unless
#               given)
#
# ARGS after "--" go to both vm.sh, those after "--server" or "--client"
# (with or without "--" before) to that guest's alone, ahead of the
# shared ones: the server's -x KILLFILE, say.
#
# A guest that ends well early (killed as asked with -x) leaves the other
# running.  A guest is ended through its vm.sh's own PID (SIGTERM, which
# vm.sh passes on to its QEMU), never by a pattern.  When a run fails and
# a console shows QEMU's TCG EFLAGS fault (tcg-fault.sh), DIR moves to
# DIR.tcgfault (the latest such run kept, an older one removed when the
# runner starts) and the run is made again, up to three runs in all; a
# guest that fails with the fault while another run will follow has the
# other ended at once, whatever -E says, since that run is set aside.
#
# SIGINT or SIGTERM meanwhile ends both guests the same way before the
# signal takes its course.  Sets rsk_server_rc and rsk_client_rc to the
# last run's vm.sh exit statuses; returns 0 if both are 0, 1 if not, 2
# on a usage error.  Needs bash 5.1 or later (wait -n -p).
# RSK_VM names another vm.sh: the runner's test uses a stand-in.
rsk_two_guests() {
	local OPTIND=1 opt kernel=6.12 dir='' sstage='' cstage='' limit='' logs=''
	local end=none before='' again=$rsk_tcg_again vm=${RSK_VM:-$rsk_vm_dir/vm.sh}
	local side=both arg try base spid cpid pid st name other opid traps ret=1
	local -a shared=() sargs=() cargs=() pending=()
	while [ "${!OPTIND:-}" != --server ] && [ "${!OPTIND:-}" != --client ] &&
		getopts k:o:S:C:t:l:E:b:r: opt; do
		case $opt in
		k) kernel=$OPTARG ;;
		o) dir=$OPTARG ;;
		S) sstage=$OPTARG ;;
		C) cstage=$OPTARG ;;
		t) limit=$OPTARG ;;
		l) logs=$OPTARG ;;
		E) end=$OPTARG ;;
		b) before=$OPTARG ;;
		r) again=$OPTARG ;;
		*) echo "rsk_two_guests: usage: see selftests/vm/lib.sh" >&2; return 2 ;;
		esac
	done
	shift $((OPTIND - 1))
	for arg; do
		case $side:$arg in
		*:--server) side=server ;;
		*:--client) side=client ;;
		both:*) shared+=("$arg") ;;
		server:*) sargs+=("$arg") ;;
		client:*) cargs+=("$arg") ;;
		esac
	done
	[ -n "$limit" ] && shared+=(-t "$limit")
	if [ -z "$dir" ] || [ -z "$sstage" ] || [ -z "$cstage" ]; then
		echo "rsk_two_guests: -o DIR, -S STAGE and -C STAGE are required" >&2
		return 2
	fi
	case $end in
	server | client | both | none) ;;
	*) echo "rsk_two_guests: -E server, client, both or none" >&2; return 2 ;;
	esac

	# SIGINT or SIGTERM to the caller (^C in make check) ends the guests
	# first; then the signal takes its course.
	traps=$(trap -p INT TERM)
	trap '_rsk_two_guests_stop INT' INT
	trap '_rsk_two_guests_stop TERM' TERM
	rm -rf "$dir.tcgfault"
	for try in 1 2 3; do
		base=$((20000 + RANDOM % 20000))
		mkdir -p "$dir"
		[ -z "$before" ] || "$before"
		(
			[ -z "$logs" ] || { : > "$logs.server.log"; exec 2>> "$logs.server.log"; }
			exec "$vm" -k "$kernel" -n server -s "$sstage" -o "$dir" \
				-p "$base:$((base + 1))" -m 52:54:00:12:34:01 -c 1 \
				"${sargs[@]}" "${shared[@]}"
		) &
		spid=$!
		(
			[ -z "$logs" ] || { : > "$logs.client.log"; exec 2>> "$logs.client.log"; }
			exec "$vm" -k "$kernel" -n client -s "$cstage" -o "$dir" \
				-p "$((base + 1)):$base" -m 52:54:00:12:34:02 -c 1 \
				"${cargs[@]}" "${shared[@]}"
		) &
		cpid=$!
		rsk_server_rc='' rsk_client_rc=''
		pending=("$spid" "$cpid")
		# bash 5.1's wait -n -p: whichever guest ends first.
		while [ ${#pending[@]} != 0 ]; do
			pid='' st=0
			wait -n -p pid "${pending[@]}" || st=$?
			if [ -z "$pid" ]; then
				# A signal's trap cut the wait short: wait on.
				[ "$st" -gt 128 ] && continue
				break
			fi
			if [ "$pid" = "$spid" ]; then
				rsk_server_rc=$st name=server other=client opid=$cpid
			else
				rsk_client_rc=$st name=client other=server opid=$spid
			fi
			if [ ${#pending[@]} = 1 ]; then
				pending=()
				continue
			fi
			pending=("$opid")
			[ "$st" != 0 ] || continue
			if [ "$end" = both ] || [ "$end" = "$other" ] ||
				{ [ "$try" != 3 ] && "$rsk_vm_dir/tcg-fault.sh" "$dir/$name.console"; }; then
				arg="# $other: the $name guest failed: ending this one"
				if [ -n "$logs" ]; then
					echo "$arg" >> "$logs.$other.log"
				else
					echo "$arg" >&2
				fi
				kill -TERM "$opid" 2> /dev/null
			fi
		done
		: "${rsk_server_rc:=1}" "${rsk_client_rc:=1}"
		if [ "$rsk_server_rc$rsk_client_rc" = 00 ]; then
			ret=0
			break
		fi
		if [ "$try" = 3 ] ||
			! "$rsk_vm_dir/tcg-fault.sh" "$dir/server.console" "$dir/client.console"; then
			break
		fi
		echo "$again"
		rm -rf "$dir.tcgfault"
		mv "$dir" "$dir.tcgfault"
	done
	trap - INT TERM
	eval "$traps"
	return $ret
}

# _rsk_two_guests_stop SIGNAL: rsk_two_guests's trap.  Ends the guests
# still running (its pending PIDs), waits for them, puts the caller's
# traps back and sends SIGNAL again.
# shellcheck disable=SC2154 # the runner's locals
_rsk_two_guests_stop() {
	local p
	for p in "${pending[@]}"; do
		kill -TERM "$p" 2> /dev/null
	done
	[ ${#pending[@]} = 0 ] || wait "${pending[@]}" 2> /dev/null
	trap - INT TERM
	eval "$traps"
	kill -s "$1" "$BASHPID"
}
