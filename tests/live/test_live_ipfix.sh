#!/usr/bin/env bash
# --ipfix with three tables at once (ports=proto,dport, sources=saddr and
# flows: the 5-tuple with vlan, dscp and ifindex) to two collectors over
# UDP on 127.0.0.1, two nfcapd. Each table is an observation domain of its
# own (--ipfix-domain-base 100 + the table's id): per domain nfdump sums
# exactly the packets and L3 octets (frame bytes less 14 a packet, as
# documented) of that table's entries in flowtally's final record, in both
# collectors, and the ports table per (proto, dport) exactly what ftsend
# sent. tshark decodes a capture of the same messages with nothing
# malformed and no warning; per collector and domain: every template
# announced is used and every one used announced, sequence numbers count
# the data records (options records too) before each message, messages
# within 1400 bytes, templates sent again: a template id a domain announced
# comes again in a later message of that domain (every 3 messages);
# options records name each domain's table and key and the interface;
# every data record has flowDirection and an ingressInterface.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
. tests/live/lib_export.sh
FAILED=0
INTERVAL=0.1
BASE=100

have_tools ipfix nfcapd nfdump tshark dumpcap jq || exit 0
live_veth 1500 || { fail ipfix_setup "cannot create the veth pair"; exit 1; }
p1=$(free_port) && p2=$(free_port) && [ "$p1" != "$p2" ] || { fail ipfix_setup "no free port"; exit 1; }
mkdir -p "$LIVE_TMP/nf1" "$LIVE_TMP/nf2"

for i in 1 2; do
	eval "port=\$p$i"
	# a socket buffer that holds an interval's burst while nfcapd waits
	# for a CPU (two collectors on a busy 2-core machine): a datagram
	# dropped there would be a sequence error
	nfcapd -b 127.0.0.1 -p "$port" -B 4194304 -w "$LIVE_TMP/nf$i" -t 3600 \
		>"$LIVE_TMP/nfcapd$i.log" 2>&1 &
	EXPORT_PIDS+=($!)
	eval "nfcapd${i}_pid=$!"
done
dumpcap -q -i lo -f "udp port $p1 or udp port $p2" -w "$LIVE_TMP/cap.pcapng" \
	>"$LIVE_TMP/dumpcap.log" 2>&1 &
dumpcap_pid=$!
EXPORT_PIDS+=($dumpcap_pid)
listening() { ss -Huln "sport = :$p1" | grep -q . && ss -Huln "sport = :$p2" | grep -q .; }
capturing() { [ -s "$LIVE_TMP/cap.pcapng" ]; }
if ! wait_for 10 listening || ! wait_for 10 capturing; then
	fail ipfix_collectors "nfcapd or dumpcap did not start: $(tail -2 "$LIVE_TMP"/nfcapd*.log "$LIVE_TMP/dumpcap.log" | tr '\n' ';')"
	exit 1
fi

started=$SECONDS
live_start --interval $INTERVAL --direction ingress --ipfix "127.0.0.1:$p1" \
	--ipfix "udp://127.0.0.1:$p2" --ipfix-domain-base $BASE \
	--ipfix-template-refresh-messages 3 \
	-t ports=proto,dport -t sources=saddr -t flows=flow,vlan,dscp,ifindex ||
	{ fail ipfix_start "flowtally did not start"; exit 1; }
in_ns "$FTSEND" -i "$VB" --seed 31 --count 3000 --rate 1000 --malformed 5 \
	--expect "$LIVE_TMP/in.json" || fail ipfix_send "ftsend failed"
# past 30 intervals of records: the templates went out again
while [ $((SECONDS - started)) -lt 5 ]; do sleep 0.2; done
live_stop INT
rc=$?
[ $rc -eq 0 ] && pass ipfix_sigint_exits_0 || fail ipfix_sigint_exits_0 "exit status $rc"
sleep 0.3
stop_pid "$dumpcap_pid" INT
stop_pid "$nfcapd1_pid" TERM
stop_pid "$nfcapd2_pid" TERM

final=$(tail -1 "$LIVE_TMP/out.json")
ifindex=$(cat "/sys/class/net/$VA/ifindex")
# the tables' domains, from their ids in the record
declare -A dom
for t in ports sources flows; do
	id=$(jq -r --arg t "$t" '.tables[] | select(.name == $t) | .id' <<<"$final")
	dom[$t]=$((BASE + id))
