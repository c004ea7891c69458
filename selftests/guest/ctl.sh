#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rdmasockctl against the live module, sourced by single.sh (the module
# loaded, $RSK_IBDEV bound, 10.99.0.1 on $RSK_NETDEV): what it shows must
# be exactly what rsk_hold holds open; settings change and refuse bad
# values, and the buffer and SRQ settings do what they say; acceleration
# rules are added, shown, refused and deleted; an unprivileged user reads
# but cannot set; the devices' RNR counters are the driver's; a dump of
# 5000 sockets is complete.  JSON output checked with jq.

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

# Run before any link: a device is bound with its SRQ empty (the first
# link posts its buffers: rsk_dev_srq_fill()).
ctl_dev() {
	local j
	j=$("$ctl" -j dev show) || return 1
	echo "$j"
	jq -e --arg d "$RSK_IBDEV" \
		'length == 1 and .[0].name == $d and .[0].srq_depth > 0 and
		 .[0].srq_posted == 0 and .[0].dying == false' <<< "$j"
}

# The RNR counters shown, per device and in stats, are the driver's own
# (sysfs hw_counters), read while nothing moves.
ctl_rnr_counters() {
	local j s hw name n=0
	hw=/sys/class/infiniband/$RSK_IBDEV/ports/1/hw_counters
	j=$("$ctl" -j dev) && s=$("$ctl" -j stats) || return 1
	for name in $(jq -r '.[0].rnr | keys[]' <<< "$j"); do
		echo "$name: shown $(jq ".[0].rnr.$name" <<< "$j"), driver $(cat "$hw/$name")"
		[ "$(jq ".[0].rnr.$name" <<< "$j")" = "$(cat "$hw/$name")" ] &&
		[ "$(jq ".devices.$name.value" <<< "$s")" = "$(cat "$hw/$name")" ] ||
			return 1
		n=$((n + 1))
	done
	# rxe counts RNR NAKs received and sent, and retries run out.
	[ $n -ge 2 ] && jq -e '.[0].rnr | has("rcvd_rnr_err") and has("send_rnr_err")' <<< "$j"
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
	[ "$(sysctl -n net.rdma_sock.link_idle_ms)" != 1000 ] || return 1
	nobody "$ctl" policy add dst 10.0.0.0/8 action accel
	st=$?
	[ $st = 4 ] || { echo "policy add as nobody: exit $st, not 4"; return 1; }
	nobody "$ctl" policy flush
	st=$?
	[ $st = 4 ] || { echo "policy flush as nobody: exit $st, not 4"; return 1; }
	nobody "$ctl" -j sock > /dev/null && nobody "$ctl" status &&
	nobody "$ctl" policy show > /dev/null
}

# The devices serve the whole host: a user, or a user namespace's root,
# sees them but not the drivers' counters (read from the driver each
# time, under the module's device lock); the host's root sees both.  (The
# debug kernel has no user namespaces: there, nobody alone.)
ctl_dev_counters_admin_only() {
	local who j s whos=nobody
	unshare -Ur true 2> /dev/null && whos="nobody unshare_ur"
	for who in $whos; do
		[ "$who" = unshare_ur ] && who="unshare -Ur"
		j=$($who "$ctl" -j dev) && s=$($who "$ctl" -j stats) || return 1
		echo "$who: dev $(jq -c '.[0].rnr' <<< "$j"), stats devices $(jq -c '.devices' <<< "$s")"
		jq -e --arg d "$RSK_IBDEV" 'length == 1 and .[0].name == $d and
			.[0].rnr == {}' <<< "$j" > /dev/null &&
		jq -e '(.devices // {}) == {} and .events.connects != null' <<< "$s" > /dev/null ||
			return 1
	done
	j=$("$ctl" -j dev) && s=$("$ctl" -j stats) &&
	jq -e '.[0].rnr | length >= 2' <<< "$j" > /dev/null &&
	jq -e '.devices | length >= 2' <<< "$s" > /dev/null
}

# Settings the tests below change, put back whatever happens.
ctl_saved=
ctl_save() {
	local k
	for k in "$@"; do
		ctl_saved+=" $k=$(sysctl -n "net.rdma_sock.$k")"
	done
}
ctl_restore() {
	local kv
	for kv in $ctl_saved; do
		sysctl -qw "net.rdma_sock.$kv"
	done
	ctl_saved=
}

