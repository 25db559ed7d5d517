#!/usr/bin/env bash
# Bounded Prometheus series on a server's traffic: replies walking through
# thousands of clients' ephemeral ports on egress keep every table and
# direction within --prometheus-max-series, a 'port' table keys them all as
# the service port, a busy port arriving late on a full ingress displaces an
# idle one within a window, and per table and direction the series plus
# 'other' equal the table's entries in flowtally's final record, exactly.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
. tests/live/lib_export.sh
FAILED=0
PY=/usr/bin/python3
MAX=10

have_tools prom_series curl jq || exit 0
if [ ! -x "$PY" ]; then
	skip prom_series "$PY is missing"
	exit 0
fi

# udp IFACE SPORT DPORT_FIRST COUNT [REPEAT]: COUNT UDP frames 192.0.2.1 ->
# 198.51.100.1 from SPORT to DPORT_FIRST, DPORT_FIRST+1, ..., each REPEAT
# times; prints the frames sent. A negative SPORT walks the source port
# instead (from -SPORT up) with the destination fixed at DPORT_FIRST.
udp() {
	"$PY" - "$@" <<'PYEOF'
import socket, struct, sys
ifname, sport, dport, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
repeat = int(sys.argv[5]) if len(sys.argv) > 5 else 1
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((ifname, 0))
sent = 0
for i in range(count):
    sp, dp = (sport, dport + i) if sport >= 0 else (-sport + i, dport)
    payload = b"\0" * 18
    udp = struct.pack("!HHHH", sp, dp, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                     bytes([192, 0, 2, 1]), bytes([198, 51, 100, 1]))
    eth = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00"
    for _ in range(repeat):
        sent += s.send(eth + ip + udp) > 0
print(sent)
PYEOF
}

live_veth 1500 || { fail prom_series_setup "cannot create the veth pair"; exit 1; }
port=$(free_port) || { fail prom_series_setup "no free port"; exit 1; }
live_start --interval 0.2 --prometheus "127.0.0.1:$port" --prometheus-max-series $MAX \
	--prometheus-window 2 --prometheus-expire 20 -t ports=proto,dport -t svc=proto,port ||
	{ fail prom_series_start "flowtally did not start"; exit 1; }
scrape() { curl -sf --max-time 5 "http://127.0.0.1:$port/metrics" >"$LIVE_TMP/$1.txt"; }
# series NAME TABLE DIR: the own series (not 'other') of a scrape
series() {
	grep "^flowtally_packets_total{table=\"$2\",direction=\"$3\"," "$LIVE_TMP/$1.txt" | grep -vc '"other"'
}

# a server: replies from 443 to 3000 ephemeral ports on egress; its clients'
# requests to 443 from those ports on ingress, and 12 quiet ports that fill
# the ingress budget of the dport table
eg=$(udp "$VA" 443 30000 3000)
ig=$(in_ns bash -c "$(declare -f udp); PY=$PY; udp $VB -30000 443 3000")
quiet=$(in_ns bash -c "$(declare -f udp); PY=$PY; udp $VB 40000 7000 12")
[ "$eg" = 3000 ] && [ "$ig" = 3000 ] && [ "$quiet" = 12 ] || fail prom_series_send "sent $eg, $ig, $quiet"
sleep 1.2	# six intervals, three windows
scrape walk || fail prom_series_scrape "curl failed"
over=
for t in ports svc; do
	for d in ingress egress; do
		n=$(series walk $t $d)
		g=$(sed -n "s/^flowtally_table_series{table=\"$t\",direction=\"$d\"} //p" "$LIVE_TMP/walk.txt")
		[ "$n" -le $MAX ] && [ "$g" = "$n" ] || over+="$t/$d: $n series, gauge '$g'; "
		# 3000 ephemeral ports: the dport table's egress is full, not empty
		[ $t/$d != ports/egress ] || [ "$n" = $MAX ] || over+="ports/egress: $n series; "
	done
done
[ -z "$over" ] && pass prom_series_stay_within_budget_per_table_and_direction ||
	fail prom_series_stay_within_budget_per_table_and_direction "$over"
if command -v promtool >/dev/null; then
	lint=$(promtool check metrics <"$LIVE_TMP/walk.txt" 2>&1)
	[ $? -eq 0 ] && [ -z "$lint" ] && pass prom_series_promtool_check_metrics_is_clean ||
		fail prom_series_promtool_check_metrics_is_clean "$(echo "$lint" | head -3 | tr '\n' ';')"
