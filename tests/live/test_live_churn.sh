#!/usr/bin/env bash
# Interfaces that come and go under -i 'PATTERN': two matching veths at the
# start, three more added while frames flow, one deleted, one renamed out of
# the pattern. Every frame sent on every interface is counted exactly, under
# its interface while it is there and in the totals after it left (the
# "(removed)" row once its slot was reused); nothing is left loaded.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0
P=ftp$LIVE_ID		# counted ends: the pattern is "$P*"
Q=ftq$LIVE_ID		# their peers, in the namespace
R=ftr$LIVE_ID		# what one is renamed to: outside the pattern
LIVE_DEVS="${P}1 ${P}2 ${P}3 ${P}4 ${P}5 ${R}3"
cleanup_churn() {
	local i
	for i in 1 2 3 4 5; do ip link del "$P$i" 2>/dev/null; done
	ip link del "${R}3" 2>/dev/null
	live_cleanup
}
trap cleanup_churn EXIT

pair() {	# N: $P$N in the root namespace, $Q$N in the test's
	ip link add "$P$1" type veth peer name "$Q$1" netns "$NS" || return 1
	sysctl -qw "net.ipv6.conf.$P$1.disable_ipv6=1"
	in_ns sysctl -qw "net.ipv6.conf.$Q$1.disable_ipv6=1"
	ip link set "$P$1" up && in_ns ip link set "$Q$1" up
}

attached() {	# N: waits (10 s at most) until flowtally says it counts on $P$N
	for _ in $(seq 100); do
		grep -q "counting on $P$1 " "$LIVE_TMP/err.txt" && return 0
		sleep 0.1
	done
	return 1
}

send() {	# N SEED COUNT [RATE]: frames from $Q$N, arriving at $P$N's ingress
	in_ns "$FTSEND" -i "$Q$1" --seed "$2" --count "$3" --rate "${4:-0}" --malformed 10 \
		--expect "$LIVE_TMP/e$1.$2.json" >/dev/null
}

before=$(bpf_objects)
ip netns add "$NS" || { fail churn_setup "no namespace"; exit 1; }
pair 1 && pair 2 || { fail churn_setup "cannot create the veth pairs"; exit 1; }
live_spawn_cmd "$LIVE_TMP/out.json" "$LIVE_TMP/err.txt" "$FT" run -i "$P*" \
	--name "ft$LIVE_ID" --json --interval 0.3 &&
	live_track || { fail churn_start "flowtally did not start"; exit 1; }
attached 1 && attached 2 && pass churn_pattern_attaches_what_matches_at_start ||
	fail churn_pattern_attaches_what_matches_at_start "$(cat "$LIVE_TMP/err.txt")"

# frames on 1 and 2 while three more come
send 1 101 3000 1500 & s1=$!
send 2 201 2000 1000 & s2=$!
for i in 3 4 5; do pair $i || fail churn_setup "pair $i"; done
ok=1
for i in 3 4 5; do attached $i || ok=0; done
[ $ok = 1 ] && pass churn_new_interfaces_attached_while_frames_flow ||
	fail churn_new_interfaces_attached_while_frames_flow "$(grep -c "counting on" "$LIVE_TMP/err.txt") attached"
live_track
send 3 301 1200 & s3=$!
send 4 401 800 & s4=$!
send 5 501 700
# egress too: frames $P4 transmits leave through its tcx egress
"$FTSEND" -i "${P}4" --seed 451 --count 300 --malformed 10 --expect "$LIVE_TMP/tx4.json" >/dev/null
wait $s1 $s2 $s3 $s4

# one deleted, one renamed out of the pattern: both leave, their counts stay
ip link del "${P}2"
ip link set "${P}3" down && ip link set "${P}3" name "${R}3" && ip link set "${R}3" up ||
	fail churn_setup "rename"
for _ in $(seq 100); do
	grep -q "${P}2 is gone" "$LIVE_TMP/err.txt" &&
		grep -q "${P}3 was renamed to ${R}3" "$LIVE_TMP/err.txt" && break
	sleep 0.1
done
grep -q "${P}2 is gone" "$LIVE_TMP/err.txt" && pass churn_deleted_interface_detached ||
	fail churn_deleted_interface_detached "$(tail -3 "$LIVE_TMP/err.txt")"
grep -q "${P}3 was renamed to ${R}3" "$LIVE_TMP/err.txt" && pass churn_renamed_out_detached ||
	fail churn_renamed_out_detached "$(tail -3 "$LIVE_TMP/err.txt")"
# status asks the running instance (not pinned) what it is attached to
st=$("$FT" status "ft$LIVE_ID" 2>&1)
if echo "$st" | grep -q "^    ${P}1 .*ingress tcx .*egress tcx .*(pattern)$" &&
	echo "$st" | grep -q "^    ${P}5 .*ingress tcx " &&
	echo "$st" | grep -q "^    ${P}2 .*(gone, counts kept)$" &&
	echo "$st" | grep -q "interfaces: 3 attached"; then
	pass churn_status_lists_hooks_and_gone
