#!/usr/bin/env bash
# Tables changed while frames flow, through 'flowtally table': one added
# mid-run counts every frame after it, a resize loses and doubles nothing, a
# removed one frees its maps and keeps its counts in the records; every frame
# is in every table exactly once: entries + overflow = seen - unclassified.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0
NAME=ftt$LIVE_ID

ft_table() { "$FT" table --name "$NAME" "$@"; }

# classified frames of an expectation: seen minus every unclassified reason
classified() { jq -s 'map(.seen.packets - ([.unclassified[].packets] | add)) | add' "$@"; }

# packets a table counted in the final record, entries plus overflow
counted() {
	jq --arg t "$1" '[.tables[] | select(.name == $t and .direction == "ingress") |
		([.entries[].packets] | add // 0) + .overflow.packets] | add' "$LIVE_TMP/final.json"
}

live_veth 1500 || { fail live_tables_setup "cannot create the veth pair"; exit 1; }
live_start --name "$NAME" --direction ingress --interval 0.2 -t ports=proto,dport \
	-t 'clients=saddr/24' -t 'recent=saddr,dport:size=64:lru' ||
	{ fail live_tables_start "flowtally did not start"; exit 1; }

in_ns "$FTSEND" -i "$VB" --seed 31 --count 2000 --malformed 10 --expect "$LIVE_TMP/a.json" ||
	fail live_tables_send "ftsend failed"
sleep 0.4

out=$(ft_table add 'late=proto,daddr/16/32')
[ "$out" = "added table late" ] && pass table_add_answers || fail table_add_answers "$out"
before_late=$(bpftool map show | grep -c 'name ft_late_')
[ "$before_late" -eq 2 ] && pass table_add_creates_two_maps ||
	fail table_add_creates_two_maps "$before_late maps named ft_late_*"

# phase two: traffic while two tables are resized under it
in_ns "$FTSEND" -i "$VB" --seed 32 --count 4000 --rate 4000 --malformed 10 \
	--expect "$LIVE_TMP/b.json" &
send_pid=$!
sleep 0.3
ft_table resize ports 2000 >/dev/null || fail table_resize_ports "status $?"
wait $send_pid || fail live_tables_send "ftsend failed"
# phase three: a table shrunk to 30 keys overflows, and loses nothing
ft_table resize clients 30 >/dev/null || fail table_resize_clients "status $?"
in_ns "$FTSEND" -i "$VB" --seed 33 --count 1500 --malformed 10 --expect "$LIVE_TMP/c.json" ||
	fail live_tables_send "ftsend failed"
sleep 0.3

ft_table list >"$LIVE_TMP/list.txt"
if grep -q '^ports .* 2000  *60s$' "$LIVE_TMP/list.txt" && grep -q '^clients .* 30  *60s$' "$LIVE_TMP/list.txt" &&
   grep -q '^late ' "$LIVE_TMP/list.txt"; then
	pass table_list_shows_sizes
else
	fail table_list_shows_sizes "$(tr '\n' ';' <"$LIVE_TMP/list.txt")"
fi
ft_table del late >/dev/null || fail table_del "status $?"
left=$(bpftool map show | grep -c 'name ft_late_')
[ "$left" -eq 0 ] && pass table_del_frees_its_maps || fail table_del_frees_its_maps "$left maps left"

# usage errors come back from the instance with status 2
ft_table add 'ports=dport' 2>/dev/null; [ $? -eq 2 ] && pass table_add_duplicate_is_usage_error ||
	fail table_add_duplicate_is_usage_error "status $?"
ft_table resize ports 0 2>/dev/null; [ $? -eq 2 ] && pass table_resize_zero_is_usage_error ||
	fail table_resize_zero_is_usage_error "status $?"
ft_table del nosuch 2>/dev/null; [ $? -eq 2 ] && pass table_del_unknown_is_usage_error ||
	fail table_del_unknown_is_usage_error "status $?"
"$FT" table --name ft-nosuch-instance list 2>/dev/null; [ $? -eq 1 ] &&
	pass table_unknown_instance_is_runtime_error || fail table_unknown_instance_is_runtime_error "status $?"

live_stop INT || fail live_tables_stop "status $?"
grep '"type":"final"' "$LIVE_TMP/out.json" >"$LIVE_TMP/final.json"

# ports across two resizes: exactly the union of both phases
expect_sum "$LIVE_TMP/a.json" "$LIVE_TMP/b.json" "$LIVE_TMP/c.json" >"$LIVE_TMP/ab.json"
d=$(live_diff "$LIVE_TMP/final.json" "$LIVE_TMP/ab.json" "$VA" ingress 2>&1) || d="cannot compare: $d"
[ -z "$d" ] && pass table_resize_under_traffic_keeps_ports_exact ||
	fail table_resize_under_traffic_keeps_ports_exact "$(echo "$d" | head -3 | tr '\n' ';')"

want=$(classified "$LIVE_TMP/a.json" "$LIVE_TMP/b.json" "$LIVE_TMP/c.json")
got=$(counted clients)
[ "$got" = "$want" ] && pass table_full_clients_entries_plus_overflow_exact ||
	fail table_full_clients_entries_plus_overflow_exact "got $got, want $want"
over=$(jq '[.tables[] | select(.name == "clients" and .direction == "ingress") | .overflow.packets] | add' "$LIVE_TMP/final.json")
[ "$over" -gt 0 ] && pass table_of_30_keys_overflows || fail table_of_30_keys_overflows "overflow $over"

want=$(classified "$LIVE_TMP/b.json" "$LIVE_TMP/c.json")
got=$(counted late)
[ "$got" = "$want" ] && pass table_added_mid_run_counts_from_next_frame ||
	fail table_added_mid_run_counts_from_next_frame "got $got, want $want (phases two and three)"
# LRU: marked approximate; per read of a generation the keys left are its
# inserts less its evictions (a record can hold two reads: a resize flips, and
# a key in both counts once in "keys"), and a 64-key table fed hundreds of
# keys evicts
bad=$(jq -c 'select(.type == "interval") | .tables[] | select(.name == "recent") |
	select(.approximate != true or .inserts - .evicted < .keys or .keys > 2 * .size) |
	[.keys, .inserts, .evicted]' "$LIVE_TMP/out.json" | head -3)
evicted=$(jq '[.tables[] | select(.name == "recent") | .evicted] | add' "$LIVE_TMP/final.json")
[ -z "$bad" ] && [ "$evicted" -gt 0 ] && pass lru_table_reports_evictions ||
	fail lru_table_reports_evictions "evicted $evicted, odd intervals: $bad"
mem=$(jq -c 'select(.type == "interval") | [.tables[] | select(.name == "ports") | .memory_bytes, .fill]' "$LIVE_TMP/out.json" | tail -1)
jq -e '.[0] > 0 and .[1] >= 0 and .[1] <= 1' <<<"$mem" >/dev/null && pass table_reports_memory_and_fill ||
	fail table_reports_memory_and_fill "$mem"

removed=$(jq -r '[.tables[] | select(.name == "late")][0].removed' "$LIVE_TMP/final.json")
[ "$removed" = true ] && pass table_removed_shows_in_final || fail table_removed_shows_in_final "$removed"
exit $FAILED
