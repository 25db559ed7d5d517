#!/usr/bin/env bash
# TCP through a veth pair between two namespaces of the test's own (iperf3,
# both directions at once), flowtally in the server's namespace on its veth:
# every TCP segment counts, whatever TSO and GRO made of the skbs.
#
# The references, read in both namespaces before flowtally starts and after
# it stops (/proc/net/snmp):
# - egress: the server's OutSegs + RetransSegs (TCP counts a GSO skb as its
#   segments);
# - ingress: the client's OutSegs + RetransSegs, the segments that crossed
#   the veth. The server's InSegs counts one per skb TCP receives
#   (tcp_v4_rcv), so it equals the segments only when every skb is one
#   segment: peer TSO off and GRO off. There it is checked too.
# Runs: peer TSO on (default) and off, the server veth's GRO off (default)
# and on; then forced XDP, whose seen must match the device's own counter or
# the record must show the gap.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0
NSC=ftc-$LIVE_ID NSS=fts-$LIVE_ID
VC=ftc$LIVE_ID VS=fts$LIVE_ID
SRV_PID=

tcp_cleanup() {
	[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null && wait "$SRV_PID" 2>/dev/null
	live_cleanup
	ip netns del "$NSC" 2>/dev/null
	ip netns del "$NSS" 2>/dev/null
}
trap tcp_cleanup EXIT

for tool in iperf3 ethtool; do
	command -v $tool >/dev/null || { skip live_tcp "$tool is not installed (make deps)"; exit 0; }
done

ns_c() { nsenter --net="/run/netns/$NSC" "$@"; }
ns_s() { nsenter --net="/run/netns/$NSS" "$@"; }

setup() {
	ip netns add "$NSC" && ip netns add "$NSS" || return 1
	ip -n "$NSC" link add "$VC" type veth peer name "$VS" netns "$NSS" || return 1
	for ns in "$NSC" "$NSS"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 || return 1
	done
	ip -n "$NSC" addr add 192.0.2.1/24 dev "$VC" && ip -n "$NSS" addr add 192.0.2.2/24 dev "$VS" &&
		ip -n "$NSC" link set "$VC" up && ip -n "$NSS" link set "$VS" up
}

# InSegs OutSegs RetransSegs of a namespace
tcp_mib() { nsenter --net="/run/netns/$1" awk '/^Tcp:/ && $2 ~ /[0-9]/ { print $11, $12, $13 }' /proc/net/snmp; }
rx_packets() { ip -n "$NSS" -s -j link show "$VS" | jq '.[0].stats64.rx.packets'; }
# Frames the veth pair dropped on the way in (its NAPI ring full, with GRO
# on): the client sent them, and counts their retransmission too, but no
# hook on the server's veth ever saw them.
lost() {
	echo $(($(ip -n "$NSC" -s -j link show "$VC" | jq '.[0].stats64.tx.dropped') +
		$(ip -n "$NSS" -s -j link show "$VS" | jq '.[0].stats64.rx.dropped')))
}

# run NAME [flowtally options]: one iperf3 test, both directions, bounded by
# bytes; sets S0 S1 C0 C1 (MIBs before and after), RX0 RX1 and leaves the
# final record in $LIVE_TMP/NAME.json
run() {
	local name=$1 i
	shift
	ns_s iperf3 -s -1 -B 192.0.2.2 >"$LIVE_TMP/srv.txt" 2>&1 &
	SRV_PID=$!
	for i in $(seq 50); do
		ns_s ss -ltn 2>/dev/null | grep -q ':5201 ' && break
		sleep 0.1
	done
	S0=$(tcp_mib "$NSS") C0=$(tcp_mib "$NSC") RX0=$(rx_packets) L0=$(lost)
	# as live_spawn, in the server's namespace (nsenter keeps /sys and the
	# pins); not through ns_s: a function in the background is a subshell,
	# and a non-interactive shell's background jobs ignore SIGINT
	rm -f "$LIVE_TMP/err.txt"	# the last run's "counting on" is not this one's
	nsenter --net="/run/netns/$NSS" "$FT" run -i "$VS" --json -t tcp=proto "$@" >"$LIVE_TMP/out.json" \
		2>"$LIVE_TMP/err.txt" &
	FT_PID=$!
	for i in $(seq 100); do
		grep -q "counting on" "$LIVE_TMP/err.txt" 2>/dev/null && break
		sleep 0.1
	done
	timeout 30 nsenter --net="/run/netns/$NSC" iperf3 -c 192.0.2.2 --bidir -n 8M \
		>"$LIVE_TMP/cl.txt" 2>&1 || fail "tcp_${name}_iperf3" "$(tail -2 "$LIVE_TMP/cl.txt")"
	for i in $(seq 100); do kill -0 "$SRV_PID" 2>/dev/null || break; sleep 0.1; done
	kill "$SRV_PID" 2>/dev/null
	wait "$SRV_PID" 2>/dev/null
	SRV_PID=
	sleep 0.3	# the last ACKs of the close
	live_stop INT || fail "tcp_${name}_exit" "status $?"
	S1=$(tcp_mib "$NSS") C1=$(tcp_mib "$NSC") RX1=$(rx_packets) L1=$(lost)
	grep '"type":"final"' "$LIVE_TMP/out.json" >"$LIVE_TMP/$name.json"
}

# the final record's TCP packets of a direction
tcp_packets() {
	jq --arg d "$2" '[.tables[] | select(.direction == $d) | .entries[] |
		select(.proto == "tcp") | .packets] | add // 0' "$LIVE_TMP/$1.json"
}
mib() { echo "$1" | cut -d' ' -f"$2"; }

