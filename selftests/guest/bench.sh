#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage for `make bench`, in each of two guests (rsk_role=server|client),
# or in one (rsk_role=single: client and server share its rxe device).
# Every transport runs the same rsk_bench tests in the same boot:
# AF_RDMA_STREAM/AF_RDMA_DGRAM, TCP/UDP, SMC-R (AF_SMC, with a user EID
# set on both sides through SMC's netlink family, so that SMC-Rv2 can run
# over rxe), rsockets (librspreload.so under the same program); then
# perftest's verbs limit.  Each result is a JSON line in
# $RSK_OUT/bench.jsonl, with the rxe device's sent_pkts moved meanwhile
# (did it run over RDMA?).  rsk_bench_secs sets the seconds per run.
# rsk_old_ko (a .ko on the host root, which both guests see read-only at
# the same path) adds transport rdma_old: the rdma runs again, right after
# rdma's, over that older build of the module, loaded in place of this
# tree's for them alone, so that the two are compared in the same boot;
# with rsk_ab_rounds=N too, after every transport, N rounds of the two
# builds' 64 KiB stream and 64 B ping-pong back to back, which build goes
# first alternating (a single pair of runs is within TCG's noise).
# A profile of each end, one at a time, while one AF_RDMA_STREAM socket,
# then one TCP socket, streams 64 KiB writes (perf, cpu-clock: TCG has no
# PMU), with counters, in profile-*.txt.  Each transport's server runs
# only for its own runs.
. "$(dirname "$0")/../vm/guest-lib.sh"

role=${rsk_role:-server}
case $role in
server) me=10.99.0.1 peer=10.99.0.2 ;;
client) me=10.99.0.2 peer=10.99.0.1 ;;
single) me=10.99.0.1 peer=10.99.0.1 ;;
esac
topology=two-guests
[ "$role" = single ] && topology=one-guest
bench=$RSK_TOP/build/tools/rsk_bench
preload=$(ls /usr/lib/x86_64-linux-gnu/rsocket/librspreload.so 2> /dev/null)
secs=${rsk_bench_secs:-3}
out=$RSK_OUT/bench.jsonl
# rsk_transports (comma-separated) and rsk_perftest=0 narrow the run;
# rsk_mtu sets the interface's MTU.
transports=$(echo "${rsk_transports:-rdma,tcp,smc,rsockets}" | tr ',' ' ')
# rdma_old only with a module to run it on (the host puts it after rdma).
old_ko=${rsk_old_ko:-}
if [ -z "$old_ko" ]; then
	transports=$(echo "$transports" | tr ' ' '\n' | grep -vx rdma_old | tr '\n' ' ')
elif [ ! -f "$old_ko" ]; then
	echo "[$role] rsk_old_ko=$old_ko: no such file"
	exit 1
fi
perftest=${rsk_perftest:-1}
ab_rounds=0
[ -n "$old_ko" ] && ab_rounds=${rsk_ab_rounds:-0}
# The A/B round a result belongs to (run() tags it), empty outside them.
ab_round=
# The same user EID on both hosts lets SMC-Rv2 run (rxe has no RoCE v1 GIDs).
ueid=RDMASOCK-BENCH

say() { echo "[$role] $*"; }
port_of() {
	case $1 in
	rdma) echo 5301 ;; tcp | udp) echo 5302 ;; smc) echo 5303 ;; rsockets) echo 5304 ;;
	rdma_old) echo 5305 ;;
	esac
}
# rsk_bench's -f for transport $1: rdma_old is AF_RDMA_STREAM (and
# AF_RDMA_DGRAM) too, whichever build of the module holds the family.
family_of() {
	case $1 in
	rdma_old) echo rdma ;;
	*) echo "$1" ;;
	esac
}
# What env(1) needs to run rsk_bench for transport $1: the preload
# library for rsockets, nothing for the others.
preload_of() { [ "$1" = rsockets ] && echo "LD_PRELOAD=$preload"; }

rsk_guest_net "$me" || exit 1
# rsk_mtu: the interface's MTU, before any connection picks its path MTU
# (rxe's RoCE MTU follows at once, from its netdev notifier: 1500 gives
# 1024, 9000 gives 4096).
if [ -n "${rsk_mtu:-}" ]; then
	ip link set "$RSK_NETDEV" mtu "$rsk_mtu" || exit 1
