#!/usr/bin/env bash
# --csv --output FILE: one header, then only rows; the interval rows of the
# ingress ports table, and of a 5-tuple table, add up per (proto, dport)
# exactly to what ftsend sent, and so do the final rows; in every interval
# the seen rows equal each table's entry rows plus its overflow row plus the
# unclassified rows (a table of 4 keys overflows); an idle interval still
# has its seen rows; a second run appending to the same file adds rows but
# no second header.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0
CSV=$LIVE_TMP/out.csv
HEADER=type,start,end,table,direction,proto,sport,dport,icmp_type,icmp_code,saddr,daddr,vlan,ifindex,dscp,packets,bytes,vni,interface,row,reason,port
NF_ROW=22

# flowtally with --csv in the background
csv_start() { live_spawn /dev/null --csv --output "$CSV" "$@"; }

# Per "proto/dport" (ICMP: type << 8 | code, as ftsend writes it) the packets
# and bytes of the rows of type $1, table $2, ingress.
csv_sums() {
	jq -R -s -S -c --arg type "$1" --arg table "$2" '
		def protonum: {"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58, "sctp": 132,
			"udplite": 136, "gre": 47, "esp": 50}[.] // tonumber;
		split("\n") | map(split(",")) |
		map(select(length == 22 and .[19] == "entry" and .[0] == $type and .[3] == $table and
			.[4] == "ingress")) |
		map({k: "\(.[5] | protonum)/\(if .[7] == "" then (.[8] | tonumber) * 256 + (.[9] | tonumber) else .[7] end)",
		     p: (.[15] | tonumber), b: (.[16] | tonumber)}) |
		group_by(.k) | map({key: .[0].k, value: [(map(.p) | add), (map(.b) | add)]}) | from_entries' "$CSV"
}

check_sums() {	# name type table
	local got
	got=$(csv_sums "$2" "$3")
	if [ "$got" = "$want" ] && [ "$want" != "{}" ]; then
		pass "$1"
	else
		fail "$1" "$(jq -rn --argjson g "${got:-{\}}" --argjson w "$want" \
			'($g | keys) + ($w | keys) | unique[] as $k | select($g[$k] != $w[$k]) |
			 "\($k): got \($g[$k]), want \($w[$k])"' | head -3 | tr '\n' ';')"
	fi
}

live_veth 1500 || { fail csv_setup "cannot create the veth pair"; exit 1; }
csv_start --interval 0.2 --direction ingress -t ports=proto,dport -t wide=flow \
	-t tiny=proto,dport:size=4 ||
	{ fail csv_start "flowtally did not start"; exit 1; }
in_ns "$FTSEND" -i "$VB" --seed 41 --count 3000 --rate 3000 --malformed 5 \
	--expect "$LIVE_TMP/in.json" || fail csv_send "ftsend failed"
sleep 1	# a few intervals with nothing in them
live_stop INT
rc=$?
[ $rc -eq 0 ] && pass csv_sigint_exits_0 || fail csv_sigint_exits_0 "exit status $rc"

first=$(head -1 "$CSV")
headers=$(grep -cx "$HEADER" "$CSV")
[ "$first" = "$HEADER" ] && [ "$headers" -eq 1 ] && pass csv_header_once_on_the_first_line ||
	fail csv_header_once_on_the_first_line "first line '$first', $headers headers"
