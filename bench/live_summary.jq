# The live section of summary.md, from bench/live.sh's and live_tcp.sh's JSON.
"\n## Live: frames over a veth pair\n",
if .skipped then "Skipped: \(.skipped).\n"
else
	"\(.method)\n",
	"| receiving end | hook | ns per frame | kpps | frames counted per pass (median, of \(.frames_per_run)) | keys inserted in the timed pass |\n|---|---|---:|---:|---:|---:|",
	(. as $r | ["none", "xdp_pass", "flowtally", "flowtally_xdp", "flowtally_lru", "nftables"][] as $c |
		"| \($c) | \($r.hook[$c] // (if $c == "xdp_pass" then "xdp-native" else "-" end)) | \($r.ns_per_frame[$c]) | \($r.kpps[$c]) | \($r.counted_per_run[$c] // "-") | \($r.inserts_per_timed_pass[$c] // "-") |"),
	"\nOver no program, per frame: flowtally (\(.hook.flowtally)) costs \(.flowtally_cost_ns) ns, flowtally on native XDP \(.flowtally_xdp_cost_ns) ns (\(.xdp_mode_ns) of it is native XDP on a veth with a program that only passes), with an ':lru' table \(.flowtally_lru_cost_ns) ns; nftables' set with counters \(.nftables_cost_ns) ns. flowtally's cost over nftables': \(.cost_vs_nftables.flowtally) (native XDP: \(.cost_vs_nftables.flowtally_xdp)).",
	"\nRuns in which flowtally counted every frame the device received: \(.exact_runs.flowtally) of \(.rounds) (native XDP: \(.exact_runs.flowtally_xdp), ':lru': \(.exact_runs.flowtally_lru)); in which the device received every frame sent: \(.delivered_runs.flowtally) (\(.delivered_runs.flowtally_xdp), \(.delivered_runs.flowtally_lru)).\n"
end,
"\n## Live: TCP through a veth\n",
if .tcp.skipped then "Skipped: \(.tcp.skipped).\n"
else
	(.tcp | "\(.method)\n",
	"| on the server veth | Gbit/s | / none |\n|---|---:|---:|",
	"| none | \(.gbps.none) | 1 |",
	"| flowtally (\(.hook.flowtally)) | \(.gbps.flowtally) | \(.ratio_vs_none.flowtally) |",
	"| flowtally --ingress-hook xdp (\(.hook.flowtally_xdp)) | \(.gbps.flowtally_xdp) | \(.ratio_vs_none.flowtally_xdp) |",
	"| nftables counter | \(.gbps.nftables) | \(.ratio_vs_none.nftables) |\n")
end
