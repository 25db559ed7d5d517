# Compares one flowtally record with an ftsend expectation: prints one line per
# difference, nothing when they agree. Arguments: $f, $e (slurped), $ifn, $dir.
def protonum:
	{"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58, "sctp": 132, "udplite": 136,
	 "gre": 47, "esp": 50, "ah": 51, "igmp": 2, "ipip": 4, "ipv6": 41}[.] // tonumber;
def keyof: "\(.proto | protonum)/\(if .icmp_type != null then .icmp_type * 256 + .icmp_code else .dport end)";
def pb: {packets, bytes};

$f[0] as $rec | $e[0] as $exp |
([$rec.ifaces[] | select(.name == $ifn and .direction == $dir)] | first) as $ifc |
([$rec.tables[] | select(.name == "ports" and .direction == $dir)] | first) as $tab |
if $ifc == null then "no interface \($ifn) \($dir) in the record"
elif $tab == null then "no ports table for \($dir) in the record"
else
	(if ($ifc.seen | pb) != $exp.seen then "seen: got \($ifc.seen | tojson), want \($exp.seen | tojson)" else empty end),
	($exp.unclassified | keys[] as $r |
		if ($ifc.unclassified[$r] | pb) != $exp.unclassified[$r]
		then "unclassified.\($r): got \($ifc.unclassified[$r] | tojson), want \($exp.unclassified[$r] | tojson)"
		else empty end),
	(if $tab.overflow.packets != 0 then "overflow: \($tab.overflow | tojson)" else empty end),
	(($tab.entries | map({key: keyof, value: pb}) | from_entries) as $got |
	 ($exp.entries | map({key: "\(.proto)/\(.dport)", value: pb}) | from_entries) as $want |
	 (($got | keys) + ($want | keys) | unique[]) as $k |
	 if $got[$k] != $want[$k] then "entry \($k): got \($got[$k] | tojson), want \($want[$k] | tojson)" else empty end)
end
