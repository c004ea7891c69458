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
		"link_chan none" "link_len none" "proof_len none" \
		"proof_when_up none" "req_ids none" \
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
tap_run "hostile: 22 malformed variants dropped, refused or reset" hostile_malformed
# Links that never prove their address (the LINK_CHALLENGE echoed): a
# CONN_REQ instead makes no channel; it and a wrong cookie end the link
# at once (within 5 s), silence after the victim's limit (30 s, checked
# every 5 s).  A victim on the debug kernel has been seen to take more
# than 50 s of the attacker's time to get there: the attacker waits up to
# 120 s (it stops waiting as soon as the link goes), since its own end of
# the link, once it gives up, would end the link uncounted.
hostile_unproven() {
	local w st=0
	hostile_run unproven unproven --dst $RSK_PEER_ADDR --dst-port 7400 \
		--wait-ms 5000 --silent-ms 120000 || return 1
	for w in conn_req wrong_cookie silent; do
		hostile_answer unproven \
			"unproven_$w challenged yes answer none disconnected yes" ||
			{ echo "expected: $w dropped"; st=1; }
	done
	return $st
}
tap_run "hostile: 3 links that do not prove their address: no channel, dropped" \
	hostile_unproven
# To the listener that never accepts: 2000 1-byte DATA (the victim counts
# what they cost), the rest of the 64 KiB window a child not yet accepted
# advertises, then one byte past it.
hostile_window() {
	hostile_run flood flood --dst $RSK_PEER_ADDR --dst-port 7405 --count 2000 \
		--sync-dir "$RSK_OUT" || return 1
	hostile_answer flood 'flood_window 65536' &&
	hostile_answer flood 'variant flood answer none' &&
	hostile_answer flood 'variant window_full answer none' &&
	hostile_answer flood 'variant window answer rst'
}
tap_run "hostile: 1-byte DATA to a child never accepted, its window filled, then past it: reset" \
	hostile_window
rsk_signal hostile-done
tap_run "hostile: the victim checked the effects" rsk_await hostile-checked 300
