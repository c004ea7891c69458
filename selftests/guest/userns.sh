#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Who may open the family's sockets, sourced by single.sh (the module
# loaded): net.rdma_sock.userns_sockets, the host's gate, is 0 by default,
# and then a task in a user namespace of its own (as any user makes one)
# gets EPERM, counted as userns_refused, whether it has a network
# namespace of its own or not; users of the initial namespace do not.  The
# gate is the initial namespace's to open: not in a new network namespace,
# not writable by a user namespace's root.  Opened, such a task gets its
# socket.

userns_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

userns_try() {	# userns_try CMD...: "ok" or the errno's name, of socket()
	"$@" python3 -c '
import errno, socket
fam = int(open("/sys/module/rdma_sock/parameters/family").read())
try:
    socket.socket(fam, socket.SOCK_STREAM).close()
    print("ok")
except OSError as e:
    print(errno.errorcode[e.errno])'
}

userns_gate() {
	local refused0 got st=0
	refused0=$(rsk_event userns_refused)
	[ "$(sysctl -n net.rdma_sock.userns_sockets)" = 0 ] ||
		{ echo "userns_sockets is not 0 by default"; return 1; }
	got=$(userns_try unshare -Ur); echo "unshare -Ur: $got"
	[ "$got" = EPERM ] || st=1
	got=$(userns_try unshare -Urn); echo "unshare -Urn: $got"
	[ "$got" = EPERM ] || st=1
	got=$(userns_try setpriv --reuid=65534 --regid=65534 --clear-groups)
	echo "nobody: $got"
	[ "$got" = ok ] || st=1

	unshare -n sh -c '! test -e /proc/sys/net/rdma_sock/userns_sockets' ||
		{ echo "userns_sockets in a new namespace"; st=1; }
	# An unprivileged user's namespace (root's own maps to root).
	if ! userns_nobody unshare -Ur true; then
		echo "unprivileged user namespaces are off: root's alone"
	else
		userns_nobody unshare -Ur sh -c \
			'echo 1 > /proc/sys/net/rdma_sock/userns_sockets' 2> /dev/null &&
			{ echo "a user namespace's root opened the gate"; st=1; }
		[ "$(sysctl -n net.rdma_sock.userns_sockets)" = 0 ] || st=1
		got=$(userns_try userns_nobody unshare -Urn)
		echo "nobody, unshare -Urn: $got"
		[ "$got" = EPERM ] || st=1
		refused0=$((refused0 + 1))
	fi
	[ "$(rsk_event userns_refused)" = $((refused0 + 2)) ] ||
		{ echo "userns_refused did not count each"; st=1; }
	sysctl -qw net.rdma_sock.userns_sockets=1 || st=1
	got=$(userns_try unshare -Urn); echo "opened, unshare -Urn: $got"
	[ "$got" = ok ] || st=1
	sysctl -qw net.rdma_sock.userns_sockets=0 || st=1
	return $st
}

if unshare -Ur true 2> /dev/null; then
	tap_run "userns_sockets: the family's gate for user namespaces" userns_gate
else	# the debug kernel is built without them
	tap_result "userns_sockets: the family's gate for user namespaces" 77 \
		"this kernel has no user namespaces"
fi
