#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage for the client guest of the peer-death topology (see
# kill-server.sh): rsk_death streams to the server guest, asks the host to
# kill the server's QEMU, and must see its socket fail within 60 s of the
# kill (the link's RC retries run out, or link keepalive finds the
# silence); then the link must go and nothing may be left.
. "$(dirname "$0")/../vm/guest-lib.sh"

RSK_PEER_ADDR=10.99.0.1
RSK_PEER_PORT=7000

tap_run "setup: $RSK_IBDEV on $RSK_NETDEV" rsk_guest_net 10.99.0.2
tap_run "modprobe rdma_sock" modprobe rdma_sock
peer_ready() {
	rsk_await peer-ready 180 && [ "$(cat "$RSK_OUT/sync.peer-ready")" = 0 ]
}
tap_run "rsk_peer ready on the server guest" peer_ready

"$RSK_BIN/rsk_death" -f rdma -a $RSK_PEER_ADDR -p $((RSK_PEER_PORT + 1)) \
	-w "$RSK_OUT/sync.kill-server.done" -t 60 -m 300 \
	> /tmp/rsk_death.out 2> /tmp/rsk_death.err &
death=$!
streaming() { grep -qx streaming /tmp/rsk_death.out; }
tap_run "rsk_death streaming to the server guest" rsk_wait_for 120 streaming
rsk_signal kill-server		# the host kills the server's QEMU now
tap_run "server QEMU killed: ECONNRESET, EPIPE or ETIMEDOUT within 60 s" rsk_death_seen $death
# What the link and the device saw, for the record.
for f in links events; do
	sed "s/^/# $f: /" /sys/kernel/debug/rdma_sock/$f
done
(cd "/sys/class/infiniband/$RSK_IBDEV/ports/1/hw_counters" && grep -H . *) |
	grep -v ':0$' | sed 's/^/# rxe: /'
links_gone() { test "$(rsk_counter links)" = 0; }
tap_run "link to the dead server torn down" rsk_wait_for 90 links_gone
tap_run "no socket left behind" rsk_wait_for 30 rsk_no_sockets
tap_run "no channel left behind" test "$(rsk_counter channels)" = 0
tap_run "rmmod" modprobe -r rdma_sock
tap_done
