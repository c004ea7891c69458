#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage for the server guest (10.99.0.1) of the two-guest topology.
. "$(dirname "$0")/../vm/guest-lib.sh"

tap_run "setup: $RSK_IBDEV on $RSK_NETDEV" rsk_guest_net 10.99.0.1
tap_run "modprobe rdma_sock" modprobe rdma_sock
tap_run "rdma_sock bound $RSK_IBDEV" grep -q "^$RSK_IBDEV " /sys/kernel/debug/rdma_sock/devices

# Verbs between the guests, with data verification on the client: proves
# the topology carries RDMA before anything of ours relies on it.
timeout 120 rping -s -a 10.99.0.1 -C 20 -S 4096 > /tmp/rping.out 2>&1 &
rping=$!
rsk_signal server-ready
tap_run "rping server served the client" wait $rping
tap_run "rxe carried the traffic" test "$(rsk_rxe_counter rcvd_pkts)" -gt 20

rsk_await client-done 300
tap_kselftest family "$RSK_BIN/rdma_sock_family"
tap_run "no socket left behind" test "$(rsk_counter sockets)" = 0
rsk_signal server-done
tap_done
