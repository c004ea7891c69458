#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh (make bench): every transport, the same tests, the same boot:
# rdmasock, TCP/UDP, SMC-R, rsockets and perftest's verbs limit, between
# two guests on Debian's 6.12 kernel joined by a QEMU socket network (or,
# with --single, in one guest with two vCPUs).  The guests write JSON
# lines; tools/bench/report.py turns them into bench/results/: results.json,
# results.md (tables with the ratios) and PNG plots.  Progress is printed as
# the client guest goes.  RSK_BENCH_OLD_REF=REV also runs rdmasock's tests
# on the module of git revision REV (transport rdma_old, right after rdma,
# in the same boot): whether a change made streaming or latency worse
# shows in the two builds' ratios to verbs, which under TCG mean something
# only within one boot.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/vm/lib.sh"

topology=two-guests
transports=${RSK_BENCH_TRANSPORTS:-rdma,tcp,smc,rsockets}
old_ref=${RSK_BENCH_OLD_REF:-}
# The old build's tests right after rdma's, so that the two are measured
# back to back (before any other transport's, if rdma is left out).
if [ -n "$old_ref" ]; then
	list=,$transports,
	case $list in
	*,rdma_old,*) ;;
	*,rdma,*) list=${list/,rdma,/,rdma,rdma_old,} ;;
	*) list=,rdma_old$list ;;
	esac
	list=${list#,}
	transports=${list%,}
fi
# RSK_BENCH_TRANSPORTS=rdma,tcp and RSK_BENCH_PERFTEST=0 narrow the run;
# RSK_BENCH_MTU=9000 sets the guests' interface MTU (rxe's then is 4096).
narrow=(-e "rsk_transports=$transports"
	-e "rsk_perftest=${RSK_BENCH_PERFTEST:-1}")
[ -n "${RSK_BENCH_MTU:-}" ] && narrow+=(-e "rsk_mtu=$RSK_BENCH_MTU")
if [ -n "${RSK_BENCH_AB_ROUNDS:-}" ]; then
	[ -n "$old_ref" ] || { echo "bench: RSK_BENCH_AB_ROUNDS needs RSK_BENCH_OLD_REF"; exit 1; }
	case $RSK_BENCH_AB_ROUNDS in
	'' | *[!0-9]*) echo "bench: RSK_BENCH_AB_ROUNDS=$RSK_BENCH_AB_ROUNDS is not a number"; exit 1 ;;
	esac
	narrow+=(-e "rsk_ab_rounds=$RSK_BENCH_AB_ROUNDS")
fi
[ "${1:-}" = --single ] && topology=one-guest
out=$RSK_BUILD/bench/$topology
results=${RSK_BENCH_RESULTS:-$RSK_TOP/bench/results}
rm -rf "$out"
mkdir -p "$out" "$results"
make -s -C "$RSK_TOP" selftests tools > /dev/null || exit 1
"$here/vm/prepare.sh" 6.12 || exit 1

# The old module: REV's tree checked out in a worktree of its own under
# build/ (neither this tree's files nor its build/6.12 are touched), built
# there for 6.12 like this tree's, and removed when this script ends.  The
# guests see it read-only at the same path (vm.sh shares the host root).
old_tree=$RSK_BUILD/old-module
remove_old_tree() {
	git -C "$RSK_TOP" worktree remove --force "$old_tree" 2> /dev/null || rm -rf "$old_tree"
	git -C "$RSK_TOP" worktree prune
}
old_module() {
	local rev msg
	rev=$(git -C "$RSK_TOP" rev-parse --verify --quiet "$old_ref^{commit}") ||
		{ echo "bench: RSK_BENCH_OLD_REF=$old_ref names no commit"; return 1; }
	old_desc="$old_ref ($(git -C "$RSK_TOP" log -1 --format='%h %s' "$rev"))"
	echo "bench: rdma_old is the module of $old_desc; rdma is this tree's" \
		"($(git -C "$RSK_TOP" describe --always --dirty))"
	# A worktree a killed run left behind goes first.
	remove_old_tree
	trap remove_old_tree EXIT
	msg=$(git -C "$RSK_TOP" worktree add --detach "$old_tree" "$rev" 2>&1) ||
		{ echo "$msg"; echo "bench: no worktree for $old_ref in $old_tree"; return 1; }
	make -s -C "$old_tree" KVER=6.12 modules > "$RSK_BUILD/module-old.log" 2>&1 ||
		{ cat "$RSK_BUILD/module-old.log"; echo "bench: the module of $old_ref did not build"; return 1; }
	old_ko=$old_tree/build/6.12/rdma_sock.ko
	[ -f "$old_ko" ] || { echo "bench: no $old_ko after the build"; return 1; }
}
report_old=()
if [ -n "$old_ref" ]; then
	old_module || exit 1
	narrow+=(-e "rsk_old_ko=$old_ko")
	report_old=(--old-ref "$old_desc")
fi
/usr/bin/python3 -c "import matplotlib" 2> /dev/null ||
	{ echo "bench: installing python3-matplotlib"; apt-get install -y -qq python3-matplotlib > /dev/null; } ||
	exit 1

# The client's lines as they come: the run takes a while.
progress() {
	tail -n +1 -F --pid=$$ "$out/$1.tap" 2> /dev/null | grep --line-buffered -E '^\[(client|single)\]' &
	tail_pid=$!
}

# Two guests through the runner (vm/lib.sh), which makes a run that
# QEMU's TCG fault broke again, up to three runs in all, the latest such
# run kept in two-guests.tcgfault/.  A client that died leaves the server
# waiting for it: that guest is ended at once (-E server).
# Before each run: the client's lines of that run.
client_progress() {
	[ -z "${tail_pid:-}" ] || kill "$tail_pid" 2> /dev/null
	progress client
}
two_guests() {
	rsk_two_guests -k 6.12 -o "$out" -S "$here/guest/bench.sh" -C "$here/guest/bench.sh" \
		-t 1800 -E server -b client_progress -- "${narrow[@]}" \
		--server -e rsk_role=server --client -e rsk_role=client
	src=$rsk_server_rc crc=$rsk_client_rc
	kill "$tail_pid" 2> /dev/null
}

one_guest() {
	rm -f "$out"/single.* "$out"/bench.jsonl
	progress single
	"$here/vm/vm.sh" -k 6.12 -n single -s "$here/guest/bench.sh" -o "$out" \
		-c 2 -e rsk_role=single "${narrow[@]}" -t 1800
	crc=$? src=0
	kill "$tail_pid" 2> /dev/null
}

echo "bench: $topology, TCG guests; about 15 minutes"
if [ $topology = two-guests ]; then
	two_guests
else
	for try in 1 2 3; do
		one_guest
		[ $crc = 0 ] && break
		if [ $try = 3 ] || ! rsk_tcg_fault "$out"/*.console; then
			break
		fi
	done
fi
if [ "$src" != 0 ] || [ "$crc" != 0 ]; then
	echo "bench: a guest failed"
	tail -n 30 "$out"/*.tap
	exit 1
fi
for f in "$out"/profile-*.txt; do
	[ -e "$f" ] && cp "$f" "$results/$topology-$(basename "$f")"
done
# The report says which revision rdma_old was, in its own table too.
[ -z "$old_ref" ] || echo "bench: rdma_old was the module of $old_desc"
/usr/bin/python3 "$RSK_TOP/tools/bench/report.py" --topology "$topology" \
	--qemu "$(qemu-system-x86_64 --version | head -n 1)" "${report_old[@]}" \
	"$out/bench.jsonl" "$results"
