#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage for the server guest of the hostile pair: the victim, on the
# debug kernel (KASAN, lockdep, kmemleak; vm.sh fails the guest on any
# splat), of every attack hostile-attacker.sh makes from a Debian guest.
# What each attack must do is in hostile-server.sh, which pair-server.sh
# runs on Debian's kernel too.
. "$(dirname "$0")/../vm/guest-lib.sh"

RSK_PEER_ADDR=10.99.0.1
tap_run "setup: $RSK_IBDEV on $RSK_NETDEV" rsk_guest_net $RSK_PEER_ADDR
tap_run "modprobe rdma_sock" modprobe rdma_sock
. "$(dirname "$0")/hostile-server.sh"
tap_done
