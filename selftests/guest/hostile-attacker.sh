#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage for the client guest of the hostile pair: rsk_hostile's attacks
# (hostile-client.sh) on the victim, hostile-victim.sh.
. "$(dirname "$0")/../vm/guest-lib.sh"

RSK_PEER_ADDR=10.99.0.1
tap_run "setup: $RSK_IBDEV on $RSK_NETDEV" rsk_guest_net 10.99.0.2
. "$(dirname "$0")/hostile-client.sh"
tap_done
