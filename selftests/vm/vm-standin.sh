#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm-standin.sh: vm.sh's stand-in for runner-test.sh (RSK_VM): takes
# vm.sh's options and boots nothing; a sleep(1) child stands for QEMU.
# What guest NAME does in its Nth run comes from RSK_STANDIN_PLAN, words
# NAME=ACTION,ACTION,... (one action a run, the last one repeating):
#
#   ok[:S]     the stage passes after S seconds (1 unless given)
#   fail[:S]   the stage fails after S seconds
#   tcg[:S]    the guest dies after S seconds, its console showing QEMU's
#              TCG EFLAGS fault (an oops with EFLAGS c262d202)
#   hang       runs until its time limit (-t) or SIGTERM
#   kill[:S]   after S seconds writes OUTDIR/sync.kill-server (as
#              guest/kill-client.sh does), then passes 2 s later
#   killed     runs until its -x KILLFILE appears: then "QEMU" is
#              SIGKILLed, KILLFILE.done written, and the guest passes
#
# Its TAP file starts with "[NAME] run N".  Like vm.sh, SIGTERM ends the
# guest (its "QEMU" first) and fails it.
# In RSK_STANDIN_STATE it keeps NAME.runs (its count of runs) and, for
# run N, NAME.N.args (its arguments, one a line), NAME.N.pids (its PID and
# its QEMU's) and NAME.N.result (ok, fail, tcg, timeout, kill, killed or
# stopped).
set -u
args=("$@")
name=guest out='' killfile='' limit=600
while getopts k:n:s:o:p:m:t:c:e:x: opt; do
	case $opt in
	n) name=$OPTARG ;;
	o) out=$OPTARG ;;
	t) limit=$OPTARG ;;
	x) killfile=$OPTARG ;;
	*) ;;
	esac
done
state=${RSK_STANDIN_STATE:?}
[ -n "$out" ] || { echo "vm-standin: no -o" >&2; exit 2; }
mkdir -p "$out" "$state"
runs=$(cat "$state/$name.runs" 2> /dev/null || echo 0)
runs=$((runs + 1))
echo "$runs" > "$state/$name.runs"
printf '%s\n' "${args[@]}" > "$state/$name.$runs.args"

plan=ok
for word in ${RSK_STANDIN_PLAN:-}; do
	[ "${word%%=*}" = "$name" ] && plan=${word#*=}
done
IFS=, read -ra acts <<< "$plan"
act=${acts[runs - 1]:-${acts[${#acts[@]} - 1]}}
secs=1
case $act in *:*) secs=${act#*:} act=${act%%:*} ;; esac
case $act in hang | killed) secs=$limit ;; esac

console=$out/$name.console
echo "RSK-GUEST-BOOTED 1.00" > "$console"
echo "[$name] run $runs" > "$out/$name.tap"
stopped=0 qpid=''
# shellcheck disable=SC2317 # run by the trap
stop() {
	stopped=1
	[ -z "$qpid" ] || kill "$qpid" 2> /dev/null
}
trap stop TERM
sleep "$secs" &
qpid=$!
echo "$$ $qpid" > "$state/$name.$runs.pids"

if [ "$act" = killed ]; then
	while kill -0 "$qpid" 2> /dev/null && [ "$stopped" = 0 ]; do
		if [ -e "$killfile" ]; then
			{ kill -KILL "$qpid"; wait "$qpid"; } 2> /dev/null
			date +%s.%N > "$killfile.done"
			break
		fi
		sleep 0.1
	done
elif [ "$act" = kill ]; then
	wait "$qpid"
	[ "$stopped" = 1 ] || { : > "$out/sync.kill-server"; sleep 2 & qpid=$!; }
fi
# As in vm.sh: the trap cuts a wait short while "QEMU" still runs.
while :; do
	wait "$qpid" 2> /dev/null
	st=$?
	if [ "$st" -le 128 ] || [ "$stopped" = 0 ] || ! kill -0 "$qpid" 2> /dev/null; then
		break
	fi
done
trap '' TERM

result() { echo "$1" > "$state/$name.$runs.result"; }
if [ "$stopped" = 1 ]; then
	result stopped
	echo "# $name: ended by the host (SIGTERM)" >&2
	exit 1
fi
case $act in
ok | kill)
	result "$act"
	echo "ok 1 $name: stage, run $runs" >> "$out/$name.tap"
	echo "RSK-GUEST-DONE rc=0" >> "$console"
	exit 0
	;;
fail)
	result fail
	echo "not ok 1 $name: stage, run $runs" >> "$out/$name.tap"
	echo "RSK-GUEST-DONE rc=1" >> "$console"
	echo "# $name: stage failed" >&2
	exit 1
	;;
tcg)
	result tcg
	echo "ok 1 $name: started, run $runs" >> "$out/$name.tap"
	printf '%s\n' "traps: double fault: 0000 [#1] PREEMPT SMP NOPTI" \
		"RIP: 0010:kmem_cache_alloc+0x5b/0x2c0" \
		"RSP: 0018:ffffb0f8c0003e48 EFLAGS: c262d202" \
		"Kernel panic - not syncing: Fatal exception" >> "$console"
	echo "# $name: kernel splat, see $console" >&2
	exit 1
	;;
hang)
	result timeout
	echo "# $name: guest timed out after ${limit}s" >&2
	exit 1
	;;
killed)
	result killed
	echo "# $name: killed as asked ($killfile)" >&2
	exit 0
	;;
esac
echo "vm-standin: unknown action '$act'" >&2
exit 2
