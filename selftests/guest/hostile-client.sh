# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced by pair-client.sh: run rsk_hostile (tools/hostile) against the
# server guest, whose hostile-server.sh says what each attack must do and
# checks it there.
hostile="$RSK_TOP/build/tools/rsk_hostile"
tap_run "hostile: the victim is ready" rsk_await hostile-ready 300

# One attack, its output kept and shown: hostile_run NAME ARGS...
hostile_run() {
	local name=$1 st
	shift
	"$hostile" --peer $RSK_PEER_ADDR "$@" > "/tmp/hostile-$name.out" 2>&1
	st=$?
	cat "/tmp/hostile-$name.out"
	return $st
}
hostile_answer() { grep -qx "$2" "/tmp/hostile-$1.out"; }

# 12 links, held silent until the victim has seen what became of them.
"$hostile" --peer $RSK_PEER_ADDR links --count 12 --hold-ms 120000 \
	> /tmp/hostile-links.out 2>&1 &
hostile_links=$!
hostile_flood() {
	rsk_wait_for 120 grep -q '^links_failed' /tmp/hostile-links.out || return 1
	cat /tmp/hostile-links.out
	hostile_answer links 'links_up 4' && hostile_answer links 'links_busy 8'
}
tap_run "hostile: 12 links opened, 4 up and 8 rejected busy" hostile_flood
rsk_signal flood-done
tap_run "hostile: the victim capped and killed them" rsk_await flood-checked 300
kill -TERM $hostile_links 2> /dev/null
wait $hostile_links 2> /dev/null

hostile_replay() {
	hostile_run replay replay --dst-port 7300 &&
	hostile_answer replay 'answer refuse' && hostile_answer replay 'reason 5'
}
tap_run "hostile: our hello with the victim's host_id, CONN_REQ to 127.0.0.1: refused" \
	hostile_replay
hostile_spoof() {
	hostile_run spoof spoof --dst $RSK_PEER_ADDR --dst-port 7400 --src 10.99.0.77 &&
	hostile_answer spoof 'answer refuse' && hostile_answer spoof 'reason 5'
}
tap_run "hostile: CONN_REQ from an address the link is not from: refused" hostile_spoof
hostile_true() {
	hostile_run true spoof --dst $RSK_PEER_ADDR --dst-port 7400 --src 10.99.0.2 &&
	hostile_answer true 'answer accept'
}
tap_run "hostile: the same from the link's own address: accepted" hostile_true
# Every malformed variant a link can carry, against the hold service:
# each dropped, refused or reset as rdma_sock.rst's "Validation" says.
hostile_malformed() {
	local v st=0
	hostile_run malformed malformed --dst $RSK_PEER_ADDR --dst-port 7403 ||
		return 1
	for v in "short none" "unknown_type none" "not_negotiated none" \
		"link_chan none" "link_len none" "req_ids none" \
		"req_len refuse" "req_port refuse" "req_version refuse" \
		"req_mapped refuse" "no_channel rst" "no_channel_rst none" \
		"bad_len rst" "empty_data rst" "src_mismatch none" \
		"bad_state rst" "after_fin rst" "bad_ack rst" "bad_seq rst" \
		"urgent none"; do
		hostile_answer malformed "variant ${v% *} answer ${v#* }" ||
			{ echo "expected: $v"; st=1; }
	done
	return $st
}
tap_run "hostile: 20 malformed variants dropped, refused or reset" hostile_malformed
rsk_signal hostile-done
tap_run "hostile: the victim checked the effects" rsk_await hostile-checked 300
