#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tcg-fault.sh CONSOLE...: exit 0 if a guest's console shows the QEMU TCG
# fault described in Documentation/testbed.rst ("The TCG EFLAGS fault"):
# an oops whose register dump has EFLAGS with a reserved bit set (bits 22
# to 31, which no x86 CPU ever sets and no software can).  Such a crash is
# the emulator's, not the kernel's nor the module's; exit 1 otherwise.
for f in "$@"; do
	[ -f "$f" ] || continue
	while read -r flags; do
		[ $((0x$flags & 0xffc00000)) != 0 ] && exit 0
	done < <(grep -a -o 'EFLAGS: [0-9a-f]*' "$f" | awk '{print $2}')
done
exit 1
