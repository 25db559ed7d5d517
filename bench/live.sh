#!/usr/bin/env bash
# The live comparison of make bench: real frames over a veth pair, in a
# network namespace of the bench's own, with nothing on the receiving end,
# an XDP program that only passes (bench_empty), flowtally on the hook it
# chooses for a veth (tcx; default ports table, or the same table ':lru'),
# flowtally forced to native XDP, or an nftables netdev ingress chain adding
# every frame to a set with counters (the same (proto, dport) key). The
# sender (build/ftsend, AF_PACKET) is pinned to one CPU; the receive path runs
# in softirq on that CPU when the send returns, so the time per frame
# includes it. Every config gets the same frames three times; the third
# pass is timed, so the key set is steady (no key is new to the run:
# flowtally gets the first two a flip apart, one in each generation). Prints one
# JSON object on stdout.
#   bench/live.sh [--quick]
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

skip() {
	jq -n --arg r "$1" '{skipped: $r}'
	exit 0
}

quick=0
[ "${1:-}" = --quick ] && quick=1
[ "${FT_BENCH_LIVE:-1}" = 0 ] && skip "FT_BENCH_LIVE=0"
[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs (sender and flowtally's userspace apart)"
if ! command -v nft >/dev/null; then
	echo "bench: installing nftables for the live comparison" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nftables \
		>/dev/null 2>&1 || skip "nftables (nft) is not installed and could not be"
fi

FRAMES=${FT_BENCH_LIVE_FRAMES:-$([ $quick = 1 ] && echo 50000 || echo 200000)}
ROUNDS=${FT_BENCH_LIVE_ROUNDS:-$([ $quick = 1 ] && echo 2 || echo 5)}
INTERVAL=1	# flowtally's: a pass (well under a second) fits in one
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
. "$(dirname "$0")/../tests/live/spawn.sh"

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
	flowtally | flowtally_lru | flowtally_xdp)
		local table=ports=proto,dport hook=
		[ "$1" = flowtally_lru ] && table=$table:lru
		[ "$1" = flowtally_xdp ] && hook="--ingress-hook xdp"
		# not through in_ns: a function in the background is a subshell, and a
		# non-interactive shell's background jobs ignore SIGINT
		live_spawn_cmd "$TMP/ft.json" "$TMP/ft.err" nsenter --net="/run/netns/$NS" \
			taskset -c 0 build/flowtally run -i "$VA" -d ingress $hook -t "$table" \
			--json --interval $INTERVAL
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

# Stops the config; returns 1 when flowtally's count is not exactly what the
# device received (its own counter in the record: a frame lost on the way
# there, under load, is no miss of flowtally's; $2 is what was sent). Sets
# COUNTED to the frames the program or chain saw (-1: nothing counts them),
# DEVICE to the device's count (-1: not read), INSERTS to the keys flowtally
# inserted during the timed pass (which began at $3), and HOOK.
stop_config() {
	local ok=0

	INSERTS=0
	COUNTED=-1
	DEVICE=-1
	HOOK=-
	case $1 in
	xdp_pass)
		ip -n "$NS" link set dev "$VA" xdpdrv off
		HOOK=xdp-native
		;;
	flowtally | flowtally_lru | flowtally_xdp)
		sleep 0.5	# frames still queued for NAPI when the send returned
		kill -INT "$FT_PID"
		wait "$FT_PID"
		FT_PID=
		COUNTED=$(jq -s 'map(select(.type == "final"))[0].ifaces[0].seen.packets' \
			"$TMP/ft.json")
		HOOK=$(jq -rs 'map(select(.type == "final"))[0].ifaces[0].hook' "$TMP/ft.json")
		DEVICE=$(jq -s 'map(select(.type == "final"))[0].ifaces[0].device.packets // -1' \
			"$TMP/ft.json")
		# the interval that holds the pass's start began at the flip after
		# the warm-up: its inserts and the later ones are the pass's
		INSERTS=$(jq -s --argjson t "$3" '[.[] | select(.type != "final" and .end > $t) |
			.tables[0].inserts] | add // 0' "$TMP/ft.json")
		[ "$COUNTED" = "$DEVICE" ] ||
			{ echo "bench: live: $1 saw $COUNTED of the $DEVICE frames the device received" >&2; ok=1; }
		[ "$DEVICE" = "$2" ] ||
			echo "bench: live: $1: the device received $DEVICE of $2 frames sent" >&2
		;;
	nftables)
		COUNTED=$(in_ns nft -j list chain netdev ftbench ingress |
			jq '[.nftables[] | .rule? // empty | .expr[] | .counter? // empty | .packets][0]')
		in_ns nft delete table netdev ftbench
		HOOK=nftables
		;;
	esac
	return $ok
}

send() { in_ns taskset -c 1 build/ftsend -i "$VB" --seed $SEED --count "$FRAMES" --expect "$1"; }

# Waits (3 intervals at most) for flowtally's next interval record: a flip,
# after which frames go to the other generation's maps.
next_flip() {
	local n

	n=$(grep -c '"type":"interval"' "$TMP/ft.json" 2>/dev/null)
	for _ in $(seq 30); do
		[ "$(grep -c '"type":"interval"' "$TMP/ft.json" 2>/dev/null)" -gt "${n:-0}" ] && return 0
		sleep 0.1
	done
	return 1
}

# The warm-up: every key of the mix into the maps before the timed pass. A key
# lives in each generation's maps once it came there, so flowtally gets the
# pass once in each generation, a flip apart; the others get it once.
warm_up() {
	case $1 in
	flowtally | flowtally_lru | flowtally_xdp)
		next_flip && send "$TMP/expect.json" && next_flip &&
			send "$TMP/expect.json" && next_flip
		;;
	*)
		send "$TMP/expect.json" && send "$TMP/expect.json" && sleep 0.5
		;;
	esac
}

