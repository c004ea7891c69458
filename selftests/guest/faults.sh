#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage: fault injection, on the debug kernel (vm.sh fails the guest on
# any splat, guest-init's last kmemleak scan on any leak).  failslab and
# fail_page_alloc fail a share of the allocations made with the module on
# the stack (their stack filter set to the module's memory), and the
# module's own fail_post (<debugfs>/rdma_sock/fail_post) a share of its
# posts to the device.  Under them: random system calls (rsk_fuzz) and a
# stream whose data the server checks.  Whatever fails must fail with an
# errno and a counter: no splat (a failed allocation's own report aside:
# check.sh sets RSK_SPLAT_ALLOW_ALLOC_FAIL), no hang (every run bounded),
# no data that differs from what was sent, no leak.  Then, faults off, everything
# works again and the module unloads.
. "$(dirname "$0")/../vm/guest-lib.sh"

addr=10.99.0.1
dbg=/sys/kernel/debug
bench="$RSK_TOP/build/tools/rsk_bench"
server=''		# its pid: rsk_bench_server()
fuzz="$RSK_TOP/build/tools/rsk_fuzz"
RSK_FAULT_PCT=${RSK_FAULT_PCT:-3}
RSK_FAULT_SECONDS=${RSK_FAULT_SECONDS:-30}
times=100000000
faults="failslab fail_page_alloc rdma_sock/fail_post"

# The module's memory: "start end" for the stack filter, in hex (awk
# reads no hex, and bash's arithmetic is signed: printf gives the bits).
module_range() {
	local name size addr rest
	while read -r name size _ _ _ addr rest; do
		[ "$name" = rdma_sock ] || continue
		printf '%s 0x%x\n' "$addr" $((addr + size))
		return 0
	done < /proc/modules
	return 1
}

# fault_arm DIR PERCENT: fail PERCENT of the calls DIR decides on.
fault_arm() {
	local d=$dbg/$1 range
	echo 0 > "$d/probability" &&
	echo 1 > "$d/interval" &&
	echo $times > "$d/times" &&
	echo 0 > "$d/space" &&
	echo 0 > "$d/verbose" || return 1
	if [ -e "$d/ignore-gfp-wait" ]; then
		echo N > "$d/ignore-gfp-wait" || return 1
	fi
	if [ -e "$d/min-order" ]; then
		echo 0 > "$d/min-order" && echo N > "$d/ignore-gfp-highmem" || return 1
	fi
	if [ "$1" != rdma_sock/fail_post ]; then
		range=$(module_range) && [ -n "$range" ] || return 1
		echo "${range% *}" > "$d/require-start" &&
		echo "${range#* }" > "$d/require-end" &&
		echo 32 > "$d/stacktrace-depth" || return 1
	fi
	echo "$2" > "$d/probability"
}

fault_disarm() { echo 0 > "$dbg/$1/probability"; }

# How many faults DIR injected since it was armed.
fault_injected() { echo $((times - $(cat "$dbg/$1/times"))); }

fault_injected_some() {
	local n
	n=$(fault_injected "$1")
	echo "# $1: $n faults injected"
	[ "$n" -gt 0 ]
}

# What a failed stream leaves to read: both ends' last words, the links
# and sockets as they are, and the module's nonzero event counters.
show_state() {
	echo "# client: $(tail -n 5 "$1" | tr '\n' '|')"
	echo "# server (pid $server, $(kill -0 "$server" 2>/dev/null &&
		echo running || echo gone)):"
	tail -n 10 "$RSK_OUT/server.log" | sed 's/^/#   /'
	"$RSK_TOP/build/tools/rdmasockctl" link 2>&1 | sed 's/^/# link: /'
	"$RSK_TOP/build/tools/rdmasockctl" sock 2>&1 | head -n 20 |
		sed 's/^/# sock: /'
	awk '$2 != 0 { printf "%s=%s ", $1, $2 }' $dbg/rdma_sock/events |
		fold -w 150 | sed 's/^/# events: /'
}

# A stream checked byte for byte; under faults it may be reset (exit 1),
# but only with an errno: never data that differs, never a hang.
stream_checked() {
	local log=$RSK_OUT/stream.$1.log st
	timeout 300 "$bench" client -f rdma -a $addr -p 5311 --timeout 60 \
		stream -n 2 -b "$2" --verify full > "$log" 2>&1
	st=$?
	echo "# stream ($1): exit $st: $(tail -n 1 "$log")"
	# An errno (ETIMEDOUT too), not a stall: rsk_bench says "timed out
	# after" for those.
	if grep -q 'differing from the pattern\|timed out after' "$log"; then
		st=1
	elif [ "$1" = faults ] && [ $st = 1 ]; then
		return 0
	fi
	[ $st = 0 ] || show_state "$log"
	return $st
}