fi
modprobe rdma_sock || exit 1
[ "$role" = server ] || jq -nc --arg k "$(uname -r)" --arg cpus "$(nproc)" \
	--arg mtu "$(ibv_devinfo -d "$RSK_IBDEV" | awk '/active_mtu/ { print $2; exit }')" \
	--arg mod "$(cat /sys/module/rdma_sock/version)" --arg topo "$topology" \
	'{test: "environment", topology: $topo, values: {kernel: $k, vcpus: ($cpus | tonumber),
	  device: "rxe (soft-RoCE)", active_mtu: $mtu, rdma_sock: $mod}}' >> "$out"
modprobe smc || exit 1
"$bench" smc-ueid add $ueid || exit 1
say "user EIDs: $("$bench" smc-ueid show | tr '\n' ' ')"

# Each transport's server runs only for that transport's runs: an idle
# server must not take CPU from the others' (librspreload's rpoll() spins).
# A TCP server on another port stays up all along, so that the client can
# tell a dead server guest.
live_port=5300
# Each running server's pid, by transport.
declare -A srv_pid
start_server() {
	local t=$1
	env $(preload_of $t) "$bench" server -f "$(family_of "$t")" -a "$me" -p "$(port_of $t)" \
		--timeout 60 > "/tmp/srv-$t.out" 2>&1 &
	srv_pid[$t]=$!
	rsk_wait_for 60 grep -q ready "/tmp/srv-$t.out" ||
		{ say "$t server: $(cat "/tmp/srv-$t.out")"; return 1; }
}

stop_server() {
	local t=$1 pid=${srv_pid[$1]:-}
	[ -n "$pid" ] || return 0
	unset "srv_pid[$t]"
	kill "$pid" 2> /dev/null
	for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
	kill -9 "$pid" 2> /dev/null
	wait "$pid" 2> /dev/null
	say "$t server: $(tail -n 2 "/tmp/srv-$t.out" | tr '\n' ' ')"
}

# A barrier the other guest may take long to reach: checked each second,
# not each 0.1 s as rsk_await does, whose sleep(1) and date(1) processes
# would take a TCG guest's CPU from the transport being measured.
await_slow() {
	local end=$((SECONDS + $2))
	until [ -e "$RSK_OUT/sync.$1" ]; do
		[ $SECONDS -lt $end ] || return 1
		sleep 1
	done
}

# use_module old|current: rdma_sock.ko swapped for the old build
# ($old_ko) or back for this tree's.  The unload must succeed: every
# socket of the runs before has to be gone (closed ones may still be
# sending their last data, so it is tried again for a while); whether
# modprobe -r also took the dependencies (still in use) does not matter.
# The old build's dependencies are loaded first, since insmod does not.
# shellcheck disable=SC2317 # run by rsk_wait_for
unloaded() {
	modprobe -r rdma_sock
	[ ! -e /sys/module/rdma_sock ]
}
use_module() {
	local deps
	rsk_wait_for 60 unloaded ||
		{ say "rdma_sock still in use: $(grep '^rdma_sock ' /proc/modules)"; return 1; }
	if [ "$1" = old ]; then
		deps=$(modinfo -F depends "$old_ko" | tr ',' ' ')
		# shellcheck disable=SC2086 # a list of module names
		if [ -n "$deps" ] && ! modprobe -a $deps; then
			say "the old build's dependencies ($deps) did not load"
			return 1
		fi
		insmod "$old_ko" || { say "insmod $old_ko failed"; return 1; }
	else
		modprobe rdma_sock || return 1
	fi
	say "rdma_sock: the $1 build, srcversion $(cat /sys/module/rdma_sock/srcversion 2> /dev/null)"
}

# The server guest: each transport's server, when the client asks for it.
# For rdma_old, the client asks once its own module is the old build; this
# guest swaps its own before its server starts, and back once the client
# is done, which the client awaits (srv-rdma_old-back) before it goes on:
# no run of either guest overlaps a swap.
serve_transports() {
	local t
	for t in $transports; do
		await_slow "srv-$t" 1800 || return 1
		if [ "$t" = rdma_old ]; then use_module old || return 1; fi
		start_server $t || return 1
		rsk_signal "srv-$t-ready"
		case $t in rdma | tcp) profile_server $t || return 1 ;; esac
		await_slow "srv-$t-done" 1800 || return 1
		stop_server $t
		if [ "$t" = rdma_old ]; then
			use_module current || return 1
			rsk_signal "srv-$t-back"
		fi
	done
}

