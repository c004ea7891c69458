#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage for `make demo`, in each of two guests (rsk_role=server|client):
# a stream transfer and a ping-pong between them over AF_RDMA_STREAM,
# datagrams at full speed over AF_RDMA_DGRAM, next to TCP and UDP over the
# same interface and to the verbs limit (perftest, UD included), and the
# module's counters showing one link carrying the sockets.
. "$(dirname "$0")/../vm/guest-lib.sh"

role=${rsk_role:-server}
if [ "$role" = server ]; then me=10.99.0.1 peer=10.99.0.2; else me=10.99.0.2 peer=10.99.0.1; fi
bench=$RSK_TOP/build/tools/rsk_bench
secs=${rsk_demo_secs:-4}

say() { echo "[$role] $*"; }
show() { echo "[$role] \$ $*"; "$@" 2>&1 | sed "s/^/[$role]   /"; }

rsk_active_mtu() {
	local mtu
	mtu=$(ibv_devinfo -d "$RSK_IBDEV" 2> /dev/null | awk '/active_mtu/ { print $2; exit }')
	echo "${mtu:-1024}"
}

# perftest runs, both sides alike but for the peer's address: NAME -> cmd.
perf_tests="send_bw write_bw send_lat ud_bw_64 ud_bw_mtu"
perf_cmd() {
	case $1 in
	send_bw | write_bw) echo "ib_$1 -s 65536 -D $secs" ;;
	send_lat) echo "ib_send_lat -s 64 -n 2000" ;;
	ud_bw_64) echo "ib_send_bw -c UD -s 64 -D $secs" ;;
	# UD's largest message is the path MTU (1024 on rxe over a 1500 link)
	ud_bw_mtu) echo "ib_send_bw -c UD -s $(rsk_active_mtu) -D $secs" ;;
	esac
}

rsk_guest_net "$me" || exit 1
modprobe rdma_sock || exit 1
show uname -r
show cat /sys/module/rdma_sock/parameters/family

if [ "$role" = server ]; then
	"$bench" server -f rdma -a "$me" -p 5301 > /tmp/srv-rdma.out 2>&1 &
	"$bench" server -f tcp -a "$me" -p 5302 > /tmp/srv-tcp.out 2>&1 &
	rsk_wait_for 30 grep -q ready /tmp/srv-rdma.out || exit 1
	rsk_wait_for 30 grep -q ready /tmp/srv-tcp.out || exit 1
	rsk_signal demo-ready
	# perftest's servers, one after the other, as the client asks.
	for t in $perf_tests; do
		rsk_await "perf-$t" 600 || exit 1
		# shellcheck disable=SC2046
		timeout 120 $(perf_cmd $t) -d "$RSK_IBDEV" -F > "/tmp/$t.out" 2>&1 &
		sleep 1
		rsk_signal "perf-$t-ready"
		wait $!
	done
	rsk_await demo-done 600
	show grep -E "^(links|channels|sockets)" /sys/kernel/debug/rdma_sock/objects
	kill %1 %2 2>/dev/null
	exit 0
fi

rsk_await demo-ready 180 || exit 1
run() { timeout 300 "$bench" client --timeout 60 -a "$peer" "$@" 2>&1 | sed "s/^/[$role]   /"; }
say "64 KiB writes, one stream, $secs s each:"
run -f rdma -p 5301 stream -w 65536 -t "$secs"
run -f tcp -p 5302 stream -w 65536 -t "$secs"
say "ping-pong, 64-byte messages, round trip times:"
run -f rdma -p 5301 pingpong -s 64 -i 2000
run -f rdma -p 5301 pingpong -s 64 -i 2000 --busy-poll 50
run -f tcp -p 5302 pingpong -s 64 -i 2000
run -f tcp -p 5302 pingpong -s 64 -i 2000 --busy-poll 50
say "connections: connect, 1-byte echo, close:"
run -f rdma -p 5301 connrate -c 500
run -f tcp -p 5302 connrate -c 500
say "datagrams at full speed, one way, $secs s each (rdma = AF_RDMA_DGRAM):"
run -f rdma -p 5301 dgram -s 64 -t "$secs"
run -f udp -p 5302 dgram -s 64 -t "$secs"
run -f rdma -p 5301 dgram -s 8192 -t "$secs"
run -f udp -p 5302 dgram -s 8192 -t "$secs"

say "100 sockets open to the other guest at once; the module's counters:"
timeout 120 "$bench" client --timeout 60 -a "$peer" -f rdma -p 5301 idle -c 100 -t 3 \
	> /tmp/idle.out 2>&1 &
rsk_wait_for 60 grep -q "idle holding" /tmp/idle.out
show grep -E "^(links|channels|sockets)" /sys/kernel/debug/rdma_sock/objects
show cat /sys/kernel/debug/rdma_sock/links
wait $!

say "the verbs limit on the same devices (perftest):"
for t in $perf_tests; do
	rsk_signal "perf-$t"
	rsk_await "perf-$t-ready" 120 || exit 1
	for try in 1 2 3; do
		# shellcheck disable=SC2046
		timeout 120 $(perf_cmd $t) -d "$RSK_IBDEV" -F "$peer" > "/tmp/$t.out" 2>&1 && break
		sleep 1
	done
	case $t in
	send_lat) say "ib_send_lat 64 B: $(awk '/^ *64 /{print "median", $5, "us, p99", $8, "us, p99.9", $9, "us"}' /tmp/$t.out)" ;;
	# perftest's result line: #bytes #iterations peak average Mpps
	ud_bw_*) say "ib_send_bw -c UD: $(awk 'NF >= 5 && $1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+$/ {printf "%s B: %s MB/s, %.0f msg/s", $1, $4, $5 * 1e6}' /tmp/$t.out)" ;;
	*) say "ib_$t 64 KiB: $(awk '/^ *65536 /{print $4, "MB/s"}' /tmp/$t.out)" ;;
	esac
done
say "rxe0: sent_pkts=$(rsk_rxe_counter sent_pkts) rcvd_pkts=$(rsk_rxe_counter rcvd_pkts) rnr_nak? $(cat /sys/class/infiniband/$RSK_IBDEV/ports/1/hw_counters/rcvd_rnr_err 2>/dev/null)"
rsk_signal demo-done