# A datagram socket held open through the faults (rsk_dgram_peer's echo
# socket), so that the endpoint the datagrams use (one per namespace and
# device port) lives through them, with receive buffers whose reposts
# were refused and kept for later.
dgram_holder() {
	"$RSK_BIN/rsk_dgram_peer" -a $addr -p 7100 -t 900 \
		> "$RSK_OUT/holder.log" 2>&1 &
	holder=$!
	rsk_wait_for 30 grep -q ready "$RSK_OUT/holder.log"
}

# Datagrams under failed posts: they may be lost or refused (an errno),
# never delivered other than sent; the endpoint's reposts meet the
# faults.  Up to three runs, until one gets through: a run may fail (a
# post of its control connection's), and the repost check below needs
# datagrams to have arrived.
dgram_faults() {
	local log=$RSK_OUT/dgram.faults.log st try
	for try in 1 2 3; do
		timeout 120 "$bench" client -f rdma -a $addr -p 5311 \
			--timeout 60 dgram -s 512 -t 5 > "$log" 2>&1
		st=$?
		echo "# dgram (faults, run $try): exit $st: $(tail -n 1 "$log")"
		! grep -q 'differ from what was sent\|timed out after' "$log" &&
			[ $st -le 1 ] || return 1
		[ $st = 0 ] && break
	done
	return 0
}

# Datagrams through that endpoint once the faults stop: more than its 128
# receive buffers, so that only buffers posted again can take them.
dgram_after() {
	local received
	received=$(rsk_dgram_received $addr 5311)
	echo "received: $received"
	[ "$received" -gt 128 ]
}

links_settled() {
	! "$RSK_TOP/build/tools/rdmasockctl" link |
		awk '$3 ~ /^(resolving|connecting|proving)$/ { found = 1 }
		     END { exit !found }'
}

repost_refused() {
	local n
	n=$(rsk_event dgram_rx_repost_failures)
	echo "# dgram_rx_repost_failures: $n"
	[ "$n" -gt 0 ]
}

# The bench server's listener and the holder's socket stay.
fuzz_sockets_gone() { [ "$(rsk_counter sockets)" -le 2 ]; }

under_faults() {
	local f
	for f in $faults; do
		tap_run "faults: $f armed at $RSK_FAULT_PCT %" fault_arm "$f" "$RSK_FAULT_PCT"
	done
	tap_run "faults: rsk_fuzz ${RSK_FAULT_SECONDS} s, no hang" \
		"$fuzz" --seconds "$RSK_FAULT_SECONDS" --threads 4 \
		--addr $addr --log /tmp/rsk_fuzz.log
	tail -n 300 /tmp/rsk_fuzz.log > "$RSK_OUT/rsk_fuzz.tail" 2>/dev/null
	tap_run "faults: a checked stream: data intact or an errno, in time" \
		stream_checked faults 8M
	# Datagrams under failed posts alone: failed allocations on the way
	# to a neighbour (rdma_cm's, the CM's SIDR) fail its resolution for
	# seconds at a time, and these are for the endpoint's reposts.
	fault_disarm failslab
	fault_disarm fail_page_alloc
	tap_run "faults: datagrams under failed posts: intact, lost or an errno, in time" \
		dgram_faults
	for f in $faults; do
		fault_disarm "$f"
		tap_run "faults: $f injected some" fault_injected_some "$f"
	done
	for f in rx_nomem tx_nomem ctrl_dropped srq_refill_failures \
		dgram_tx_errors; do
		echo "# $f: $(rsk_event $f)"
	done
	tap_run "faults: datagram receive buffers refused, kept for later" \
		repost_refused
}

tap_run "setup: $RSK_IBDEV on $RSK_NETDEV" rsk_guest_net $addr
tap_run "modprobe rdma_sock" modprobe rdma_sock
tap_run "bench server up" rsk_bench_server $addr
tap_run "a datagram socket held through the faults" dgram_holder
under_faults
# 90 s: an orphan whose peer's RST was lost to a fault waits 60 s.
tap_run "after: every socket of the fuzz closed" rsk_wait_for 90 \
	fuzz_sockets_gone
# A link attempt whose handshake a fault cut is rdma_cm's to retry or give
# up on (its REQ retries, a minute or two): none may stay half made.
tap_run "after: no link left resolving, connecting or proving" \
	rsk_wait_for 240 links_settled
tap_run "after: a 16 MiB stream checked, faults off" stream_checked after 16M
tap_run "after: datagrams on the endpoint that lived through the faults" \
	dgram_after
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
kill "$server" 2>/dev/null
wait "$server" 2>/dev/null
tap_run "after: every socket closed" rsk_wait_for 90 rsk_no_sockets
tap_run "after: the module unloads" modprobe -r rdma_sock
tap_done
