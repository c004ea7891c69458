#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# coverage.sh: line coverage of rdma_sock.ko, per file, as `make coverage`
# runs it.  Builds (once, cached) the debug kernel with gcov support, the
# module against it with GCOV_PROFILE (Kbuild), runs the KUnit suites and
# the single-guest selftests in one guest (guest/coverage.sh), and prints
# each file's executed lines with gcov.  Fails when a file named in
# RSK_COVERAGE_MIN (file:percent ...) is below its figure: the channel's
# state machine, its receive and send paths and datagram reassembly are
# held to 80 %.  Output in build/coverage/.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/vm/lib.sh"

min=${RSK_COVERAGE_MIN:-rsk_chan.c:80 rsk_chan_rx.c:80 rsk_chan_tx.c:80 rsk_ud_reasm.c:80}
out=$RSK_BUILD/coverage
rm -rf "$out"
mkdir -p "$out"

"$here/vm/build-debug-kernel.sh" --gcov > /dev/null || rsk_die "gcov kernel build failed"
"$here/vm/prepare.sh" gcov || rsk_die "module build for the gcov kernel failed"
obj=$RSK_BUILD/gcov/net/rdma_sock
rm -f "$obj"/*.gcda
"$here/vm/vm.sh" -k gcov -n coverage -s "$here/guest/coverage.sh" -o "$out" \
	-t 1800 -e rsk_kunit=1 -e rsk_scale=small 2> "$out/vm.log"
st=$?
grep -c '^ok ' "$out/coverage.tap" | sed 's/^/# tests passed in the guest: /'
if [ $st != 0 ]; then
	grep '^not ok' "$out/coverage.tap"
	cat "$out/vm.log"
	echo "coverage: the guest's tests failed; its counts are still shown"
fi

# The counts come back under the build path they were compiled at.
find "$out/gcda" -name '*.gcda' -path '*/net/rdma_sock/*' -exec cp {} "$obj/" \;
ls "$obj"/*.gcda > /dev/null 2>&1 || rsk_die "no line counts came back from the guest"

# gcov prints, per source file, "File '...'" and "Lines executed:P% of N".
(cd "$obj" && gcov -n -o . ./*.c 2> /dev/null) > "$out/gcov.txt"
awk -v min="$min" '
	BEGIN {
		n = split(min, m, " ")
		for (i = 1; i <= n; i++) { split(m[i], kv, ":"); want[kv[1]] = kv[2] }
		printf "%-22s %8s %7s %8s\n", "file", "lines", "run", "covered"
	}
	/^File / {
		f = $2; gsub(/\x27/, "", f); sub(/.*\//, "", f)
		keep = (f ~ /^(rsk|af_rdma_sock).*\.c$/ && f !~ /_test\.c$/)
	}
	/^Lines executed:/ && keep {
		split($2, a, ":"); pct = a[2]; sub(/%/, "", pct); lines = $4
		ran = int(pct * lines / 100 + 0.5)
		tl += lines; tr += ran
		mark = ""
		if (f in want) {
			mark = sprintf("(at least %d %%)", want[f])
			if (pct + 0 < want[f]) { mark = mark " BELOW"; bad = 1 }
			seen[f] = 1
		}
		printf "%-22s %8d %7d %7.1f%% %s\n", f, lines, ran, pct, mark
		keep = 0
	}
	END {
		printf "%-22s %8d %7d %7.1f%%\n", "all", tl, tr, tl ? 100 * tr / tl : 0
		for (f in want) if (!(f in seen)) { print f ": no counts"; bad = 1 }
		exit bad
	}' "$out/gcov.txt" | tee "$out/coverage.txt"
cov=${PIPESTATUS[0]}
[ $st = 0 ] && [ "$cov" = 0 ]
