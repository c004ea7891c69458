#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh: every test, as `make check` runs it.
#
#  1. builds: rdma_sock.ko for Debian 6.12 and 6.1 with W=1 and sparse,
#     checkpatch, the layering check, the selftests;
#  2. the debug kernel (built once and cached): KUnit suites (their fuzz
#     cases on a fixed seed) and the selftests in one guest, random system
#     calls (rsk_fuzz) in another, failed allocations and posts in a third,
#     with lockdep, KASAN and kmemleak watching;
#  3. Debian 6.12: the selftests in one guest, then in two guests joined
#     by a QEMU socket network, then two guests of which the host kills
#     one (its QEMU) under a streaming socket;
#  4. Debian 6.1: a build and a smoke run of the selftests in one guest.
#
# Prints TAP as it goes and ends with "N passed, N failed, N skipped".
# Exits non-zero on any failure, splat or timeout.  Logs and guest
# consoles stay in build/check/.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/vm/lib.sh"

out=${RSK_CHECK_OUT:-$RSK_BUILD/check}
rm -rf "$out"
mkdir -p "$out"
n=0 passed=0 failed=0 skipped=0
start=$(date +%s)

echo "TAP version 13"

# result NAME STATUS [DETAIL]: 0 passes, 77 skips, anything else fails.
result() {
	n=$((n + 1))
	case $2 in
	0) passed=$((passed + 1)); echo "ok $n $1" ;;
	77) skipped=$((skipped + 1)); echo "ok $n $1 # SKIP ${3:-}" ;;
	*) failed=$((failed + 1)); echo "not ok $n $1${3:+ # $3}" ;;
	esac
}

# step NAME CMD...: one result from a host command; its log on failure.
step() {
	local name=$1 log st
	shift
	log=$out/$(echo "$name" | tr -c 'A-Za-z0-9.\n-' '_').log
	"$@" > "$log" 2>&1
	st=$?
	[ $st = 0 ] || tail -n 40 "$log" | sed 's/^/# /'
	result "$name" $st "exit $st"
	return $st
}

# gtest NAME BINARY: a GoogleTest binary's cases, one result each.
gtest() {
	local name=$1 log st line cases=0
	log=$out/$name.log
	"$2" > "$log" 2>&1
	st=$?
	while IFS= read -r line; do
		case "$line" in
		"[       OK ] "*" ms)")
			line=${line#\[       OK \] }
			result "$name.${line% (*}" 0
			cases=$((cases + 1)) ;;
		"[  FAILED  ] "*" ms)")
			line=${line#\[  FAILED  \] }
			result "$name.${line% (*}" 1
			cases=$((cases + 1)) ;;
		esac
	done < "$log"
	[ $st = 0 ] && [ $cases -gt 0 ] && return 0
	tail -n 40 "$log" | sed 's/^/# /'
	result "$name: ran to the end" 1 "exit $st, $cases cases"
}

