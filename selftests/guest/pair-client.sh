#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage for the client guest (10.99.0.2) of the two-guest topology.
. "$(dirname "$0")/../vm/guest-lib.sh"

tap_run "setup: $RSK_IBDEV on $RSK_NETDEV" rsk_guest_net 10.99.0.2
tap_run "modprobe rdma_sock" modprobe rdma_sock
tap_run "rdma_sock bound $RSK_IBDEV" grep -q "^$RSK_IBDEV " /sys/kernel/debug/rdma_sock/devices

rping_client() {
	local try
	for try in 1 2 3 4 5; do
		timeout 60 rping -c -a 10.99.0.1 -C 20 -S 4096 -V && return 0
		sleep 1
	done
	return 1
}
tap_run "server guest ready" rsk_await server-ready 180
tap_run "rping to the other guest, data verified" rping_client
tap_run "rxe carried the traffic" test "$(rsk_rxe_counter sent_pkts)" -gt 20

tap_kselftest family "$RSK_BIN/rdma_sock_family"
tap_run "no socket left behind" test "$(rsk_counter sockets)" = 0
rsk_signal client-done
tap_run "server guest finished" rsk_await server-done 300
tap_done