other=$(tail -n +2 "$CSV" | awk -F, -v nf=$NF_ROW 'NF != nf || ($1 != "interval" && $1 != "final") ||
	($20 != "seen" && $20 != "unclassified" && $20 != "overflow" && $20 != "entry")' | head -2)
# (text records here mean cmd_run printed them: it must not with --csv)
[ -z "$other" ] && pass csv_every_other_line_is_a_row ||
	fail csv_every_other_line_is_a_row "not a row: $(echo "$other" | tr '\n' ';')"

want=$(jq -S -c '.entries | map({key: "\(.proto)/\(.dport)", value: [.packets, .bytes]}) |
	from_entries' "$LIVE_TMP/in.json")
check_sums csv_interval_rows_sum_to_sent interval ports
check_sums csv_final_rows_equal_sent final ports
check_sums csv_flow_table_rows_sum_to_sent interval wide
n=$(grep -c '^interval,.*,ports,ingress,' "$CSV")
[ "$n" -gt 0 ] && [ "$(grep -c '^interval,[0-9.]*,[0-9.]*,ports,ingress,icmp,,,[0-9]*,[0-9]*,' "$CSV")" -gt 0 ] &&
	pass csv_icmp_rows_have_type_and_code || fail csv_icmp_rows_have_type_and_code "no ICMP row"

# Per record (type and start) and table: seen rows = entry rows + overflow
# row + unclassified rows, in packets and bytes; one line per record that
# does not add up.
unbalanced=$(tail -n +2 "$CSV" | awk -F, '
	{ r = $1 "," $2 }
	$20 == "seen" { seen[r] += $16; seenb[r] += $17; recs[r] = 1 }
	$20 == "unclassified" { uncl[r] += $16; unclb[r] += $17 }
	$20 == "overflow" || $20 == "entry" { got[r "," $4] += $16; gotb[r "," $4] += $17; tabs[$4] = 1 }
	END {
		for (r in recs) for (t in tabs) {
			if (got[r "," t] + uncl[r] != seen[r] || gotb[r "," t] + unclb[r] != seenb[r])
				printf "%s %s: %d+%d counted, %d seen\n", r, t, got[r "," t], uncl[r], seen[r]
			n++
		}
		if (!n) print "no records"
	}' | head -3)
overflow=$(awk -F, '$1 == "final" && $4 == "tiny" && $20 == "overflow" { print $16 }' "$CSV")
uncl=$(awk -F, '$1 == "final" && $20 == "unclassified" { n += $16 } END { print n + 0 }' "$CSV")
[ -z "$unbalanced" ] && [ "${overflow:-0}" -gt 0 ] && [ "$uncl" -gt 0 ] &&
	pass csv_rows_add_up_to_seen_in_every_record ||
	fail csv_rows_add_up_to_seen_in_every_record \
		"${unbalanced//$'\n'/;} (tiny overflow ${overflow:-none}, unclassified $uncl)"
# every interval has its seen row, and those after the traffic say 0
intervals=$(awk -F, '$1 == "interval" { s[$2] = 1 } END { print length(s) }' "$CSV")
seen_rows=$(awk -F, '$1 == "interval" && $20 == "seen" && $21 == "" && $19 != "" { n++ } END { print n + 0 }' "$CSV")
idle=$(awk -F, '$1 == "interval" && $20 == "seen" && $16 == 0 { n++ } END { print n + 0 }' "$CSV")
[ "$intervals" -gt 0 ] && [ "$seen_rows" -eq "$intervals" ] && [ "$idle" -ge 1 ] &&
	pass csv_every_interval_has_a_seen_row_idle_ones_zero ||
	fail csv_every_interval_has_a_seen_row_idle_ones_zero \
		"$intervals intervals, $seen_rows seen rows, $idle of them 0"
n=$(awk -F, -v i="$VA" '$20 == "seen" && $19 != i' "$CSV" | wc -l)
[ "$n" -eq 0 ] && pass csv_seen_rows_name_the_interface ||
	fail csv_seen_rows_name_the_interface "$n rows name another"

# the same file again: rows added, no second header
lines=$(wc -l <"$CSV")
csv_start --interval 0.2 || { fail csv_restart "flowtally did not start"; exit 1; }
in_ns "$FTSEND" -i "$VB" --seed 42 --count 200 --rate 2000 --expect "$LIVE_TMP/again.json" ||
	fail csv_send_again "ftsend failed"
sleep 0.5
live_stop INT
rc=$?
headers=$(grep -cx "$HEADER" "$CSV")
[ $rc -eq 0 ] && [ "$headers" -eq 1 ] && [ "$(wc -l <"$CSV")" -gt "$lines" ] &&
	pass csv_appending_run_adds_rows_not_a_header ||
	fail csv_appending_run_adds_rows_not_a_header "exit $rc, $headers headers, $lines -> $(wc -l <"$CSV") lines"
exit $FAILED
