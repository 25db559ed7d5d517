#!/usr/bin/env bash
# --prometheus: a scrape passes promtool; a real Prometheus server scraping
# flowtally answers PromQL sums by dport (and ICMP type/code) that equal what
# ftsend sent once the series count; a taken port is one error line and
# exit 1.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
. tests/live/lib_export.sh
FAILED=0

have_tools prometheus prometheus promtool curl jq || exit 0
live_veth 1500 || { fail prom_setup "cannot create the veth pair"; exit 1; }
port=$(free_port) && pport=$(free_port) || { fail prom_setup "no free port"; exit 1; }
live_start --interval 0.2 --direction ingress --prometheus "127.0.0.1:$port" ||
	{ fail prom_start "flowtally did not start"; exit 1; }

cat >"$LIVE_TMP/prometheus.yml" <<CONF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: flowtally
    static_configs:
      - targets: ['127.0.0.1:$port']
CONF
prometheus --config.file="$LIVE_TMP/prometheus.yml" --storage.tsdb.path="$LIVE_TMP/tsdb" \
	--web.listen-address="127.0.0.1:$pport" --log.level=warn >"$LIVE_TMP/prometheus.log" 2>&1 &
EXPORT_PIDS+=($!)

in_ns "$FTSEND" -i "$VB" --seed 21 --count 3000 --rate 3000 --malformed 5 \
	--expect "$LIVE_TMP/in.json" || fail prom_send "ftsend failed"
sleep 0.5	# an interval or two: the counts are in the exposition

# it listens where it was told and nowhere else
where=$(ss -Hltn "sport = :$port" | awk '{ print $4 }' | tr '\n' ' ')
[ "$where" = "127.0.0.1:$port " ] && pass prom_listens_only_on_the_given_address ||
	fail prom_listens_only_on_the_given_address "listening on: $where"

# the exposition itself: promtool has nothing to say, and the sum is exact
curl -sf "http://127.0.0.1:$port/metrics" >"$LIVE_TMP/metrics.txt" || fail prom_scrape "curl failed"
lint=$(promtool check metrics <"$LIVE_TMP/metrics.txt" 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ -z "$lint" ]; then
	pass prom_promtool_check_metrics_is_clean
else
	fail prom_promtool_check_metrics_is_clean "rc $rc: $(echo "$lint" | head -3 | tr '\n' ';')"
fi
# the standard process families and the last interval's end, from the
# running process itself
fds=$(ls "/proc/$FT_PID/fd" | wc -l)
missing=
for m in process_cpu_seconds_total process_start_time_seconds process_resident_memory_bytes \
	process_open_fds process_max_fds flowtally_last_interval_timestamp_seconds; do
	grep -q "^$m [0-9]" "$LIVE_TMP/metrics.txt" || missing+="$m "
done
open_fds=$(awk '$1 == "process_open_fds" { print $2 }' "$LIVE_TMP/metrics.txt")
[ -z "$missing" ] && [ "$open_fds" -ge 3 ] && [ "$open_fds" -le "$((fds + 2))" ] &&
	pass prom_serves_process_metrics_and_last_interval_timestamp ||
	fail prom_serves_process_metrics_and_last_interval_timestamp "missing: $missing; open fds $open_fds of $fds"
got=$(grep '^flowtally_packets_total{table="ports",direction="ingress"' "$LIVE_TMP/metrics.txt" |
	awk '{ s += $NF } END { print s + 0 }')
want=$(jq '[.entries[].packets] | add' "$LIVE_TMP/in.json")
[ "$got" = "$want" ] && pass prom_scrape_sums_to_sent_packets ||
	fail prom_scrape_sums_to_sent_packets "got $got, want $want"

# A key's first traffic comes before its series (which shows 0 until a
# scrape saw it and a window of 10 intervals passed): that stays in other.
# The same frames again, once the series count: what Prometheus stores per
# dport (ICMP has no dport: its rows are the group without one) and, for
# ICMP, per type and code, is that second round exactly.
sleep 3
curl -sf "http://127.0.0.1:$port/metrics" >/dev/null
in_ns "$FTSEND" -i "$VB" --seed 21 --count 3000 --rate 3000 --malformed 5 \
	--expect "$LIVE_TMP/in2.json" || fail prom_send "ftsend failed"
