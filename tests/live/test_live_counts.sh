#!/usr/bin/env bash
# Live frames over a veth: a random mix with malformed noise sent from the
# namespace end is counted exactly on the root end's ingress (XDP), and the
# same mix sent from the root end exactly on its egress (tcx); then nothing
# of flowtally's is left loaded.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0

check_exact() {	# name record-file expect-file direction
	local d
	d=$(live_diff "$2" "$3" "$VA" "$4" 2>&1) || d="cannot compare: $d"
	if [ -z "$d" ]; then pass "$1"; else fail "$1" "$(echo "$d" | head -5 | tr '\n' ';')"; fi
}

before=$(bpf_objects)
live_veth 1500 || { fail live_setup "cannot create the veth pair"; exit 1; }
live_start --interval 0.2 -t ports=proto,dport -t 'sources=saddr/24/64' ||
	{ fail live_start "flowtally did not start"; exit 1; }

# Both at once, paced over about two seconds so that swaps land mid-traffic.
# ingress: frames the namespace end transmits arrive at $VA's XDP
in_ns "$FTSEND" -i "$VB" --seed 11 --count 6000 --rate 3000 --malformed 10 \
	--expect "$LIVE_TMP/in.json" &
in_pid=$!
# egress: frames sent on $VA itself leave through its tcx egress
"$FTSEND" -i "$VA" --seed 12 --count 5000 --rate 2500 --malformed 10 \
	--expect "$LIVE_TMP/eg.json" || fail live_send_egress "ftsend failed"
wait $in_pid || fail live_send_ingress "ftsend failed"
sleep 0.3
live_stop INT
rc=$?
[ $rc -eq 0 ] && pass live_sigint_exits_0 || fail live_sigint_exits_0 "exit status $rc"

grep '"type":"final"' "$LIVE_TMP/out.json" >"$LIVE_TMP/final.json"
check_exact live_ingress_mix_counts_exactly "$LIVE_TMP/final.json" "$LIVE_TMP/in.json" ingress
check_exact live_egress_mix_counts_exactly "$LIVE_TMP/final.json" "$LIVE_TMP/eg.json" egress

# the source-address table beside it holds every classified frame once
for dir in ingress egress; do
	exp=$LIVE_TMP/$([ $dir = ingress ] && echo in || echo eg).json
	want=$(jq '.seen.packets - ([.unclassified[].packets] | add)' "$exp")
	got=$(jq --arg d $dir '[.tables[] | select(.name == "sources" and .direction == $d) |
		([.entries[].packets] | add // 0) + .overflow.packets] | add' "$LIVE_TMP/final.json")
	bad=$(jq --arg d $dir '[.tables[] | select(.name == "sources" and .direction == $d) | .entries[] |
		select((.saddr | test("^(192\\.0\\.2\\.0/24|198\\.51\\.100\\.0/24|203\\.0\\.113\\.0/24|2001:db8:[0-9a-f:]*/64)$")) | not)] | length' "$LIVE_TMP/final.json")
	[ "$got" = "$want" ] && [ "$bad" = 0 ] && pass "live_${dir}_source_table_counts_every_frame" ||
		fail "live_${dir}_source_table_counts_every_frame" "got $got, want $want, $bad odd keys"
done

# the intervals add up to the final record, exactly
sums=$(jq -s -c '
	def tot(r): [r.ifaces[] | .seen.packets, .seen.bytes];
	def ent(r): [r.tables[].entries[] | .packets, .bytes] | add // 0;
	[map(select(.type == "interval")) | (map(tot(.)) | transpose | map(add)), (map(ent(.)) | add)],
	[map(select(.type == "final"))[0] | tot(.), ent(.)]' "$LIVE_TMP/out.json")
if [ "$(echo "$sums" | sed -n 1p)" = "$(echo "$sums" | sed -n 2p)" ]; then
	pass live_intervals_sum_to_final
else
	fail live_intervals_sum_to_final "$(echo "$sums" | tr '\n' ' ')"
fi
n=$(grep -c '"type":"interval"' "$LIVE_TMP/out.json")
[ "$n" -ge 2 ] && pass live_records_every_interval || fail live_records_every_interval "$n records"

if bpf_objects_settle "$before"; then
	pass live_nothing_left_loaded
else
	fail live_nothing_left_loaded "$(bpf_objects_left "$before")"
fi
exit $FAILED
