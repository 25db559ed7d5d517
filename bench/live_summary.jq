# The live section of summary.md, from bench/live.sh's JSON.
"\n## Live: frames over a veth pair\n",
if .skipped then "Skipped: \(.skipped).\n"
else
	"\(.method)\n",
	"| receiving end | ns per frame | kpps |\n|---|---:|---:|",
	(["none", "xdp_pass", "flowtally", "nftables"][] as $c |
		"| \($c) | \(.ns_per_frame[$c]) | \(.kpps[$c]) |"),
	"\nflowtally costs \(.flowtally_cost_ns) ns per frame over no program (\(.xdp_mode_ns) of it is native XDP on veth with a program that only passes, \(.flowtally_counting_ns) the counting); nftables' set with counters costs \(.nftables_cost_ns) ns. flowtally's counts exact: \(.flowtally_counts_exact).\n"
end
