# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced by pair-server.sh: this guest is the victim of rsk_hostile
# (tools/hostile), run by hostile-client.sh on the other guest.  The
# attacks, and what must follow (Documentation/networking/
# rdma_sock-threats.rst):
#   links   12 links, never answering LINK_CLOSE, with max_links_per_peer
#           4: 4 up, 8 rejected BUSY (link_limit); the 4 killed once idle
#           when our LINK_CLOSE goes unanswered (link_close_timeouts)
#   replay  a hello with our own host_id, then CONN_REQ to 127.0.0.1:
#           refused (MALFORMED), no child made
#   spoof   CONN_REQ from an address the link is not from: refused; from
#           the link's own address: accepted
#   malformed  22 variants of the "Validation" rows: each counted by its
#           own counter; 8 channels accepted for the channel variants
#   unproven  3 links that never echo our LINK_CHALLENGE: each killed,
#           counted as link_unproven, the CONN_REQ one made no channel
#   flood   2000 1-byte DATA to a child of the listener that never
#           accepts: held in at most 3 receive chunks of 1 KiB; then
#           its window filled, and one byte past it reset (rx_window)
hostile_saved=$(sysctl -n net.rdma_sock.max_links_per_peer \
	net.rdma_sock.link_idle_ms net.rdma_sock.link_keepalive_ms | paste -sd' ')
hostile_restore() {
	local per idle ka
	read -r per idle ka <<< "$hostile_saved"
	sysctl -qw net.rdma_sock.max_links_per_peer="$per" \
		net.rdma_sock.link_idle_ms="$idle" net.rdma_sock.link_keepalive_ms="$ka"
}
hostile_setup() {
	sysctl -qw net.rdma_sock.max_links_per_peer=4 net.rdma_sock.link_idle_ms=1000 \
		net.rdma_sock.link_keepalive_ms=500 || return 1
	"$RSK_BIN/rsk_peer" -f rdma -a 127.0.0.1 -p 7300 -t 600 \
		> /tmp/hostile_lo.out 2> /tmp/hostile_lo.err &
	hostile_lo=$!
	"$RSK_BIN/rsk_peer" -f rdma -a $RSK_PEER_ADDR -p 7400 -t 600 \
		> /tmp/hostile_srv.out 2> /tmp/hostile_srv.err &
	hostile_srv=$!
	rsk_wait_for 30 grep -qx 'rsk_peer ready' /tmp/hostile_lo.out &&
	rsk_wait_for 30 grep -qx 'rsk_peer ready' /tmp/hostile_srv.out
}
hostile_limit0=$(rsk_event link_limit)
hostile_close0=$(rsk_event link_close_timeouts)
tap_run "hostile: victim's listeners up, links capped at 4 per peer" hostile_setup
rsk_signal hostile-ready

tap_run "hostile: the link flood was made" rsk_await flood-done 300
hostile_limited() {
	local n
	n=$(($(rsk_event link_limit) - hostile_limit0))
	echo "link_limit +$n"
	[ $n -ge 8 ]
}
tap_run "hostile: links beyond max_links_per_peer rejected, counted" hostile_limited
# Its links stay silent: idle after 1 s, LINK_CLOSE unanswered for 4
# keepalive periods, killed while rsk_hostile still holds them.
hostile_closed() {
	test $(($(rsk_event link_close_timeouts) - hostile_close0)) -ge 4 &&
	test "$(rsk_counter links)" = 0
}
tap_run "hostile: silent links killed when LINK_CLOSE went unanswered" \
	rsk_wait_for 60 hostile_closed
# The short link timers were for the flood; the other attacks' links
# have channels open while rsk_hostile answers no KEEPALIVE, and a victim
# on the debug kernel may stall longer than 4 of those short periods.
hostile_uncap() { hostile_restore; }
tap_run "hostile: links per peer and link timers as they were" hostile_uncap
hostile_bad0=$(rsk_event rx_bad_conn_req)
hostile_unproven0=$(rsk_event link_unproven)
hostile_accepts0=$(rsk_event accepts)
hostile_rx_events="rx_short rx_unknown_type rx_not_negotiated rx_link_chan
	rx_bad_len rx_no_channel rx_src_mismatch rx_bad_state rx_after_fin
	rx_bad_ack rx_bad_seq rx_window"