# perftest runs, server and client alike but for the peer's address:
# RDMA WRITE at every write size the streams use, SEND and READ at 64 KiB.
perf_tests="write_bw:64 write_bw:1024 write_bw:4096 write_bw:65536 write_bw:1048576
	send_bw:65536 read_bw:65536 send_lat write_lat ud_bw_64 ud_bw_mtu"
perf_cmd() {
	local mtu
	case $1 in
	*_bw:*) echo "ib_${1%%:*} -s ${1##*:} -D 1" ;;
	send_lat | write_lat) echo "ib_$1 -s 64 -n 2000" ;;
	ud_bw_64) echo "ib_send_bw -c UD -s 64 -D $secs" ;;
	ud_bw_mtu)
		mtu=$(ibv_devinfo -d "$RSK_IBDEV" | awk '/active_mtu/ { print $2; exit }')
		echo "ib_send_bw -c UD -s ${mtu:-1024} -D $secs" ;;
	esac
}

# Counters worth comparing between transports, "name value" lines: the
# module's messages, rxe's counters (packets, one per MTU; retries, RNR
# NAKs, sequence errors), TCP's segments and the interface's packets and
# bytes.
counters() {
	awk '$1 == "rx_msgs" || $1 == "tx_msgs" { print "rdma_sock_" $1, $2 }' /proc/net/rdma_sock
	local c
	for c in /sys/class/infiniband/"$RSK_IBDEV"/ports/1/hw_counters/*; do
		[ "${c##*/}" = lifespan ] || echo "rxe_${c##*/} $(cat "$c")"
	done
	awk '$1 == "Tcp:" { if (!n) { split($0, h); n = 1 } else
		for (i = 2; i <= NF; i++) if (h[i] ~ /^(InSegs|OutSegs)$/) print "tcp_" h[i], $i }' /proc/net/snmp
	awk -F '[: ]+' '$2 == dev { print dev "_rx_bytes", $3; print dev "_rx_packets", $4;
		print dev "_tx_bytes", $11; print dev "_tx_packets", $12 }' dev="$RSK_NETDEV" /proc/net/dev
}

# by_module: perf's "N%  [k] symbol" lines summed by the module each
# symbol is in (from /proc/kallsyms; "kernel" for the rest, "user" for
# user space), largest first, as "#   N% module" lines.
by_module() {
	awk 'NR == FNR { if (NF == 4) mod[$3] = substr($4, 2, length($4) - 2); next }
		$2 == "[k]" { m = ($3 in mod) ? mod[$3] : "kernel"; share[m] += $1 }
		$2 == "[.]" { share["user"] += $1 }
		END { for (m in share) printf "#   %6.2f%% %s\n", share[m], m }' \
		/proc/kallsyms - | sort -k2 -rn
}

# profile NAME CMD...: a profile of every CPU of this guest, with call
# graphs, while CMD runs (perf's own start, slow under TCG, comes before
# CMD starts and its end after CMD ends); to $RSK_OUT/profile-NAME.txt the
# symbols that took the most time, then what the counters moved by.
profile() {
	local name=$1
	shift
	counters > /tmp/counters.0
	perf record -q -e cpu-clock -F 499 -a -g -B -N -o /tmp/perf.data -- "$@" > /dev/null 2>&1
	counters > /tmp/counters.1
	{
		perf report -q -i /tmp/perf.data --stdio --no-children --sort dso,sym \
			--percent-limit 1 -g none 2> /dev/null | sed '/^$/d' | head -n 40
		echo "# by module (perf puts modules' symbols in [kernel.kallsyms]):"
		perf report -q -i /tmp/perf.data --stdio --no-children --sort sym -g none \
			2> /dev/null | by_module | head -n 8
		echo "# counters moved meanwhile:"
		awk 'NR == FNR { v[$1] = $2; next }
			$2 != v[$1] { printf "#   %s %.0f\n", $1, $2 - v[$1] }' /tmp/counters.0 /tmp/counters.1
	} > "$RSK_OUT/profile-$name.txt"
}

perf_server() {
	local t
	for t in $perf_tests; do
		rsk_await "perf-$t" 900 || return 1
		# shellcheck disable=SC2046
		timeout 300 $(perf_cmd $t) -d "$RSK_IBDEV" -F > "/tmp/perf-$t.out" 2>&1 &
		sleep 1
		rsk_signal "perf-$t-ready"
		wait $!
	done
}

