#!/usr/bin/env bash
# VXLAN over the test's own veth pair: a VXLAN device in each of two
# namespaces (VNI 42, underlay 192.0.2.0/24), ftsend's mix sent into them,
# and flowtally on the underlay veth. With --decap vxlan every frame counts
# under its inner (proto, dport) with the bytes the underlay carried (the
# inner frame plus 50 bytes of Ethernet, IPv4, UDP and VXLAN), exactly as
# ftsend expects the inner frames; a vni table keys them all under 42.
# Without --decap the same frames are all UDP to 4789.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0
NSA=ftx-$LIVE_ID			# the counting side: $VA and vxA live here
VXA=fvxa$LIVE_ID VXB=fvxb$LIVE_ID
VXLAN_OVERHEAD=50			# 14 + 20 + 8 + 8

vxlan_cleanup() {
	live_cleanup	# stops flowtally by PID first; $VA goes with $NSA
	ip netns del "$NSA" 2>/dev/null
}
trap vxlan_cleanup EXIT
in_nsa() { nsenter --net="/run/netns/$NSA" "$@"; }

before=$(bpf_objects)
live_veth 1500 || { fail vxlan_setup "cannot create the veth pair"; exit 1; }
ip netns add "$NSA" && ip link set "$VA" netns "$NSA" || { fail vxlan_setup "namespace"; exit 1; }
in_nsa sysctl -qw "net.ipv6.conf.$VA.disable_ipv6=1"
in_nsa ip link set lo up
in_nsa ip addr add 192.0.2.1/24 dev "$VA" && in_nsa ip link set "$VA" up &&
	in_ns ip addr add 192.0.2.2/24 dev "$VB" || { fail vxlan_setup "underlay addresses"; exit 1; }
# no ARP on the underlay: only the tunnel's frames cross it
mac_a=$(in_nsa ip -j link show dev "$VA" | jq -r ".[0].address")
mac_b=$(in_ns ip -j link show dev "$VB" | jq -r ".[0].address")
in_nsa ip neigh replace 192.0.2.2 lladdr "$mac_b" dev "$VA" nud permanent &&
	in_ns ip neigh replace 192.0.2.1 lladdr "$mac_a" dev "$VB" nud permanent ||
	{ fail vxlan_setup "static neighbours"; exit 1; }
for side in a b; do
	if [ $side = a ]; then run=in_nsa dev=$VXA under=$VA local=192.0.2.1 remote=192.0.2.2
	else run=in_ns dev=$VXB under=$VB local=192.0.2.2 remote=192.0.2.1; fi
	$run ip link add "$dev" type vxlan id 42 local $local remote $remote dstport 4789 \
		dev "$under" || { skip vxlan "no VXLAN devices here"; exit 0; }
	$run sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1"
	$run ip link set "$dev" up
done
# flowtally in $NSA, by nsenter (ip netns exec would remount /sys and hide pins)
FT_IN_NS=$LIVE_TMP/ft-in-ns
printf '#!/bin/sh\nexec nsenter --net=/run/netns/%s %s "$@"\n' "$NSA" "$PWD/$FT" >"$FT_IN_NS"
chmod +x "$FT_IN_NS"
FT=$FT_IN_NS

# the frames as the underlay carries them: every count of the inner frames'
# expectation with the tunnel's bytes, truncated inner frames as the tunnel's
wrap() {
	jq -c --argjson o $VXLAN_OVERHEAD 'def wrap: .bytes += $o * .packets;
		.seen |= wrap | .entries |= map(wrap) | .unclassified |= map_values(wrap) |
		.unclassified.tunnel_truncated.packets += .unclassified.truncated.packets |
		.unclassified.tunnel_truncated.bytes += .unclassified.truncated.bytes |
		.unclassified.truncated = {packets: 0, bytes: 0}' "$1"
}
send() {	# runner iface seed expectation
	$1 "$FTSEND" -i "$2" --seed "$3" --count 1500 --max-frame 1464 --vlan none \
		--expect "$4.inner" && wrap "$4.inner" >"$4"
}

# 1. --decap vxlan: egress (sent from vxA) and ingress (from vxB) by inner port
live_start --decap vxlan --interval 0.5 -t ports=proto,dport -t vnis=vni,proto,dport ||
	{ fail vxlan_decap_start "did not start: $(head -2 "$LIVE_TMP/err.txt")"; exit 1; }
send in_nsa "$VXA" 71 "$LIVE_TMP/eg.exp" || fail vxlan_send "ftsend on $VXA failed"
send in_ns "$VXB" 72 "$LIVE_TMP/in.exp" || fail vxlan_send "ftsend on $VXB failed"
sleep 0.3
live_stop INT || fail vxlan_decap_stop "exit status $?"
grep '"type":"final"' "$LIVE_TMP/out.json" >"$LIVE_TMP/decap.final"
for dir in egress ingress; do
	exp=$LIVE_TMP/eg.exp
	[ $dir = ingress ] && exp=$LIVE_TMP/in.exp
	d=$(live_diff "$LIVE_TMP/decap.final" "$exp" "$VA" $dir 2>&1) || d="cannot compare: $d"
	[ -z "$d" ] && pass "vxlan_decap_${dir}_counts_inner_ports_exactly" ||
		fail "vxlan_decap_${dir}_counts_inner_ports_exactly" "$(echo "$d" | head -3 | tr '\n' ';')"
done
# the vni table: every classified frame under VNI 42, as many as the ports table
vnis=$(jq -c '[.tables[] | select(.name == "vnis") | .entries[]] |
	{other: map(select(.vni != 42)) | length, packets: map(.packets) | add}' "$LIVE_TMP/decap.final")
ports=$(jq '[.tables[] | select(.name == "ports") | .entries[].packets] | add' "$LIVE_TMP/decap.final")
[ "$vnis" = "{\"other\":0,\"packets\":$ports}" ] && [ "$ports" -gt 1000 ] &&
	pass vxlan_vni_table_keys_vni_42 || fail vxlan_vni_table_keys_vni_42 "$vnis, ports $ports"

# 2. without --decap: the same kind of traffic is UDP to 4789, nothing else
live_start --direction egress --interval 0.5 ||
	{ fail vxlan_plain_start "did not start"; exit 1; }
send in_nsa "$VXA" 73 "$LIVE_TMP/plain.exp" || fail vxlan_send "ftsend on $VXA failed"
sleep 0.3
live_stop INT || fail vxlan_plain_stop "exit status $?"
grep '"type":"final"' "$LIVE_TMP/out.json" >"$LIVE_TMP/plain.final"
jq -c '{seen, unclassified: (.unclassified | map_values({packets: 0, bytes: 0})),
	entries: [{proto: 17, dport: 4789} + .seen]}' "$LIVE_TMP/plain.exp" >"$LIVE_TMP/plain.udp"
d=$(live_diff "$LIVE_TMP/plain.final" "$LIVE_TMP/plain.udp" "$VA" egress 2>&1) || d="cannot compare: $d"
[ -z "$d" ] && pass vxlan_without_decap_counts_udp_4789 ||
	fail vxlan_without_decap_counts_udp_4789 "$(echo "$d" | head -3 | tr '\n' ';')"

if bpf_objects_settle "$before"; then
	pass vxlan_nothing_left_loaded
else
	fail vxlan_nothing_left_loaded "$(bpf_objects_left "$before")"
fi
exit $FAILED
