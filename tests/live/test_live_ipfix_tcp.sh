#!/usr/bin/env bash
# --ipfix tcp://HOST:PORT (RFC 7011 section 10.4) to a socat listener on
# 127.0.0.1, checked with tshark on a capture (nfcapd takes UDP only): every
# message decodes with nothing malformed and no warning, per domain the
# packets and octets equal that table's entries in the final record, and
# each connection has every domain's templates once, before its records;
# a removed table's templates are withdrawn after its last records (RFC
# 7011 section 8.1), no other.
# Table ids are never reused: with every slot taken, 'table del' then
# 'table add' reuses a slot, and the new table gets a new id and domain
# (the removed one's records stay in its own). A pinned instance adopted
# after its exit keeps its tables' ids and domains.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
. tests/live/lib_export.sh
FAILED=0
BASE=7000
PIN=fti$LIVE_ID
ft_table() { "$FT" table --name "$PIN" "$@"; }
unpin() { "$FT" stop "$PIN" >/dev/null 2>&1; export_cleanup; }
trap unpin EXIT

have_tools ipfix_tcp tshark dumpcap socat jq || exit 0
live_veth 1500 || { fail ipfix_tcp_setup "cannot create the veth pair"; exit 1; }
port=$(free_port) || { fail ipfix_tcp_setup "no free port"; exit 1; }
socat -u "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork" OPEN:/dev/null \
	>"$LIVE_TMP/socat.log" 2>&1 &
EXPORT_PIDS+=($!)
dumpcap -q -i lo -f "tcp port $port" -w "$LIVE_TMP/cap.pcapng" >"$LIVE_TMP/dumpcap.log" 2>&1 &
dumpcap_pid=$!
EXPORT_PIDS+=($dumpcap_pid)
listening() { ss -Htln "sport = :$port" | grep -q .; }
capturing() { [ -s "$LIVE_TMP/cap.pcapng" ]; }
if ! wait_for 10 listening || ! wait_for 10 capturing; then
	fail ipfix_tcp_listener "socat or dumpcap did not start: $(tail -2 "$LIVE_TMP/socat.log" "$LIVE_TMP/dumpcap.log" | tr '\n' ';')"
	exit 1
fi
send() { in_ns "$FTSEND" -i "$VB" --seed "$1" --count 500 --rate 2000 --expect "$LIVE_TMP/s$1.json" >/dev/null; }
# a table's id in the records of $1 (the last record that has it)
id_of() { jq -r --arg t "$2" '.tables[]? | select(.name == $t) | .id' "$1" | tail -1; }

# first run: two tables, then every slot taken, one removed, one added
live_start --pin "$PIN" --keep --interval 0.1 --direction ingress \
	--ipfix "tcp://127.0.0.1:$port" --ipfix-domain-base $BASE -t ports=proto,dport -t old=sport ||
	{ fail ipfix_tcp_start "flowtally did not start"; exit 1; }
send 41
n=2
for i in $(seq 62); do ft_table add "f$i=dport:size=16" >/dev/null 2>&1 && n=$((n + 1)); done
[ $n -eq 64 ] || fail ipfix_tcp_fill_slots "$n tables"
ft_table del old >/dev/null 2>"$LIVE_TMP/del.err" || fail ipfix_tcp_del "$(cat "$LIVE_TMP/del.err")"
added=
for _ in $(seq 40); do	# the slot is free once a record showed the removal
	ft_table add "new=dport" >/dev/null 2>"$LIVE_TMP/add.err" && { added=1; break; }
	sleep 0.05
done
[ -n "$added" ] || fail ipfix_tcp_add_reuses_slot "$(cat "$LIVE_TMP/add.err")"
send 42
sleep 0.4
live_stop INT || fail ipfix_tcp_stop "status $?"
cp "$LIVE_TMP/out.json" "$LIVE_TMP/run1.json"
old=$(id_of "$LIVE_TMP/run1.json" old) new=$(id_of "$LIVE_TMP/run1.json" new)
ports=$(id_of "$LIVE_TMP/run1.json" ports)
# 'old' had id 2, the 62 fillers 3..64: 'new' in old's slot is 65
if [ "$ports $old $new" = "1 2 65" ]; then
	pass ipfix_tcp_table_id_not_reused_with_its_slot
else
	fail ipfix_tcp_table_id_not_reused_with_its_slot "ports, old, new: $ports $old $new"