declare -A hostile_rx0
for e in $hostile_rx_events; do hostile_rx0[$e]=$(rsk_event "$e"); done
rsk_signal flood-checked

# The 1-byte flood: what it holds, counted while rsk_hostile waits.
hostile_flood_memory() {
	local base n
	rsk_await flood-open 300 || return 1
	base=$(rsk_counter rx_chunks)
	rsk_signal flood-base
	rsk_await flood-sent 300 || return 1
	n=$(($(rsk_counter rx_chunks) - base))
	rsk_signal flood-counted
	echo "2000 1-byte messages held in $n receive chunks (1 KiB each)"
	[ $n -ge 1 ] && [ $n -le 3 ]
}
tap_run "hostile: 2000 1-byte DATA to a child not accepted held in at most 3 KiB" \
	hostile_flood_memory
tap_run "hostile: the other attacks were made" rsk_await hostile-done 300
# replay and spoof: two CONN_REQs refused as malformed; only the one from
# the link's true address made a child.
# malformed: 4 more bad CONN_REQs, 8 more children; flood: 1 more.
hostile_refusals() {
	local bad accepts
	bad=$(($(rsk_event rx_bad_conn_req) - hostile_bad0))
	accepts=$(($(rsk_event accepts) - hostile_accepts0))
	echo "rx_bad_conn_req +$bad, accepts +$accepts"
	[ $bad = 6 ] && [ $accepts = 10 ]
}
tap_run "hostile: replayed host_id and spoofed source refused, counted" hostile_refusals
# Each malformed variant by its own counter.  The peer's RST after each
# channel variant finds the 6 channels it reset gone (rx_no_channel); a
# second FIN is rx_after_fin, or rx_no_channel if the hold service closed
# the channel between the two.
hostile_rx_delta() { echo $(($(rsk_event "$1") - ${hostile_rx0[$1]})); }
hostile_malformed_counted() {
	local e want st=0
	for e in rx_short:1 rx_unknown_type:1 rx_not_negotiated:2 rx_link_chan:1 \
		rx_bad_len:5 rx_src_mismatch:1 rx_bad_state:2 rx_bad_ack:1 \
		rx_bad_seq:1 rx_window:1; do
		want=${e#*:}
		e=${e%:*}
		echo "$e +$(hostile_rx_delta "$e") (want $want)"
		[ "$(hostile_rx_delta "$e")" = "$want" ] || st=1
	done
	want=$(($(hostile_rx_delta rx_after_fin) + $(hostile_rx_delta rx_no_channel)))
	echo "rx_after_fin + rx_no_channel +$want (want 9)"
	[ "$want" = 9 ] || st=1
	# What else happened, should this fail: every event counted.
	[ $st = 0 ] || awk '$2 != 0 { printf "%s %s; ", $1, $2 } END { print "" }' \
		/sys/kernel/debug/rdma_sock/events
	return $st
}
tap_run "hostile: each malformed variant counted as its row says" \
	hostile_malformed_counted
hostile_unproven_counted() {
	local n
	n=$(($(rsk_event link_unproven) - hostile_unproven0))
	echo "link_unproven +$n (want 3)"
	[ $n = 3 ]
}
tap_run "hostile: links that did not prove their address killed, counted" \
	hostile_unproven_counted
rsk_signal hostile-checked
hostile_stop() {
	kill -TERM $hostile_lo $hostile_srv
	wait $hostile_lo $hostile_srv
}
tap_run "hostile: listeners exit 0" hostile_stop
tap_run "hostile: settings put back" hostile_restore
hostile_no_links() { test "$(rsk_counter links)" = 0; }
tap_run "hostile: links torn down" rsk_wait_for 60 hostile_no_links
