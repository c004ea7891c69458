#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# runner-test.sh: the two-guest runner (rsk_two_guests in lib.sh) and
# vm.sh's SIGTERM and -x handling, without booting any guest.  The runner
# runs vm-standin.sh in place of vm.sh (RSK_VM); then vm.sh itself runs
# with qemu-standin.sh first in PATH as qemu-system-x86_64.  Checks the
# statuses, the output and set-aside folders, the retries, how soon a
# guest is ended, and that no process is left.  Prints TAP; exits 1 on
# any failure.  Takes about a minute, on the host alone.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/rsk-runner-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export RSK_BUILD=$tmp/build
. "$here/lib.sh"

n=0 failed=0
# check DESCRIPTION CMD...: one result.
check() {
	local desc=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n $desc"
	else
		echo "not ok $n $desc"
		failed=$((failed + 1))
	fi
}
is() { [ "$1" = "$2" ] || { echo "# got '$1', wanted '$2'" >&2; return 1; }; }
has() { grep -q -e "$2" "$1" 2> /dev/null || { echo "# no '$2' in $1" >&2; return 1; }; }
hasnt() { ! grep -q -e "$2" "$1" 2> /dev/null || { echo "# '$2' in $1" >&2; return 1; }; }
count() { grep -c -e "$2" "$1" 2> /dev/null; }
within() { [ "$took" -lt "$1" ] || { echo "# took $took ms, not under $1" >&2; return 1; }; }
atleast() { [ "$took" -ge "$1" ] || { echo "# took $took ms, not $1 or more" >&2; return 1; }; }
runs() { cat "$st/$1.runs"; }
outcome() { cat "$st/$1.$2.result" 2> /dev/null; }
now() { echo $((${EPOCHREALTIME/./} / 1000)); }

