#!/usr/bin/env bash
# Egress VLAN in both shapes the kernel hands to TC: a tag held outside the
# frame (skb->vlan_tci, as a VLAN device puts it on hardware with tag
# offload; here a test program pushes it and redirects the frame out of the
# veth, as this kernel has no 8021q) and a tag inside the frame. The same
# frames give the same keys either way; the outside tag's 4 bytes are on the
# wire too, so they count: ftsend's expectation of the untagged frames it
# sent, plus 4 bytes a frame.
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

# the tag vlanpush puts on every frame: 4 bytes more of each on the wire
jq -c 'def tag: .bytes += 4 * .packets;
	.seen |= tag | .unclassified |= map_values(tag) | .entries |= map(tag)' \
	"$LIVE_TMP/outside.exp" >"$LIVE_TMP/outside.tagged" && mv "$LIVE_TMP/outside.tagged" "$LIVE_TMP/outside.exp"
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

# Ingress: the stack takes the tag out of the frame before tc runs
# (skb->vlan_tci); tcx ingress keys the frame by it and counts its 4 bytes, as
# XDP counts the frame with the tag in it. A frame cut short inside its tag
# the stack drops before tc: tcx cannot see it (XDP does), and the record's
# device counter, which counted it, shows the gap.
live_start --direction ingress --interval 0.5 -t ports=proto,dport -t vlans=vlan,proto,dport ||
	{ fail vlan_ingress_start "did not start"; exit 1; }
in_ns "$FTSEND" -i "$VB" --vlan 100 --seed 62 --count 1000 --malformed 5 \
	--expect "$LIVE_TMP/in.exp" || fail vlan_ingress_send "ftsend failed"
sleep 0.3
live_stop INT
grep '"type":"final"' "$LIVE_TMP/out.json" >"$LIVE_TMP/in.final"
hook=$(jq -r '.ifaces[0].hook' "$LIVE_TMP/in.final")
d=$(live_diff "$LIVE_TMP/in.final" "$LIVE_TMP/in.exp" "$VA" ingress 2>&1 |
	grep -v '^seen: \|^unclassified.truncated: ') || true
[ -z "$d" ] && [ "$hook" = tcx ] && pass vlan_tcx_ingress_counts_exactly ||
	fail vlan_tcx_ingress_counts_exactly "hook $hook; $(echo "$d" | head -3 | tr '\n' ';')"
read -r seen device cut < <(jq -r '[.ifaces[0].seen.packets, .ifaces[0].device.packets,
	.ifaces[0].unclassified.truncated.packets] | @tsv' "$LIVE_TMP/in.final")
sent=$(jq .seen.packets "$LIVE_TMP/in.exp")
want_cut=$(jq .unclassified.truncated.packets "$LIVE_TMP/in.exp")
[ "$device" = "$sent" ] && [ $((sent - seen)) = $((want_cut - cut)) ] &&
	pass vlan_tcx_ingress_device_counter_shows_frames_the_stack_dropped ||
	fail vlan_tcx_ingress_device_counter_shows_frames_the_stack_dropped \
		"sent $sent, device $device, seen $seen, truncated $cut of $want_cut"
other=$(jq '[.tables[] | select(.name == "vlans") | .entries[] | select(.vlan != 100)] | length' "$LIVE_TMP/in.final")
[ "$other" = 0 ] && pass vlan_tcx_ingress_keys_by_the_tag_outside_the_frame ||
	fail vlan_tcx_ingress_keys_by_the_tag_outside_the_frame "$other entries not under VLAN 100"

# Native XDP (forced) where the driver holds the tag outside the frame: the
# device-bound XDP program asks the driver (veth implements
# bpf_xdp_metadata_rx_vlan_tag) and keys and counts as tcx does. The frames
# vlanpush tags and sends out of VA arrive on VB, in the namespace.
rm -f "$LIVE_TMP/err.txt"
nsenter --net="/run/netns/$NS" "$FT" run -i "$VB" --ingress-hook xdp -d ingress --json \
	--interval 0.5 -t ports=proto,dport -t vlans=vlan,proto,dport >"$LIVE_TMP/out.json" \
	2>"$LIVE_TMP/err.txt" &
FT_PID=$!
for _ in $(seq 100); do grep -q "counting on" "$LIVE_TMP/err.txt" 2>/dev/null && break; sleep 0.1; done
"$FTSEND" -i "$VD" --vlan none --seed 63 --count 1000 --expect "$LIVE_TMP/xdp.exp" || fail vlan_xdp_send "ftsend failed"
sleep 0.3
live_stop INT
grep '"type":"final"' "$LIVE_TMP/out.json" >"$LIVE_TMP/xdp.final"
jq -c 'def tag: .bytes += 4 * .packets;
	.seen |= tag | .unclassified |= map_values(tag) | .entries |= map(tag)' \
	"$LIVE_TMP/xdp.exp" >"$LIVE_TMP/xdp.tagged"
hook=$(jq -r '.ifaces[0].hook' "$LIVE_TMP/xdp.final")
d=$(live_diff "$LIVE_TMP/xdp.final" "$LIVE_TMP/xdp.tagged" "$VB" ingress 2>&1) || d="cannot compare: $d"
[ -z "$d" ] && [ "$hook" = xdp-native ] && pass vlan_xdp_rx_tag_from_the_driver_counts_exactly ||
	fail vlan_xdp_rx_tag_from_the_driver_counts_exactly "hook $hook; $(echo "$d" | head -3 | tr '\n' ';')"
other=$(jq '[.tables[] | select(.name == "vlans") | .entries[] | select(.vlan != 100)] | length' "$LIVE_TMP/xdp.final")
[ "$other" = 0 ] && pass vlan_xdp_keys_by_the_rx_tag ||
	fail vlan_xdp_keys_by_the_rx_tag "$other entries not under VLAN 100"
exit $FAILED
