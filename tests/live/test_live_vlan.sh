#!/usr/bin/env bash
# Egress VLAN in both shapes the kernel hands to TC: a tag held outside the
# frame (skb->vlan_tci, as a VLAN device puts it on hardware with tag
# offload; here a test program pushes it and redirects the frame out of the
# veth, as this kernel has no 8021q) and a tag inside the frame. The same
# frames give the same keys either way; bytes are skb->len, so the outside
# tag's 4 bytes are not in them.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0
VC=ftc$LIVE_ID VD=ftd$LIVE_ID
PUSH_PID=

vlan_cleanup() {
	[ -n "$PUSH_PID" ] && kill "$PUSH_PID" 2>/dev/null && wait "$PUSH_PID" 2>/dev/null
	ip link del "$VC" 2>/dev/null
	live_cleanup
}
trap vlan_cleanup EXIT

live_veth 1500 || { fail vlan_setup "cannot create the veth pair"; exit 1; }
ip link add "$VC" type veth peer name "$VD" || { fail vlan_setup "second veth pair"; exit 1; }
for dev in "$VC" "$VD"; do sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1"; ip link set "$dev" up; done
build/tests/vlanpush "$VC" "$VA" 100 >"$LIVE_TMP/push.txt" 2>&1 &
PUSH_PID=$!
for _ in $(seq 50); do grep -q ready "$LIVE_TMP/push.txt" && break; sleep 0.1; done
grep -q ready "$LIVE_TMP/push.txt" || { fail vlan_setup "vlanpush: $(cat "$LIVE_TMP/push.txt")"; exit 1; }

# one run per shape, the same frames (seed) each time
shape() {	# name ftsend-iface ftsend-vlan
	live_start --direction egress --interval 0.5 -t ports=proto,dport -t vlans=vlan,proto,dport ||
		{ fail "vlan_$1_start" "did not start"; return 1; }
	"$FTSEND" -i "$2" --vlan "$3" --seed 61 --count 2000 --malformed 5 \
		--expect "$LIVE_TMP/$1.exp" || fail "vlan_$1_send" "ftsend failed"
	sleep 0.3
	live_stop INT
	grep '"type":"final"' "$LIVE_TMP/out.json" >"$LIVE_TMP/$1.final"
}

shape outside "$VD" none	# into VC, tagged and redirected out of VA
shape inside "$VA" 100

for s in outside inside; do
	d=$(live_diff "$LIVE_TMP/$s.final" "$LIVE_TMP/$s.exp" "$VA" egress 2>&1) || d="cannot compare: $d"
	[ -z "$d" ] && pass "vlan_tag_${s}_frame_counts_exactly" ||
		fail "vlan_tag_${s}_frame_counts_exactly" "$(echo "$d" | head -3 | tr '\n' ';')"
done

# the vlan table: every classified frame under VLAN 100, the same keys and
# packets for both shapes
keys() { jq -c '[.tables[] | select(.name == "vlans") | .entries[] | {vlan, proto, dport, icmp_type, packets}] | sort_by(.proto, .dport, .icmp_type)' "$1"; }
out=$(keys "$LIVE_TMP/outside.final")
in=$(keys "$LIVE_TMP/inside.final")
[ "$out" = "$in" ] && [ "$out" != "[]" ] && pass vlan_same_keys_in_both_shapes ||
	fail vlan_same_keys_in_both_shapes "outside ${out:0:120} inside ${in:0:120}"
other=$(echo "$out" | jq '[.[] | select(.vlan != 100)] | length')
[ "$other" = 0 ] && pass vlan_outside_tag_names_the_vlan || fail vlan_outside_tag_names_the_vlan "$other entries"
exit $FAILED
