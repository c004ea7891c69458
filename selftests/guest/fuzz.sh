#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage: the fuzzers, on the debug kernel, where vm.sh fails the guest on
# any splat (KASAN, lockdep, a warning) and guest-init's last kmemleak
# scan on any leak.
#
#  - rdma_sock_kunit's fuzz cases (rsk_chan_fuzz: the stream receive path
#    and the application's calls; rsk_ud_reasm_fuzz: fragments), loaded
#    RSK_FUZZ_KUNIT times (default 0), each time with a new random seed and
#    RSK_FUZZ_STEPS steps (default 20000).  make check runs none here: its
#    KUnit stage runs the same cases short, on a fixed seed.
#  - rsk_fuzz (tools/fuzz): random system calls on the family's sockets,
#    its netlink family and its sysctls, from RSK_FUZZ_THREADS threads
#    (default 4) for RSK_FUZZ_SECONDS (default 60), seed RSK_FUZZ_SEED
#    (default random, printed).  It exits 3 if data came back other than
#    sent, 2 on a hang.  Then no socket may be left, and the module must
#    unload.
. "$(dirname "$0")/../vm/guest-lib.sh"

RSK_FUZZ_KUNIT=${RSK_FUZZ_KUNIT:-0}
RSK_FUZZ_STEPS=${RSK_FUZZ_STEPS:-20000}
RSK_FUZZ_SECONDS=${RSK_FUZZ_SECONDS:-60}
RSK_FUZZ_THREADS=${RSK_FUZZ_THREADS:-4}
fuzz="$RSK_TOP/build/tools/rsk_fuzz"
addr=10.99.0.1

# One load of the KUnit module with its fuzz cases only: one result.
kunit_fuzz_once() {
	local seed=$1 log=$RSK_OUT/kunit-fuzz.$1.log
	dmesg -C
	modprobe rdma_sock_kunit fuzz_seed="$seed" fuzz_steps="$RSK_FUZZ_STEPS" || return 1
	# Not modprobe -r: it would unload kunit too, and its filter_glob.
	rmmod rdma_sock_kunit
	dmesg -t > "$log"
	grep -A1 'EXPECTATION FAILED' "$log" | sed 's/^/# /'
	grep -h '# rsk_.*_fuzz: [0-9]' "$log" | sed 's/^ */# /'
	grep -q '^    ok [0-9]* rsk_chan_fuzz$' "$log" &&
		grep -q '^    ok [0-9]* rsk_ud_reasm_fuzz$' "$log" &&
		! grep -q 'not ok' "$log"
}

kunit_fuzz() {
	local i seed
	[ "$RSK_FUZZ_KUNIT" -gt 0 ] || return 0
	modprobe kunit filter_glob='rdma_sock_*.*fuzz*' ||
		{ tap_result "kunit fuzz: modprobe kunit" 1; return; }
	for i in $(seq "$RSK_FUZZ_KUNIT"); do
		seed=$(od -An -N6 -tu8 /dev/urandom | tr -d ' ')
		tap_run "kunit fuzz: round $i, seed $seed, $RSK_FUZZ_STEPS steps" \
			kunit_fuzz_once "$seed"
	done
	modprobe -r kunit
}

syscall_fuzz() {
	local seed=${RSK_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
	tap_run "rsk_fuzz: seed $seed, $RSK_FUZZ_THREADS threads, ${RSK_FUZZ_SECONDS} s, no hang" \
		"$fuzz" --seed "$seed" --threads "$RSK_FUZZ_THREADS" \
		--seconds "$RSK_FUZZ_SECONDS" --addr "$addr" \
		--addr "fd00:99::${addr##*.}" --log /tmp/rsk_fuzz.log
	# The operations it made last, for a failure (the log is on tmpfs:
	# a line to the shared folder each would slow it down).
	tail -n 300 /tmp/rsk_fuzz.log > "$RSK_OUT/rsk_fuzz.tail" 2>/dev/null
	tap_run "rsk_fuzz: every socket closed" rsk_wait_for 30 rsk_no_sockets
	tap_run "rsk_fuzz: the module unloads" modprobe -r rdma_sock
}

tap_run "setup: $RSK_IBDEV on $RSK_NETDEV" rsk_guest_net $addr
tap_run "modprobe rdma_sock" modprobe rdma_sock
kunit_fuzz
syscall_fuzz
tap_done
