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
# rdmasockctl, first: what it shows must be the sockets of the module's
# own tests alone (rsk_hold's), not the tail of earlier ones.
. "$(dirname "$0")/ctl.sh"
. "$(dirname "$0")/ports.sh"
. "$(dirname "$0")/userns.sh"
tap_kselftest family "$RSK_BIN/rdma_sock_family"
# Streams over a link to this host itself: every case against TCP's
# behaviour, IPv4, IPv4-mapped IPv6 and IPv6.  rsk_scale=small on slow kernels.
# No route leads to 198.51.100.1 (TEST-NET-2); nobody has 10.99.0.250.
RSK_NOROUTE_ADDR=198.51.100.1 RSK_NOHOST_ADDR=10.99.0.250 \
RSK_ADDR=10.99.0.1 RSK_ADDR6=fd00:99::1 RSK_SCALE=${rsk_scale:-full} \
	tap_kselftest stream "$RSK_BIN/rdma_sock_stream" -v rdma -v rdma6 -v rdma6n
# Datagram sockets, case by case as UDP's, and multicast groups: every
# case against UDP in this guest too (variants udp*), which checks the
# tests themselves.  rsk_reference=0 (the debug and 6.1 guests of `make
# check`) leaves the UDP and TCP runs to the 6.12 guest.
udp_ref="-v udp -v udp6 -v udp6n" tcp_ref="-v tcp"
[ "${rsk_reference:-1}" = 0 ] && udp_ref="" tcp_ref=""
# shellcheck disable=SC2086 # word splitting of the variant lists
RSK_ADDR=10.99.0.1 RSK_ADDR6=fd00:99::1 RSK_NETDEV=$RSK_NETDEV \
RSK_NOROUTE_ADDR=198.51.100.1 \
	tap_kselftest dgram "$RSK_BIN/rdma_sock_dgram" $udp_ref \
	-v rdma -v rdma6 -v rdma6n
# Memory cgroups: each end's queued data charged to its own cgroup, as
# TCP's (no cgroups on the debug kernel: skipped there).
# shellcheck disable=SC2086
RSK_ADDR=10.99.0.1 tap_kselftest memcg "$RSK_BIN/rdma_sock_memcg" $tcp_ref -v rdma
# Namespaces: ports, settings, counters and links per namespace, and a
# namespace that had listeners freed after use.
RSK_ADDR=10.99.0.1 tap_kselftest netns "$RSK_BIN/rdma_sock_netns"
# The tracepoints, turned on as in the field, over a few of those cases.
. "$(dirname "$0")/trace.sh"
tap_run "no socket left behind" rsk_wait_for 30 rsk_no_sockets
tap_run "no channel left behind" test "$(rsk_counter channels)" = 0
tap_run "no receive chunk or send buffer left behind" \
	test "$(rsk_counter rx_chunks)$(rsk_counter tx_bufs)" = 00
tap_run "no datagram endpoint, neighbour or group left behind" \
	rsk_wait_for 30 rsk_no_ud_objects
tap_run "rmmod with no socket open" modprobe -r rdma_sock
tap_run "rdmasockctl without the module: exit 3" ctl_not_loaded
tap_done