fi
svc_eg=$(grep '^flowtally_packets_total{table="svc",direction="egress",' "$LIVE_TMP/walk.txt")
[ "$(echo "$svc_eg" | grep -c .)" = 1 ] &&
	echo "$svc_eg" | grep -q 'proto="udp",port="443"} 3000$' &&
	pass prom_series_port_table_keys_replies_by_the_service_port ||
	fail prom_series_port_table_keys_replies_by_the_service_port "$(echo "$svc_eg" | head -3 | tr '\n' ';')"

# the ingress of the dport table is full (443 and the quiet ports); a busy
# port arrives and has its series within a window (two intervals)
[ "$(series walk ports ingress)" = $MAX ] && ! grep -q 'dport="9999"' "$LIVE_TMP/walk.txt" ||
	fail prom_series_setup "ingress not full before the busy port: $(series walk ports ingress)"
busy=$(in_ns bash -c "$(declare -f udp); PY=$PY; udp $VB 50000 9999 1 400")
[ "$busy" = 400 ] || fail prom_series_send "busy port: sent $busy"
sleep 0.8
scrape late || fail prom_series_scrape "curl failed"
grep -q '^flowtally_packets_total{table="ports",direction="ingress",proto="udp",dport="9999"} ' \
	"$LIVE_TMP/late.txt" && [ "$(series late ports ingress)" -le $MAX ] &&
	pass prom_series_busy_late_port_displaces_an_idle_one ||
	fail prom_series_busy_late_port_displaces_an_idle_one "$(grep 'ports",direction="ingress"' "$LIVE_TMP/late.txt" | head -12 | tr '\n' ';')"
sleep 0.6
scrape last || fail prom_series_scrape "curl failed"

# other never went down between scrapes
down=
for t in ports svc; do
	for d in ingress egress; do
		a=$(sed -n "s/^flowtally_packets_total{table=\"$t\",direction=\"$d\",.*\"other\"} //p" "$LIVE_TMP/walk.txt")
		b=$(sed -n "s/^flowtally_packets_total{table=\"$t\",direction=\"$d\",.*\"other\"} //p" "$LIVE_TMP/last.txt")
		[ "${b:-0}" -ge "${a:-0}" ] || down+="$t/$d: $a -> $b; "
	done
done
[ -z "$down" ] && pass prom_series_other_never_decreases || fail prom_series_other_never_decreases "$down"

live_stop INT
rc=$?
[ $rc -eq 0 ] || fail prom_series_sigint_exits_0 "exit status $rc"
grep '"type":"final"' "$LIVE_TMP/out.json" >"$LIVE_TMP/final.json"
# per table and direction: sum(series) + other of the last scrape, and the
# entries of the final record
bad=
for t in ports svc; do
	for d in ingress egress; do
		got=$(grep "^flowtally_packets_total{table=\"$t\",direction=\"$d\"," "$LIVE_TMP/last.txt" |
			awk '{ s += $NF } END { print s + 0 }')
		want=$(jq --arg t "$t" --arg d "$d" \
			'[.tables[] | select(.name == $t and .direction == $d) | .entries[].packets] | add // 0' \
			"$LIVE_TMP/final.json")
		[ "$got" = "$want" ] && [ "$got" -gt 0 ] || bad+="$t/$d: series+other $got, entries $want; "
	done
done
# the record names the field 'port'
rec=$(jq -c '[.tables[] | select(.name == "svc" and .direction == "egress") | .entries[] |
	{proto, port, packets}]' "$LIVE_TMP/final.json")
[ "$rec" = '[{"proto":"udp","port":443,"packets":3000}]' ] &&
	pass prom_series_record_prints_the_port_field || fail prom_series_record_prints_the_port_field "$rec"
sent_in=$((ig + quiet + busy))
[ -z "$bad" ] && [ "$(jq '[.tables[] | select(.name == "ports" and .direction == "ingress") | .entries[].packets] | add' "$LIVE_TMP/final.json")" = "$sent_in" ] &&
	pass prom_series_plus_other_equal_the_table_entries_exactly ||
	fail prom_series_plus_other_equal_the_table_entries_exactly "${bad}sent ingress $sent_in"
exit $FAILED