# A new socket gets rmem_default and wmem_default as its SO_RCVBUF and
# SO_SNDBUF; what it queues to read (so the window it advertises) stops at
# rmem_max and what it queues to send at wmem_max, SO_* notwithstanding.
ctl_buffers() {
	local j sent rq wnd sq
	ctl_save rmem_default wmem_default rmem_max wmem_max
	"$ctl" set rmem_default 65536 && "$ctl" set wmem_default 49152 &&
	"$ctl" set rmem_max 16384 && "$ctl" set wmem_max 16384 || return 1
	rsk_hold_start /tmp/hold3.out -a $ctl_addr -p 7401 -b 1000000 -f || return 1
	cat /tmp/hold3.out
	grep -qx "bufs 65536 49152" /tmp/hold3.out || return 1
	sent=$(awk '/^sent /{print $2}' /tmp/hold3.out)
	j=$("$ctl" -j sock state established) || return 1
	rq=$(jq '.[] | select(.local.port == 7401) | .recv_q' <<< "$j")
	wnd=$(jq '.[] | select(.local.port == 7401) | .rcv_wnd' <<< "$j")
	sq=$(jq '.[] | select(.peer.port == 7401) | .send_q' <<< "$j")
	echo "sent $sent: the reader holds $rq (window $wnd), the writer $sq"
	# A message may start inside the window and end past it: at most one
	# (16 KiB) past each limit, far below what SO_RCVBUF/SO_SNDBUF allow.
	[ "$rq" -gt 0 ] && [ "$rq" -le 32768 ] && [ "$wnd" -le 16384 ] &&
	[ "$sq" -le 32768 ] && [ "$sent" -eq $((rq + sq)) ] && [ "$sent" -le 65536 ]
}

ctl_buffers_done() {
	rsk_hold_stop
	ctl_restore
}

ctl_zcopy_threshold() {
	local st
	ctl_save zcopy_threshold
	"$ctl" set zcopy_threshold 1000
	st=$?
	[ $st = 2 ] || { echo "below a page: exit $st, not 2"; return 1; }
	"$ctl" set zcopy_threshold 131072 && [ "$("$ctl" get zcopy_threshold)" = 131072 ]
	st=$?
	ctl_restore
	return $st
}

# Acceleration rules: added in order, shown as given, refused with the
# module's reason, deleted one by one or all at once.
ctl_policy() {
	local j st err before
	"$ctl" policy flush || return 1
	"$ctl" policy add dst 10.99.0.0/16 dport 5000-5100 type stream action accel &&
	"$ctl" policy add prio 10 dst fd00:99::/64 prog memcached action accel &&
	"$ctl" policy add family inet dport 22 action pass || return 1
	j=$("$ctl" -j policy) || return 1
	echo "$j" | jq -c '.[]'
	jq -e 'length == 3 and
	       .[0].prio == 10 and .[0].dst == "fd00:99::" and .[0].prefix == 64 and
	       .[0].program == "memcached" and .[0].action == "accel" and
	       .[1].dst == "10.99.0.0" and .[1].prefix == 16 and .[1].type == "stream" and
	       .[1].dport_min == 5000 and .[1].dport_max == 5100 and
	       .[2].family == "inet" and .[2].dst == null and .[2].action == "pass" and
	       ([.[].id] | unique | length) == 3' <<< "$j" || return 1
	"$ctl" policy | grep -q "dst 10.99.0.0/16 dport 5000-5100" || return 1
	# The module refuses, says why, and counts it.
	before=$("$ctl" -j stats | jq .events.policy_rejected.value)
	err=$("$ctl" policy add dst 10.99.0.1/16 action accel 2>&1)
	st=$?
	echo "$err"
	[ $st = 2 ] && grep -q "bits set past the prefix" <<< "$err" || return 1
	err=$("$ctl" policy add dst 10.99.0.0/16 dport 5000-5100 type stream action accel 2>&1)
	st=$?
	echo "$err"
	[ $st = 2 ] && grep -q "exists" <<< "$err" || return 1
	[ "$("$ctl" -j stats | jq .events.policy_rejected.value)" = $((before + 2)) ] || return 1
	"$ctl" policy del "$(jq '.[1].id' <<< "$j")" &&
	[ "$("$ctl" -j policy | jq length)" = 2 ] || return 1
	"$ctl" policy del 999999
	st=$?
	[ $st = 2 ] || { echo "deleting no rule: exit $st, not 2"; return 1; }
	[ "$("$ctl" -j stats | jq .objects.policies.value)" = 2 ] &&
	"$ctl" policy flush && [ "$("$ctl" -j policy | jq length)" = 0 ] &&
	[ "$("$ctl" -j stats | jq .objects.policies.value)" = 0 ]
}

