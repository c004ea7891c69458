# SPDX-License-Identifier: GPL-2.0
#
# Sourced by stage scripts inside a test guest: network and soft-RoCE
# set-up, TAP output, and barriers between two guests through the shared
# output folder ($RSK_OUT).

RSK_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RSK_BIN=$RSK_TOP/build/selftests
RSK_IBDEV=${RSK_IBDEV:-rxe0}
RSK_NETDEV=${RSK_NETDEV:-eth0}
export RSK_IBDEV RSK_NETDEV

tap_n=0
tap_failed=0
# tap_result NAME STATUS [DETAIL]: STATUS 0 passes, 77 skips, else fails.
tap_result() {
	local name=$1 st=$2 detail=${3:-}
	tap_n=$((tap_n + 1))
	case $st in
	0) echo "ok $tap_n $name" ;;
	77) echo "ok $tap_n $name # SKIP $detail" ;;
	*) echo "not ok $tap_n $name${detail:+ # $detail}"; tap_failed=1 ;;
	esac
}

# tap_run NAME CMD...: one TAP result from a command, its output as comments.
tap_run() {
	local name=$1 st
	shift
	"$@" > /tmp/tap_run.out 2>&1
	st=$?
	sed 's/^/# /' /tmp/tap_run.out
	tap_result "$name" "$st" "exit $st"
}

# tap_kselftest NAME BINARY: run a kselftest-harness binary; its results
# become ours, prefixed with NAME.
tap_kselftest() {
	local name=$1 bin=$2 line start=$SECONDS st
	shift 2
	"$bin" "$@" > /tmp/kselftest.out 2>&1
	st=$?
	echo "# $name exited $st after $((SECONDS - start)) s"
	while IFS= read -r line; do
		case "$line" in
		"ok "*|"not ok "*)
			local st=0 rest=${line#ok }
			[ "${line#not ok }" != "$line" ] && { st=1; rest=${line#not ok }; }
			rest=${rest#* }		# drop the harness's number
			case "$rest" in
			*"# SKIP"*) tap_result "$name.${rest%% # SKIP*}" 77 "${rest#*# SKIP }" ;;
			*) tap_result "$name.${rest%% #*}" "$st" ;;
			esac
			;;
		*) echo "# $line" ;;
		esac
	done < /tmp/kselftest.out
}

tap_done() {
	echo "1..$tap_n"
	return $tap_failed
}

# Bring up eth0 with IP/24 and a soft-RoCE device on it.
rsk_guest_net() {
	local ip=$1
	modprobe virtio_net 2>/dev/null
	ip link set "$RSK_NETDEV" up &&
	ip addr add "$ip/24" dev "$RSK_NETDEV" &&
	ip -6 addr add "fd00:99::${ip##*.}/64" dev "$RSK_NETDEV" nodad &&
	modprobe rdma_rxe && modprobe rdma_ucm &&
	rdma link add "$RSK_IBDEV" type rxe netdev "$RSK_NETDEV" &&
	rsk_wait_for 20 test -e "/sys/class/infiniband/$RSK_IBDEV/ports/1/gids/0"
}

# rsk_wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds.
rsk_wait_for() {
	local deadline=$(($(date +%s) + $1))
	shift
	until "$@" > /dev/null 2>&1; do
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# Barriers between two guests: a file in the shared folder.
rsk_signal() { echo "${2:-}" > "$RSK_OUT/sync.$1"; }
rsk_await() { rsk_wait_for "${2:-120}" test -e "$RSK_OUT/sync.$1"; }

rsk_counter() {
	awk -v k="$1" '$1 == k { print $2 }' /sys/kernel/debug/rdma_sock/objects
}

# An event counter of the module (all namespaces), by its name.
rsk_event() {
	awk -v k="$1" '$1 == k { print $2 }' /sys/kernel/debug/rdma_sock/events
}

# Closed sockets may still be sending their last data: wait for them.
rsk_no_sockets() { test "$(rsk_counter sockets)" = 0; }
# Datagram transport objects go with the namespace's last datagram socket.
rsk_no_ud_objects() {
	test "$(rsk_counter ud_endpoints)$(rsk_counter ud_neighs)$(rsk_counter mc_groups)" = 000
}

# rsk_death_seen PID: wait for a backgrounded rsk_death, show its output
# (/tmp/rsk_death.out and .err) and return its status.
rsk_death_seen() {
	local st
	wait "$1"
	st=$?
	cat /tmp/rsk_death.out /tmp/rsk_death.err
	return $st
}

# rsk_bench_server ADDR: rsk_bench's server for the family on ADDR, port
# 5311, logging to $RSK_OUT/server.log; its pid in $server.  0 once ready.
rsk_bench_server() {
	"$RSK_TOP/build/tools/rsk_bench" server -f rdma -a "$1" -p 5311 \
		--timeout 60 > "$RSK_OUT/server.log" 2>&1 &
	server=$!
	rsk_wait_for 60 grep -q 'rsk_bench ready' "$RSK_OUT/server.log"
}

# rsk_dgram_received ADDR PORT: rsk_bench's datagrams to its server there
# for 3 s (512 bytes each): how many arrived (0 if it failed).
rsk_dgram_received() {
	local out received
	out=$(timeout 120 "$RSK_TOP/build/tools/rsk_bench" client -f rdma -a "$1" \
		-p "$2" --timeout 60 --json dgram -s 512 -t 3 2>&1)
	echo "$out" | tail -n 1 >&2
	received=$(echo "$out" | grep -o '"received": *[0-9]*' | grep -o '[0-9]*$')
	echo "${received:-0}"
}

rsk_rxe_counter() {
	cat "/sys/class/infiniband/$RSK_IBDEV/ports/1/hw_counters/$1"
}
