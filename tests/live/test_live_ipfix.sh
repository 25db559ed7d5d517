#!/usr/bin/env bash
# --ipfix: nfcapd collects what flowtally exports over UDP on 127.0.0.1 from
# two tables, the default ports=proto,dport and a wide one (the 5-tuple,
# vlan, dscp, ifindex: IPv4 and IPv6 templates), and nfdump shows for each,
# per (proto, dport), exactly the packets ftsend sent and their L3 octets
# (frame bytes less 14 a packet, as documented); tshark decodes a
# capture of the same messages with nothing malformed, no warning, sequence
# numbers that count the data records before each message, messages within
# 1400 bytes, and templates sent again after 20 intervals.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
. tests/live/lib_export.sh
FAILED=0
INTERVAL=0.1

have_tools ipfix nfcapd nfdump tshark dumpcap jq || exit 0
live_veth 1500 || { fail ipfix_setup "cannot create the veth pair"; exit 1; }
port=$(free_port) || { fail ipfix_setup "no free port"; exit 1; }
mkdir -p "$LIVE_TMP/nf"

nfcapd -b 127.0.0.1 -p "$port" -w "$LIVE_TMP/nf" -t 3600 >"$LIVE_TMP/nfcapd.log" 2>&1 &
nfcapd_pid=$!
EXPORT_PIDS+=($nfcapd_pid)
dumpcap -q -i lo -f "udp port $port" -w "$LIVE_TMP/cap.pcapng" >"$LIVE_TMP/dumpcap.log" 2>&1 &
dumpcap_pid=$!
EXPORT_PIDS+=($dumpcap_pid)
listening() { ss -Huln "sport = :$port" | grep -q .; }
capturing() { [ -s "$LIVE_TMP/cap.pcapng" ]; }
if ! wait_for 10 listening || ! wait_for 10 capturing; then
	fail ipfix_collectors "nfcapd or dumpcap did not start: $(tail -2 "$LIVE_TMP/nfcapd.log" "$LIVE_TMP/dumpcap.log" | tr '\n' ';')"
	exit 1
fi

started=$SECONDS
live_start --interval $INTERVAL --direction ingress --ipfix "127.0.0.1:$port" \
	-t ports=proto,dport -t wide=flow,vlan,dscp,ifindex ||
	{ fail ipfix_start "flowtally did not start"; exit 1; }
in_ns "$FTSEND" -i "$VB" --seed 31 --count 3000 --rate 2000 --malformed 5 \
	--expect "$LIVE_TMP/in.json" || fail ipfix_send "ftsend failed"
# past 20 intervals, so that the templates went out a second time
while [ $((SECONDS - started)) -lt 4 ]; do sleep 0.2; done
live_stop INT
rc=$?
[ $rc -eq 0 ] && pass ipfix_sigint_exits_0 || fail ipfix_sigint_exits_0 "exit status $rc"
sleep 0.3
stop_pid "$dumpcap_pid" INT
stop_pid "$nfcapd_pid" TERM

# nfcapd: every message in sequence, and per (proto, dport) the sent counts
if grep -q "Sequence Errors: 0, Bad Packets: 0" "$LIVE_TMP/nfcapd.log"; then
	pass ipfix_nfcapd_sees_no_sequence_error_or_bad_packet
else
	fail ipfix_nfcapd_sees_no_sequence_error_or_bad_packet "$(grep -i "sequence\|error" "$LIVE_TMP/nfcapd.log" | head -2 | tr '\n' ';')"
fi
# nfdump's CSV: proto by name, dp the raw port (ICMP: type << 8 | code), and
# ibyt the octetDeltaCount (it has no column for layer2OctetDeltaCount). The
# wide table's records are those with an input interface.
nfdump_counts() {
	nfdump -R "$LIVE_TMP/nf" -N -A proto,dstport -o csv "$1" 2>"$LIVE_TMP/nfdump.err" | awk -F, '
	BEGIN { split("TCP 6 UDP 17 ICMP 1 ICMP6 58 SCTP 132 UDP-L 136 GRE 47 ESP 50", m, " ")
		for (i = 1; i < 16; i += 2) num[m[i]] = m[i + 1] }
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	!($(col["pr"]) ~ /^[A-Z0-9-]+ *$/) { exit }
	{ pr = $(col["pr"]); gsub(/ /, "", pr); if (pr in num) pr = num[pr]
	  printf "%s/%d %d %d\n", pr, $(col["dp"]), $(col["ipkt"]), $(col["ibyt"]) }' | sort
}
want=$(jq -r '.entries[] | "\(.proto)/\(.dport) \(.packets) \(.bytes - 14 * .packets)"' \
	"$LIVE_TMP/in.json" | sort)
ifindex=$(cat "/sys/class/net/$VA/ifindex")
for t in ports wide; do
	if [ $t = ports ]; then got=$(nfdump_counts "not in if $ifindex"); else got=$(nfdump_counts "in if $ifindex"); fi
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		pass ipfix_nfdump_${t}_table_per_proto_dport_equals_sent
	else
		fail ipfix_nfdump_${t}_table_per_proto_dport_equals_sent \
			"$(diff <(echo "$want") <(echo "$got") | grep '^[<>]' | head -4 | tr '\n' ';') $(head -c 200 "$LIVE_TMP/nfdump.err")"
	fi
done

# tshark: decodes every message, and the numbers in them
TS=(tshark -r "$LIVE_TMP/cap.pcapng" -d "udp.port==$port,cflow")
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
"${TS[@]}" -T fields -E occurrence=a -E aggregator=, -e cflow.sequence -e cflow.len \
	-e udp.length -e cflow.template_id -e cflow.packets -e cflow.octets \
	-e cflow.layer2_octet_delta_count 2>/dev/null >"$LIVE_TMP/fields.tsv"
sums=$(awk -F'\t' '
	{ if ($1 != records) seq_bad++
	  if ($2 > 1400 || $2 + 8 != $3) len_bad++
	  if ($4 != "") tmpl++
	  n = $5 == "" ? 0 : split($5, p, ","); records += n
	  for (i = 1; i <= n; i++) pk += p[i]
	  n = split($6, o, ","); for (i = 1; i <= n; i++) oc += o[i]
	  n = split($7, l, ","); for (i = 1; i <= n; i++) l2 += l[i] }
	END { printf "%d %d %d %d %d %d\n", seq_bad, len_bad, tmpl, pk, oc, l2 }' "$LIVE_TMP/fields.tsv")
read -r seq_bad len_bad tmpl pk oc l2 <<<"$sums"
[ "$seq_bad" -eq 0 ] && pass ipfix_sequence_counts_data_records_before ||
	fail ipfix_sequence_counts_data_records_before "$seq_bad messages out of sequence"
[ "$len_bad" -eq 0 ] && pass ipfix_messages_within_1400_bytes ||
	fail ipfix_messages_within_1400_bytes "$len_bad messages too long or mislabelled"
[ "$tmpl" -ge 2 ] && pass ipfix_templates_sent_again ||
	fail ipfix_templates_sent_again "templates in $tmpl messages"
# two tables count every classified frame
want=$(jq -r '[([.entries[].packets] | add), ([.entries[] | .bytes - 14 * .packets] | add),
	([.entries[].bytes] | add)] | map(2 * . | tostring) | join(" ")' "$LIVE_TMP/in.json")
[ "$pk $oc $l2" = "$want" ] && pass ipfix_tshark_totals_equal_sent ||
	fail ipfix_tshark_totals_equal_sent "packets, octets, layer2 octets: got $pk $oc $l2, want $want"
exit $FAILED
