#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage for the second part of `make demo`: busy polling, in one guest
# with two CPUs.  With one CPU per guest a spinning reader takes the CPU
# that rxe's software transport needs to deliver what it waits for, so
# busy polling can only lose there; with two, the reader spins on one and
# rxe runs on the other, as a NIC's transport runs on the NIC.  Client
# and server share the guest and its rxe device (a link to itself), and
# ib_send_lat measures the same path.
. "$(dirname "$0")/../vm/guest-lib.sh"

bench=$RSK_TOP/build/tools/rsk_bench
me=10.99.0.1
say() { echo "[one guest, $(nproc) CPUs] $*"; }

rsk_guest_net "$me" || exit 1
modprobe rdma_sock || exit 1
"$bench" server -f rdma -a "$me" -p 5301 > /tmp/srv-rdma.out 2>&1 &
"$bench" server -f tcp -a "$me" -p 5302 > /tmp/srv-tcp.out 2>&1 &
rsk_wait_for 30 grep -q ready /tmp/srv-rdma.out || exit 1
rsk_wait_for 30 grep -q ready /tmp/srv-tcp.out || exit 1
run() {
	timeout 300 "$bench" client --timeout 60 -a "$me" "$@" 2>&1 |
		sed "s/^/[one guest]   /"
}
# TCG's timing is noisy from one second to the next: three rounds, each
# running every variant once, so that the comparison is within a round.
say "ping-pong, 64-byte messages, round trip times, without and with SO_BUSY_POLL=50:"
for round in 1 2 3; do
	say "round $round"
	run -f rdma -p 5301 pingpong -s 64 -i 2000
	run -f rdma -p 5301 pingpong -s 64 -i 2000 --busy-poll 50
	run -f tcp -p 5302 pingpong -s 64 -i 2000
	run -f tcp -p 5302 pingpong -s 64 -i 2000 --busy-poll 50
done
timeout 120 ib_send_lat -d "$RSK_IBDEV" -F -s 64 -n 3000 > /tmp/lat-srv.out 2>&1 &
lat_srv=$!
sleep 1
timeout 120 ib_send_lat -d "$RSK_IBDEV" -F -s 64 -n 3000 "$me" > /tmp/lat.out 2>&1
wait $lat_srv
say "ib_send_lat 64 B (one way): $(awk '/^ *64 /{print "typical", $5, "us, p99", $8, "us"}' /tmp/lat.out)"
kill %1 %2 2> /dev/null
wait
exit 0