configs=(none xdp_pass flowtally flowtally_xdp flowtally_lru nftables)
exact=true
: >"$TMP/times.tsv"
for round in $(seq 0 $((ROUNDS - 1))); do
	for k in "${!configs[@]}"; do
		c=${configs[$(((k + round) % ${#configs[@]}))]}
		start_config "$c" || skip "cannot set up '$c'"
		d0=$(tx_dropped)
		# the warm-up brings every key in; the third pass is timed
		warm_up "$c" || skip "ftsend failed, or flowtally wrote no interval record"
		t0=$EPOCHREALTIME
		send "$TMP/expect.json" || skip "ftsend failed"
		t1=$EPOCHREALTIME
		sent=$(jq '.seen.packets' "$TMP/expect.json")
		dropped=$(($(tx_dropped) - d0))
		stop_config "$c" "$((3 * sent))" "$t0" || exact=false
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$c" "$sent" \
			"$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')" "$dropped" \
			"$INSERTS" "$((COUNTED < 0 ? COUNTED : COUNTED / 3))" "$HOOK" \
			"$((DEVICE < 0 ? DEVICE : DEVICE / 3))" >>"$TMP/times.tsv"
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
	  dropped: (.[4] | tonumber), inserts: (.[5] | tonumber), counted: (.[6] | tonumber),
	  hook: .[7], device: (.[8] | tonumber)} |
	 .ns = .s * 1e9 / .sent] as $rows |
	def rows($c): [$rows[] | select(.config == $c)];
	def per(f): reduce ("none", "xdp_pass", "flowtally", "flowtally_xdp", "flowtally_lru",
			    "nftables") as $c
		({}; .[$c] = (rows($c) | map(f) | median));
	def ratio($a; $b; $c): [range(0; $rounds) as $i |
		(([$rows[] | select(.round == $i and .config == $a)][0].ns) -
		 ([$rows[] | select(.round == $i and .config == $c)][0].ns)) /
		(([$rows[] | select(.round == $i and .config == $b)][0].ns) -
		 ([$rows[] | select(.round == $i and .config == $c)][0].ns))] | median |
		. * 1000 | round / 1000;
	def delta($a; $b): [range(0; $rounds) as $i |
		([$rows[] | select(.round == $i and .config == $a)][0].ns) -
		([$rows[] | select(.round == $i and .config == $b)][0].ns)] | median | r1;
	{
	  method: "ftsend (AF_PACKET, pinned to CPU 1) sends the tests/lib mix (seed 2024) over a veth pair in a namespace of its own, three times per config: the first two bring every key in (for flowtally a flip apart, so that the maps of both generations have every key), the third is timed (steady key set). ns per frame = wall time of the third send / frames sent, the receive path included (it runs in softirq on the sending CPU). flowtally: the hook it chooses for a veth (tcx); flowtally_xdp: --ingress-hook xdp (native). Configs interleaved in rounds; medians; deltas are medians of per-round differences. dropped: frames the sending veth dropped (all passes). counted_per_run: frames per pass flowtally saw, or that reached the nftables chain (its counter rule). exact_runs: runs in which flowtally saw every frame the device received (the device counter in its record); delivered_runs: runs in which the device received every frame sent (under load some are lost before it). inserts_per_timed_pass: keys flowtally inserted during the timed pass.",
	  frames_per_run: $frames,
	  rounds: $rounds,
	  ns_per_frame: per(.ns) | map_values(r1),
	  kpps: per(1e6 / .ns) | map_values(r1),
	  dropped_per_run: per(.dropped),
	  counted_per_run: per(.counted) | with_entries(select(.value >= 0)),
	  hook: {flowtally: (rows("flowtally")[0].hook), flowtally_xdp: (rows("flowtally_xdp")[0].hook),
		 flowtally_lru: (rows("flowtally_lru")[0].hook)},
	  exact_runs: {flowtally: (rows("flowtally") | map(select(.counted == .device)) | length),
		       flowtally_xdp: (rows("flowtally_xdp") | map(select(.counted == .device)) | length),
		       flowtally_lru: (rows("flowtally_lru") | map(select(.counted == .device)) | length)},
	  delivered_runs: {flowtally: (rows("flowtally") | map(select(.device == .sent)) | length),
			   flowtally_xdp: (rows("flowtally_xdp") | map(select(.device == .sent)) | length),
			   flowtally_lru: (rows("flowtally_lru") | map(select(.device == .sent)) | length)},
	  inserts_per_timed_pass: {flowtally: (rows("flowtally") | map(.inserts) | median),
				   flowtally_xdp: (rows("flowtally_xdp") | map(.inserts) | median),
				   flowtally_lru: (rows("flowtally_lru") | map(.inserts) | median)},
	  flowtally_cost_ns: delta("flowtally"; "none"),
	  flowtally_xdp_cost_ns: delta("flowtally_xdp"; "none"),
	  flowtally_xdp_counting_ns: delta("flowtally_xdp"; "xdp_pass"),
	  flowtally_lru_cost_ns: delta("flowtally_lru"; "none"),
	  xdp_mode_ns: delta("xdp_pass"; "none"),
	  nftables_cost_ns: delta("nftables"; "none"),
	  cost_vs_nftables: {flowtally: ratio("flowtally"; "nftables"; "none"),
			     flowtally_xdp: ratio("flowtally_xdp"; "nftables"; "none")},
	  flowtally_counts_exact: $exact
	}' "$TMP/times.tsv"