# import PART TAPFILE: a guest's TAP results, renumbered, named PART.x.
import() {
	local part=$1 file=$2 line rest st
	[ -f "$file" ] || return 0
	while IFS= read -r line; do
		line=${line%$'\r'}
		case "$line" in
		"ok "*|"not ok "*)
			st=0
			rest=${line#ok }
			[ "${line#not ok }" != "$line" ] && { st=1; rest=${line#not ok }; }
			rest=${rest#* }
			case "$rest" in
			*"# SKIP"*) result "$part.${rest%% # SKIP*}" 77 "${rest#*# SKIP }" ;;
			*) result "$part.${rest%% # *}" $st ;;
			esac
			;;
		esac
	done < "$file"
}

# tcg_again PART: the line saying a run of PART is made again because
# QEMU's TCG corrupted a guest's EFLAGS (Documentation/testbed.rst, "The
# TCG EFLAGS fault"), its output set aside in PART.tcgfault/.
tcg_again() {
	echo "# $1: QEMU's TCG corrupted a guest's EFLAGS (reserved bits set);" \
		"its consoles are in $1.tcgfault/; running $1 again"
}

# tcg_retry PART CONSOLE...: whether a run that failed did so because of
# that fault; if so, its output moves aside (PART.tcgfault, the latest
# kept) and the run is made again, up to three runs in all.
tcg_retry() {
	local part=$1
	shift
	"$here/vm/tcg-fault.sh" "$@" || return 1
	tcg_again "$part"
	rm -rf "$out/$part.tcgfault"
	mv "$out/$part" "$out/$part.tcgfault"
	return 0
}

# guest PART KERNEL STAGE [vm.sh args]: one guest, its results, and one
# more result for the guest itself (finished in time, no splat).
guest() {
	local part=$1 kernel=$2 stage=$3 st try
	shift 3
	for try in 1 2 3; do
		"$here/vm/vm.sh" -k "$kernel" -n "$part" -s "$here/guest/$stage" \
			-o "$out/$part" "$@" 2> "$out/$part.vm.log"
		st=$?
		[ $st != 0 ] && [ $try != 3 ] &&
			tcg_retry "$part" "$out/$part/$part.console" && continue
		break
	done
	import "$part" "$out/$part/$part.tap"
	sed 's/^/# /' "$out/$part.vm.log"
	result "$part: guest finished cleanly" $st
}

# pair PART KERNEL SERVER CLIENT [vm.sh args] [--server vm.sh args]: two
# guests joined by a QEMU socket network, running the stages SERVER and
# CLIENT at once (rsk_two_guests in vm/lib.sh, which also makes a run
# that QEMU's TCG fault broke again); arguments after --server are the
# server's alone.  Each guest runs to its own end.
pair() {
	local part=$1 kernel=$2 sstage=$3 cstage=$4
	shift 4
	rsk_two_guests -k "$kernel" -o "$out/$part" -S "$here/guest/$sstage" \
		-C "$here/guest/$cstage" -l "$out/$part" -r "$(tcg_again "$part")" -- "$@"
	import "$part.server" "$out/$part/server.tap"
	import "$part.client" "$out/$part/client.tap"
	sed 's/^/# /' "$out/$part.server.log" "$out/$part.client.log"
	result "$part.server: guest finished cleanly" "$rsk_server_rc"
	result "$part.client: guest finished cleanly" "$rsk_client_rc"
}

echo "# builds"
step "build: rdma_sock.ko for 6.12, W=1 C=2, no diagnostics" make -C "$RSK_TOP" strict KVER=6.12
step "build: rdma_sock.ko for 6.1, W=1 C=2, no diagnostics" make -C "$RSK_TOP" strict KVER=6.1
step "build: checkpatch --strict on the module" make -C "$RSK_TOP" style
step "build: every layer calls only down (Kbuild's layer table, nm)" \
	"$here/layers.sh" "$RSK_TOP/build/6.12"
step "test bed: the two-guest runner, with stand-in guests" \
	"$here/vm/runner-test.sh"
step "build: selftests" make -C "$RSK_TOP" selftests
step "build: tools (rsk_bench, rdmasockctl and its unit tests, rsk_hostile)" make -C "$RSK_TOP" tools
gtest unit.rdmasockctl "$RSK_TOP/build/tools/rdmasockctl_test"
# make install into a scratch root: the module, the tool, its man page,
# the headers, each where it belongs.
installed() {
	local root=$out/install
	rm -rf "$root"
	make -C "$RSK_TOP" install DESTDIR="$root" KVER=6.12 &&
	ls "$root"/lib/modules/6.12.*/updates/rdma_sock.ko* &&
	test -x "$root/usr/local/sbin/rdmasockctl" &&
	test -f "$root/usr/local/share/man/man8/rdmasockctl.8" &&
	test -f "$root/usr/local/include/linux/rdma_sock.h" &&
	"$root/usr/local/sbin/rdmasockctl" --help | grep -q "Exit codes"
}
step "install: make install DESTDIR=... puts every part in place" installed

echo "# debug kernel: KUnit and selftests under lockdep, KASAN, kmemleak"
debug_ready=0
if step "debug: kernel built or cached" "$here/vm/build-debug-kernel.sh" &&
	step "debug: module and module tree" "$here/vm/prepare.sh" debug; then
	debug_ready=1
	guest debug-single debug single.sh -t 900 -e rsk_kunit=1 -e rsk_scale=small \
		-e rsk_reference=0
	# Random system calls from four threads for a minute; the long run
	# is make fuzz's.
	guest debug-fuzz debug fuzz.sh -t 600 -e RSK_FUZZ_SECONDS=60
	# Allocations and posts that fail, under random calls and a stream;
	# the failed allocations' own reports are not splats there.
	RSK_SPLAT_ALLOW_ALLOC_FAIL=1 guest debug-faults debug faults.sh -t 900
	# rmmod and the device's removal under traffic, then the device back.
	guest debug-teardown debug teardown.sh -t 900
fi

echo "# Debian 6.12"
if step "6.12: module and module tree" "$here/vm/prepare.sh" 6.12; then
	guest 6.12-single 6.12 single.sh -t 600
	pair 6.12-pair 6.12 pair-server.sh pair-client.sh -t 1200 -e rsk_scale=full
	# The peer's death the hard way: the host kills the server's QEMU.
	pair 6.12-kill 6.12 kill-server.sh kill-client.sh -t 900 \
		--server -x "$out/6.12-kill/sync.kill-server"
	# The hostile peer again, its victim on the debug kernel: every
	# attack under KASAN, lockdep and kmemleak.
	[ $debug_ready = 1 ] &&
		pair debug-hostile 6.12 hostile-victim.sh hostile-attacker.sh -t 900 \
			--server -k debug
fi

echo "# Debian 6.1"
if step "6.1: module and module tree" "$here/vm/prepare.sh" 6.1; then
	guest 6.1-single 6.1 single.sh -t 600 -e rsk_reference=0
fi

echo "1..$n"
echo "# make check took $(($(date +%s) - start)) s"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ "$n" -gt 0 ]
