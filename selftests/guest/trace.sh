#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tracepoints, as someone in the field turns them on, sourced by single.sh
# (the module loaded, 10.99.0.1 on $RSK_NETDEV): the rdma_sock events exist
# and fire for a link coming up, channels changing state, resets sent and
# received, a window that closed under a writer, and a datagram dropped.
# The workload is a few of the selftests' own cases.

trace_fs=/sys/kernel/tracing
trace_events="rsk_link_state rsk_chan_state rsk_chan_reset rsk_window_stall rsk_srq_low rsk_event"

trace_on() {
	local e
	[ -f "$trace_fs/trace" ] || mount -t tracefs nodev "$trace_fs" || return 1
	for e in $trace_events; do
		[ -d "$trace_fs/events/rdma_sock/$e" ] || { echo "no event $e"; return 1; }
	done
	echo > "$trace_fs/trace"
	echo 1 > "$trace_fs/events/rdma_sock/enable"
}

trace_off() {
	echo 0 > "$trace_fs/events/rdma_sock/enable"
}

# trace_has REGEX: a line of the trace matches (the first is shown).
trace_has() {
	grep -E -m 1 "$1" "$trace_fs/trace" && return 0
	echo "no trace line matches: $1"
	grep rsk_ "$trace_fs/trace" | tail -n 20
	return 1
}

# A stream case that resets, one whose writer fills the peer's window,
# and a datagram flood into a full receive buffer.
trace_workload() {
	RSK_ADDR=10.99.0.1 RSK_ADDR6=fd00:99::1 RSK_SCALE=small \
		"$RSK_BIN/rdma_sock_stream" -v rdma -t close_unread_reset \
		-t sndtimeo > /tmp/trace-stream.out 2>&1 ||
		{ cat /tmp/trace-stream.out; return 1; }
	RSK_ADDR=10.99.0.1 RSK_ADDR6=fd00:99::1 RSK_NETDEV=$RSK_NETDEV \
		"$RSK_BIN/rdma_sock_dgram" -v rdma -t flood_drops_counted \
		> /tmp/trace-dgram.out 2>&1 ||
		{ cat /tmp/trace-dgram.out; return 1; }
}

tap_run "trace: the rdma_sock events exist and turn on" trace_on
tap_run "trace: the workload ran" trace_workload
trace_off
tap_run "trace: rsk_link_state shows the link to this host up" \
	trace_has 'rsk_link_state: link=[0-9]+ active peer=::ffff:10\.99\.0\.1 state=up'
tap_run "trace: rsk_chan_state shows a connect" \
	trace_has 'rsk_chan_state: link=[0-9]+ chan=[1-9][0-9]* SYN_SENT -> ESTABLISHED'
tap_run "trace: rsk_chan_state shows a listener" \
	trace_has 'rsk_chan_state: link=0 chan=0 CLOSE -> LISTEN'
tap_run "trace: rsk_chan_reset shows an RST sent, with its reason" \
	trace_has 'rsk_chan_reset: link=[0-9]+ chan=[1-9][0-9]* peer_chan=[1-9][0-9]* sent reason=[0-9]+'
tap_run "trace: rsk_chan_reset shows the RST received" \
	trace_has 'rsk_chan_reset: .* received reason=[0-9]+'
tap_run "trace: rsk_window_stall shows a writer held by the window" \
	trace_has 'rsk_window_stall: link=[0-9]+ chan=[1-9][0-9]* snd_nxt=[0-9]+ wnd_end=[0-9]+ queued=[1-9]'
tap_run "trace: rsk_event names counted events (rst_sent)" \
	trace_has 'rsk_event: rst_sent netns=[1-9]'
tap_run "trace: rsk_event names dropped datagrams" \
	trace_has 'rsk_event: dgram_rcvbuf_drops netns=[1-9]'
echo > "$trace_fs/trace"
