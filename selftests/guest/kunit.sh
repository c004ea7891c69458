# SPDX-License-Identifier: GPL-2.0
#
# Sourced by a stage on the debug kernel: load the KUnit test module and
# turn its KTAP report (kernel log) into one TAP result per test case.
kunit_run() {
	local line name st suite="" ncases=0
	modprobe kunit || { tap_result "kunit: modprobe kunit" 1; return; }
	dmesg -C
	if ! modprobe rdma_sock_kunit; then
		tap_result "kunit: modprobe rdma_sock_kunit" 1
		return
	fi
	dmesg -t > /tmp/kunit.log
	modprobe -r rdma_sock_kunit
	while IFS= read -r line; do
		case "$line" in
		*"# Subtest: "*) suite=${line##*# Subtest: } ;;
		"    ok "*|"    not ok "*)
			st=0
			case "$line" in "    not ok "*) st=1 ;; esac
			name=${line#*ok }
			name=${name#* }
			ncases=$((ncases + 1))
			case "$name" in
			*"# SKIP"*) tap_result "kunit.$suite.${name%% # SKIP*}" 77 "${name#*# SKIP}" ;;
			*) tap_result "kunit.$suite.${name%% #*}" "$st" ;;
			esac
			;;
		"    # "*) echo "#${line#    #}" ;;
		esac
	done < /tmp/kunit.log
	[ "$ncases" -gt 0 ] || tap_result "kunit: any result in the kernel log" 1
}
kunit_run
