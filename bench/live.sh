#!/usr/bin/env bash
# The live comparison of make bench: real frames over a veth pair, in a
# network namespace of the bench's own, with nothing on the receiving end,
# an XDP program that only passes (bench_empty), flowtally (default ports
# table, or the same table ':lru'), or an
# nftables netdev ingress chain adding every frame to a set with counters (the
# same (proto, dport) key). The sender (build/ftsend, AF_PACKET) is pinned to
# one CPU; the receive path runs in softirq on that CPU when the send returns,
# so the time per frame includes it. Prints one JSON object on stdout.
#   bench/live.sh [--quick]
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

skip() {
	jq -n --arg r "$1" '{skipped: $r}'
	exit 0
}

[ "${1:-}" = --quick ] && skip "bench-quick: the live comparison runs in make bench only"
[ "${FT_BENCH_LIVE:-1}" = 0 ] && skip "FT_BENCH_LIVE=0"
[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs (sender and flowtally's userspace apart)"
if ! command -v nft >/dev/null; then
	echo "bench: installing nftables for the live comparison" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nftables \
		>/dev/null 2>&1 || skip "nftables (nft) is not installed and could not be"
fi

FRAMES=${FT_BENCH_LIVE_FRAMES:-200000}
ROUNDS=${FT_BENCH_LIVE_ROUNDS:-5}
SEED=2024
ID=$$
NS=ftbench-$ID
VA=ftbra	# receiving end: what is measured sits here
VB=ftbrb	# sending end
TMP=$(mktemp -d /tmp/ft-bench-live.XXXXXX)
BPFFS=$TMP/bpffs
FT_PID=

cleanup() {
	[ -n "$FT_PID" ] && kill -KILL "$FT_PID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	mountpoint -q "$BPFFS" && umount "$BPFFS"
	rm -rf "$TMP"
}
trap cleanup EXIT

in_ns() { nsenter --net="/run/netns/$NS" "$@"; }

ip netns add "$NS" || skip "cannot create a network namespace"
ip -n "$NS" link add "$VA" type veth peer name "$VB" || skip "cannot create a veth pair"
in_ns sysctl -qw "net.ipv6.conf.$VA.disable_ipv6=1" "net.ipv6.conf.$VB.disable_ipv6=1"
ip -n "$NS" link set "$VA" up && ip -n "$NS" link set "$VB" up

# bench_empty, loaded from the bench object into a bpffs of our own
mkdir -p "$BPFFS" && mount -t bpf bpf "$BPFFS" &&
	bpftool prog loadall build/bench/strategies.bpf.o "$BPFFS/p" ||
	skip "cannot load build/bench/strategies.bpf.o"

start_config() {
	case $1 in
	none) ;;
	xdp_pass)
		ip -n "$NS" link set dev "$VA" xdpdrv pinned "$BPFFS/p/bench_empty" || return 1
		;;
	flowtally | flowtally_lru)
		local table=ports=proto,dport
		[ "$1" = flowtally_lru ] && table=$table:lru
		# not through in_ns: a function in the background is a subshell, and a
		# non-interactive shell's background jobs ignore SIGINT
		nsenter --net="/run/netns/$NS" taskset -c 0 build/flowtally run -i "$VA" -d ingress \
			-t "$table" --json -n 1 >"$TMP/ft.json" 2>"$TMP/ft.err" &
		FT_PID=$!
		for _ in $(seq 100); do
			grep -q "counting on" "$TMP/ft.err" 2>/dev/null && return 0
			kill -0 "$FT_PID" 2>/dev/null || break
			sleep 0.1
		done
		cat "$TMP/ft.err" >&2
		return 1
		;;
	nftables)
		in_ns nft -f - <<-EOF || return 1
			table netdev ftbench {
				set ports {
					type inet_proto . inet_service
					size 65536
					flags dynamic
					counter
				}
				chain ingress {
					type filter hook ingress device "$VA" priority 0; policy accept;
					counter
					meta l4proto { tcp, udp, sctp, udplite } add @ports { meta l4proto . th dport }
				}
			}
		EOF
		;;
	esac
}

# Frames the sending veth dropped: its peer's XDP ring was full.
tx_dropped() { ip -n "$NS" -s -j link show "$VB" | jq '.[0].stats64.tx.dropped'; }

