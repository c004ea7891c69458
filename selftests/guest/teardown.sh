#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage: what goes away under traffic, on the debug kernel (vm.sh fails
# the guest on any splat, guest-init's last kmemleak scan on any leak).
#
#  - rmmod while a stream flows: refused (the sockets hold the module),
#    and the stream goes on, its data checked;
#  - the device removed (rdma link del) while a checked stream and a
#    datagram flood use it: each ends with an errno in time, never a hang
#    or data other than sent; every link, channel and datagram object
#    goes, and the module lets the device go.  The device added again, the
#    listener that lived through it serves a checked stream and datagrams
#    on it; then every socket goes and the module unloads.
#
# Not a network namespace deleted under traffic: soft-RoCE (6.12) has its
# UDP socket in the initial namespace only, so no RDMA traffic flows in
# another; rdma_sock_netns's namespace_freed deletes one with sockets in
# it instead.
. "$(dirname "$0")/../vm/guest-lib.sh"

addr=10.99.0.1
bench="$RSK_TOP/build/tools/rsk_bench"
server=''		# its pid: rsk_bench_server()
ctl="$RSK_TOP/build/tools/rdmasockctl"

# A checked stream of BYTES, backgrounded: its pid in $!.
stream_bg() {	# stream_bg LOG BYTES
	timeout 300 "$bench" client -f rdma -a $addr -p 5311 --timeout 60 \
		stream -n 2 -b "$2" --verify full > "$1" 2>&1 &
}

# Until a link has sent a MiB: the server logs nothing per session by
# default, so watch the links instead.
traffic_flows() {
	"$ctl" -j link | jq -e 'any(.[]; .tx_bytes > 1048576)' > /dev/null
}

rmmod_refused() {
	local log=$RSK_OUT/rmmod.stream.log st out client
	stream_bg "$log" 12M
	client=$!
	rsk_wait_for 60 traffic_flows || { echo "no traffic"; return 1; }
	out=$(rmmod rdma_sock 2>&1)
	st=$?
	echo "rmmod under traffic: exit $st: $out"
	[ $st != 0 ] && echo "$out" | grep -q 'in use' || return 1
	lsmod | grep -q '^rdma_sock ' || { echo "unloaded"; return 1; }
	wait $client
	st=$?
	echo "stream: exit $st: $(tail -n 1 "$log")"
	return $st
}

# The links carrying rmmod_refused's stream close once idle: wait for a
# fresh start, so that the traffic seen next is the next stream's.
links_gone() { [ "$(rsk_counter links)" = 0 ]; }

dev_removed() {
	sysctl -qw net.rdma_sock.link_idle_ms=1000
	rsk_wait_for 60 links_gone || { echo "links stay"; return 1; }
	stream_bg "$RSK_OUT/removed.stream.log" 1G
	stream_client=$!
	timeout 300 "$bench" client -f rdma -a $addr -p 5311 --timeout 60 \
		dgram -s 1024 -t 30 > "$RSK_OUT/removed.dgram.log" 2>&1 &
	dgram_client=$!
	rsk_wait_for 90 traffic_flows || { echo "no traffic"; return 1; }
	"$ctl" link
	awk '{ printf "%s=%s ", $1, $2 }' /sys/kernel/debug/rdma_sock/objects
	echo
	rdma link del "$RSK_IBDEV"
}

# A client: an errno (exit 1), in time; never other data or a stall.
ended_with_errno() {	# ended_with_errno PID LOG
	local st
	wait "$1"
	st=$?
	echo "exit $st: $(tail -n 1 "$2")"
	! grep -q 'differing from the pattern\|differ from what was sent\|timed out after' "$2" &&
		[ $st = 1 ]
}

# The server's listener stays; all else the device carried goes.
all_gone() {
	[ "$(rsk_counter links)" = 0 ] && [ "$(rsk_counter channels)" = 0 ] &&
		[ "$(rsk_counter devices)" = 0 ] &&
		[ "$(rsk_counter sockets)" -le 1 ] && rsk_no_ud_objects
}

show_left() {
	awk '{ printf "%s=%s ", $1, $2 }' /sys/kernel/debug/rdma_sock/objects
	echo
	"$ctl" link
	"$ctl" sock
}

devices_one() { [ "$(rsk_counter devices)" = 1 ]; }

dev_back() {
	rdma link add "$RSK_IBDEV" type rxe netdev "$RSK_NETDEV" &&
	rsk_wait_for 20 test -e "/sys/class/infiniband/$RSK_IBDEV/ports/1/gids/0" &&
	rsk_wait_for 20 devices_one
}

stream_after() {
	local log=$RSK_OUT/after.stream.log st
	timeout 300 "$bench" client -f rdma -a $addr -p 5311 --timeout 60 \
		stream -n 2 -b 8M --verify full > "$log" 2>&1
	st=$?
	echo "stream: exit $st: $(tail -n 1 "$log")"
	return $st
}

dgram_after() {
	local received
	received=$(rsk_dgram_received $addr 5311)
	echo "received: $received"
	[ "$received" -gt 0 ]
}

tap_run "setup: $RSK_IBDEV on $RSK_NETDEV" rsk_guest_net $addr
tap_run "modprobe rdma_sock" modprobe rdma_sock
tap_run "bench server on $addr" rsk_bench_server $addr
tap_run "rmmod under traffic: refused (in use), the stream intact" rmmod_refused
tap_run "rdma link del $RSK_IBDEV under a stream and datagrams" dev_removed
tap_run "removed: the stream ends with an errno, in time" \
	ended_with_errno "$stream_client" "$RSK_OUT/removed.stream.log"
tap_run "removed: the datagram client ends with an errno, in time" \
	ended_with_errno "$dgram_client" "$RSK_OUT/removed.dgram.log"
if ! tap_run "removed: links, channels, datagram objects gone, device let go" \
	rsk_wait_for 120 all_gone; then
	show_left | sed 's/^/# /'
fi
tap_run "$RSK_IBDEV added again: the module binds it" dev_back
tap_run "after: the same listener serves a checked stream" stream_after
tap_run "after: datagrams arrive" dgram_after
kill "$server" 2>/dev/null
wait "$server" 2>/dev/null
tap_run "after: every socket closed" rsk_wait_for 90 rsk_no_sockets
tap_run "after: the module unloads" modprobe -r rdma_sock
tap_done
