#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage for the server guest (10.99.0.1) of the two-guest topology.
#
# Barriers with pair-client.sh (files $RSK_OUT/sync.NAME), in order:
#   server-ready  rping's server is up                    server -> client
#   peer-ready    rsk_peer is up (content: 0) or not      server -> client
#   dgram-peer-ready  rsk_dgram_peer is up (0) or not     server -> client
#   kill-peer     rsk_death is streaming: kill the peer   client -> server
#   peer-killed   $RSK_IBDEV is gone, $RSK_OUT/peer-dead  server -> client
#                 written (rsk_death's death signal)
#   hostile-ready listeners for the hostile peer are up    server -> client
#   flood-done    rsk_hostile holds its silent links      client -> server
#   flood-checked the server capped and killed them       server -> client
#   hostile-done  rsk_hostile has made its other attacks  client -> server
#   hostile-checked  the server has checked their effects  server -> client
#   client-done   the client has finished                 client -> server
#   server-done   the server has finished                 server -> client
. "$(dirname "$0")/../vm/guest-lib.sh"

RSK_PEER_ADDR=10.99.0.1
RSK_PEER_PORT=7000
RSK_DGRAM_PORT=7100

tap_run "setup: $RSK_IBDEV on $RSK_NETDEV" rsk_guest_net $RSK_PEER_ADDR
tap_run "modprobe rdma_sock" modprobe rdma_sock
tap_run "rdma_sock bound $RSK_IBDEV" grep -q "^$RSK_IBDEV " /sys/kernel/debug/rdma_sock/devices

# Verbs between the guests, with data verification on the client: proves
# the topology carries RDMA before anything of ours relies on it.
timeout 120 rping -s -a $RSK_PEER_ADDR -C 20 -S 4096 > /tmp/rping.out 2>&1 &
rping=$!
rsk_signal server-ready
tap_run "rping server served the client" wait $rping
tap_run "rxe carried the traffic" test "$(rsk_rxe_counter rcvd_pkts)" -gt 20

# rsk_peer serves the client's stream tests (rdma_sock_pair, rsk_death)
# until the client asks for the peer's death.  -t bounds its life should
# the client never get that far.
"$RSK_BIN/rsk_peer" -f rdma -a $RSK_PEER_ADDR -p $RSK_PEER_PORT -t 1800 \
	> /tmp/rsk_peer.out 2> /tmp/rsk_peer.err &
peer=$!
peer_up() { grep -qx 'rsk_peer ready' /tmp/rsk_peer.out; }
rsk_wait_for 30 peer_up
st=$?
rsk_signal peer-ready $st
[ $st = 0 ] || sed 's/^/# /' /tmp/rsk_peer.err
tap_result "rsk_peer up on $RSK_PEER_ADDR, ports $RSK_PEER_PORT+" $st "exit $st"

# rsk_dgram_peer serves the client's datagram tests (rdma_sock_dgram_pair):
# echo, a flood sink and a group member it steers over TCP.
"$RSK_BIN/rsk_dgram_peer" -a $RSK_PEER_ADDR -p $RSK_DGRAM_PORT -t 1800 \
	> /tmp/rsk_dgram_peer.out 2> /tmp/rsk_dgram_peer.err &
dgram_peer=$!
dgram_peer_up() { grep -qx 'rsk_dgram_peer ready' /tmp/rsk_dgram_peer.out; }
rsk_wait_for 30 dgram_peer_up
st=$?
rsk_signal dgram-peer-ready $st
[ $st = 0 ] || sed 's/^/# /' /tmp/rsk_dgram_peer.err
tap_result "rsk_dgram_peer up on $RSK_PEER_ADDR, ports $RSK_DGRAM_PORT+" $st "exit $st"

# The peer's death: the client streams to rsk_peer's sink and asks for it.
# The device goes away under rsk_peer's sockets; then the death signal.
tap_run "client asked for the peer's death" rsk_await kill-peer 1200
stop_dgram_peer() {
	kill -TERM $dgram_peer
	wait $dgram_peer
	local st=$?
	sed 's/^/# /' /tmp/rsk_dgram_peer.err
	return $st
}
tap_run "rsk_dgram_peer exited 0 on SIGTERM" stop_dgram_peer
tap_run "rdma link del $RSK_IBDEV under a streaming socket" rdma link del "$RSK_IBDEV"
date +%s.%N > "$RSK_OUT/peer-dead"
rsk_signal peer-killed

# Gone, or a zombie waiting for our wait (kill -0 still finds those).
peer_gone() {
	local state
	state=$(cut -d' ' -f3 /proc/$peer/stat 2> /dev/null)
	[ -z "$state" ] || [ "$state" = Z ]
}
# rsk_peer: SIGTERM ends it with status 0, within a bound.
stop_peer() {
	local st
	kill -TERM $peer
	rsk_wait_for 10 peer_gone
	kill -KILL $peer 2> /dev/null
	wait $peer
	st=$?
	echo "rsk_peer exited $st; the end of its log:"
	tail -n 40 /tmp/rsk_peer.err
	return $st
}
tap_run "rsk_peer exited 0 on SIGTERM" stop_peer

links_gone() { test "$(rsk_counter links)" = 0; }
tap_run "links torn down" rsk_wait_for 60 links_gone

# Back to the state the family tests expect: $RSK_IBDEV bound.
readd_ibdev() {
	rdma link add "$RSK_IBDEV" type rxe netdev "$RSK_NETDEV" &&
	rsk_wait_for 20 test -e "/sys/class/infiniband/$RSK_IBDEV/ports/1/gids/0" &&
	rsk_wait_for 20 grep -q "^$RSK_IBDEV " /sys/kernel/debug/rdma_sock/devices
}
tap_run "$RSK_IBDEV added back, rdma_sock bound it" readd_ibdev

# The hostile peer: the client guest runs rsk_hostile (tools/hostile)
# against this host.  Listeners on 127.0.0.1 and on our address; links
# capped at 4 per peer and quick to time out, so that its silent links go.
. "$(dirname "$0")/hostile-server.sh"

rsk_await client-done 300
tap_kselftest family "$RSK_BIN/rdma_sock_family"
tap_run "no socket left behind" rsk_wait_for 30 rsk_no_sockets
rsk_signal server-done
tap_done