# Stops the config; returns 1 when flowtally's count is not exactly the
# frames sent ($2). Sets COUNTED to the frames the program or chain saw (-1:
# nothing counts them) and INSERTS to the keys flowtally inserted.
stop_config() {
	local ok=0

	INSERTS=0
	COUNTED=-1
	case $1 in
	xdp_pass)
		ip -n "$NS" link set dev "$VA" xdpdrv off
		;;
	flowtally | flowtally_lru)
		sleep 0.5	# frames still queued for NAPI when the send returned
		kill -INT "$FT_PID"
		wait "$FT_PID"
		FT_PID=
		COUNTED=$(jq -s 'map(select(.type == "final"))[0].ifaces[0].seen.packets' \
			"$TMP/ft.json")
		INSERTS=$(jq -s '[.[] | select(.type == "interval") | .tables[0].inserts] | add' \
			"$TMP/ft.json")
		[ "$COUNTED" = "$2" ] || { echo "bench: live: $1 saw $COUNTED of $2 frames" >&2; ok=1; }
		;;
	nftables)
		COUNTED=$(in_ns nft -j list chain netdev ftbench ingress |
			jq '[.nftables[] | .rule? // empty | .expr[] | .counter? // empty | .packets][0]')
		in_ns nft delete table netdev ftbench
		;;
	esac
	return $ok
}

configs=(none xdp_pass flowtally flowtally_lru nftables)
exact=true
: >"$TMP/times.tsv"
for round in $(seq 0 $((ROUNDS - 1))); do
	for k in "${!configs[@]}"; do
		c=${configs[$(((k + round) % ${#configs[@]}))]}
		start_config "$c" || skip "cannot set up '$c'"
		d0=$(tx_dropped)
		t0=$EPOCHREALTIME
		in_ns taskset -c 1 build/ftsend -i "$VB" --seed $SEED --count "$FRAMES" \
			--expect "$TMP/expect.json" || skip "ftsend failed"
		t1=$EPOCHREALTIME
		sent=$(jq '.seen.packets' "$TMP/expect.json")
		dropped=$(($(tx_dropped) - d0))
		stop_config "$c" "$sent" || exact=false
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$c" "$sent" \
			"$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')" "$dropped" \
			"$INSERTS" "$COUNTED" >>"$TMP/times.tsv"
	done
	echo "bench: live round $((round + 1))/$ROUNDS" >&2
done

jq -R -s --argjson frames "$FRAMES" --argjson rounds "$ROUNDS" --argjson exact "$exact" '
	def median: sort | if length == 0 then null
		elif length % 2 == 1 then .[length / 2 | floor]
		else (.[length / 2 - 1] + .[length / 2]) / 2 end;
	def r1: . * 10 | round / 10;
	[split("\n")[] | select(length > 0) | split("\t") |
	 {round: (.[0] | tonumber), config: .[1], sent: (.[2] | tonumber), s: (.[3] | tonumber),
	  dropped: (.[4] | tonumber), inserts: (.[5] | tonumber), counted: (.[6] | tonumber)} |
	 .ns = .s * 1e9 / .sent] as $rows |
	def rows($c): [$rows[] | select(.config == $c)];
	def per(f): reduce ("none", "xdp_pass", "flowtally", "flowtally_lru", "nftables") as $c
		({}; .[$c] = (rows($c) | map(f) | median));
	def delta($a; $b): [range(0; $rounds) as $i |
		([$rows[] | select(.round == $i and .config == $a)][0].ns) -
		([$rows[] | select(.round == $i and .config == $b)][0].ns)] | median | r1;
	{
	  method: "ftsend (AF_PACKET, pinned to CPU 1) sends the tests/lib mix (seed 2024) over a veth pair in a namespace of its own; ns per frame = wall time of the send / frames sent, the receive path included (it runs in softirq on the sending CPU). Configs interleaved in rounds; medians; deltas are medians of per-round differences. dropped: frames the sending veth dropped. counted_per_run: frames flowtally saw, or that reached the nftables chain (its counter rule): frames veth passes on without running the native XDP program are neither counted by flowtally nor paid for.",
	  frames_per_run: $frames,
	  rounds: $rounds,
	  ns_per_frame: per(.ns) | map_values(r1),
	  kpps: per(1e6 / .ns) | map_values(r1),
	  dropped_per_run: per(.dropped),
	  counted_per_run: per(.counted) | with_entries(select(.value >= 0)),
	  exact_runs: {flowtally: (rows("flowtally") | map(select(.counted == .sent)) | length),
		       flowtally_lru: (rows("flowtally_lru") | map(select(.counted == .sent)) | length)},
	  ns_per_frame_exact_runs: {flowtally: (rows("flowtally") | map(select(.counted == .sent) | .ns) | median | if . then r1 else null end),
				    flowtally_lru: (rows("flowtally_lru") | map(select(.counted == .sent) | .ns) | median | if . then r1 else null end)},
	  flowtally_inserts_per_run: {flowtally: (rows("flowtally") | map(.inserts) | median),
				      flowtally_lru: (rows("flowtally_lru") | map(.inserts) | median)},
	  flowtally_cost_ns: delta("flowtally"; "none"),
	  flowtally_counting_ns: delta("flowtally"; "xdp_pass"),
	  flowtally_lru_counting_ns: delta("flowtally_lru"; "xdp_pass"),
	  xdp_mode_ns: delta("xdp_pass"; "none"),
	  nftables_cost_ns: delta("nftables"; "none"),
	  flowtally_counts_exact: $exact
	}' "$TMP/times.tsv"
