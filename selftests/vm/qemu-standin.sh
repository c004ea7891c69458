#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# qemu-standin.sh: QEMU's stand-in for runner-test.sh, which puts it first
# in PATH as qemu-system-x86_64 to run the real vm.sh: it boots nothing.
# What the guest named by rsk_name= on its -append line does comes from
# RSK_QEMU_STANDIN, words NAME=ACTION:
#
#   ok     the stage passes: RSK-GUEST-DONE rc=0 on the console, exit 0
#   fail   the stage fails: RSK-GUEST-DONE rc=1, exit 0
#   hang   the guest runs on until a signal; SIGTERM ends it with exit
#          status 0, as it does QEMU
#
# Its PID goes to RSK_STANDIN_STATE/NAME.qemu.pid.  Anything else (no
# name, no action) exits 1 at once.
set -u
console='' name=''
while [ $# -gt 0 ]; do
	case $1 in
	-serial) console=${2#file:}; shift ;;
	-append)
		for word in $2; do
			case $word in rsk_name=*) name=${word#rsk_name=} ;; esac
		done
		shift
		;;
	esac
	shift
done
act=''
for word in ${RSK_QEMU_STANDIN:-}; do
	[ "${word%%=*}" = "$name" ] && act=${word#*=}
done
[ -n "$name" ] && [ -n "$console" ] && [ -n "$act" ] || exit 1
echo $$ > "${RSK_STANDIN_STATE:?}/$name.qemu.pid"
echo "RSK-GUEST-BOOTED 1.00" >> "$console"
case $act in
ok) echo "RSK-GUEST-DONE rc=0" >> "$console" ;;
fail) echo "RSK-GUEST-DONE rc=1" >> "$console" ;;
hang)
	# Short sleeps: after a SIGKILL (vm.sh -x) none outlives it long.
	trap "echo 'qemu-system-x86_64: terminating on signal 15' >&2; exit 0" TERM
	while :; do
		sleep 0.1
	done
	;;
*) exit 1 ;;
esac
exit 0
