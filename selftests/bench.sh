#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh (make bench): every transport, the same tests, the same boot:
# rdmasock, TCP/UDP, SMC-R, rsockets and perftest's verbs limit, between
# two guests on Debian's 6.12 kernel joined by a QEMU socket network (or,
# with --single, in one guest with two vCPUs).  The guests write JSON
# lines; tools/bench/report.py turns them into bench/results/: results.json,
# results.md (tables with the ratios) and PNG plots.  Progress is printed as
# the client guest goes.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/vm/lib.sh"

topology=two-guests
# RSK_BENCH_TRANSPORTS=rdma,tcp and RSK_BENCH_PERFTEST=0 narrow the run;
# RSK_BENCH_MTU=9000 sets the guests' interface MTU (rxe's then is 4096).
narrow=(-e "rsk_transports=${RSK_BENCH_TRANSPORTS:-rdma,tcp,smc,rsockets}"
	-e "rsk_perftest=${RSK_BENCH_PERFTEST:-1}")
[ -n "${RSK_BENCH_MTU:-}" ] && narrow+=(-e "rsk_mtu=$RSK_BENCH_MTU")
[ "${1:-}" = --single ] && topology=one-guest
out=$RSK_BUILD/bench/$topology
results=${RSK_BENCH_RESULTS:-$RSK_TOP/bench/results}
rm -rf "$out"
mkdir -p "$out" "$results"
make -s -C "$RSK_TOP" selftests tools > /dev/null || exit 1
"$here/vm/prepare.sh" 6.12 || exit 1
/usr/bin/python3 -c "import matplotlib" 2> /dev/null ||
	{ echo "bench: installing python3-matplotlib"; apt-get install -y -qq python3-matplotlib > /dev/null; } ||
	exit 1
tcg_fault() { "$here/vm/tcg-fault.sh" "$@" && echo "QEMU's TCG corrupted a guest's EFLAGS (see Documentation/testbed.rst); running it again"; }

# The client's lines as they come: the run takes a while.
progress() {
	tail -n +1 -F --pid=$$ "$out/$1.tap" 2> /dev/null | grep --line-buffered -E '^\[(client|single)\]' &
	tail_pid=$!
}

two_guests() {
	local base=$((20000 + RANDOM % 20000)) spid
	rm -f "$out"/server.* "$out"/client.* "$out"/sync.* "$out"/bench.jsonl
	progress client
	"$here/vm/vm.sh" -k 6.12 -n server -s "$here/guest/bench.sh" -o "$out" \
		-p "$base:$((base + 1))" -m 52:54:00:12:34:01 -c 1 -e rsk_role=server "${narrow[@]}" -t 1800 &
	spid=$!
	"$here/vm/vm.sh" -k 6.12 -n client -s "$here/guest/bench.sh" -o "$out" \
		-p "$((base + 1)):$base" -m 52:54:00:12:34:02 -c 1 -e rsk_role=client "${narrow[@]}" -t 1800
	crc=$?
	# A client that died leaves the server waiting for it: end that guest.
	[ $crc = 0 ] || pkill -f "qemu-system.*$out/server.console"
	wait $spid
	src=$?
	kill $tail_pid 2> /dev/null
}

one_guest() {
	rm -f "$out"/single.* "$out"/bench.jsonl
	progress single
	"$here/vm/vm.sh" -k 6.12 -n single -s "$here/guest/bench.sh" -o "$out" \
		-c 2 -e rsk_role=single "${narrow[@]}" -t 1800
	crc=$? src=0
	kill $tail_pid 2> /dev/null
}

echo "bench: $topology, TCG guests; about 15 minutes"
for try in 1 2 3; do
	if [ $topology = two-guests ]; then two_guests; else one_guest; fi
	[ $src = 0 ] && [ $crc = 0 ] && break
	tcg_fault "$out"/*.console || break
done
[ $src = 0 ] && [ $crc = 0 ] || { echo "bench: a guest failed"; tail -n 30 "$out"/*.tap; exit 1; }
for f in "$out"/profile-*.txt; do
	[ -e "$f" ] && cp "$f" "$results/$topology-$(basename "$f")"
done
/usr/bin/python3 "$RSK_TOP/tools/bench/report.py" --topology "$topology" \
	--qemu "$(qemu-system-x86_64 --version | head -n 1)" \
	"$out/bench.jsonl" "$results"