check_segments() {	# name
	local in eg want_in want_eg insegs
	in=$(tcp_packets "$1" ingress)
	eg=$(tcp_packets "$1" egress)
	want_in=$(($(mib "$C1" 2) - $(mib "$C0" 2) + $(mib "$C1" 3) - $(mib "$C0" 3)))
	# without TSO a dropped frame is one segment: none of them reached us
	case $1 in tso_off*) want_in=$((want_in - (L1 - L0))) ;; esac
	want_eg=$(($(mib "$S1" 2) - $(mib "$S0" 2) + $(mib "$S1" 3) - $(mib "$S0" 3)))
	insegs=$(($(mib "$S1" 1) - $(mib "$S0" 1)))
	[ "$in" = "$want_in" ] && [ "$want_in" -gt 100 ] &&
		pass "tcp_${1}_ingress_counts_every_segment" ||
		fail "tcp_${1}_ingress_counts_every_segment" "counted $in, the peer sent $want_in (server InSegs $insegs)"
	[ "$eg" = "$want_eg" ] && [ "$want_eg" -gt 100 ] &&
		pass "tcp_${1}_egress_counts_every_segment" ||
		fail "tcp_${1}_egress_counts_every_segment" "counted $eg, OutSegs + RetransSegs $want_eg"
	INSEGS=$insegs INGRESS=$in
}

before=$(bpf_objects)
setup || { fail tcp_setup "cannot create the namespaces and veth pair"; exit 1; }

run tso_on_gro_off --interval 0.5
check_segments tso_on_gro_off
hook=$(jq -r '.ifaces[] | select(.direction == "ingress") | "\(.hook) \(.hook_reason)"' "$LIVE_TMP/tso_on_gro_off.json")
case $hook in
tcx*veth*) pass tcp_veth_ingress_hook_is_tcx ;;
*) fail tcp_veth_ingress_hook_is_tcx "$hook" ;;
esac

ns_c ethtool -K "$VC" tso off >/dev/null || fail tcp_tso_off "ethtool -K $VC tso off"
run tso_off_gro_off --interval 0.5
check_segments tso_off_gro_off
[ "$INSEGS" = "$INGRESS" ] && pass tcp_one_segment_skbs_equal_server_insegs ||
	fail tcp_one_segment_skbs_equal_server_insegs "counted $INGRESS, InSegs $INSEGS"

ns_s ethtool -K "$VS" gro on >/dev/null || fail tcp_gro_on "ethtool -K $VS gro on"
run tso_off_gro_on --interval 0.5
check_segments tso_off_gro_on

ns_c ethtool -K "$VC" tso on >/dev/null || fail tcp_tso_on "ethtool -K $VC tso on"
run tso_on_gro_on --interval 0.5
check_segments tso_on_gro_on

# Forced native XDP: seen is what the program saw; the record carries the
# device's own count over the run, so a gap between the two shows.
ns_s ethtool -K "$VS" gro off >/dev/null
run xdp --interval 0.5 --ingress-hook xdp
read -r hook seen device < <(jq -r '.ifaces[] | select(.direction == "ingress") |
	[.hook, .seen.packets, .device.packets] | @tsv' "$LIVE_TMP/xdp.json")
rx=$((RX1 - RX0))
if [ "$hook" = xdp-native ] && [ "$device" = "$rx" ] && [ "$seen" -le "$device" ]; then
	pass tcp_forced_xdp_record_shows_device_count_beside_seen
	[ "$seen" = "$device" ] || echo "  note: XDP saw $seen of the $device frames the device received"
else
	fail tcp_forced_xdp_record_shows_device_count_beside_seen "hook $hook, seen $seen, device $device, rx_packets delta $rx"
fi
bpf_objects_settle "$before" && pass tcp_nothing_left_loaded ||
	fail tcp_nothing_left_loaded "$(bpf_objects_left "$before")"
exit $FAILED
