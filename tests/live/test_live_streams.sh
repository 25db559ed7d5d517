#!/usr/bin/env bash
# Streams a pipeline can take as they come: --json=entries and --json from a
# real run validate line by line against the JSON Schemas in schema/ (ICMP
# entries with icmp_type/icmp_code, no dport); every line names its schema,
# host and instance; in entries mode each record's interface, table and entry
# lines add up (seen = entries + overflow + unclassified, per table and
# direction, a table of 4 keys overflowing), interval_end counts the lines
# before it, and the final entries equal what ftsend sent; flowtally dump's
# record validates too.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0
ENTRY_SCHEMA=schema/flowtally-entry.schema.json
RECORD_SCHEMA=schema/flowtally-record.schema.json
PIN=fts$LIVE_ID
# a pinned instance this test left behind, whatever happened
trap '"$FT" stop "$PIN" >/dev/null 2>&1; live_cleanup' EXIT

python3 -c 'import jsonschema' 2>/dev/null ||
	{ skip streams "python3-jsonschema is missing (scripts/deps.sh installs it)"; exit 0; }

# validates NAME SCHEMA FILE
validates() {
	local out

	out=$(python3 tests/live/validate_json.py "$2" "$3" 2>&1)
	[ $? -eq 0 ] && pass "$1" || fail "$1" "$(echo "$out" | head -3 | tr '\n' ';')"
}

live_veth 1500 || { fail streams_setup "cannot create the veth pair"; exit 1; }
ENTRIES=$LIVE_TMP/entries.json
live_spawn "$ENTRIES" --json=entries --interval 0.2 --direction ingress \
	-t ports=proto,dport -t per_if=ifindex,proto -t tiny=proto,dport:size=4 ||
	{ fail streams_start "flowtally did not start"; exit 1; }
in_ns "$FTSEND" -i "$VB" --seed 61 --count 2000 --rate 4000 --malformed 5 \
	--expect "$LIVE_TMP/in.json" || fail streams_send "ftsend failed"
sleep 0.5
live_stop INT
rc=$?
[ $rc -eq 0 ] && pass streams_entries_run_exits_0 || fail streams_entries_run_exits_0 "exit status $rc"

validates streams_entries_validate_against_the_schema "$ENTRY_SCHEMA" "$ENTRIES"

host=$(hostname)
odd=$(jq -c --arg h "$host" --arg i "$VA" 'select(.host != $h or .instance != $i or
	.schema != "flowtally-entry/1")' "$ENTRIES" | head -1)
[ -s "$ENTRIES" ] && [ -z "$odd" ] && pass streams_every_line_names_schema_host_and_instance ||
	fail streams_every_line_names_schema_host_and_instance "${odd:0:200}"