cmp -s "$LIVE_TMP/in.json" "$LIVE_TMP/in2.json" || fail prom_send "the second round differs"
want_dport=$(jq -S -c '[.entries[] | {k: (if .proto == 1 or .proto == 58 then "" else "\(.dport)" end),
	p: .packets, b: .bytes}] | group_by(.k) |
	map({key: .[0].k, value: [(map(.p) | add), (map(.b) | add)]}) | from_entries' "$LIVE_TMP/in.json")
want_icmp=$(jq -S -c '[.entries[] | select(.proto == 1 or .proto == 58) |
	{k: "\(.dport / 256 | floor)/\(.dport % 256)", p: .packets}] | group_by(.k) |
	map({key: .[0].k, value: (map(.p) | add)}) | from_entries' "$LIVE_TMP/in.json")
query() {
	curl -sf --max-time 5 "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1"
}
by_dport() {
	local p b
	p=$(query 'sum by (dport) (flowtally_packets_total{table="ports",direction="ingress",dport!="other"})') &&
	b=$(query 'sum by (dport) (flowtally_bytes_total{table="ports",direction="ingress",dport!="other"})') || return 1
	jq -S -c -n --argjson p "$p" --argjson b "$b" '
		def m(r): r.data.result | map({key: (.metric.dport // ""), value: (.value[1] | tonumber)}) | from_entries;
		m($p) as $mp | m($b) as $mb | $mp | with_entries(.value = [.value, $mb[.key]])'
}
by_icmp() {
	query 'sum by (icmp_type, icmp_code) (flowtally_packets_total{table="ports",direction="ingress",icmp_type!=""})' |
		jq -S -c '.data.result | map({key: "\(.metric.icmp_type)/\(.metric.icmp_code)", value: (.value[1] | tonumber)}) | from_entries'
}
matches() { [ "$(by_dport)" = "$want_dport" ] && [ "$(by_icmp)" = "$want_icmp" ]; }
# Prometheus starts, then scrapes every second: 30 s at most
if wait_for 30 matches; then
	pass prom_promql_sum_by_dport_equals_sent
	pass prom_promql_icmp_by_type_and_code_equals_sent
else
	got=$(by_dport)
	if [ -z "$got" ]; then
		fail prom_promql_sum_by_dport_equals_sent "no answer from Prometheus: $(tail -3 "$LIVE_TMP/prometheus.log" | tr '\n' ';')"
	else
		d=$(jq -rn --argjson g "$got" --argjson w "$want_dport" \
			'($g | keys) + ($w | keys) | unique[] as $k | select($g[$k] != $w[$k]) | "dport \"\($k)\": got \($g[$k]), want \($w[$k])"' | head -3 | tr '\n' ';')
		[ -z "$d" ] && pass prom_promql_sum_by_dport_equals_sent || fail prom_promql_sum_by_dport_equals_sent "$d"
		[ "$(by_icmp)" = "$want_icmp" ] && pass prom_promql_icmp_by_type_and_code_equals_sent ||
			fail prom_promql_icmp_by_type_and_code_equals_sent "got $(by_icmp), want $want_icmp"
	fi
fi

# a port already taken: one line, exit 1, before anything is loaded
"$FT" run -i "$VA" --prometheus "127.0.0.1:$port" >/dev/null 2>"$LIVE_TMP/busy.txt"
rc=$?
lines=$(wc -l <"$LIVE_TMP/busy.txt")
if [ $rc -eq 1 ] && [ "$lines" -eq 1 ] && grep -q "cannot listen on 127.0.0.1:$port" "$LIVE_TMP/busy.txt"; then
	pass prom_port_taken_is_one_error_and_exit_1
else
	fail prom_port_taken_is_one_error_and_exit_1 "exit $rc, $lines lines: $(head -2 "$LIVE_TMP/busy.txt" | tr '\n' ';')"
fi
"$FT" run -i "$VA" --prometheus "localhost:$port" >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ] && pass prom_name_instead_of_address_is_usage_error ||
	fail prom_name_instead_of_address_is_usage_error "exit $rc"

live_stop INT
rc=$?
[ $rc -eq 0 ] && pass prom_sigint_exits_0 || fail prom_sigint_exits_0 "exit status $rc"
exit $FAILED
