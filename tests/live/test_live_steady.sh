#!/usr/bin/env bash
# Keys stay in their maps across intervals: the same frames sent again and
# again insert each key at most once per generation, so a steady key set
# costs lookups only; a key idle for its table's idle time leaves the map
# after its last counts were read, and its counts stay in the totals.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0

send() { in_ns "$FTSEND" -i "$VB" --seed "$1" --count "$2" --expect "$LIVE_TMP/$3.json" >/dev/null; }

live_veth 1500 || { fail steady_setup "cannot create the veth pair"; exit 1; }
live_start --interval 0.1 -d ingress -t 'ports=proto,dport' -t 'brief=proto,dport:idle=1' ||
	{ fail steady_start "flowtally did not start"; exit 1; }
for pass in 1 2 3 4 5 6; do
	send 77 500 "p$pass" || fail steady_send "ftsend failed"
	sleep 0.25
done
sleep 2.5			# brief's keys are idle for more than a second now
send 77 500 p7 || fail steady_send "ftsend failed"
sleep 0.3
live_stop INT || fail steady_stop "status $?"

grep '"type":"interval"' "$LIVE_TMP/out.json" >"$LIVE_TMP/intervals.json"
grep '"type":"final"' "$LIVE_TMP/out.json" >"$LIVE_TMP/final.json"
expect_sum "$LIVE_TMP"/p[1-7].json >"$LIVE_TMP/want.json"
d=$(live_diff "$LIVE_TMP/final.json" "$LIVE_TMP/want.json" "$VA" ingress 2>&1)
[ -z "$d" ] && pass steady_totals_exact || fail steady_totals_exact "$(echo "$d" | head -3 | tr '\n' ';')"

# ports keeps its keys all along: at most one insert per key and generation
keys=$(jq '[.entries[]] | length' "$LIVE_TMP/want.json")
inserts=$(jq -s '[.[].tables[] | select(.name == "ports") | .inserts] | add' "$LIVE_TMP/intervals.json")
[ "$inserts" -ge "$keys" ] && [ "$inserts" -le $((2 * keys)) ] &&
	pass steady_keys_inserted_once_per_generation ||
	fail steady_keys_inserted_once_per_generation "$inserts inserts for $keys keys over 7 passes"
# intervals with traffic but no new key: the first visit of each generation
# inserts, every later pass only looks up
quiet=$(jq -s '[.[].tables[] | select(.name == "ports") |
	select((.entries | map(.packets) | add // 0) > 0 and .inserts == 0)] | length' \
	"$LIVE_TMP/intervals.json")
[ "$quiet" -ge 2 ] && pass steady_intervals_report_no_inserts ||
	fail steady_intervals_report_no_inserts "$quiet intervals with traffic and no insert"

# brief's keys went idle: its map emptied before the last pass came, which
# inserted them again; its totals are all seven passes all the same
low=$(jq -s '[.[].tables[] | select(.name == "brief") | .fill] | min' "$LIVE_TMP/intervals.json")
late=$(jq -s '[.[].tables[] | select(.name == "brief") | .inserts] | .[-12:] | add' \
	"$LIVE_TMP/intervals.json")
[ "$low" = "0" ] && [ "$late" -ge "$keys" ] && pass idle_keys_leave_the_map ||
	fail idle_keys_leave_the_map "lowest fill $low, inserts at the end $late"
got=$(jq '[.tables[] | select(.name == "brief") | .entries[].packets] | add' "$LIVE_TMP/final.json")
want=$(jq '[.entries[].packets] | add' "$LIVE_TMP/want.json")
[ "$got" = "$want" ] && pass idle_keys_counts_stay_in_totals ||
	fail idle_keys_counts_stay_in_totals "got $got, want $want"
echo "  (steady: $inserts inserts for $keys keys, $quiet quiet intervals)" >&2
exit $FAILED
