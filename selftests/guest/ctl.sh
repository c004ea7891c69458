#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rdmasockctl against the live module, sourced by single.sh (the module
# loaded, $RSK_IBDEV bound, 10.99.0.1 on $RSK_NETDEV): what it shows must
# be exactly what rsk_hold holds open; settings change and refuse bad
# values; an unprivileged user reads but cannot set; a dump of 5000
# sockets is complete.  JSON output checked with jq.

ctl=$RSK_TOP/build/tools/rdmasockctl
ctl_addr=10.99.0.1
ctl_port=7400
ctl_bytes=10000
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

# rsk_hold_start OUT ARGS...: rsk_hold in the background, until "ready".
rsk_hold_start() {
	local out=$1
	shift
	"$RSK_BIN/rsk_hold" "$@" > "$out" 2> "$out.err" &
	hold_pid=$!
	rsk_wait_for 60 grep -qx ready "$out" || { cat "$out.err"; return 1; }
}
# SIGTERM, and SIGKILL if it is stuck (in its setup, which ignores TERM).
rsk_hold_stop() {
	kill -TERM "$hold_pid" 2> /dev/null
	rsk_wait_for 10 sh -c "! kill -0 $hold_pid 2> /dev/null || grep -q '^State:.*Z' /proc/$hold_pid/status" ||
		kill -KILL "$hold_pid" 2> /dev/null
	wait "$hold_pid"
}

ctl_status() {
	local j
	j=$("$ctl" -j status) || return 1
	echo "$j"
	[ "$(jq .family <<< "$j")" = "$(cat /sys/module/rdma_sock/parameters/family)" ] &&
	[ "$(jq -r .version <<< "$j")" = "$(cat /sys/module/rdma_sock/version)" ] &&
	[ "$(jq .protocol_version <<< "$j")" -ge 1 ] &&
	[ "$(jq .devices <<< "$j")" = 1 ]
}

ctl_dev() {
	local j
	j=$("$ctl" -j dev show) || return 1
	echo "$j"
	jq -e --arg d "$RSK_IBDEV" \
		'length == 1 and .[0].name == $d and .[0].srq_depth > 0 and
		 .[0].srq_posted > 0 and .[0].dying == false' <<< "$j"
}

# The connection rsk_hold made: each socket exactly, Recv-Q the bytes the
# server did not read (once they are there: the send completes on its own).
ctl_sockets_exact() {
	local try
	for try in $(seq 20); do
		if ctl_sockets_exact_once > /tmp/ctl_sockets.out 2>&1; then
			cat /tmp/ctl_sockets.out
			return 0
		fi
		sleep 0.5
	done
	cat /tmp/ctl_sockets.out
	return 1
}

ctl_sockets_exact_once() {
	local j cport
	cport=$(awk '/^client /{print $2}' /tmp/hold1.out)
	j=$("$ctl" -j sock) || return 1
	echo "$j" | jq -c '.[]'
	jq -e --arg a "$ctl_addr" --argjson p $ctl_port --argjson c "$cport" \
		--argjson b $ctl_bytes '
		def one(f): [.[] | select(f)] | length == 1;
		one(.type == "stream" and .state == "LISTEN" and
		    .local.addr == $a and .local.port == $p and .peer == null) and
		one(.type == "stream" and .state == "ESTAB" and
		    .local.port == $c and .peer.addr == $a and .peer.port == $p and
		    .send_q == 0 and .link != null and .chan != null) and
		one(.type == "stream" and .state == "ESTAB" and
		    .local.port == $p and .peer.port == $c and .recv_q == $b) and
		one(.type == "dgram" and .state == "UNCONN" and
		    .local.addr == $a and .local.port == $p)' <<< "$j" &&
	# The table and a filter say the same.
	"$ctl" sock state established dport $ctl_port | grep -q "$ctl_addr:$cport" &&
	[ "$("$ctl" -j sock type dgram sport $ctl_port | jq length)" = 1 ] &&
	[ "$("$ctl" -j sock state listen | jq length)" = 1 ]
}

# The links: this host talks to itself over two, one each way; the bytes
# the client sent are on the active one's tx and the passive one's rx.
ctl_links() {
	local j
	j=$("$ctl" -j link show) || return 1
	echo "$j" | jq -c '.[]'
	jq -e --arg a "$ctl_addr" --argjson b $ctl_bytes '
		[.[] | select(.state == "up" and .peer.addr == $a)] as $up |
		($up | length) >= 1 and
		([$up[] | .tx_bytes] | add) >= $b and
		([$up[] | .rx_bytes] | add) >= $b and
		([$up[] | .channels] | add) >= 2 and
		all($up[]; .qpn > 0 and .peer_qpn > 0 and .dev == "'"$RSK_IBDEV"'")' <<< "$j"
}

