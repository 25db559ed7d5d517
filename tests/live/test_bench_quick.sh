#!/usr/bin/env bash
# make bench-quick writes well-formed results: every section of results.json
# the README names, a summary table and a PNG plot. The figures are not
# checked: only make bench's own runs say anything about them.
cd "$(dirname "$0")/../.." || exit 1
FAILED=0
out=$(mktemp -d /tmp/ft-benchq.XXXXXX)
trap 'rm -rf "$out"' EXIT
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1${2:+: $2}"; FAILED=1; }

if [ ! -x build/bench/bench ]; then
	fail bench_quick_builds "build/bench/bench missing (make build/bench/bench)"
	exit 1
fi
FT_BENCH_OUT=$out FT_BENCH_LIVE=0 timeout 300 bench/run.sh --quick >"$out/log" 2>&1 ||
	{ fail bench_quick_runs "$(tail -3 "$out/log" | tr '\n' ';')"; exit 1; }
pass bench_quick_runs

missing=$(jq -r '
	["machine", "ns_per_packet", "scaling_2cpu", "keys_sweep", "read_ns_per_entry",
	 "swap_ms", "ifaces_ns_per_frame", "bytes_per_entry", "live", "targets"] - keys | join(" ")' "$out/results.json" 2>&1)
[ -z "$missing" ] && pass bench_results_have_every_section || fail bench_results_have_every_section "$missing"
bad=$(jq -r '.ifaces_ns_per_frame | [to_entries[] | select((.key | startswith("checked_")) and .value != true) | .key] +
	(if (.ratio_1024_vs_1 | type) == "number" then [] else ["ratio_1024_vs_1"] end) | join(" ")' "$out/results.json" 2>&1)
[ -z "$bad" ] && pass bench_iface_counts_measured_and_exact || fail bench_iface_counts_measured_and_exact "$bad"
missing=$(jq -r '["empty", "parse", "spinlock_hash", "atomic_hash", "percpu_hash", "percpu_array",
	"map_in_map", "map_in_map_cpu", "update_per_packet"] - (.ns_per_packet | keys) | join(" ")' \
	"$out/results.json" 2>&1)
[ -z "$missing" ] && pass bench_every_strategy_measured || fail bench_every_strategy_measured "$missing"
bad=$(jq -r '[.ns_per_packet | to_entries[] | select((.value | type) != "number" or .value <= 0) | .key] | join(" ")' \
	"$out/results.json" 2>&1)
[ -z "$bad" ] && pass bench_figures_are_positive_numbers || fail bench_figures_are_positive_numbers "$bad"
bad=$(jq -r '[.targets | to_entries[] | select((.value.met | type) != "boolean") | .key] | join(" ")' "$out/results.json" 2>&1)
[ -z "$bad" ] && pass bench_targets_say_met_or_not || fail bench_targets_say_met_or_not "$bad"
grep -q '^| target ' "$out/summary.md" && pass bench_summary_has_the_ratio_table ||
	fail bench_summary_has_the_ratio_table "no table in summary.md"
[ "$(head -c 8 "$out/bench.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
	pass bench_plot_is_a_png || fail bench_plot_is_a_png "not a PNG"
exit $FAILED