# Rules belong to a namespace: one elsewhere is not seen here.
ctl_policy_netns() {
	ip netns add ctlns || return 1
	ip netns exec ctlns "$ctl" policy add dport 80 action pass &&
	[ "$(ip netns exec ctlns "$ctl" -j policy | jq length)" = 1 ] &&
	[ "$("$ctl" -j policy | jq length)" = 0 ]
	local st=$?
	ip netns del ctlns
	return $st
}

ctl_readd_ibdev() {
	rdma link del "$RSK_IBDEV" &&
	rsk_wait_for 20 sh -c "! grep -q '^$RSK_IBDEV ' /sys/kernel/debug/rdma_sock/devices" &&
	rdma link add "$RSK_IBDEV" type rxe netdev "$RSK_NETDEV" &&
	rsk_wait_for 20 test -e "/sys/class/infiniband/$RSK_IBDEV/ports/1/gids/0" &&
	rsk_wait_for 20 grep -q "^$RSK_IBDEV " /sys/kernel/debug/rdma_sock/devices
}

# srq_size is the host's, not a namespace's; a device added after a change
# gets it; 8 streams through 16 receive buffers lose nothing (senders wait
# on RNR in hardware).
ctl_srq_size() {
	local st bench=$RSK_TOP/build/tools/rsk_bench pid bytes=16M
	[ "${rsk_scale:-full}" = small ] && bytes=2M	# the debug kernel
	"$ctl" set srq_size 8
	st=$?
	[ $st = 2 ] || { echo "srq_size 8: exit $st, not 2"; return 1; }
	unshare -n sh -c '! test -e /proc/sys/net/rdma_sock/srq_size &&
			  test -e /proc/sys/net/rdma_sock/rmem_max' ||
		{ echo "srq_size in a new namespace, or no settings there"; return 1; }
	ctl_save srq_size
	"$ctl" set srq_size 16 && ctl_readd_ibdev || return 1
	# Bound with its SRQ empty: receive memory comes with the first link.
	"$ctl" -j dev | jq -e '.[0].srq_depth == 16 and .[0].srq_posted == 0' ||
		return 1
	"$bench" server -f rdma -a $ctl_addr -p 7403 > /tmp/srq-bench.out 2>&1 &
	pid=$!
	rsk_wait_for 30 grep -q "rsk_bench ready" /tmp/srq-bench.out &&
	timeout 300 "$bench" client --timeout 60 -f rdma -a $ctl_addr -p 7403 \
		stream -n 8 -w 65536 -b $bytes --verify full
	st=$?
	kill $pid
	wait $pid
	"$ctl" dev
	[ $st = 0 ] || return $st
	# Filled by the first link, and kept: all 16 posted again at rest.
	rsk_wait_for 10 sh -c "\"$ctl\" -j dev | jq -e '.[0].srq_posted == 16'"
}

ctl_srq_size_done() {
	ctl_restore
	ctl_readd_ibdev
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
tap_run "rdmasockctl dev: $RSK_IBDEV, its SRQ empty before the first link" ctl_dev
tap_run "rsk_hold: a listener, a connection, a datagram socket" \
	rsk_hold_start /tmp/hold1.out -a $ctl_addr -p $ctl_port -b $ctl_bytes
tap_run "rdmasockctl sock: each socket exactly, queues included" ctl_sockets_exact
tap_run "rdmasockctl link: the link to this host, bytes counted" ctl_links
tap_run "rdmasockctl stats: objects and events" ctl_stats
rsk_hold_stop
tap_run "rdmasockctl set: changes a setting, refuses bad ones" ctl_set
tap_run "rdmasockctl as nobody: reads, cannot set" ctl_unprivileged
tap_run "rdmasockctl: drivers' counters for the host's admin only" ctl_dev_counters_admin_only
tap_run "rmem/wmem default and max: SO_RCVBUF/SO_SNDBUF, queues bounded" ctl_buffers
ctl_buffers_done
tap_run "zcopy_threshold: range checked" ctl_zcopy_threshold
tap_run "rdmasockctl policy: add, show, refuse, delete, flush" ctl_policy
tap_run "rdmasockctl policy: rules belong to a namespace" ctl_policy_netns
tap_run "no socket left behind" rsk_wait_for 60 rsk_no_sockets
tap_run "srq_size: host-wide, posted at the first link, 16 buffers carry 8 checked streams" ctl_srq_size
tap_run "rdmasockctl dev/stats: RNR counters are the driver's" ctl_rnr_counters
tap_run "$RSK_IBDEV back with the default SRQ" ctl_srq_size_done
tap_run "rsk_hold: 5000 sockets" rsk_hold_start /tmp/hold2.out -n 5000
tap_run "rdmasockctl sock: a dump of 5000 sockets is complete" ctl_dump_5000
rsk_hold_stop
