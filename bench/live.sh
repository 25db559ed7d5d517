#!/usr/bin/env bash
# The live comparison of make bench: real frames over a veth pair, in a
# network namespace of the bench's own, with nothing on the receiving end,
# an XDP program that only passes (bench_empty), flowtally, or an nftables
# netdev ingress chain adding every frame to a set with counters (the same
# (proto, dport) key). The sender (build/ftsend, AF_PACKET) is pinned to one
# CPU; the receive path runs in softirq on that CPU when the send returns, so
# the time per frame includes it. Prints one JSON object on stdout.
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
	flowtally)
		# not through in_ns: a function in the background is a subshell, and a
		# non-interactive shell's background jobs ignore SIGINT
		nsenter --net="/run/netns/$NS" taskset -c 0 build/flowtally run -i "$VA" -d ingress \
			--json -n 1 >"$TMP/ft.json" 2>"$TMP/ft.err" &
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

# Returns 0 when what the config counted is plausible (flowtally: exact).
stop_config() {
	local ok=0

	case $1 in
	xdp_pass)
		ip -n "$NS" link set dev "$VA" xdpdrv off
		;;
	flowtally)
		kill -INT "$FT_PID"
		wait "$FT_PID"
		FT_PID=
		# the final record's seen must be what ftsend says the kernel took
		local got want
		got=$(jq -s 'map(select(.type == "final"))[0].ifaces[0].seen.packets' "$TMP/ft.json")
		want=$(jq '.seen.packets' "$TMP/expect.json")
		[ "$got" = "$want" ] || { echo "bench: live: flowtally saw $got, sent $want" >&2; ok=1; }
		;;
	nftables)
		in_ns nft delete table netdev ftbench
		;;
	esac
	return $ok
}

configs=(none xdp_pass flowtally nftables)
exact=true
: >"$TMP/times.tsv"
for round in $(seq 0 $((ROUNDS - 1))); do
	for k in 0 1 2 3; do
		c=${configs[$(((k + round) % 4))]}
		start_config "$c" || skip "cannot set up '$c'"
		t0=$EPOCHREALTIME
		in_ns taskset -c 1 build/ftsend -i "$VB" --seed $SEED --count "$FRAMES" \
			--expect "$TMP/expect.json" || skip "ftsend failed"
		t1=$EPOCHREALTIME
		stop_config "$c" || exact=false
		sent=$(jq '.seen.packets' "$TMP/expect.json")
		printf '%s\t%s\t%s\t%s\n' "$round" "$c" "$sent" \
			"$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')" >>"$TMP/times.tsv"
	done
	echo "bench: live round $((round + 1))/$ROUNDS" >&2
done

jq -R -s --argjson frames "$FRAMES" --argjson rounds "$ROUNDS" --argjson exact "$exact" '
	def median: sort | if length == 0 then null
		elif length % 2 == 1 then .[length / 2 | floor]
		else (.[length / 2 - 1] + .[length / 2]) / 2 end;
	def r1: . * 10 | round / 10;
	[split("\n")[] | select(length > 0) | split("\t") |
	 {round: (.[0] | tonumber), config: .[1], frames: (.[2] | tonumber), s: (.[3] | tonumber)} |
	 .ns = .s * 1e9 / .frames] as $rows |
	def ns($c): [$rows[] | select(.config == $c) | .ns];
	def delta($a; $b): [range(0; $rounds) as $i |
		([$rows[] | select(.round == $i and .config == $a)][0].ns) -
		([$rows[] | select(.round == $i and .config == $b)][0].ns)] | median | r1;
	{
	  method: "ftsend (AF_PACKET, pinned to CPU 1) sends the tests/lib mix over a veth pair in a namespace of its own; ns per frame = wall time of the send / frames the kernel took, the receive path included (it runs in softirq on the sending CPU). Configs interleaved in rounds; deltas are medians of per-round differences.",
	  frames_per_run: $frames,
	  rounds: $rounds,
	  ns_per_frame: {none: (ns("none") | median | r1), xdp_pass: (ns("xdp_pass") | median | r1),
			 flowtally: (ns("flowtally") | median | r1), nftables: (ns("nftables") | median | r1)},
	  kpps: {none: (1e6 / (ns("none") | median) | r1), xdp_pass: (1e6 / (ns("xdp_pass") | median) | r1),
		 flowtally: (1e6 / (ns("flowtally") | median) | r1), nftables: (1e6 / (ns("nftables") | median) | r1)},
	  flowtally_cost_ns: delta("flowtally"; "none"),
	  flowtally_counting_ns: delta("flowtally"; "xdp_pass"),
	  xdp_mode_ns: delta("xdp_pass"; "none"),
	  nftables_cost_ns: delta("nftables"; "none"),
	  flowtally_counts_exact: $exact
	}' "$TMP/times.tsv"
