#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fuzz.sh: the long fuzz runs, as `make fuzz` runs them, in one guest on
# the debug kernel (KASAN, lockdep, kmemleak; any splat or leak fails it):
#  - the KUnit fuzz cases of the wire parsers, FUZZ_KUNIT_ROUNDS loads
#    (default 20) of FUZZ_STEPS steps each (default 20000), each load on a
#    new random seed, printed;
#  - rsk_fuzz, random system calls, for FUZZ_SECONDS (default 1800) from
#    FUZZ_THREADS threads (default 4), seed FUZZ_SEED (default random).
# make check runs both short: the KUnit cases on a fixed seed in its
# KUnit stage, rsk_fuzz for 60 s in its debug-fuzz guest.  A failure
# names its seed: the same run again is `FUZZ_SEED=... make fuzz` (or
# fuzz_seed= for the KUnit module).  Output in build/fuzz/.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/vm/lib.sh"

rounds=${FUZZ_KUNIT_ROUNDS:-20}
steps=${FUZZ_STEPS:-20000}
seconds=${FUZZ_SECONDS:-1800}
threads=${FUZZ_THREADS:-4}
out=$RSK_BUILD/fuzz
rm -rf "$out"
mkdir -p "$out"

"$here/vm/build-debug-kernel.sh" > /dev/null || rsk_die "debug kernel build failed"
"$here/vm/prepare.sh" debug || rsk_die "module build for the debug kernel failed"
make -C "$RSK_TOP" tools > "$out/tools.log" 2>&1 || rsk_die "tools build failed: $out/tools.log"

# A KUnit load takes up to about 5 minutes at 20000 steps on the debug
# kernel; rsk_fuzz its time and its watchdog's.
budget=$((600 + rounds * steps / 60 + seconds + 120))
env=(-e "RSK_FUZZ_KUNIT=$rounds" -e "RSK_FUZZ_STEPS=$steps"
	-e "RSK_FUZZ_SECONDS=$seconds" -e "RSK_FUZZ_THREADS=$threads")
[ -n "${FUZZ_SEED:-}" ] && env+=(-e "RSK_FUZZ_SEED=$FUZZ_SEED")
echo "# make fuzz: $rounds KUnit loads of $steps steps, rsk_fuzz $seconds s; at most $budget s"
start=$(date +%s)
"$here/vm/vm.sh" -k debug -n fuzz -s "$here/guest/fuzz.sh" -o "$out" \
	-t "$budget" "${env[@]}" 2> "$out/vm.log"
st=$?
cat "$out/fuzz.tap"
cat "$out/vm.log"
grep -h 'fuzz: [0-9]' "$out"/kunit-fuzz.*.log 2> /dev/null | sed 's/^ */# /'
echo "# make fuzz took $(($(date +%s) - start)) s"
exit $st
