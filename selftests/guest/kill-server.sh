#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage for the server guest of the peer-death topology: it serves
# rsk_peer's sink to kill-client.sh until the host kills this guest's QEMU
# (vm.sh -x), the hardest way for a peer to die: no FIN, no RST, no
# LINK_CLOSE, no rdma_cm DREQ, nothing.
#
# Barriers (files $RSK_OUT/sync.NAME):
#   peer-ready          rsk_peer is up (content: 0) or not  server -> client
#   kill-server         rsk_death is streaming               client -> host
#   kill-server.done    the host killed this guest           host -> client
. "$(dirname "$0")/../vm/guest-lib.sh"

RSK_PEER_ADDR=10.99.0.1
RSK_PEER_PORT=7000

tap_run "setup: $RSK_IBDEV on $RSK_NETDEV" rsk_guest_net $RSK_PEER_ADDR
tap_run "modprobe rdma_sock" modprobe rdma_sock
"$RSK_BIN/rsk_peer" -f rdma -a $RSK_PEER_ADDR -p $RSK_PEER_PORT -t 600 \
	> /tmp/rsk_peer.out 2> /tmp/rsk_peer.err &
peer_up() { grep -qx 'rsk_peer ready' /tmp/rsk_peer.out; }
rsk_wait_for 30 peer_up
st=$?
rsk_signal peer-ready $st
tap_result "rsk_peer up on $RSK_PEER_ADDR, ports $RSK_PEER_PORT+" $st "exit $st"
# The host kills us from here on; should it not, that is a failure.
tap_run "killed by the host before 600 s" rsk_await never 600
tap_done
