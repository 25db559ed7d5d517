#!/usr/bin/env bash
# make bench / make bench-quick: runs the driver (build/bench/bench), the live
# comparison, and the plot. Writes bench/results/{results.json,summary.md,bench.png}.
#   bench/run.sh [--quick]
# FT_BENCH_LIVE=0 skips the live comparison.
set -euo pipefail
cd "$(dirname "$0")/.." || exit 1

quick=
[ "${1:-}" = --quick ] && quick=--quick
out=${FT_BENCH_OUT:-bench/results}	# FT_BENCH_OUT: elsewhere (the test of bench-quick)
tmp=$(mktemp -d /tmp/ft-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

if [ "$(id -u)" -ne 0 ]; then
	echo "bench: needs root (BPF programs, a network namespace of its own)" >&2
	exit 1
fi
# gnuplot is the bench's own need, not the build's: installed here, not by deps.sh
if ! command -v gnuplot >/dev/null; then
	echo "bench: installing gnuplot-nox for the plot" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq --no-install-recommends gnuplot-nox >/dev/null 2>&1 ||
		{ apt-get update -qq && apt-get install -y -qq --no-install-recommends gnuplot-nox >/dev/null; }
fi

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || commit="$commit-dirty"
export FT_BENCH_COMMIT=$commit

mkdir -p "$out"
start=$(date +%s)
build/bench/bench $quick --out "$tmp"

bench/live.sh $quick >"$tmp/live_udp.json"
bench/live_tcp.sh $quick >"$tmp/live_tcp.json"
jq -s '.[0] + {tcp: .[1]}' "$tmp/live_udp.json" "$tmp/live_tcp.json" >"$tmp/live.json"
# the live targets, in the form report.c gives the others
jq --slurpfile live "$tmp/live.json" '
	def target($v; $want; $what):
		{value: $v, target: $want, what: $what,
		 met: (if $v == null then false
		       elif ($want | startswith(">=")) then $v >= ($want[3:] | tonumber)
		       else $v <= ($want[3:] | tonumber) end)};
	$live[0] as $l |
	.live = $l |
	.targets.tcp_throughput_veth = target($l.tcp.ratio_vs_none.flowtally // null; ">= 0.97";
		"iperf3 Gbit/s through a veth, flowtally (default hook) / no program") |
	.targets.live_cost_vs_nftables = target($l.cost_vs_nftables.flowtally // null; "<= 0.4";
		"(flowtally - none) / (nftables - none), ns per UDP frame, steady key set") |
	.targets.steady_state_inserts = target($l.inserts_per_timed_pass.flowtally // null; "<= 0";
		"keys flowtally inserted while the same frames passed a second time")' \
	"$tmp/results.json" >"$tmp/merged.json"
jq -r -f bench/live_summary.jq "$tmp/live.json" >>"$tmp/summary.md"
jq -r '"\n## Live targets\n\n| target | value | wanted | met |\n|---|---:|---|---|",
	(.targets | ["tcp_throughput_veth", "live_cost_vs_nftables", "steady_state_inserts"][] as $k |
	 .[$k] | "| \(.what) | \(.value) | \(.target) | \(if .met then "yes" else "**no**" end) |")' \
	"$tmp/merged.json" >>"$tmp/summary.md"

# the plot's data, from results.json so that the picture shows what the file says
r=$tmp/merged.json
jq -r '.ns_per_packet_stats | to_entries[] |
	[.key, .value.one_cpu.median, .value.one_cpu.q1, .value.one_cpu.q3,
	 .value.contended.median, .value.distinct.median] | @tsv' "$r" >"$tmp/strategies.dat"
jq -r '.scaling_2cpu | to_entries[] | [.key, .value.contended, .value.distinct] | @tsv' \
	"$r" >"$tmp/scaling.dat"
jq -r '.keys_sweep | [.parse, .percpu_hash, .map_in_map, .percpu_hash_no_prealloc] as $t |
	($t[0] | keys_unsorted[]) as $k |
	[$k, ($t[] | .[$k].ns_per_packet)] | @tsv' "$r" >"$tmp/sweep.dat"
jq -r '.read_ns_per_entry | [1000, 100000, 1000000][] as $n |
	[$n, .["batch_\($n)"], .["get_next_key_\($n)"], .["drain_batch_\($n)"]] | @tsv' \
	"$r" >"$tmp/read.dat"
title="flowtally bench ($(jq -r '.run.mode' "$r")): $(jq -r '.machine | "\(.model), \(.cpus) CPUs, kernel \(.kernel)"' "$r")"
gnuplot -e "dir='$tmp'; out='$tmp/bench.png'; title='$title'" bench/plot.gp

jq --arg s "$(($(date +%s) - start))" '.run.wall_seconds = ($s | tonumber)' "$r" >"$out/results.json"
cp "$tmp/summary.md" "$tmp/bench.png" "$out/"
echo "bench: wrote $out/results.json, $out/summary.md, $out/bench.png in $(($(date +%s) - start)) s"
jq -r '.targets | to_entries[] | "  \(.key): \(.value.value) (\(.value.target)) \(if .value.met then "met" else "NOT met" end)"' \
	"$out/results.json"