ctl_stats() {
	local j s
	j=$("$ctl" -j stats) && s=$("$ctl" -j stats -s) || return 1
	jq -e '.objects.sockets.value >= 4 and .events.connects.value >= 1 and
	       .events.accepts.value >= 1 and (.events | has("rx_short")) and
	       .objects.sockets.total >= .objects.sockets.value' <<< "$j" &&
	jq -e '(.events | has("rx_short") | not) and (.objects | has("sockets"))' <<< "$s"
}

ctl_set() {
	local old st
	old=$("$ctl" get link_idle_ms) || return 1
	# Whatever happens below, the later tests get the old value back.
	trap 'sysctl -qw net.rdma_sock.link_idle_ms='"$old"'; trap - RETURN' RETURN
	"$ctl" set link_idle_ms 1234 || return 1
	[ "$(sysctl -n net.rdma_sock.link_idle_ms)" = 1234 ] || return 1
	"$ctl" set link_idle_ms 5
	st=$?
	[ $st = 2 ] || { echo "bad value: exit $st, not 2"; return 1; }
	[ "$("$ctl" get link_idle_ms)" = 1234 ] || return 1
	"$ctl" set no_such_setting 1
	st=$?
	[ $st = 2 ] || { echo "unknown setting: exit $st, not 2"; return 1; }
	"$ctl" set link_idle_ms "$old" &&
	[ "$("$ctl" -j get | jq -r .link_idle_ms)" = "$old" ]
}

ctl_unprivileged() {
	local st
	nobody "$ctl" set link_idle_ms 1000
	st=$?
	[ $st = 4 ] || { echo "set as nobody: exit $st, not 4"; return 1; }
	[ "$(sysctl -n net.rdma_sock.link_idle_ms)" != 1000 ] &&
	nobody "$ctl" -j sock > /dev/null && nobody "$ctl" status
}

# 5000 sockets: the dump spans many messages and must show each once.
ctl_dump_5000() {
	local j n want ids
	want=$(awk '$1 == "sockets" {print $2}' /proc/net/rdma_sock)
	j=$("$ctl" -j sock) || return 1
	n=$(jq length <<< "$j")
	ids=$(jq '[.[].id] | unique | length' <<< "$j")
	echo "dumped $n sockets, $ids distinct ids; the namespace has $want"
	[ "$n" = "$want" ] && [ "$ids" = "$n" ] && [ "$n" -ge 5000 ] &&
	# every one rsk_hold holds, by inode
	ls -l /proc/"$hold_pid"/fd | awk -F'[][]' '/socket:/{print $2}' | sort > /tmp/held.inodes &&
	jq '.[].inode' <<< "$j" | sort > /tmp/dumped.inodes &&
	[ "$(comm -23 /tmp/held.inodes /tmp/dumped.inodes | wc -l)" = 0 ] &&
	[ "$(wc -l < /tmp/held.inodes)" = 5000 ]
}

ctl_not_loaded() {
	local st
	"$ctl" status > /dev/null 2>&1
	st=$?
	[ $st = 3 ] || { echo "status without the module: exit $st, not 3"; return 1; }
}

tap_run "rdmasockctl status: version, family, protocol" ctl_status
tap_run "rdmasockctl dev: $RSK_IBDEV and its SRQ" ctl_dev
tap_run "rsk_hold: a listener, a connection, a datagram socket" \
	rsk_hold_start /tmp/hold1.out -a $ctl_addr -p $ctl_port -b $ctl_bytes
tap_run "rdmasockctl sock: each socket exactly, queues included" ctl_sockets_exact
tap_run "rdmasockctl link: the link to this host, bytes counted" ctl_links
tap_run "rdmasockctl stats: objects and events" ctl_stats
rsk_hold_stop
tap_run "rdmasockctl set: changes a setting, refuses bad ones" ctl_set
tap_run "rdmasockctl as nobody: reads, cannot set" ctl_unprivileged
tap_run "no socket left behind" rsk_wait_for 60 rsk_no_sockets
tap_run "rsk_hold: 5000 sockets" rsk_hold_start /tmp/hold2.out -n 5000
tap_run "rdmasockctl sock: a dump of 5000 sockets is complete" ctl_dump_5000
rsk_hold_stop
