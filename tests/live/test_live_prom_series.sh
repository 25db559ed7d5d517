#!/usr/bin/env bash
# Bounded Prometheus series on a server's traffic, scraped every 0.1 s the
# whole run as Prometheus would: replies walking through thousands of
# clients' ephemeral ports on egress keep every table and direction within
# --prometheus-max-series (live; with the frozen, twice that), a 'port'
# table keys them all as the service port, a busy port arriving late on a
# full ingress displaces an idle one, 'other' never decreases over any
# scrape, a series never decreases while shown, and per table and direction
# sum(increase(series)) + increase(other) over the scrapes is what the
# table's entries in the final record grew by, exactly (a series comes at 0,
# and one that goes is not counted again in other).
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

SCRAPER=
prom_cleanup() {
	[ -n "$SCRAPER" ] && kill "$SCRAPER" 2>/dev/null && wait "$SCRAPER" 2>/dev/null
	live_cleanup
}
trap prom_cleanup EXIT

live_veth 1500 || { fail prom_series_setup "cannot create the veth pair"; exit 1; }
port=$(free_port) || { fail prom_series_setup "no free port"; exit 1; }
# windows of 10 intervals (2 s): a series comes at 0 and goes frozen for at
# least a window, which the scraper below sees many times over
WINDOW=10
live_start --interval 0.2 --prometheus "127.0.0.1:$port" --prometheus-max-series $MAX \
	--prometheus-window $WINDOW --prometheus-expire 2 -t ports=proto,dport -t svc=proto,port ||
	{ fail prom_series_start "flowtally did not start"; exit 1; }
scrape() { curl -sf --max-time 5 "http://127.0.0.1:$port/metrics" >"$LIVE_TMP/$1.txt"; }
# every 0.1 s (at most 900 scrapes, 3 minutes) into scrape.N.txt
(
	for i in $(seq -w 900); do
		curl -sf --max-time 2 "http://127.0.0.1:$port/metrics" >"$LIVE_TMP/s.tmp" &&
			mv "$LIVE_TMP/s.tmp" "$LIVE_TMP/scrape.$i.txt"
		sleep 0.1
	done
) &
SCRAPER=$!
for _ in $(seq 50); do ls "$LIVE_TMP"/scrape.*.txt >/dev/null 2>&1 && break; sleep 0.1; done
# series NAME TABLE DIR: the own series (not 'other') of a scrape
series() {
	grep "^flowtally_packets_total{table=\"$2\",direction=\"$3\"," "$LIVE_TMP/$1.txt" | grep -vc '"other"'
}
# value NAME TABLE DIR: the sum of the table direction's series and other
value() {
	grep "^flowtally_packets_total{table=\"$2\",direction=\"$3\"," "$LIVE_TMP/$1.txt" |
		awk '{ s += $NF } END { print s + 0 }'
}

# a server: replies from 443 to 3000 ephemeral ports on egress; its clients'
# requests to 443 from those ports on ingress, and 12 quiet ports that fill
# the ingress budget of the dport table
eg=$(udp "$VA" 443 30000 3000)
ig=$(in_ns bash -c "$(declare -f udp); PY=$PY; udp $VB -30000 443 3000")
quiet=$(in_ns bash -c "$(declare -f udp); PY=$PY; udp $VB 40000 7000 12")
[ "$eg" = 3000 ] && [ "$ig" = 3000 ] && [ "$quiet" = 12 ] || fail prom_series_send "sent $eg, $ig, $quiet"
sleep 4.5	# two windows and more: every table and direction ranked
scrape walk || fail prom_series_scrape "curl failed"
over=
for t in ports svc; do
	for d in ingress egress; do
		n=$(series walk $t $d)
		g=$(sed -n "s/^flowtally_table_series{table=\"$t\",direction=\"$d\"} //p" "$LIVE_TMP/walk.txt")
		[ "${g:-99}" -le $MAX ] && [ "$n" -ge "${g:-99}" ] && [ "$n" -le $((2 * MAX)) ] ||
			over+="$t/$d: $n series, gauge '$g'; "
		# 3000 ephemeral ports: the dport table's egress is full, not empty
		[ $t/$d != ports/egress ] || [ "$g" = $MAX ] || over+="ports/egress: gauge $g; "
	done
