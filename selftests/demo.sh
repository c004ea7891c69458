#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh (make demo): two guests on Debian's 6.12 kernel, joined by a QEMU
# socket network, each with its own soft-RoCE device; both load rdma_sock,
# and the client streams to, ping-pongs with and connects to the server
# over AF_RDMA_STREAM and over TCP, then runs perftest for the verbs limit.
# Then one guest with two CPUs shows busy polling against ib_send_lat.
# Prints what each guest shows.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/vm/lib.sh"

out=$RSK_BUILD/demo
rm -rf "$out"
mkdir -p "$out"
make -s -C "$RSK_TOP" selftests tools > /dev/null || exit 1
"$here/vm/prepare.sh" 6.12 || exit 1
# QEMU's TCG now and then corrupts a guest's EFLAGS and the guest dies
# (Documentation/testbed.rst, "The TCG EFLAGS fault"): that run is the
# emulator's failure, not ours, and is run again, at most three times.
tcg_fault() { "$here/vm/tcg-fault.sh" "$@" && echo "QEMU's TCG corrupted a guest's EFLAGS (see Documentation/testbed.rst); running it again"; }

two_guests() {
	local base=$((20000 + RANDOM % 20000)) spid
	rm -f "$out"/server.* "$out"/client.* "$out"/sync.*
	echo "booting two guests (TCG), then about 2 minutes of transfers..."
	"$here/vm/vm.sh" -k 6.12 -n server -s "$here/guest/demo.sh" -o "$out" \
		-p "$base:$((base + 1))" -m 52:54:00:12:34:01 -c 1 -e rsk_role=server -t 900 &
	spid=$!
	"$here/vm/vm.sh" -k 6.12 -n client -s "$here/guest/demo.sh" -o "$out" \
		-p "$((base + 1)):$base" -m 52:54:00:12:34:02 -c 1 -e rsk_role=client -t 900
	crc=$?
	wait $spid
	src=$?
}

for try in 1 2 3; do
	two_guests
	[ $src = 0 ] && [ $crc = 0 ] && break
	tcg_fault "$out/server.console" "$out/client.console" || break
done
cat "$out/server.tap" "$out/client.tap"
for try in 1 2 3; do
	echo "booting one guest with two CPUs for busy polling..."
	rm -f "$out"/busypoll.*
	"$here/vm/vm.sh" -k 6.12 -n busypoll -s "$here/guest/demo-busypoll.sh" -o "$out" \
		-c 2 -t 600
	brc=$?
	[ $brc = 0 ] && break
	tcg_fault "$out/busypoll.console" || break
done
cat "$out/busypoll.tap"
[ $src = 0 ] && [ $crc = 0 ] && [ $brc = 0 ]