sent_pkts() { cat "/sys/class/infiniband/$RSK_IBDEV/ports/1/hw_counters/sent_pkts"; }
# Registered memory and queue pairs of the host (rdma(8), JSON).
mr_bytes() { rdma -j resource show mr 2> /dev/null | jq '[.[] | .mrlen // 0] | add // 0'; }
qp_count() { rdma -j resource show qp 2> /dev/null | jq 'length'; }

# The peer's TCP server takes a connection (no ping on these hosts); in
# one guest, the peer is this guest.
peer_alive() {
	[ "$role" = single ] ||
		timeout 10 bash -c "exec 3<> /dev/tcp/$peer/$live_port" 2> /dev/null
}

# A transport one of whose runs hung: its other runs are skipped (and
# reported so), or each would hang until its timeout too.
declare -A hung

# run TRANSPORT TEST ARGS...: one rsk_bench client run; its JSON result(s)
# go to bench.jsonl with the packets rxe sent meanwhile and the topology.
# rsockets have no socket timeouts: timeout(1) bounds their runs.
run() {
	local t=$1 before after limit=600
	shift
	[ "$t" = rsockets ] && limit=120
	if [ -n "${hung[$t]:-}" ]; then
		jq -nc --arg f "$t" --arg t "$1" --arg e "skipped: ${hung[$t]}" \
			--arg topo "$topology" \
			'{test: $t, family: $f, error: $e, topology: $topo}' >> "$out"
		return 1
	fi
	before=$(sent_pkts)
	timeout $limit env $(preload_of $t) "$bench" client --json --timeout 60 -f "$(family_of "$t")" \
		-a "$peer" -p "$(port_of $t)" "$@" > /tmp/run.json 2> /tmp/run.err
	local rc=$?
	after=$(sent_pkts)
	sed "s/^/[$role]   /" /tmp/run.err
	[ $rc = 124 ] && hung[$t]="its run '$*' hung (no answer in $limit s)" &&
		say "$t: ${hung[$t]}; skipping its other runs"
	[ $rc = 124 ] && echo "${hung[$t]}" > /tmp/run.err
	if [ $rc != 0 ] || [ ! -s /tmp/run.json ]; then
		# A peer guest that died (QEMU's TCG fault) fails every run
		# after it, each only after its timeout: stop, to run again.
		peer_alive || { say "the peer does not answer: stopping"; exit 1; }
		jq -nc --arg f "$t" --arg t "$1" --arg e "$(tail -n 3 /tmp/run.err)" \
			--arg topo "$topology" \
			'{test: $t, family: $f, error: $e, topology: $topo}' >> "$out"
		return 1
	fi
	# rsk_bench names rdma_old's results rdma: they are labelled rdma_old.
	jq -c --argjson pk $((after - before)) --arg topo "$topology" \
		--arg fam "$(family_of "$t")" --arg name "$t" --arg ab "$ab_round" \
		'. + {rxe_sent_pkts: $pk, topology: $topo}
		 | if .family == $fam then .family = $name else . end
		 | if $ab != "" then . + {ab_round: ($ab | tonumber)} else . end' \
		/tmp/run.json >> "$out"
}

# idle: registered memory and queue pairs per connection, measured while
# rsk_bench holds them (its own result has the slab and MemAvailable cost).
run_idle() {
	local t=$1 n=$2 mr0 qp0 mr1 qp1
	[ -n "${hung[$t]:-}" ] && return 1
	mr0=$(mr_bytes) qp0=$(qp_count)
	timeout 300 env $(preload_of $t) "$bench" client --json --timeout 60 -f "$(family_of "$t")" \
		-a "$peer" -p "$(port_of $t)" idle -c "$n" -t 4 > /tmp/idle.json 2> /tmp/idle.err &
	rsk_wait_for 240 grep -q "idle holding" /tmp/idle.err
	mr1=$(mr_bytes) qp1=$(qp_count)
	wait $!
	sed "s/^/[$role]   /" /tmp/idle.err
	[ -s /tmp/idle.json ] || return 1
	jq -c --argjson mr $(((mr1 - mr0) / n)) --argjson qp "$(((qp1 - qp0) * 1000 / n))" \
		--arg topo "$topology" --arg fam "$(family_of "$t")" --arg name "$t" \
		'.values += {mr_bytes_per_conn: $mr, qps_per_1000_conns: $qp} | . + {topology: $topo}
		 | if .family == $fam then .family = $name else . end' /tmp/idle.json >> "$out"
}