fi
status=$("$FT" status "$PIN" --json 2>/dev/null | jq -r '.[].tables[] | select(.name == "new") | .id')
[ "$status" = "$new" ] && pass ipfix_tcp_status_lists_the_table_id ||
	fail ipfix_tcp_status_lists_the_table_id "status says '$status', the record $new"

# second run adopts the pinned instance: the same ids, the same domains
live_start --pin "$PIN" --interval 0.1 --direction ingress \
	--ipfix "tcp://127.0.0.1:$port" --ipfix-domain-base $BASE ||
	{ fail ipfix_tcp_adopt "flowtally did not adopt"; exit 1; }
send 43
sleep 0.4
live_stop INT || fail ipfix_tcp_stop2 "status $?"
[ "$(id_of "$LIVE_TMP/out.json" new)" = "$new" ] && [ "$(id_of "$LIVE_TMP/out.json" ports)" = 1 ] &&
	pass ipfix_tcp_adopted_instance_keeps_table_ids ||
	fail ipfix_tcp_adopted_instance_keeps_table_ids "ports $(id_of "$LIVE_TMP/out.json" ports), new $(id_of "$LIVE_TMP/out.json" new)"
sleep 0.3
stop_pid "$dumpcap_pid" INT

TS=(tshark -r "$LIVE_TMP/cap.pcapng" -d "tcp.port==$port,cflow")
msgs=$("${TS[@]}" -T fields -e cflow.version 2>/dev/null | grep -c '^10')
if out=$("${TS[@]}" -Y '_ws.malformed || _ws.expert.severity >= 0x00600000' \
	-T fields -e frame.number -e _ws.expert.message 2>"$LIVE_TMP/tshark.err"); then
	bad=$(printf '%s' "$out" | head -3 | tr '\n' ';')
else
	bad="tshark failed: $(tail -1 "$LIVE_TMP/tshark.err")"
fi
[ "$msgs" -gt 0 ] && [ -z "$bad" ] && pass ipfix_tcp_tshark_decodes_with_nothing_malformed ||
	fail ipfix_tcp_tshark_decodes_with_nothing_malformed "$msgs messages; $bad"
streams=$("${TS[@]}" -T fields -e tcp.stream -Y cflow 2>/dev/null | sort -u | grep -c .)
[ "$streams" -eq 2 ] && pass ipfix_tcp_one_connection_a_run ||
	fail ipfix_tcp_one_connection_a_run "$streams connections"

