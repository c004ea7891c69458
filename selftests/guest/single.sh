#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage for one guest: client and server share its rxe device.  With
# RSK_KUNIT=1 (the debug kernel) it first runs the KUnit suites.
. "$(dirname "$0")/../vm/guest-lib.sh"

tap_run "setup: $RSK_IBDEV on $RSK_NETDEV" rsk_guest_net 10.99.0.1
[ "${rsk_kunit:-0}" = 1 ] && . "$(dirname "$0")/kunit.sh"
tap_run "modprobe rdma_sock" modprobe rdma_sock
tap_run "rdma_sock bound $RSK_IBDEV" grep -q "^$RSK_IBDEV " /sys/kernel/debug/rdma_sock/devices
tap_kselftest family "$RSK_BIN/rdma_sock_family"
tap_run "no socket left behind" test "$(rsk_counter sockets)" = 0
tap_run "rmmod with no socket open" modprobe -r rdma_sock
tap_done