# transport TRANSPORT: its server up (in the server guest: ask for it),
# then all its runs, then its server down.  rdma_old: this guest's module
# is the old build first, and this tree's again after (use_module), in
# each guest before its server is asked for and after it is down.
transport() {
	local t=$1 w limit=120
	say "== $t"
	if [ "$t" = rdma_old ]; then
		use_module old || exit 1
		# The server guest swaps its module too before its server starts.
		limit=300
		jq -nc --arg ko "$old_ko" --arg v "$(cat /sys/module/rdma_sock/version)" \
			--arg src "$(cat /sys/module/rdma_sock/srcversion 2> /dev/null)" --arg topo "$topology" \
			'{test: "old_module", family: "rdma_old", topology: $topo,
			  values: {ko: $ko, rdma_sock: $v, srcversion: $src}}' >> "$out"
	fi
	if [ "$role" = client ]; then
		rsk_signal "srv-$t"
		rsk_await "srv-$t-ready" $limit || { say "$t: its server did not start"; exit 1; }
	else
		start_server $t || exit 1
	fi
	for w in 64 1024 4096 65536 1048576; do
		run $t stream -w $w -t "$secs"
		run $t stream -w $w -n 8 -t "$secs"
	done
	run $t pingpong -s 64 -i 2000 -W 200
	run $t pingpong -s 4096 -i 2000 -W 200
	run $t connrate -c 300
	run $t connrate -c 300 -P 16
	run_idle $t 200
	run $t busy -c 16 -t 30
	if [ $t = smc ]; then
		say "SMC-R link groups now: $("$bench" smc-lgr)"
		jq -nc --argjson n "$("$bench" smc-lgr)" --arg topo "$topology" \
			'{test: "smc_link_groups", family: "smc", values: {link_groups: $n}, topology: $topo}' >> "$out"
	else
		# SMC has no datagrams.
		run $t dgram -s 64 -t "$secs"
		run $t dgram -s 8192 -t "$secs"
	fi
	case $t in rdma | tcp) profile_client $t ;; esac
	if [ "$role" = client ]; then
		rsk_signal "srv-$t-done"
	else
		stop_server $t
	fi
	if [ "$t" = rdma_old ]; then
		use_module current || exit 1
		# Nor does the next transport start before the server guest's
		# module is this tree's again.
		[ "$role" = single ] || rsk_await "srv-$t-back" 300 ||
			{ say "$t: the server guest did not load the module again"; exit 1; }
	fi
}

client() {
	local t
	for t in $transports; do
		transport $t
	done
}

perf_client() {
	local t try
	for t in $perf_tests; do
		if [ "$role" = client ]; then
			rsk_signal "perf-$t"
			rsk_await "perf-$t-ready" 300 || return 1
		else
			# shellcheck disable=SC2046
			timeout 300 $(perf_cmd $t) -d "$RSK_IBDEV" -F > "/tmp/perfs-$t.out" 2>&1 &
			sleep 1
		fi
		for try in 1 2 3; do
			# shellcheck disable=SC2046
			timeout 300 $(perf_cmd $t) -d "$RSK_IBDEV" -F "$peer" > "/tmp/perf-$t.out" 2>&1 && break
			sleep 1
		done
		[ "$role" = single ] && wait
		# perftest's result lines, as JSON: bytes, iterations, and the rest
		awk -v r="${t%%:*}" -v topo="$topology" '
			$1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+$/ && NF >= 5 {
				printf "{\"test\":\"perftest\",\"family\":\"verbs\",\"topology\":\"%s\",\"params\":{\"run\":\"%s\",\"size\":%s},\"values\":{\"cols\":[", topo, r, $1
				for (i = 2; i <= NF; i++) printf "%s%s", (i > 2 ? "," : ""), ($i ~ /^[0-9.]+$/ ? $i : "null")
				printf "]}}\n"
			}' "/tmp/perf-$t.out" >> "$out"
		say "$(perf_cmd $t): $(grep -cE '^ *[0-9]+ +[0-9]+ ' "/tmp/perf-$t.out") result lines"
	done
}

# profile_server TRANSPORT: the receiving end's profile while the client
# streams (for rdma and tcp: where our time goes, against TCP's).  Only
# one end is profiled at a time, so that neither profile holds the other
# perf's start.
profile_server() {
	await_slow "prof-$1" 1800 || return 1
	profile "$1-stream-receiver" bash -c "echo > $RSK_OUT/sync.prof-$1-go
		until [ -e $RSK_OUT/sync.prof-$1-done ]; do sleep 0.2; done"
	rsk_signal "prof-$1-reported"
}