# Per record (record, time) and table (ingress only here): the seen of the interface
# lines against the table's entries, overflow and the unclassified.
unbalanced=$(jq -s -r '
	group_by([.record, .time])[] | . as $r |
	([$r[] | select(.type == "interface")] | map(.seen.packets) | add) as $seen |
	([$r[] | select(.type == "interface") | .unclassified[].packets] | add) as $uncl |
	$r[] | select(.type == "table") | . as $t |
	(([$r[] | select(.type == "entry" and .table == $t.table)] | map(.packets) | add // 0) +
	 $t.overflow.packets + $uncl) as $got |
	select($got != $seen) | "\($t.record) \($t.time) \($t.table): \($got) counted, \($seen) seen"' \
	"$ENTRIES" | head -3)
overflow=$(jq -s '[.[] | select(.type == "table" and .table == "tiny" and .record == "final")][0].overflow.packets' "$ENTRIES")
[ -z "$unbalanced" ] && [ "${overflow:-0}" -gt 0 ] && pass streams_entries_add_up_to_seen_in_every_record ||
	fail streams_entries_add_up_to_seen_in_every_record "${unbalanced//$'\n'/;} (tiny overflow $overflow)"

# interval_end is each record's last line and counts the lines before it
miscounted=$(jq -s -r '
	reduce .[] as $l ({cur: {}, bad: []};
		if $l.type == "interval_end" then
			(if $l.interfaces != (.cur.interface // 0) or $l.tables != (.cur.table // 0) or
			    $l.entries != (.cur.entry // 0)
			 then .bad += ["\($l.time): \($l.interfaces)/\($l.tables)/\($l.entries) said, \(.cur) seen"]
			 else . end) | .cur = {}
		else .cur[$l.type] += 1 end) |
	(.bad + (if .cur == {} then [] else ["lines after the last interval_end: \(.cur)"] end))[]' \
	"$ENTRIES" | head -3)
ends=$(jq -s '[.[] | select(.type == "interval_end")] | length' "$ENTRIES")
[ -z "$miscounted" ] && [ "$ends" -ge 2 ] && pass streams_interval_end_counts_the_lines_before_it ||
	fail streams_interval_end_counts_the_lines_before_it "$ends records; ${miscounted//$'\n'/;}"

# the final entries of the ports table are what was sent, per (proto, dport)
want=$(jq -S -c '.entries | map({key: "\(.proto)/\(.dport)", value: [.packets, .bytes]}) |
	from_entries' "$LIVE_TMP/in.json")
got=$(jq -s -S -c '
	def protonum: {"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58, "sctp": 132,
		"udplite": 136, "gre": 47, "esp": 50}[.] // tonumber;
	[.[] | select(.type == "entry" and .record == "final" and .table == "ports")] |
	map({key: "\(.proto | protonum)/\(.dport // (.icmp_type * 256 + .icmp_code))",
	     value: [.packets, .bytes]}) | from_entries' "$ENTRIES")
[ "$got" = "$want" ] && [ "$want" != "{}" ] && pass streams_final_entries_equal_sent ||
	fail streams_final_entries_equal_sent "$(jq -rn --argjson g "$got" --argjson w "$want" \
		'($g | keys) + ($w | keys) | unique[] as $k | select($g[$k] != $w[$k]) |
		 "\($k): got \($g[$k]), want \($w[$k])"' | head -3 | tr '\n' ';')"

# an ifindex table names the interface; others count every one: null
wrong=$(jq -c --arg i "$VA" 'select(.type == "entry" and
	((.table == "per_if" and .interface != $i) or (.table != "per_if" and .interface != null)))' \
	"$ENTRIES" | head -1)
n=$(jq -s '[.[] | select(.type == "entry" and .table == "per_if")] | length' "$ENTRIES")
[ -z "$wrong" ] && [ "$n" -gt 0 ] && pass streams_entry_interface_is_named_for_ifindex_tables_else_null ||
	fail streams_entry_interface_is_named_for_ifindex_tables_else_null "$n per_if entries; ${wrong:0:200}"

icmp=$(jq -s '[.[] | select(.type == "entry" and .proto == "icmp" and .table == "ports")] |
	[length, (map(select(has("dport") or (has("icmp_type") | not))) | length)]' "$ENTRIES" | tr -d ' \n')
[ "${icmp%,*}" != "[0" ] && [ "${icmp#*,}" = "0]" ] && pass streams_icmp_entries_carry_type_and_code ||
	fail streams_icmp_entries_carry_type_and_code "[ICMP entries, with dport or no type] = $icmp"

# the record form, ICMP included, from another run
RECORDS=$LIVE_TMP/records.json
live_spawn "$RECORDS" --json --interval 0.2 -t ports=proto,dport -t per_if=ifindex,proto:lru \
	-t svc=proto,port ||
	{ fail streams_records_start "flowtally did not start"; exit 1; }
in_ns "$FTSEND" -i "$VB" --seed 62 --count 300 --rate 3000 --malformed 5 >/dev/null ||
	fail streams_send_records "ftsend failed"
sleep 0.4
live_stop INT
validates streams_records_validate_against_the_schema "$RECORD_SCHEMA" "$RECORDS"
n=$(jq -c --arg h "$host" --arg i "$VA" 'select(.schema == "flowtally-record/1" and .host == $h and
	.instance == $i and .type != null)' "$RECORDS" | wc -l)
icmp=$(jq -s '[.[].tables[].entries[] | select(.proto == "icmp")] | length' "$RECORDS")
svc=$(jq -s '[.[].tables[] | select(.name == "svc") | .entries[] | select(.port != null)] | length' "$RECORDS")
[ "${svc:-0}" -gt 0 ] && pass streams_port_entries_validate || fail streams_port_entries_validate "no port entries"

[ "$n" -eq "$(wc -l <"$RECORDS")" ] && [ "$n" -ge 2 ] && [ "${icmp:-0}" -gt 0 ] &&
	pass streams_records_name_schema_host_and_instance ||
	fail streams_records_name_schema_host_and_instance "$n of $(wc -l <"$RECORDS") records, $icmp ICMP entries"

# flowtally dump's record of a pinned instance, without its process
live_spawn "$LIVE_TMP/pinned.json" --json --pin "$PIN" --keep --interval 0.2 ||
	{ fail streams_pinned_start "flowtally did not start"; exit 1; }
in_ns "$FTSEND" -i "$VB" --seed 63 --count 100 --rate 2000 --malformed 5 >/dev/null ||
	fail streams_send_pinned "ftsend failed"
live_stop INT
"$FT" dump "$PIN" --json >"$LIVE_TMP/dump.json" 2>"$LIVE_TMP/dump.err" ||
	fail streams_dump "$(cat "$LIVE_TMP/dump.err")"
"$FT" stop "$PIN" >/dev/null 2>&1 || fail streams_stop_pinned "flowtally stop $PIN failed"
validates streams_dump_record_validates_against_the_schema "$RECORD_SCHEMA" "$LIVE_TMP/dump.json"
jq -e --arg p "$PIN" '.type == "dump" and .instance == $p and .schema == "flowtally-record/1"' \
	"$LIVE_TMP/dump.json" >/dev/null && pass streams_dump_names_its_instance ||
	fail streams_dump_names_its_instance "$(head -c 200 "$LIVE_TMP/dump.json")"

# and what the schema refuses: an ICMP entry with a dport, a line without host
bad=$LIVE_TMP/bad.json
jq -c 'select(.type == "entry" and .proto == "icmp") | .dport = 1' "$ENTRIES" | head -1 >"$bad"
jq -c 'select(.type == "interval_end") | del(.host)' "$ENTRIES" | head -1 >>"$bad"
refused=$(python3 tests/live/validate_json.py "$ENTRY_SCHEMA" "$bad" | tail -1)
[ "$refused" = "0 valid, 2 invalid" ] && pass streams_schema_refuses_icmp_with_dport_and_no_host ||
	fail streams_schema_refuses_icmp_with_dport_and_no_host "$refused"
exit $FAILED