# none_left: no process of the last scenario is alive: no stand-in (nor
# its QEMU) whose PID it recorded, no job of this shell.
none_left() {
	local f p pids
	sleep 0.3
	for f in "$st"/*.pids "$st"/*.qemu.pid; do
		[ -f "$f" ] || continue
		read -ra pids < "$f"
		for p in "${pids[@]}"; do
			if kill -0 "$p" 2> /dev/null; then
				echo "# $p ($f) still runs" >&2
				return 1
			fi
		done
	done
	[ -z "$(jobs -p)" ]
}

# scenario NAME PLAN [runner options and arguments]: one run of the
# runner with vm-standin.sh (RSK_STANDIN_PLAN=PLAN), its folder -o
# $tmp/NAME/out, logs -l $tmp/NAME/log, each guest's limit 30 s.  Sets
# rc, took (ms), st (the stand-in's state folder), o (the output folder)
# and lg (the log prefix); its stdout and stderr go to $tmp/NAME/.
scenario() {
	local name=$1 plan=$2 t0
	shift 2
	st=$tmp/$name/state o=$tmp/$name/out lg=$tmp/$name/log
	mkdir -p "$st"
	echo "# $name: $plan $*"
	t0=$(now)
	RSK_VM=$here/vm-standin.sh RSK_STANDIN_STATE=$st RSK_STANDIN_PLAN=$plan \
		rsk_two_guests -k 6.12 -o "$o" -S /stage/server.sh -C /stage/client.sh \
		-l "$lg" -t 30 "$@" > "$tmp/$name/stdout" 2> "$tmp/$name/stderr"
	rc=$?
	took=$(($(now) - t0))
}

# A guest's arguments, one line.
argline() { tr '\n' ' ' < "$st/$1.$2.args"; }

# -b's command: a line, and whether the run's folder is there yet.
banner() { echo "BANNER"; [ -d "$o" ] || echo "NO FOLDER"; }
booting() { echo "BOOTING"; }

echo "TAP version 13"

echo "# the runner, with vm-standin.sh for vm.sh"
mkdir -p "$tmp/both-ok/out.tcgfault"
scenario both-ok "server=ok client=ok:2" -b banner -- -e shared=1 \
	--server -x /kill/file --client -e only=client
check "both pass: returns 0, both statuses 0" \
	is "$rc $rsk_server_rc $rsk_client_rc" "0 0 0"
check "both pass: one run each" is "$(runs server) $(runs client)" "1 1"
check "both pass: both TAP files in the folder" \
	test -f "$o/server.tap" -a -f "$o/client.tap"
check "both pass: an old set-aside run is removed" test ! -e "$o.tcgfault"
check "both pass: -b's command once, in the folder, nothing else on stdout" \
	is "$(cat "$tmp/both-ok/stdout")" BANNER
check "both pass: each vm.sh's log" test -f "$lg.server.log" -a -f "$lg.client.log"
port=$(sed -n '/^-p$/{n;p}' "$st/server.1.args")
base=${port%%:*}
check "server: vm.sh arguments (ports, MAC, its own before the shared)" \
	is "$(argline server 1)" "-k 6.12 -n server -s /stage/server.sh -o $o -p $base:$((base + 1)) -m 52:54:00:12:34:01 -c 1 -x /kill/file -e shared=1 -t 30 "
check "client: vm.sh arguments (the ports crossed)" \
	is "$(argline client 1)" "-k 6.12 -n client -s /stage/client.sh -o $o -p $((base + 1)):$base -m 52:54:00:12:34:02 -c 1 -e only=client -e shared=1 -t 30 "
check "ports from 20000 to 40000" test "$base" -ge 20000 -a "$base" -lt 40000
check "both pass: no process left" none_left

scenario client-fails "server=ok:3 client=fail:1"
check "client fails, -E none: returns 1, statuses 0 1" \
	is "$rc $rsk_server_rc $rsk_client_rc" "1 0 1"
check "client fails, -E none: the server runs to its end" is "$(outcome server 1)" ok
check "client fails, -E none: not run again" is "$(runs server) $(runs client)" "1 1"
check "client fails, -E none: its TAP kept" has "$o/client.tap" "not ok 1"
check "client fails, -E none: its log kept" has "$lg.client.log" "stage failed"
check "client fails, -E none: nothing on stdout" test ! -s "$tmp/client-fails/stdout"
check "client fails, -E none: no set-aside folder" test ! -e "$o.tcgfault"
check "client fails, -E none: no process left" none_left

scenario bench-rule "server=hang client=fail:1" -E server
check "client fails, -E server: returns 1, statuses 1 1" \
	is "$rc $rsk_server_rc $rsk_client_rc" "1 1 1"
check "client fails, -E server: the server is ended (SIGTERM)" is "$(outcome server 1)" stopped
check "client fails, -E server: ended at once (under 2.5 s in all)" within 2500
check "client fails, -E server: its log says why" \
	has "$lg.server.log" "the client guest failed: ending this one"
check "client fails, -E server: and that it was ended" \
	has "$lg.server.log" "ended by the host (SIGTERM)"
check "client fails, -E server: no process left" none_left

scenario server-fails-E-server "server=fail:1 client=ok:3" -E server
check "server fails, -E server: the client runs to its end" \
	is "$rsk_server_rc $rsk_client_rc $(outcome client 1)" "1 0 ok"
check "server fails, -E server: 3 s or more" atleast 3000
check "server fails, -E server: no process left" none_left

scenario server-dies "server=fail:1 client=hang" -E client
check "server fails, -E client: returns 1, statuses 1 1" \
	is "$rc $rsk_server_rc $rsk_client_rc" "1 1 1"
check "server fails, -E client: the client is ended promptly" \
	is "$(outcome client 1)" stopped
check "server fails, -E client: under 2.5 s in all" within 2500
check "server fails, -E client: no process left" none_left

scenario server-dies-both "server=fail:1 client=hang" -E both
check "server fails, -E both: the client is ended under 2.5 s" \
	is "$(outcome client 1) $((took < 2500))" "stopped 1"
check "server fails, -E both: no process left" none_left

scenario kill-test "server=killed client=kill:1" -E both -- --server -x "$tmp/kill-test/out/sync.kill-server"
check "server killed as asked (exit 0): the client runs on and passes" \
	is "$rc $rsk_server_rc $rsk_client_rc $(outcome server 1) $(outcome client 1)" "0 0 0 killed kill"
check "server killed as asked: KILLFILE.done written" test -f "$o/sync.kill-server.done"
check "server killed as asked: the client's 2 s after the kill waited for" atleast 3000
check "server killed as asked: no process left" none_left

scenario tcg-once "server=tcg:1,ok client=hang,ok:1" -r "AGAIN" -b booting
check "TCG fault once: returns 0, statuses 0 0" \
	is "$rc $rsk_server_rc $rsk_client_rc" "0 0 0"
check "TCG fault once: two runs each" is "$(runs server) $(runs client)" "2 2"
check "TCG fault once: the other guest ended at once, -E none or not" \
	is "$(outcome client 1)" stopped
check "TCG fault once: under 5 s in all" within 5000
check "TCG fault once: the faulted run set aside" has "$o.tcgfault/server.console" "EFLAGS: c262d202"
check "TCG fault once: the second run in the folder" has "$o/server.tap" "run 2"
check "TCG fault once: the retry's line once, -b's command twice" \
	is "$(tr '\n' ' ' < "$tmp/tcg-once/stdout")" "BOOTING AGAIN BOOTING "
check "TCG fault once: no process left" none_left

scenario tcg-thrice "server=tcg:1 client=ok:2"
check "TCG fault thrice: returns 1, statuses 1 0" \
	is "$rc $rsk_server_rc $rsk_client_rc" "1 1 0"
check "TCG fault thrice: three runs, no more" is "$(runs server) $(runs client)" "3 3"
check "TCG fault thrice: the default retry line, twice" \
	is "$(count "$tmp/tcg-thrice/stdout" "^$rsk_tcg_again\$") $(wc -l < "$tmp/tcg-thrice/stdout")" "2 2"
check "TCG fault thrice: the second run set aside, the third in the folder" \
	is "$(cat "$o.tcgfault/server.tap" "$o/server.tap" | tr '\n' ' ')" \
	"[server] run 2 ok 1 server: started, run 2 [server] run 3 ok 1 server: started, run 3 "
check "TCG fault thrice: the client ended early in runs 1 and 2, not in 3" \
	is "$(outcome client 1) $(outcome client 2) $(outcome client 3)" "stopped stopped ok"
check "TCG fault thrice: no process left" none_left

scenario both-fail "server=fail:1 client=fail:1"
check "both fail, no fault: returns 1, statuses 1 1, one run" \
	is "$rc $rsk_server_rc $rsk_client_rc $(runs server)" "1 1 1 1"
check "both fail: no process left" none_left

scenario no-logs "server=fail:1 client=hang" -E client -l ''
check "without -l: the runner's messages on stderr" \
	has "$tmp/no-logs/stderr" "client: the server guest failed: ending this one"
check "without -l: vm.sh's too" has "$tmp/no-logs/stderr" "client: ended by the host"
scenario usage "" -S ''
check "usage: no -S returns 2" is "$rc" 2
scenario usage2 "" -E sometimes
check "usage: a bad -E returns 2" is "$rc" 2
check "usage: nothing started" test ! -e "$tmp/usage2/state/server.runs"

echo "# a signal to the shell running the runner"
# sigrun NAME SIGNAL [CALLER'S TRAP]: a shell runs the runner, both guests
# hanging, and gets SIGNAL once both have started.  Sets rc, took, st, o.
sigrun() {
	local name=$1 sig=$2 trap=${3:-} shpid t0 _
	st=$tmp/$name/state o=$tmp/$name/out
	mkdir -p "$st"
	# Its own process group, so that SIGINT is not ignored there as it is
	# in a background job of a shell without job control.
	set -m
	RSK_VM=$here/vm-standin.sh RSK_STANDIN_STATE=$st RSK_STANDIN_PLAN="server=hang client=hang" \
		bash -c '. "$1/lib.sh"; [ -z "$3" ] || trap "$3" "$2"
			rsk_two_guests -o "$4" -S /s -C /c -t 30; echo "runner returned $?"' \
		_ "$here" "$sig" "$trap" "$o" > "$tmp/$name/stdout" 2>&1 &
	shpid=$!
	set +m
	for _ in $(seq 100); do
		[ -s "$st/server.1.pids" ] && [ -s "$st/client.1.pids" ] && break
		sleep 0.1
	done
	t0=$(now)
	kill -s "$sig" "$shpid"
	wait "$shpid"
	rc=$? took=$(($(now) - t0))
}
sigrun sigint INT
check "SIGINT: the shell dies of it once the guests are ended" \
	is "$rc $(outcome server 1) $(outcome client 1)" "130 stopped stopped"
check "SIGINT: under 2.5 s" within 2500
check "SIGINT: no process left" none_left
sigrun sigterm TERM 'echo "caller saw TERM"; exit 7'
check "SIGTERM: the guests ended, then the caller's own trap" \
	is "$rc $(outcome server 1) $(outcome client 1)" "7 stopped stopped"
check "SIGTERM: the caller's trap ran once, the runner did not return" \
	is "$(grep -c -e "caller saw TERM" -e "runner returned" "$tmp/sigterm/stdout")" 1
check "SIGTERM: no process left" none_left

echo "# vm.sh, with qemu-standin.sh for QEMU"
if kver=$(rsk_debian_release 6.12 2> /dev/null); then
	mkdir -p "$tmp/bin" "$RSK_BUILD/6.12/modroot/lib/modules/$kver"
	ln -s "$here/qemu-standin.sh" "$tmp/bin/qemu-system-x86_64"
	echo tcg > "$RSK_BUILD/.kvm-probe"
	echo "not used" > "$RSK_BUILD/initramfs-$kver.cpio.gz"
	: > "$tmp/stage.sh"
	export PATH=$tmp/bin:$PATH
fi
if [ "$(command -v qemu-system-x86_64)" != "$tmp/bin/qemu-system-x86_64" ]; then
	echo "# no Debian 6.12 kernel here: SKIP"
else
	# vmrun NAME ACTION [vm.sh args]: vm.sh in the background, as guest
	# NAME, its stand-in QEMU doing ACTION; sets vmpid, st, o.
	vmrun() {
		local name=$1 act=$2
		shift 2
		st=$tmp/vm-$name/state o=$tmp/vm-$name/out
		mkdir -p "$st"
		RSK_STANDIN_STATE=$st RSK_QEMU_STANDIN="$name=$act" \
			"$here/vm.sh" -k 6.12 -n "$name" -s "$tmp/stage.sh" -o "$o" -t 30 "$@" \
			2> "$tmp/vm-$name/stderr" &
		vmpid=$!
	}
	# qemu_up: wait (10 s at most) for the stand-in QEMU's PID file.
	qemu_up() {
		local _
		for _ in $(seq 100); do
			[ -s "$st/$1.qemu.pid" ] && return 0
			sleep 0.1
		done
		return 1
	}

	vmrun pass ok
	wait $vmpid
	check "vm.sh: a guest whose stage passes: exit 0" is $? 0
	check "vm.sh: no process left" none_left

	vmrun term hang
	qemu_up term
	t0=$(now)
	kill -TERM $vmpid
	wait $vmpid
	rc=$? took=$(($(now) - t0))
	check "vm.sh: SIGTERM fails the guest" is $rc 1
	check "vm.sh: SIGTERM ends QEMU at once (under 2 s)" within 2000
	check "vm.sh: and says so" has "$tmp/vm-term/stderr" "term: ended by the host (SIGTERM)"
	check "vm.sh: SIGTERM: QEMU saw SIGTERM" has "$o/term.qemu" "terminating on signal 15"
	check "vm.sh: SIGTERM: no reboot after" hasnt "$tmp/vm-term/stderr" "booting again"
	check "vm.sh: SIGTERM: no process left" none_left

	vmrun kill hang -x "$tmp/vm-kill/out/sync.kill"
	qemu_up kill
	: > "$o/sync.kill"
	wait $vmpid
	check "vm.sh -x: killed as asked: exit 0" is $? 0
	check "vm.sh -x: says so" has "$tmp/vm-kill/stderr" "kill: killed as asked"
	check "vm.sh -x: KILLFILE.done" test -f "$o/sync.kill.done"
	check "vm.sh -x: QEMU died of SIGKILL (it could not say it ended)" \
		hasnt "$o/kill.qemu" "terminating"
	check "vm.sh -x: no process left" none_left

	echo "# the runner with the real vm.sh, with qemu-standin.sh for QEMU"
	st=$tmp/real/state o=$tmp/real/out
	mkdir -p "$st"
	t0=$(now)
	RSK_STANDIN_STATE=$st RSK_QEMU_STANDIN="server=hang client=fail" \
		rsk_two_guests -o "$o" -S "$tmp/stage.sh" -C "$tmp/stage.sh" -l "$tmp/real/log" \
		-t 30 -E server > "$tmp/real/stdout" 2>&1
	rc=$? took=$(($(now) - t0))
	check "real vm.sh, -E server, client fails: statuses 1 1" \
		is "$rc $rsk_server_rc $rsk_client_rc" "1 1 1"
	check "real vm.sh: the server's QEMU ended by its PID at once (under 3 s)" within 3000
	check "real vm.sh: the server's log says so" \
		has "$tmp/real/log.server.log" "server: ended by the host (SIGTERM)"
	check "real vm.sh: no process left" none_left
fi

# Whatever the checks, nothing of this test may outlive it.
# shellcheck disable=SC2009 # a look, by the folder's name
check "no process of this test left" \
	test -z "$(ps -eo args= | grep -F "$tmp" | grep -v grep)"
echo "1..$n"
[ "$failed" = 0 ]
