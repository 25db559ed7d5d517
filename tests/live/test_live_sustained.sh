#!/usr/bin/env bash
# Sustained traffic at the sender's top rate with 0.1 s intervals: the
# intervals add up to the final record, and the final record to what was
# sent, exactly. FT_SUSTAIN_FRAMES sets the load (make test-long: 10 s worth).
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0
frames=${FT_SUSTAIN_FRAMES:-300000}

live_veth 1500 || { fail sustained_setup "cannot create the veth pair"; exit 1; }
live_start --interval 0.1 --direction ingress || { fail sustained_start "did not start"; exit 1; }
t0=$(date +%s.%N)
in_ns "$FTSEND" -i "$VB" --seed 51 --count "$frames" --malformed 2 --timeout 120 \
	--expect "$LIVE_TMP/in.json" || fail sustained_send "ftsend failed"
t1=$(date +%s.%N)
sleep 0.3
live_stop INT || fail sustained_stop "status $?"

grep '"type":"final"' "$LIVE_TMP/out.json" >"$LIVE_TMP/final.json"
d=$(live_diff "$LIVE_TMP/final.json" "$LIVE_TMP/in.json" "$VA" ingress 2>&1) || d="cannot compare: $d"
[ -z "$d" ] && pass "sustained_${frames}_frames_final_equals_sent" ||
	fail "sustained_${frames}_frames_final_equals_sent" "$(echo "$d" | head -3 | tr '\n' ';')"

# every interval record's seen and entries, summed, against the final record
sums=$(jq -s -c '
	def seen(r): [r.ifaces[] | .seen.packets, .seen.bytes];
	def ent(r): [r.tables[].entries[] | .packets, .bytes] | add // 0;
	def ovf(r): [r.tables[].overflow.packets] | add // 0;
	[map(select(.type == "interval")) | (map(seen(.)) | transpose | map(add)), (map(ent(.)) | add), (map(ovf(.)) | add)],
	[map(select(.type == "final"))[0] | seen(.), ent(.), ovf(.)]' "$LIVE_TMP/out.json")
n=$(grep -c '"type":"interval"' "$LIVE_TMP/out.json")
if [ "$(echo "$sums" | sed -n 1p)" = "$(echo "$sums" | sed -n 2p)" ] && [ "$n" -ge 5 ]; then
	pass sustained_intervals_sum_to_final
else
	fail sustained_intervals_sum_to_final "$n intervals; $(echo "$sums" | tr '\n' ' ')"
fi
# per interval: seen = entries + overflow + unclassified
bad=$(jq -c 'select(.type == "interval") |
	(.ifaces[] | select(.direction == "ingress")) as $i |
	(.tables[] | select(.direction == "ingress")) as $t |
	select($i.seen.packets != ([$t.entries[].packets] | add // 0) + $t.overflow.packets +
		([$i.unclassified[].packets] | add)) | .end' "$LIVE_TMP/out.json" | head -3)
[ -z "$bad" ] && pass sustained_each_interval_conserves_frames ||
	fail sustained_each_interval_conserves_frames "intervals ending $bad"
awk -v a="$t0" -v b="$t1" -v f="$frames" -v n="$n" 'BEGIN { printf "  (sent %d frames in %.1f s over %d intervals)\n", f, b - a, n }' >&2
exit $FAILED