done
if [ "${dom[ports]} ${dom[sources]} ${dom[flows]}" = "101 102 103" ]; then
	pass ipfix_domains_are_base_plus_table_id
else
	fail ipfix_domains_are_base_plus_table_id "ports, sources, flows: ${dom[*]}"
fi
grep -q "IPFIX observation domain ${dom[sources]}: table sources: saddr" "$LIVE_TMP/err.txt" &&
	pass ipfix_domains_named_in_the_log ||
	fail ipfix_domains_named_in_the_log "$(grep IPFIX "$LIVE_TMP/err.txt" | head -3 | tr '\n' ';')"

# nfcapd: no sequence error, no bad packet, in either collector
for i in 1 2; do
	if grep -q "Sequence Errors: 0, Bad Packets: 0" "$LIVE_TMP/nfcapd$i.log"; then
		pass ipfix_nfcapd${i}_sees_no_sequence_error_or_bad_packet
	else
		fail ipfix_nfcapd${i}_sees_no_sequence_error_or_bad_packet "$(grep -i "sequence\|error" "$LIVE_TMP/nfcapd$i.log" | head -2 | tr '\n' ';')"
	fi
done

# per domain: nfdump's packets and octets equal the table's entries in the
# final record, in both collectors. nfcapd keeps each (address, domain) as
# an exporter of its own: its SysID (nfdump -E) selects its records.
sysid() {
	nfdump -E "$(ls "$LIVE_TMP/nf$1"/nfcapd.* | head -1)" 2>>"$LIVE_TMP/nfdump.err" |
		awk -v d="ID: $2," 'index($0, d) { sub(",", "", $2); print $2; exit }'
}
nfdump_sum() {
	nfdump -R "$LIVE_TMP/nf$1" -N -q -o 'fmt:%pkt %byt' "sysid $(sysid "$1" "$2")" \
		2>>"$LIVE_TMP/nfdump.err" | awk '{ p += $1; b += $2 } END { printf "%d %d\n", p, b }'
}
for t in ports sources flows; do
	want=$(jq -r --arg t "$t" '.tables[] | select(.name == $t) |
		"\([.entries[].packets] | add) \([.entries[] | .bytes - 14 * .packets] | add)"' <<<"$final")
	for i in 1 2; do
		got=$(nfdump_sum $i "${dom[$t]}")
		if [ "${want%% *}" -gt 0 ] && [ "$got" = "$want" ]; then
			pass ipfix_collector${i}_domain_of_${t}_sums_to_its_entries
		else
			fail ipfix_collector${i}_domain_of_${t}_sums_to_its_entries "domain ${dom[$t]}: got $got, want $want $(head -c 200 "$LIVE_TMP/nfdump.err")"
		fi
	done
done

# the ports domain per (proto, dport): what ftsend sent. nfdump's CSV: proto
# by name, dp the raw port (ICMP: type << 8 | code), ibyt the octetDeltaCount.
nfdump_counts() {
	nfdump -R "$LIVE_TMP/nf1" -N -A proto,dstport -o csv "$1" 2>"$LIVE_TMP/nfdump.err" | awk -F, '
	BEGIN { split("TCP 6 UDP 17 ICMP 1 ICMP6 58 SCTP 132 UDP-L 136 GRE 47 ESP 50", m, " ")
		for (i = 1; i < 16; i += 2) num[m[i]] = m[i + 1] }
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	!($(col["pr"]) ~ /^[A-Z0-9-]+ *$/) { exit }
	{ pr = $(col["pr"]); gsub(/ /, "", pr); if (pr in num) pr = num[pr]
	  printf "%s/%d %d %d\n", pr, $(col["dp"]), $(col["ipkt"]), $(col["ibyt"]) }' | sort
}
want=$(jq -r '.entries[] | "\(.proto)/\(.dport) \(.packets) \(.bytes - 14 * .packets)"' \
	"$LIVE_TMP/in.json" | sort)
got=$(nfdump_counts "sysid $(sysid 1 "${dom[ports]}")")
if [ -n "$want" ] && [ "$got" = "$want" ]; then
	pass ipfix_nfdump_ports_domain_per_proto_dport_equals_sent
else
	fail ipfix_nfdump_ports_domain_per_proto_dport_equals_sent \
		"$(diff <(echo "$want") <(echo "$got") | grep '^[<>]' | head -4 | tr '\n' ';') $(head -c 200 "$LIVE_TMP/nfdump.err")"
fi
# a table without addresses gives nfdump none to rank: only the sources
# and flows domains have source addresses, never 0.0.0.0
zero=$(nfdump -R "$LIVE_TMP/nf1" -N -q -o 'fmt:%sa' "sysid $(sysid 1 "${dom[sources]}")" 2>/dev/null |
	grep -c '^ *0\.0\.0\.0 *$')
[ "$zero" -eq 0 ] && pass ipfix_sources_domain_has_no_empty_address ||
	fail ipfix_sources_domain_has_no_empty_address "$zero records with 0.0.0.0"
# one interface: every record of every table has it as ingressInterface
got=$(nfdump -R "$LIVE_TMP/nf1" -N -q -o 'fmt:%pkt' "not in if $ifindex" 2>/dev/null | grep -c '^ *[0-9]')
all=$(nfdump -R "$LIVE_TMP/nf1" -N -q -o 'fmt:%pkt' "in if $ifindex" 2>/dev/null | grep -c '^ *[0-9]')
[ "$all" -gt 0 ] || got="no record with it:"
[ "$got" -eq 0 ] && pass ipfix_every_record_has_the_ingress_interface ||
	fail ipfix_every_record_has_the_ingress_interface "$got records without in if $ifindex"

# tshark: decodes every message, and the numbers in them
TS=(tshark -r "$LIVE_TMP/cap.pcapng" -d "udp.port==$p1,cflow" -d "udp.port==$p2,cflow")
msgs=$("${TS[@]}" -T fields -e cflow.version 2>/dev/null | grep -c '^10$')
# warnings and errors: a data set without its template would be one
if out=$("${TS[@]}" -Y '_ws.malformed || _ws.expert.severity >= 0x00600000' \
	-T fields -e frame.number -e _ws.expert.message 2>"$LIVE_TMP/tshark.err"); then
	bad=$(printf '%s' "$out" | head -3 | tr '\n' ';')
else
	bad="tshark failed: $(tail -1 "$LIVE_TMP/tshark.err")"
fi
if [ "$msgs" -gt 0 ] && [ -z "$bad" ]; then
	pass ipfix_tshark_decodes_with_nothing_malformed
else
	fail ipfix_tshark_decodes_with_nothing_malformed "$msgs messages; $bad"
fi
# one line a message: port, domain (the header's: the first od_id), sequence,
# length, UDP length, template ids announced, set ids, packets, octets,
# layer-2 octets, interface names, domain names, directions, ingress ifs
"${TS[@]}" -T fields -E occurrence=a -E aggregator=, -e udp.dstport -e cflow.od_id \
	-e cflow.sequence -e cflow.len -e udp.length -e cflow.template_id -e cflow.flowset_id \
	-e cflow.packets -e cflow.octets -e cflow.layer2_octet_delta_count -e cflow.if_name \
	-e cflow.observation_domain_name -e cflow.direction -e cflow.inputint \
	2>/dev/null >"$LIVE_TMP/fields.tsv"
awk -F'\t' '
	function n(s) { return s == "" ? 0 : split(s, x, ",") }
	{ split($2, d, ","); k = $1 " " d[1]
	  if ($3 != rec[k] + 0) seq_bad++
	  if ($4 > 1400 || $4 + 8 != $5) len_bad++
	  if ($6 != "") { c = split($6, t, ",")
		for (i = 1; i <= c; i++) { if ((k, t[i]) in ann) again[k]++; ann[k, t[i]] = 1 } }
	  c = split($7, s, ","); for (i = 1; i <= c; i++) if (s[i] >= 256) used[k, s[i]] = 1
	  np = n($8); rec[k] += np + n($11) + n($12)
	  c = split($8, p, ","); for (i = 1; i <= c; i++) pk[k] += p[i]
	  c = split($9, o, ","); for (i = 1; i <= c; i++) oc[k] += o[i]
	  if (n($13) != np || n($14) < np) attr_bad++
	  keys[k] = 1 }
	END { for (a in ann) { split(a, q, SUBSEP); if (!((q[1], q[2]) in used)) unused = unused " " q[1] "/" q[2] }
	      for (u in used) { split(u, q, SUBSEP); if (!((q[1], q[2]) in ann)) unann = unann " " q[1] "/" q[2] }
	      for (k in keys) printf "domain %s %d %d %d\n", k, pk[k], oc[k], again[k]
	      printf "bad %d %d %d\n", seq_bad, len_bad, attr_bad
	      printf "unused%s\nunannounced%s\n", unused, unann }' "$LIVE_TMP/fields.tsv" >"$LIVE_TMP/sums.txt"
read -r _ seq_bad len_bad attr_bad < <(grep '^bad ' "$LIVE_TMP/sums.txt")
[ "$seq_bad" -eq 0 ] && pass ipfix_sequence_counts_data_records_before_per_domain ||
	fail ipfix_sequence_counts_data_records_before_per_domain "$seq_bad messages out of sequence"
[ "$len_bad" -eq 0 ] && pass ipfix_messages_within_1400_bytes ||
	fail ipfix_messages_within_1400_bytes "$len_bad messages too long or mislabelled"
[ "$attr_bad" -eq 0 ] && pass ipfix_every_record_has_direction_and_interface ||
	fail ipfix_every_record_has_direction_and_interface "$attr_bad messages with records without"
unused=$(grep '^unused' "$LIVE_TMP/sums.txt")
unann=$(grep '^unannounced' "$LIVE_TMP/sums.txt")
[ "$unused" = "unused" ] && pass ipfix_every_template_announced_is_used ||
	fail ipfix_every_template_announced_is_used "port/template:${unused#unused}"
[ "$unann" = "unannounced" ] && pass ipfix_every_template_used_is_announced ||
	fail ipfix_every_template_used_is_announced "port/template:${unann#unannounced}"
# both collectors got everything: each domain's sums in both, equal to the
# table's entries; in each, a template it had announced announced again
both=0 refreshed=0
for t in ports sources flows; do
	want=$(jq -r --arg t "$t" '.tables[] | select(.name == $t) |
		"\([.entries[].packets] | add) \([.entries[] | .bytes - 14 * .packets] | add)"' <<<"$final")
	for p in $p1 $p2; do
		read -r _ _ _ pk oc tm < <(grep "^domain $p ${dom[$t]} " "$LIVE_TMP/sums.txt")
		[ "$pk $oc" = "$want" ] && both=$((both + 1))
		[ "${tm:-0}" -ge 1 ] && refreshed=$((refreshed + 1))
	done
done
[ $both -eq 6 ] && pass ipfix_both_collectors_get_every_domain_exactly ||
	fail ipfix_both_collectors_get_every_domain_exactly "$both of 6; $(grep '^domain' "$LIVE_TMP/sums.txt" | tr '\n' ';')"
[ $refreshed -eq 6 ] && pass ipfix_templates_sent_again_in_every_domain ||
	fail ipfix_templates_sent_again_in_every_domain "$refreshed of 6 domains"

# options records, in the instance's domain (the base): each table's domain
# named with its table and key, and the interface
names=$("${TS[@]}" -T fields -E occurrence=a -E aggregator='|' -e cflow.od_id -e cflow.observation_domain_name \
	-Y cflow.observation_domain_name 2>/dev/null | awk -F'\t' '
	{ n = split($1, d, "|"); c = split($2, m, "|")
	  for (i = 2; i <= n; i++) print d[1] ": " d[i] "=" m[i - 1] }' | sort -u | paste -sd';')
want="$BASE: ${dom[ports]}=ports: proto,dport;$BASE: ${dom[sources]}=sources: saddr;$BASE: ${dom[flows]}=flows: proto,sport,dport,saddr,daddr,vlan,ifindex,dscp"
[ "$names" = "$want" ] && pass ipfix_options_name_each_domain_table_and_key ||
	fail ipfix_options_name_each_domain_table_and_key "got '$names', want '$want'"
ifn=$("${TS[@]}" -T fields -E occurrence=f -e cflow.od_id -e cflow.inputint -e cflow.if_name \
	-Y cflow.if_name 2>/dev/null | sort -u | paste -sd';')
[ "$ifn" = "$BASE	$ifindex	$VA" ] && pass ipfix_options_map_ifindex_to_interface_name ||
	fail ipfix_options_map_ifindex_to_interface_name "got '$ifn', want '$BASE $ifindex $VA'"
exit $FAILED