# profile_client TRANSPORT: one socket streams 64 KiB writes for 10 s
# while the server guest profiles, then again while this guest does.
prof_stream() {
	timeout 120 env $(preload_of $1) "$bench" client --timeout 60 -f $1 -a "$peer" \
		-p "$(port_of $1)" stream -w 65536 -t 10
}

profile_client() {
	local t=$1 name
	if [ "$role" = client ]; then
		rsk_signal "prof-$t"
		rsk_await "prof-$t-go" 300 || return 1
		say "profiled (receiver): $(prof_stream $t 2>&1)"
		rsk_signal "prof-$t-done"
		rsk_await "prof-$t-reported" 300 || return 1
	fi
	name="$t-stream-$( [ "$role" = client ] && echo sender || echo both)"
	export bench preload peer
	profile "$name" bash -c "$(declare -f preload_of port_of prof_stream)
		prof_stream $t > /tmp/prof-stream.out 2>&1"
	echo "# the stream: $(cat /tmp/prof-stream.out)" >> "$RSK_OUT/profile-$name.txt"
	say "profiled ($( [ "$role" = client ] && echo sender || echo both)): $(cat /tmp/prof-stream.out)"
}

# The A/B rounds (rsk_ab_rounds): round R runs rdma then rdma_old when R
# is odd, the other way round when even.
ab_order() { if [ $(($1 % 2)) = 1 ]; then echo rdma rdma_old; else echo rdma_old rdma; fi; }

# The server guest's side of one A/B run of build $1 in round $2: its
# module swapped as the client's is, its server up while the client runs.
ab_serve() {
	local t=$1 r=$2
	await_slow "ab-$r-$t" 1800 || return 1
	if [ "$t" = rdma_old ]; then use_module old || return 1; fi
	start_server "$t" || return 1
	rsk_signal "ab-$r-$t-ready"
	await_slow "ab-$r-$t-done" 1800 || return 1
	stop_server "$t"
	if [ "$t" = rdma_old ]; then
		use_module current || return 1
		rsk_signal "ab-$r-$t-back"
	fi
}

ab_server() {
	local r t
	for r in $(seq "$ab_rounds"); do
		for t in $(ab_order "$r"); do
			ab_serve "$t" "$r" || return 1
		done
	done
}

# The client's side (or one guest's): the two runs of build $1 in round $2.
ab_run() {
	local t=$1 r=$2
	if [ "$t" = rdma_old ]; then use_module old || return 1; fi
	if [ "$role" = client ]; then
		rsk_signal "ab-$r-$t"
		rsk_await "ab-$r-$t-ready" 300 || { say "A/B $r $t: its server did not start"; return 1; }
	else
		start_server "$t" || return 1
	fi
	ab_round=$r
	run $t stream -w 65536 -t "$secs"
	run $t pingpong -s 64 -i 2000 -W 200
	ab_round=
	if [ "$role" = client ]; then
		rsk_signal "ab-$r-$t-done"
	else
		stop_server "$t"
	fi
	if [ "$t" = rdma_old ]; then
		use_module current || return 1
		[ "$role" = single ] || rsk_await "ab-$r-$t-back" 300 ||
			{ say "A/B $r: the server guest did not load the module again"; return 1; }
	fi
}

ab_client() {
	local r t
	for r in $(seq "$ab_rounds"); do
		say "== A/B round $r of $ab_rounds: $(ab_order "$r")"
		for t in $(ab_order "$r"); do
			ab_run "$t" "$r" || return 1
		done
	done
}

case $role in
server)
	"$bench" server -f tcp -a "$me" -p $live_port > /tmp/srv-live.out 2>&1 &
	rsk_wait_for 60 grep -q ready /tmp/srv-live.out || exit 1
	rsk_signal bench-ready
	serve_transports || exit 1
	ab_server || exit 1
	[ "$perftest" = 0 ] || perf_server || exit 1
	await_slow bench-done 1800
	;;
client)
	rsk_await bench-ready 300 || exit 1
	client
	ab_client || exit 1
	[ "$perftest" = 0 ] || perf_client
	rsk_signal bench-done
	;;
single)
	client
	ab_client || exit 1
	[ "$perftest" = 0 ] || perf_client
	;;
esac
"$bench" smc-ueid del $ueid
exit 0
