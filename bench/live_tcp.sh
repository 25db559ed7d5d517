#!/usr/bin/env bash
# The TCP part of make bench's live comparison: iperf3 through a veth pair
# between two network namespaces of the bench's own, with nothing on the
# server's veth, flowtally (default: the hook auto chooses, tcx on a veth),
# flowtally forced to native XDP, or an nftables netdev counter rule on the
# veth's ingress and egress. Configs interleaved in rounds; throughput as
# iperf3's receiver reports it. Prints one JSON object on stdout.
#   bench/live_tcp.sh [--quick]
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

skip() {
	jq -n --arg r "$1" '{skipped: $r}'
	exit 0
}

[ "${FT_BENCH_LIVE:-1}" = 0 ] && skip "FT_BENCH_LIVE=0"
command -v iperf3 >/dev/null || skip "iperf3 is not installed (make deps)"
command -v nft >/dev/null || skip "nftables (nft) is not installed"

quick=0
[ "${1:-}" = --quick ] && quick=1
ROUNDS=${FT_BENCH_TCP_ROUNDS:-$([ $quick = 1 ] && echo 2 || echo 5)}
SECONDS_PER_RUN=${FT_BENCH_TCP_SECONDS:-$([ $quick = 1 ] && echo 1 || echo 3)}
ID=$$
NSC=ftbtc-$ID NSS=ftbts-$ID
VC=ftbtc$ID VS=ftbts$ID
TMP=$(mktemp -d /tmp/ft-bench-tcp.XXXXXX)
FT_PID= SRV_PID=

cleanup() {
	[ -n "$FT_PID" ] && kill -KILL "$FT_PID" 2>/dev/null
	[ -n "$SRV_PID" ] && kill -KILL "$SRV_PID" 2>/dev/null
	ip netns del "$NSC" 2>/dev/null
	ip netns del "$NSS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
. "$(dirname "$0")/../tests/live/spawn.sh"

ns_s() { nsenter --net="/run/netns/$NSS" "$@"; }

ip netns add "$NSC" && ip netns add "$NSS" || skip "cannot create network namespaces"
ip -n "$NSC" link add "$VC" type veth peer name "$VS" netns "$NSS" || skip "cannot create a veth pair"
for ns in "$NSC" "$NSS"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip -n "$NSC" addr add 192.0.2.1/24 dev "$VC" && ip -n "$NSS" addr add 192.0.2.2/24 dev "$VS" &&
	ip -n "$NSC" link set "$VC" up && ip -n "$NSS" link set "$VS" up || skip "cannot set up the veth pair"

start_config() {
	case $1 in
	none) ;;
	flowtally | flowtally_xdp)
		local hook=
		[ "$1" = flowtally_xdp ] && hook="--ingress-hook xdp"
		# not through ns_s: a function in the background is a subshell, and
		# a non-interactive shell's background jobs ignore SIGINT
		live_spawn_cmd "$TMP/ft.json" "$TMP/ft.err" nsenter --net="/run/netns/$NSS" \
			build/flowtally run -i "$VS" $hook --json --interval 1
		;;
	nftables)
		ns_s nft -f - <<-EOF || return 1
			table netdev ftbenchtcp {
				chain ingress {
					type filter hook ingress device "$VS" priority 0; policy accept;
					counter
				}
				chain egress {
					type filter hook egress device "$VS" priority 0; policy accept;
					counter
				}
			}
		EOF
		;;
	esac
}

stop_config() {
	case $1 in
	flowtally | flowtally_xdp)
		kill -INT "$FT_PID"
		wait "$FT_PID"
		FT_PID=
		HOOK=$(jq -rs 'map(select(.type == "final"))[0].ifaces[] |
			select(.direction == "ingress") | .hook' "$TMP/ft.json")
		;;
	nftables)
		ns_s nft delete table netdev ftbenchtcp
		HOOK=nftables
		;;
	*)
		HOOK=-
		;;
	esac
}

# one iperf3 run: the receiver's bits per second
iperf() {
	ns_s iperf3 -s -1 -B 192.0.2.2 >/dev/null 2>&1 &
	SRV_PID=$!
	for _ in $(seq 50); do ns_s ss -ltn | grep -q ':5201 ' && break; sleep 0.1; done
	timeout $((SECONDS_PER_RUN + 20)) nsenter --net="/run/netns/$NSC" \
		iperf3 -c 192.0.2.2 -t "$SECONDS_PER_RUN" -J >"$TMP/iperf.json" 2>/dev/null
	wait "$SRV_PID" 2>/dev/null
	SRV_PID=
	jq '.end.sum_received.bits_per_second // 0' "$TMP/iperf.json"
}

configs=(none flowtally flowtally_xdp nftables)
: >"$TMP/rows.tsv"
for round in $(seq 0 $((ROUNDS - 1))); do
	for k in "${!configs[@]}"; do
		c=${configs[$(((k + round) % ${#configs[@]}))]}
		start_config "$c" || skip "cannot set up '$c'"
		bps=$(iperf)
		stop_config "$c"
		printf '%s\t%s\t%s\t%s\n' "$round" "$c" "$bps" "$HOOK" >>"$TMP/rows.tsv"
	done
	echo "bench: live TCP round $((round + 1))/$ROUNDS" >&2
done

jq -R -s --argjson rounds "$ROUNDS" --argjson secs "$SECONDS_PER_RUN" '
	def median: sort | if length == 0 then null
		elif length % 2 == 1 then .[length / 2 | floor]
		else (.[length / 2 - 1] + .[length / 2]) / 2 end;
	def r3: . * 1000 | round / 1000;
	[split("\n")[] | select(length > 0) | split("\t") |
	 {round: (.[0] | tonumber), config: .[1], gbps: ((.[2] | tonumber) / 1e9), hook: .[3]}] as $rows |
	def rows($c): [$rows[] | select(.config == $c)];
	def ratio($a; $b): [range(0; $rounds) as $i |
		([$rows[] | select(.round == $i and .config == $a)][0].gbps) /
		([$rows[] | select(.round == $i and .config == $b)][0].gbps)] | median | r3;
	{
	  method: "iperf3 -t \($secs), one TCP stream, client and server in two network namespaces joined by a veth pair; measured on the server veth: nothing, flowtally (default hook), flowtally --ingress-hook xdp, an nftables netdev counter on ingress and egress. Configs interleaved in \($rounds) rounds; Gbit/s as the receiver counted them; ratios are medians of per-round ratios.",
	  rounds: $rounds,
	  gbps: (reduce ("none", "flowtally", "flowtally_xdp", "nftables") as $c ({};
		.[$c] = (rows($c) | map(.gbps) | median | if . then r3 else null end))),
	  hook: {flowtally: (rows("flowtally")[0].hook), flowtally_xdp: (rows("flowtally_xdp")[0].hook)},
	  ratio_vs_none: {flowtally: ratio("flowtally"; "none"), flowtally_xdp: ratio("flowtally_xdp"; "none"),
			  nftables: ratio("nftables"; "none")}
	}' "$TMP/rows.tsv"
