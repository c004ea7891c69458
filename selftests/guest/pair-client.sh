#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage for the client guest (10.99.0.2) of the two-guest topology.  The
# barriers with pair-server.sh are listed at the head of that script.
# rsk_scale=small (on the kernel command line) shrinks the stream tests.
. "$(dirname "$0")/../vm/guest-lib.sh"

RSK_PEER_ADDR=10.99.0.1
RSK_PEER_PORT=7000
RSK_SCALE=${rsk_scale:-full}
export RSK_PEER_ADDR RSK_PEER_PORT RSK_SCALE

tap_run "setup: $RSK_IBDEV on $RSK_NETDEV" rsk_guest_net 10.99.0.2
tap_run "modprobe rdma_sock" modprobe rdma_sock
tap_run "rdma_sock bound $RSK_IBDEV" grep -q "^$RSK_IBDEV " /sys/kernel/debug/rdma_sock/devices

rping_client() {
	local try
	for try in 1 2 3 4 5; do
		timeout 60 rping -c -a $RSK_PEER_ADDR -C 20 -S 4096 -V && return 0
		sleep 1
	done
	return 1
}
tap_run "server guest ready" rsk_await server-ready 180
tap_run "rping to the other guest, data verified" rping_client
tap_run "rxe carried the traffic" test "$(rsk_rxe_counter sent_pkts)" -gt 20

RSK_ADDR=10.99.0.2 tap_kselftest family "$RSK_BIN/rdma_sock_family"
tap_run "no socket left behind" test "$(rsk_counter sockets)" = 0

# The family tests deleted and re-added $RSK_IBDEV: wait until it has its
# IPv4 GID (::ffff:10.99.0.2) and rdma_sock has bound it again.
ibdev_ready() {
	grep -qs 'ffff:0a63:0002' /sys/class/infiniband/"$RSK_IBDEV"/ports/1/gids/* &&
	grep -q "^$RSK_IBDEV " /sys/kernel/debug/rdma_sock/devices
}
tap_run "$RSK_IBDEV ready again" rsk_wait_for 30 ibdev_ready

# Stream tests against rsk_peer on the server guest.
peer_ready() {
	rsk_await peer-ready 120 && [ "$(cat "$RSK_OUT/sync.peer-ready")" = 0 ]
}
tap_run "rsk_peer ready on the server guest" peer_ready
tap_kselftest pair "$RSK_BIN/rdma_sock_pair" -v rdma

# Datagrams to rsk_dgram_peer on the server guest: echo of every size,
# a flood, and a multicast group with a member on each guest.  Variant
# udp checks the tests against UDP over the same link.
dgram_peer_ready() {
	rsk_await dgram-peer-ready 120 &&
	[ "$(cat "$RSK_OUT/sync.dgram-peer-ready")" = 0 ]
}
tap_run "rsk_dgram_peer ready on the server guest" dgram_peer_ready
RSK_ADDR=10.99.0.2 RSK_DGRAM_PORT=7100 \
	tap_kselftest dgram-pair "$RSK_BIN/rdma_sock_dgram_pair" -v udp -v rdma
tap_run "no datagram endpoint, neighbour or group left behind" \
	rsk_wait_for 30 rsk_no_ud_objects

# The peer's death: rsk_death streams to the sink; once it is streaming the
# server deletes its device under it and then writes $RSK_OUT/peer-dead,
# from when rsk_death wants its error within 60 s.  It gives up by itself
# if the death signal has not come 300 s after its start.
rm -f "$RSK_OUT/peer-dead"
"$RSK_BIN/rsk_death" -f rdma -a $RSK_PEER_ADDR -p $((RSK_PEER_PORT + 1)) \
	-w "$RSK_OUT/peer-dead" -t 60 -m 300 > /tmp/rsk_death.out 2> /tmp/rsk_death.err &
death=$!
streaming() { grep -qx streaming /tmp/rsk_death.out; }
tap_run "rsk_death streaming to the peer" rsk_wait_for 60 streaming
rsk_signal kill-peer		# whatever happened: the server must go on
tap_run "peer death: ECONNRESET, EPIPE or ETIMEDOUT within 60 s" rsk_death_seen $death
tap_run "server deleted its $RSK_IBDEV" rsk_await peer-killed 120

links_gone() { test "$(rsk_counter links)" = 0; }
tap_run "links torn down after the peer's death" rsk_wait_for 90 links_gone
tap_run "no socket left behind" rsk_wait_for 30 rsk_no_sockets
# The hostile peer's attacks on the server (hostile-client.sh).
. "$(dirname "$0")/hostile-client.sh"
rsk_signal client-done
tap_run "server guest finished" rsk_await server-done 300
tap_done
