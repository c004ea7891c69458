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
# The two guests go through the runner (vm/lib.sh), which does so itself,
# keeping the latest such run in demo.tcgfault/.
booting() { echo "booting two guests (TCG), then about 2 minutes of transfers..."; }
rsk_two_guests -k 6.12 -o "$out" -S "$here/guest/demo.sh" -C "$here/guest/demo.sh" \
	-t 900 -b booting --server -e rsk_role=server --client -e rsk_role=client
src=$rsk_server_rc crc=$rsk_client_rc
cat "$out/server.tap" "$out/client.tap"
for try in 1 2 3; do
	echo "booting one guest with two CPUs for busy polling..."
	rm -f "$out"/busypoll.*
	"$here/vm/vm.sh" -k 6.12 -n busypoll -s "$here/guest/demo-busypoll.sh" -o "$out" \
		-c 2 -t 600
	brc=$?
	[ $brc = 0 ] && break
	if [ $try = 3 ] || ! rsk_tcg_fault "$out/busypoll.console"; then
		break
	fi
done
cat "$out/busypoll.tap"
[ "$src" = 0 ] && [ "$crc" = 0 ] && [ "$brc" = 0 ]
