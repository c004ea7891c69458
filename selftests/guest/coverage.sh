#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage for `make coverage`, on the gcov kernel: the KUnit suites and the
# single-guest selftests (single.sh, as the debug kernel runs them), then
# the module's line counts, which the kernel keeps in debugfs even after
# rmmod (gcov_persist), copied to $RSK_OUT/gcda/ under their build paths.
here=$(cd "$(dirname "$0")" && pwd)
bash "$here/single.sh"
rc=$?
gcov=/sys/kernel/debug/gcov
n=0
# A file, not a process substitution: the guest has no /dev/fd.
(cd "$gcov" && find . -name '*.gcda' -path '*rdma_sock*') > /tmp/gcda.list
while IFS= read -r f; do
	mkdir -p "$RSK_OUT/gcda/$(dirname "$f")"
	cat "$gcov/$f" > "$RSK_OUT/gcda/$f" && n=$((n + 1))
done < /tmp/gcda.list
echo "# $n line-count files copied out"
[ $n -gt 0 ] || rc=1
exit $rc
