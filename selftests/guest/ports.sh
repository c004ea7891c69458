#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module's rdma_cm ports, sourced by single.sh (the module loaded,
# 10.99.0.1 on $RSK_NETDEV): a local user who can open rdma_cm (mode 0666,
# as rdma-core's udev rules make it) tries to take the link and datagram
# ports before any listener of the module is open, to receive the requests
# other hosts send here; rdma_cm refuses (they are below 1024), and a
# stream listener and a datagram socket of the same user still work.

ports_hostile=$RSK_TOP/build/tools/rsk_hostile
ports_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

ports_not_squatted() {
	local mode out=/tmp/ports.squat peer=/tmp/ports.peer st=0 spid ppid
	mode=$(stat -c %a /dev/infiniband/rdma_cm) || return 1
	chmod 0666 /dev/infiniband/rdma_cm
	ports_nobody "$ports_hostile" \
		--link-port "$(sysctl -n net.rdma_sock.link_port)" \
		--dgram-port "$(sysctl -n net.rdma_sock.dgram_port)" \
		squat --hold-ms 20000 > $out 2>&1 &
	spid=$!
	rsk_wait_for 20 grep -qx holding $out || { echo "squat never held"; st=1; }
	cat $out
	grep -qx "squat_link EACCES" $out && grep -qx "squat_dgram EACCES" $out || st=1
	# The user's own listener opens the namespace's link listener.
	ports_nobody "$RSK_BIN/rsk_peer" -f rdma -a 10.99.0.1 -p 7620 -t 60 \
		> $peer 2>&1 &
	ppid=$!
	rsk_wait_for 30 grep -q "rsk_peer ready" $peer ||
		{ echo "rsk_peer as nobody never listened:"; cat $peer; st=1; }
	kill -TERM $ppid $spid 2> /dev/null
	wait $ppid $spid
	chmod "$mode" /dev/infiniband/rdma_cm
	# What runs next may unload the module: the sockets must be gone.
	rsk_wait_for 90 rsk_no_sockets ||
		{ echo "$(rsk_counter sockets) sockets left"; st=1; }
	return $st
}

tap_run "rdma_cm ports: a user cannot take them before the module" ports_not_squatted