done
[ -z "$over" ] && pass prom_series_stay_within_budget_per_table_and_direction ||
	fail prom_series_stay_within_budget_per_table_and_direction "$over"
if command -v promtool >/dev/null; then
	lint=$(promtool check metrics <"$LIVE_TMP/walk.txt" 2>&1)
	[ $? -eq 0 ] && [ -z "$lint" ] && pass prom_series_promtool_check_metrics_is_clean ||
		fail prom_series_promtool_check_metrics_is_clean "$(echo "$lint" | head -3 | tr '\n' ';')"
fi
# one key only, the service port: its series and other (what it counted
# before the series came) are the 3000 replies
svc_eg=$(grep '^flowtally_packets_total{table="svc",direction="egress",' "$LIVE_TMP/walk.txt" | grep -v '"other"')
[ "$(echo "$svc_eg" | grep -c .)" = 1 ] && echo "$svc_eg" | grep -q 'proto="udp",port="443"} ' &&
	[ "$(value walk svc egress)" = 3000 ] &&
	pass prom_series_port_table_keys_replies_by_the_service_port ||
	fail prom_series_port_table_keys_replies_by_the_service_port "$(echo "$svc_eg" | head -3 | tr '\n' ';') sum $(value walk svc egress)"

# the ingress of the dport table is full (443 and the quiet ports); a busy
# port arrives and has its series at the next window's end
[ "$(sed -n 's/^flowtally_table_series{table="ports",direction="ingress"} //p' "$LIVE_TMP/walk.txt")" = $MAX ] &&
	! grep -q 'dport="9999"' "$LIVE_TMP/walk.txt" ||
	fail prom_series_setup "ingress not full before the busy port: $(series walk ports ingress)"
busy=$(in_ns bash -c "$(declare -f udp); PY=$PY; udp $VB 50000 9999 1 400")
[ "$busy" = 400 ] || fail prom_series_send "busy port: sent $busy"
sleep 3
scrape late || fail prom_series_scrape "curl failed"
grep -q '^flowtally_packets_total{table="ports",direction="ingress",proto="udp",dport="9999"} ' \
	"$LIVE_TMP/late.txt" && [ "$(series late ports ingress)" -le $((2 * MAX)) ] &&
	pass prom_series_busy_late_port_displaces_an_idle_one ||
	fail prom_series_busy_late_port_displaces_an_idle_one "$(grep 'ports",direction="ingress"' "$LIVE_TMP/late.txt" | head -12 | tr '\n' ';')"
# the busy port again, counted by its series now; then no more traffic:
# series expire (2 windows), freeze, go, and the scraper sees it
busy2=$(in_ns bash -c "$(declare -f udp); PY=$PY; udp $VB 50000 9999 1 300")
[ "$busy2" = 300 ] || fail prom_series_send "busy port again: sent $busy2"
sleep 11
gone=$(ls "$LIVE_TMP"/scrape.*.txt | tail -1)
grep -q 'dport="9999"' "$gone" && fail prom_series_setup "the busy port did not expire: $(grep 'dport="9999"' "$gone")"
kill "$SCRAPER" 2>/dev/null
wait "$SCRAPER" 2>/dev/null
SCRAPER=

live_stop INT
rc=$?
[ $rc -eq 0 ] || fail prom_series_sigint_exits_0 "exit status $rc"
grep '"type":"final"' "$LIVE_TMP/out.json" >"$LIVE_TMP/final.json"
for t in ports svc; do
	for d in ingress egress; do
		jq --arg t "$t" --arg d "$d" \
			'[.tables[] | select(.name == $t and .direction == $d) | .entries[].packets] | add // 0' \
			"$LIVE_TMP/final.json"
	done
