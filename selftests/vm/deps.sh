#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh: install with apt-get everything the build, the tools and the test
# bed need, and extract linux-source-6.12 to /usr/src/linux-source-6.12.
# Idempotent, and quiet and quick when everything is there.
set -euo pipefail

packages=(
	# the module and the debug kernel
	make gcc libc6-dev bc flex bison libelf-dev libssl-dev dwarves kmod
	sparse xz-utils zstd cpio
	linux-headers-6.12-amd64 linux-headers-amd64 linux-source-6.12
	# the kernels the guests boot
	linux-image-6.12-amd64 linux-image-amd64
	# the test bed
	qemu-system-x86 busybox-static iproute2 file jq util-linux
	rdma-core ibverbs-utils rdmacm-utils perftest
	# the hostile peer (tools/hostile)
	librdmacm-dev libibverbs-dev
	# userspace tools and their tests
	cmake g++ googletest libgtest-dev libnl-3-dev libnl-genl-3-dev
	libcli11-dev nlohmann-json3-dev pkg-config
	# make bench's plots
	python3-matplotlib
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	[ "$(id -u)" = 0 ] || { echo "deps: run as root (apt-get)"; exit 1; }
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" > /tmp/rdmasock-deps.log 2>&1 ||
		{ tail -n 30 /tmp/rdmasock-deps.log; exit 1; }
fi

"$(dirname "$0")/build-debug-kernel.sh" --source-only
