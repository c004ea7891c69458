# SPDX-License-Identifier: GPL-2.0
#
# Sourced by a stage on the debug kernel: load the KUnit test module and
# turn its KTAP report (kernel log) into one TAP result per test case, and
# one per parameter of a parameterised case (suite.case.param).  The
# fake-link tests must leave no socket and no channel behind.
kunit_leftovers() {
	test "$(rsk_counter sockets)" = 0 && test "$(rsk_counter channels)" = 0
}

kunit_result() {
	local st=0 name=$2
	case "$1" in *"not ok "*) st=1 ;; esac
	name=${name#* }
	case "$name" in
	*"# SKIP"*) tap_result "kunit.$3${name%% # SKIP*}" 77 "${name#*# SKIP}" ;;
	*) tap_result "kunit.$3${name%% #*}" "$st" ;;
	esac
}

kunit_run() {
	local line suite="" pcase="" ncases=0
	modprobe kunit || { tap_result "kunit: modprobe kunit" 1; return; }
	dmesg -C
	if ! modprobe rdma_sock_kunit; then
		tap_result "kunit: modprobe rdma_sock_kunit" 1
		return
	fi
	dmesg -t > /tmp/kunit.log
	tap_run "kunit: no socket or channel left behind" \
		rsk_wait_for 10 kunit_leftovers
	modprobe -r rdma_sock_kunit
	while IFS= read -r line; do
		case "$line" in
		"    # Subtest: "*) suite=${line#    # Subtest: } ;;
		"        # Subtest: "*) pcase=${line#        # Subtest: } ;;
		"        ok "*|"        not ok "*)
			kunit_result "$line" "${line#*ok }" "$suite.$pcase."
			;;
		"    ok "*|"    not ok "*)
			ncases=$((ncases + 1))
			kunit_result "$line" "${line#*ok }" "$suite."
			;;
		"    # "*) echo "#${line#    #}" ;;
		esac
	done < /tmp/kunit.log
	[ "$ncases" -gt 0 ] || tap_result "kunit: any result in the kernel log" 1
}
kunit_run
