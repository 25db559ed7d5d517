# The live section of summary.md, from bench/live.sh's JSON.
"\n## Live: frames over a veth pair\n",
if .skipped then "Skipped: \(.skipped).\n"
else
	"\(.method)\n",
	"| receiving end | ns per frame | kpps | frames counted per run (median, of \(.frames_per_run)) |\n|---|---:|---:|---:|",
	(["none", "xdp_pass", "flowtally", "flowtally_lru", "nftables"][] as $c |
		"| \($c) | \(.ns_per_frame[$c]) | \(.kpps[$c]) | \(.counted_per_run[$c] // "-") |"),
	"\nflowtally costs \(.flowtally_cost_ns) ns per frame over no program: \(.xdp_mode_ns) of it is native XDP on veth with a program that only passes, \(.flowtally_counting_ns) the counting (\(.flowtally_lru_counting_ns) with an ':lru' table). Keys inserted per run: \(.flowtally_inserts_per_run.flowtally) (every interval starts with empty maps). nftables' set with counters costs \(.nftables_cost_ns) ns.",
	"\nRuns in which flowtally counted every frame sent: \(.exact_runs.flowtally) of \(.rounds) (ns per frame over those: \(.ns_per_frame_exact_runs.flowtally)); with ':lru': \(.exact_runs.flowtally_lru) of \(.rounds) (\(.ns_per_frame_exact_runs.flowtally_lru)). Frames veth hands on without running the XDP program cost nothing and count nowhere, so a run that missed frames understates the cost.\n"
end