else
	fail churn_status_lists_hooks_and_gone "$(echo "$st" | tr '\n' ';')"
fi
# frames on the renamed one are not flowtally's any more; the others go on
in_ns "$FTSEND" -i "${Q}3" --seed 302 --count 300 >/dev/null
send 1 102 500 & s1=$!
send 4 402 400
wait $s1
# a few records: the gone ones' slots are read to the end
live_wait_intervals "$LIVE_TMP/out.json" 4 || fail churn_intervals "no interval records"
live_stop INT || fail churn_stop "status $?"

grep '"type":"final"' "$LIVE_TMP/out.json" >"$LIVE_TMP/final.json"
grep '"type":"interval"' "$LIVE_TMP/out.json" >"$LIVE_TMP/intervals.json"
want_of() { expect_sum "$LIVE_TMP"/e"$1".*.json | jq -c '{seen: .seen, unclassified: .unclassified}'; }
for i in 1 4 5; do
	got=$(jq -c --arg i "$P$i" '.ifaces[] | select(.name == $i and .direction == "ingress") |
		{seen: .seen, unclassified: .unclassified}' "$LIVE_TMP/final.json")
	want=$(want_of $i)
	[ "$got" = "$want" ] && pass "churn_iface_${i}_counted_exactly" ||
		fail "churn_iface_${i}_counted_exactly" "got ${got:0:120}, want ${want:0:120}"
done
# the ones that left: their intervals add up to what was sent, marked gone
for i in 2 3; do
	got=$(jq -s -c --arg i "$P$i" '[.[].ifaces[] | select(.name == $i and .direction == "ingress")] |
		{packets: (map(.seen.packets) | add), bytes: (map(.seen.bytes) | add),
		 gone: (map(.gone // false) | any)}' "$LIVE_TMP/intervals.json")
	want=$(want_of $i | jq -c '{packets: .seen.packets, bytes: .seen.bytes, gone: true}')
	[ "$got" = "$want" ] && pass "churn_left_${i}_reported_until_gone" ||
		fail "churn_left_${i}_reported_until_gone" "got $got, want $want"
done
# and the final record still has them: by name while their slot is not
# reused, in "(removed)" after
got=$(jq -c --arg a "${P}2" --arg b "${P}3" '[.ifaces[] | select(.direction == "ingress" and
	(.name == $a or .name == $b or .name == "(removed)"))] |
	{packets: (map(.seen.packets) | add), bytes: (map(.seen.bytes) | add)}' "$LIVE_TMP/final.json")
want=$(expect_sum "$LIVE_TMP"/e2.*.json "$LIVE_TMP"/e3.*.json | jq -c '{packets: .seen.packets, bytes: .seen.bytes}')
[ "$got" = "$want" ] && pass churn_removed_counts_in_final_record ||
	fail churn_removed_counts_in_final_record "got $got, want $want"
# read to the end in both generations and reported, their slots were freed
n=$(jq '[.ifaces[] | select(.name == "(removed)" and .direction == "ingress")] | length' "$LIVE_TMP/final.json")
[ "$n" = 1 ] && pass churn_gone_slots_retired_into_removed_row ||
	fail churn_gone_slots_retired_into_removed_row "$n (removed) rows"
got=$(jq '[.ifaces[] | select(.direction == "ingress") | .seen.packets] | add' "$LIVE_TMP/final.json")
want=$(expect_sum "$LIVE_TMP"/e*.json | jq .seen.packets)
[ "$got" = "$want" ] && pass churn_total_seen_exact || fail churn_total_seen_exact "got $got, want $want"
got=$(jq -c --arg i "${P}4" '.ifaces[] | select(.name == $i and .direction == "egress") |
	{seen: .seen, unclassified: .unclassified}' "$LIVE_TMP/final.json")
want=$(jq -c '{seen, unclassified}' "$LIVE_TMP/tx4.json")
[ "$got" = "$want" ] && pass churn_egress_of_added_interface_exact ||
	fail churn_egress_of_added_interface_exact "got ${got:0:120}, want ${want:0:120}"
[ -z "$(unconserved "$LIVE_TMP/final.json" ingress)$(unconserved "$LIVE_TMP/final.json" egress)" ] &&
	pass churn_final_conserved ||
	fail churn_final_conserved "$(unconserved "$LIVE_TMP/final.json" ingress) $(unconserved "$LIVE_TMP/final.json" egress)"
bpf_objects_settle "$before" && pass churn_nothing_left_loaded ||
	fail churn_nothing_left_loaded "$(bpf_objects_left "$before")"
exit $FAILED