# one line per IPFIX message (a segment may carry several: tshark's JSON
# without duplicate keys has them as an array): connection, domain, template
# ids, set ids, packets, octets, domain names and the domains they name
"${TS[@]}" --no-duplicate-keys -T json -Y cflow 2>/dev/null >"$LIVE_TMP/cap.json"
jq -r 'def arr: if type == "array" then . else [.] end;
	def all(k): [.. | objects | .[k]? // empty | arr[]];
	.[]._source.layers | (.tcp."tcp.stream") as $s | (.cflow | arr[]) |
	[$s, ."cflow.od_id", (all("cflow.template_id") | join(",")),
	 (all("cflow.flowset_id") | join(",")),
	 (all("cflow.packets") | map(tonumber) | add // 0),
	 (all("cflow.octets") | map(tonumber) | add // 0),
	 (all("cflow.observation_domain_name") | join("|")),
	 (all("cflow.od_id") | .[1:] | join(",")),
	 ([.. | objects | select(has("cflow.template_id")) |
	   (."cflow.template_field_count" // ."cflow.template_ipfix_total_field_count" // "?" |
	    arr[0])] | join(","))] | @tsv' "$LIVE_TMP/cap.json" >"$LIVE_TMP/msgs.tsv"
# per connection and domain: records without their template before them
# (or after its withdrawal), templates sent more than once, withdrawals
# (a template id with no fields), and the sums
awk -F'\t' '
	{ k = $1 " " $2
	  n = split($3, t, ","); split($9, fc, ",")
	  for (i = 1; i <= n; i++) {
		if (fc[i] == 0) { if ((k, t[i]) in ann) wd[k] = wd[k] " " t[i]; delete ann[k, t[i]]; continue }
		if (++ann[k, t[i]] > 1 || (k, t[i]) in gone) again++ }
	  n = split($4, f, ",")
	  for (i = 1; i <= n; i++) if (f[i] >= 256 && !((k, f[i]) in ann)) orphan++
	  pk[k] += $5; oc[k] += $6; seen[k] = 1 }
	END { printf "bad %d %d\n", orphan, again
	      for (k in wd) printf "withdrawn %s%s\n", k, wd[k]
	      for (k in seen) printf "domain %s %d %d\n", k, pk[k], oc[k] }' "$LIVE_TMP/msgs.tsv" \
	>"$LIVE_TMP/sums.txt"
read -r _ orphan again < <(grep '^bad ' "$LIVE_TMP/sums.txt")
# 'old' (sport: one template, 256) is withdrawn on the first connection
# once its last interval went out; nothing else is
wd=$(grep '^withdrawn ' "$LIVE_TMP/sums.txt" | sort | paste -sd';')
[ "$wd" = "withdrawn 0 $((BASE + old)) 256" ] && pass ipfix_tcp_removed_table_templates_withdrawn ||
	fail ipfix_tcp_removed_table_templates_withdrawn "got '$wd', want 'withdrawn 0 $((BASE + old)) 256'"
[ "$orphan" -eq 0 ] && pass ipfix_tcp_templates_before_their_records_on_each_connection ||
	fail ipfix_tcp_templates_before_their_records_on_each_connection "$orphan sets without"
[ "$again" -eq 0 ] && pass ipfix_tcp_templates_once_per_connection ||
	fail ipfix_tcp_templates_once_per_connection "$again sent again"
# the sums: each table's interval records of that run (a removed table's
# last interval included); for tables there at the end, its final entries
sums_of() {	# records table
	jq -s -r --arg t "$2" '[.[] | select(.type == "interval") | .tables[] | select(.name == $t) |
		.entries[]] | "\(map(.packets) | add) \(map(.bytes - 14 * .packets) | add)"' "$1"
}
final_of() {	# records table
	jq -r --arg t "$2" 'select(.type == "final") | .tables[] | select(.name == $t) |
		"\([.entries[].packets] | add) \([.entries[] | .bytes - 14 * .packets] | add)"' "$1"
}
ok=0 want_ok=0
check() {	# connection domain want
	local got
	got=$(awk -v k="domain $1 $2" 'index($0, k " ") == 1 { print $4, $5 }' "$LIVE_TMP/sums.txt")
	want_ok=$((want_ok + 1))
	if [ "${3%% *}" != null ] && [ "${3%% *}" -gt 0 ] && [ "$got" = "$3" ]; then
		ok=$((ok + 1))
	else
		echo "  connection $1 domain $2: got '$got', want '$3'"
	fi
}
{
	check 0 $((BASE + 1)) "$(final_of "$LIVE_TMP/run1.json" ports)"
	check 0 $((BASE + new)) "$(final_of "$LIVE_TMP/run1.json" new)"
	check 0 $((BASE + old)) "$(sums_of "$LIVE_TMP/run1.json" old)"
	check 1 $((BASE + 1)) "$(sums_of "$LIVE_TMP/out.json" ports)"
	check 1 $((BASE + new)) "$(sums_of "$LIVE_TMP/out.json" new)"
} >"$LIVE_TMP/check.txt"
[ $ok -eq $want_ok ] && pass ipfix_tcp_each_domain_sums_to_its_table ||
	fail ipfix_tcp_each_domain_sums_to_its_table "$(tr '\n' ';' <"$LIVE_TMP/check.txt")"
# the options records of each connection name the domains of that run
names() {
	awk -F'\t' -v c="$1" '$1 == c && $7 != "" {
		n = split($7, m, "|"); split($8, d, ",")
		for (i = 1; i <= n; i++) print d[i] "=" m[i] }' "$LIVE_TMP/msgs.tsv" | sort -u |
		grep -E "^($((BASE + 1))|$((BASE + old))|$((BASE + new)))=" | paste -sd';'
}
want="$((BASE + 1))=ports: proto,dport;$((BASE + old))=old: sport;$((BASE + new))=new: dport"
[ "$(names 0)" = "$want" ] && pass ipfix_tcp_removed_and_new_table_named_in_their_domains ||
	fail ipfix_tcp_removed_and_new_table_named_in_their_domains "got '$(names 0)', want '$want'"
want="$((BASE + 1))=ports: proto,dport;$((BASE + new))=new: dport"
[ "$(names 1)" = "$want" ] && pass ipfix_tcp_adopted_tables_keep_their_domains ||
	fail ipfix_tcp_adopted_tables_keep_their_domains "got '$(names 1)', want '$want'"
exit $FAILED
