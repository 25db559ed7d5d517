#!/usr/bin/env bash
# Two interfaces in one run (-i twice): each has its own seen and
# unclassified counters, and the shared table holds the frames of both.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0
VA2=${VA}2 VB2=${VB}2

live_veth 1500 || { fail two_ifaces_setup "cannot create the veth pair"; exit 1; }
ip link add "$VA2" type veth peer name "$VB2" && ip link set "$VB2" netns "$NS" ||
	{ fail two_ifaces_setup "second pair"; exit 1; }
sysctl -qw "net.ipv6.conf.$VA2.disable_ipv6=1"
in_ns sysctl -qw "net.ipv6.conf.$VB2.disable_ipv6=1"
ip link set "$VA2" up && in_ns ip link set "$VB2" up
live_start -i "$VA2" --direction ingress --interval 0.3 || { fail two_ifaces_start "did not start"; exit 1; }

in_ns "$FTSEND" -i "$VB" --seed 71 --count 1500 --malformed 10 --expect "$LIVE_TMP/a.json" >/dev/null &
send_pid=$!
in_ns "$FTSEND" -i "$VB2" --seed 72 --count 900 --malformed 10 --expect "$LIVE_TMP/b.json" >/dev/null
wait $send_pid
sleep 0.3
live_stop INT || fail two_ifaces_stop "status $?"
grep '"type":"final"' "$LIVE_TMP/out.json" >"$LIVE_TMP/final.json"

for pair in "$VA a" "$VA2 b"; do
	set -- $pair
	got=$(jq -c --arg i "$1" '.ifaces[] | select(.name == $i and .direction == "ingress") |
		{seen: .seen, unclassified: .unclassified}' "$LIVE_TMP/final.json")
	want=$(jq -c '{seen, unclassified}' "$LIVE_TMP/$2.json")
	[ "$got" = "$want" ] && pass "two_ifaces_${2}_counted_apart" ||
		fail "two_ifaces_${2}_counted_apart" "got ${got:0:100}, want ${want:0:100}"
done
want=$(jq -s 'map(.seen.packets - ([.unclassified[].packets] | add)) | add' "$LIVE_TMP/a.json" "$LIVE_TMP/b.json")
got=$(jq '[.tables[] | select(.name == "ports") | .entries[].packets] | add' "$LIVE_TMP/final.json")
[ "$got" = "$want" ] && pass two_ifaces_share_the_table || fail two_ifaces_share_the_table "got $got, want $want"
exit $FAILED
