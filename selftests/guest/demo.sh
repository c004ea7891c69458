#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage for `make demo`, in each of two guests (rsk_role=server|client).
. "$(dirname "$0")/../vm/guest-lib.sh"

role=${rsk_role:-server}
if [ "$role" = server ]; then me=10.99.0.1 peer=10.99.0.2; else me=10.99.0.2 peer=10.99.0.1; fi

show() { echo "[$role] \$ $*"; "$@" 2>&1 | sed "s/^/[$role]   /"; }

rsk_guest_net "$me" || exit 1
show uname -r
show rdma link show
show ip -br addr show dev "$RSK_NETDEV"
show modprobe rdma_sock
show cat /sys/module/rdma_sock/parameters/family
show grep RDMA_ /proc/net/protocols
show cat /sys/kernel/debug/rdma_sock/devices
show python3 -c "import socket
f = int(open('/sys/module/rdma_sock/parameters/family').read())
for t in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
    s = socket.socket(f, t)
    print(s)
    s.close()"

if [ "$role" = server ]; then
	timeout 120 rping -s -a "$me" -C 10 -S 4096 > /dev/null 2>&1 &
	rsk_signal demo-ready
	wait $! && echo "[$role] rping served the client"
else
	rsk_await demo-ready 180 || exit 1
	rc=1
	for try in 1 2 3 4 5; do
		timeout 60 rping -c -a "$peer" -C 10 -S 4096 -V > /tmp/rping.out 2>&1 && { rc=0; break; }
		sleep 1
	done
	[ $rc = 0 ] && echo "[$role] rping to $peer: 10 RDMA round trips of 4096 bytes, data verified"
	[ $rc = 0 ] || { echo "[$role] rping to $peer failed:"; cat /tmp/rping.out; exit 1; }
fi
echo "[$role] rxe0 sent_pkts=$(rsk_rxe_counter sent_pkts) rcvd_pkts=$(rsk_rxe_counter rcvd_pkts)"
