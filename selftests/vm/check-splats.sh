#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-splats.sh LOG...: fail, printing the offending lines, if a console
# or kernel log shows an oops, a warning, a lockdep, KASAN or kmemleak
# report, a hung task or a panic.  With RSK_SPLAT_ALLOW_ALLOC_FAIL=1 (the
# fault-injection guest), the call trace of a failed allocation's report
# ("page allocation failure", "vmalloc error") is what the test asked for
# and not a splat; everything else still is.
pattern='BUG:|WARNING:|Oops|Kernel panic|general protection fault|'
pattern+='possible circular locking|possible recursive locking|'
pattern+='inconsistent lock state|suspicious RCU usage|'
pattern+='KASAN:|UBSAN:|RSK-KMEMLEAK|unreferenced object|'
pattern+='blocked for more than|Call Trace:|kernel BUG'
bad=0
for f in "$@"; do
	[ -f "$f" ] || continue
	hits=$(awk -v pat="$pattern" -v allow="${RSK_SPLAT_ALLOW_ALLOC_FAIL:-0}" '
		allow == 1 && /page allocation failure|vmalloc error:/ { inalloc = 1 }
		allow == 1 && inalloc && /Call Trace:/ { next }
		/<\/TASK>/ { inalloc = 0 }
		$0 ~ pat { print FNR ":" $0 }' "$f" | head -n 20)
	[ -n "$hits" ] || continue
	printf '%s\n' "$hits" | sed "s|^|# splat in $(basename "$f"): |" >&2
	bad=1
done
exit $bad
