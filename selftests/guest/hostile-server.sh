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
hostile_uncap() {
	sysctl -qw net.rdma_sock.max_links_per_peer="${hostile_saved%% *}"
}
tap_run "hostile: links per peer uncapped again" hostile_uncap
hostile_bad0=$(rsk_event rx_bad_conn_req)
hostile_accepts0=$(rsk_event accepts)
rsk_signal flood-checked

tap_run "hostile: the other attacks were made" rsk_await hostile-done 300
# replay and spoof: two CONN_REQs refused as malformed; only the one from
# the link's true address made a child.
hostile_refusals() {
	local bad accepts
	bad=$(($(rsk_event rx_bad_conn_req) - hostile_bad0))
	accepts=$(($(rsk_event accepts) - hostile_accepts0))
	echo "rx_bad_conn_req +$bad, accepts +$accepts"
	[ $bad = 2 ] && [ $accepts = 1 ]
}
tap_run "hostile: replayed host_id and spoofed source refused, counted" hostile_refusals
rsk_signal hostile-checked
hostile_stop() {
	kill -TERM $hostile_lo $hostile_srv
	wait $hostile_lo $hostile_srv
}
tap_run "hostile: listeners exit 0" hostile_stop
tap_run "hostile: settings put back" hostile_restore
hostile_no_links() { test "$(rsk_counter links)" = 0; }
tap_run "hostile: links torn down" rsk_wait_for 60 hostile_no_links