done >"$LIVE_TMP/want.txt"
# every scrape in order: Prometheus' increase() per series, other and the
# budget; one line per check, "name ok" or "name why"
"$PY" - "$LIVE_TMP" "$MAX" "$WINDOW" <<'PYEOF' >"$LIVE_TMP/checks.txt"
import glob, re, sys
tmp, MAX, WINDOW = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
want = [int(x) for x in open(tmp + "/want.txt").read().split()]
pairs = [(t, d) for t in ("ports", "svc") for d in ("ingress", "egress")]
line = re.compile(r'^flowtally_packets_total\{table="([^"]+)",direction="([^"]+)",(.*)\} (\d+)$')
files = sorted(glob.glob(tmp + "/scrape.*.txt"))
last, before, inc, other, first = {}, {}, {}, {}, {}
bad = {"other": [], "series": [], "budget": [], "zero": []}
gap, prev_iv = 0, None
for n, f in enumerate(files):
    now, ex = {}, {}
    for l in open(f):
        m = re.match(r"^flowtally_intervals_total (\d+)$", l)
        if m:
            iv = int(m.group(1))
            gap = max(gap, iv - prev_iv) if prev_iv is not None else gap
            prev_iv = iv
        m = re.match(r'^flowtally_table_series\{table="([^"]+)",direction="([^"]+)"\} (\d+)$', l)
        if m and int(m.group(3)) > MAX:
            bad["budget"].append("%s: gauge %s" % (f, m.group(3)))
        m = line.match(l)
        if not m:
            continue
        td, labels, v = (m.group(1), m.group(2)), m.group(3), int(m.group(4))
        if '"other"' in labels:
            if v < other.get(td, 0):
                bad["other"].append("%s %s: %d -> %d" % (f, td, other[td], v))
            other[td] = v
            continue
        ex[td] = ex.get(td, 0) + 1
        k = (td, labels)
        now[k] = v
        if n == 0:
            first[td] = first.get(td, 0) + v
        if k in before and v < last[k]:
            bad["series"].append("%s %s: %d -> %d" % (f, labels, last[k], v))
        if k not in before and n > 0 and v != 0:
            bad["zero"].append("%s %s: %d" % (f, labels, v))
        if k in last:
            inc[td] = inc.get(td, 0) + (v - last[k] if v >= last[k] else v)
        last[k] = v
    for td, c in ex.items():
        if c > 2 * MAX:
            bad["budget"].append("%s %s: %d series" % (f, td, c))
    before = now
print("scraped_all_along", "ok" if len(files) >= 100 else "only %d scrapes" % len(files))
for name, b in (("other_never_decreases", bad["other"]), ("series_never_decrease_while_shown", bad["series"]),
                ("budget_every_scrape", bad["budget"])):
    print(name, "ok" if not b else "; ".join(b[:3]))
diff = []
for (td, w) in zip(pairs, want):
    # what the first scrape showed (series at 0 but those counted already,
    # other) plus every increase since
    got = first.get(td, 0) + inc.get(td, 0) + other.get(td, 0)
    if got != w or w == 0:
        diff.append("%s/%s: increase %d, entries %d" % (td[0], td[1], got, w))
if gap >= WINDOW:
    print("series_come_at_0 skip a scrape gap of %d intervals (the machine is too loaded)" % gap)
    print("increase_exact skip a scrape gap of %d intervals (the machine is too loaded)" % gap)
else:
    print("series_come_at_0", "ok" if not bad["zero"] else "; ".join(bad["zero"][:3]))
    print("increase_exact", "ok" if not diff else "; ".join(diff))
PYEOF
while read -r name why; do
	case "$why" in
	ok) pass "prom_series_$name" ;;
	skip*) skip "prom_series_$name" "${why#skip }" ;;
	*) fail "prom_series_$name" "$why" ;;
	esac
done <"$LIVE_TMP/checks.txt"
# the record names the field 'port'
rec=$(jq -c '[.tables[] | select(.name == "svc" and .direction == "egress") | .entries[] |
	{proto, port, packets}]' "$LIVE_TMP/final.json")
[ "$rec" = '[{"proto":"udp","port":443,"packets":3000}]' ] &&
	pass prom_series_record_prints_the_port_field || fail prom_series_record_prints_the_port_field "$rec"
sent_in=$((ig + quiet + busy + busy2))
[ "$(jq '[.tables[] | select(.name == "ports" and .direction == "ingress") | .entries[].packets] | add' "$LIVE_TMP/final.json")" = "$sent_in" ] &&
	pass prom_series_final_entries_are_what_was_sent ||
	fail prom_series_final_entries_are_what_was_sent "sent ingress $sent_in"
exit $FAILED
