#!/usr/bin/env bash
# --csv --output FILE: one header, then only rows; the interval rows of the
# ingress ports table, and of a 5-tuple table, add up per (proto, dport)
# exactly to what ftsend sent, and so do the final rows; a second run
# appending to the same file adds rows but no second header.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0
CSV=$LIVE_TMP/out.csv
HEADER=type,start,end,table,direction,proto,sport,dport,icmp_type,icmp_code,saddr,daddr,vlan,ifindex,dscp,packets,bytes,vni,port

# flowtally with --csv in the background
csv_start() { live_spawn /dev/null --csv --output "$CSV" "$@"; }

# Per "proto/dport" (ICMP: type << 8 | code, as ftsend writes it) the packets
# and bytes of the rows of type $1, table $2, ingress.
csv_sums() {
	jq -R -s -S -c --arg type "$1" --arg table "$2" '
		def protonum: {"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58, "sctp": 132,
			"udplite": 136, "gre": 47, "esp": 50}[.] // tonumber;
		split("\n") | map(split(",")) |
		map(select(length == 19 and .[0] == $type and .[3] == $table and .[4] == "ingress")) |
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
csv_start --interval 0.2 --direction ingress -t ports=proto,dport -t wide=flow ||
	{ fail csv_start "flowtally did not start"; exit 1; }
in_ns "$FTSEND" -i "$VB" --seed 41 --count 3000 --rate 3000 --malformed 5 \
	--expect "$LIVE_TMP/in.json" || fail csv_send "ftsend failed"
sleep 0.5
live_stop INT
rc=$?
[ $rc -eq 0 ] && pass csv_sigint_exits_0 || fail csv_sigint_exits_0 "exit status $rc"

first=$(head -1 "$CSV")
headers=$(grep -cx "$HEADER" "$CSV")
[ "$first" = "$HEADER" ] && [ "$headers" -eq 1 ] && pass csv_header_once_on_the_first_line ||
	fail csv_header_once_on_the_first_line "first line '$first', $headers headers"
other=$(tail -n +2 "$CSV" | awk -F, 'NF != 19 || ($1 != "interval" && $1 != "final")' | head -2)
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
