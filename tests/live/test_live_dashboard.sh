#!/usr/bin/env bash
# contrib/grafana/flowtally.json and contrib/prometheus/ against a real
# scrape: every metric a panel or a rule uses is a family of flowtally's
# /metrics (and every family is in the man page), and a Prometheus server that scrapes flowtally and loads the
# rules answers every panel's query with figures (Grafana itself is not in
# Debian: its variables are replaced as it would replace them).
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
. tests/live/lib_export.sh
FAILED=0
DASH=${FT_DASHBOARD:-contrib/grafana/flowtally.json}
RULES_DIR=${FT_RULES_DIR:-contrib/prometheus}

have_tools dashboard prometheus promtool curl jq || exit 0
live_veth 1500 || { fail dashboard_setup "cannot create the veth pair"; exit 1; }
port=$(free_port) && pport=$(free_port) || { fail dashboard_setup "no free port"; exit 1; }
live_start --interval 0.2 --prometheus "127.0.0.1:$port" -t ports=proto,dport \
	-t lru=proto,dport:lru:size=64 || { fail dashboard_start "flowtally did not start"; exit 1; }
in_ns "$FTSEND" -i "$VB" --seed 31 --count 1000 --rate 2000 --malformed 5 \
	--expect "$LIVE_TMP/in.json" >/dev/null || fail dashboard_send "ftsend failed"
sleep 0.5
curl -sf "http://127.0.0.1:$port/metrics" >"$LIVE_TMP/metrics.txt" ||
	{ fail dashboard_scrape "curl failed"; exit 1; }
families=$(sed -n 's/^# TYPE \([a-z_:]*\) .*/\1/p' "$LIVE_TMP/metrics.txt" | sort -u)

# every family of the scrape is in the man page
undocumented=$(for f in $families; do grep -q "$f" man/flowtally.8 || echo "$f"; done | paste -sd' ')
[ -n "$families" ] && [ -z "$undocumented" ] && pass man_page_documents_every_metric_family ||
	fail man_page_documents_every_metric_family "not in man/flowtally.8: ${undocumented:-no family scraped}"

# metric names: words that start like flowtally's or the process families,
# never a recording rule (those have a colon)
names_in() { grep -oE '\b(flowtally|process)_[a-z_]+\b' | sort -u; }
exprs=$(jq -r '.. | objects | (.expr?, .definition?) // empty' "$DASH")
missing=$(comm -23 <(names_in <<<"$exprs") <(echo "$families") | paste -sd' ')
[ -n "$exprs" ] && [ -z "$missing" ] && pass dashboard_metric_names_exist_in_a_real_scrape ||
	fail dashboard_metric_names_exist_in_a_real_scrape "not in /metrics: ${missing:-no query found}"
missing=$(cat "$RULES_DIR"/flowtally.rules.yml "$RULES_DIR"/flowtally.alerts.yml | grep -v '^ *#' |
	names_in | comm -23 - <(echo "$families") | paste -sd' ')
[ -z "$missing" ] && pass rules_metric_names_exist_in_a_real_scrape ||
	fail rules_metric_names_exist_in_a_real_scrape "not in /metrics: $missing"
ds=$(jq -r '[.templating.list[] | select(.type == "datasource")][0].query' "$DASH")
uids=$(jq -r '[.. | objects | .datasource? | objects | .uid] | unique | join(" ")' "$DASH")
[ "$ds" = prometheus ] && [ "$uids" = '${datasource}' ] &&
	pass dashboard_datasource_is_a_variable ||
	fail dashboard_datasource_is_a_variable "variable query '$ds', panel uids '$uids'"

cat >"$LIVE_TMP/prometheus.yml" <<CONF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $(readlink -f "$RULES_DIR")/flowtally.rules.yml
  - $(readlink -f "$RULES_DIR")/flowtally.alerts.yml
scrape_configs:
  - job_name: flowtally
    static_configs:
      - targets: ['127.0.0.1:$port']
CONF
prometheus --config.file="$LIVE_TMP/prometheus.yml" --storage.tsdb.path="$LIVE_TMP/tsdb" \
	--web.listen-address="127.0.0.1:$pport" --log.level=warn >"$LIVE_TMP/prometheus.log" 2>&1 &
EXPORT_PIDS+=($!)
# keep frames coming, so that every rate has figures
in_ns "$FTSEND" -i "$VB" --seed 32 --count 60000 --rate 1000 --malformed 5 >/dev/null 2>&1 &
EXPORT_PIDS+=($!)

# each panel query as Grafana sends it: all instances, the default table
panel_queries=$(jq -r '.panels[].targets[]?.expr' "$DASH" |
	sed -e 's/\$instance/.*/g' -e 's/\$table/ports/g' -e 's/\$topn/10/g' \
	    -e 's/\$__rate_interval/5s/g')
query() {
	curl -sf --max-time 5 "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1"
}
empty_panels() {
	local q n
	while IFS= read -r q; do
		n=$(query "$q" | jq '.data.result | length' 2>/dev/null)
		[ "${n:-0}" -gt 0 ] || echo "$q"
	done <<<"$panel_queries"
}
if wait_for 30 eval '[ -z "$(empty_panels)" ]'; then
	pass dashboard_every_panel_has_figures_from_prometheus
else
	fail dashboard_every_panel_has_figures_from_prometheus \
		"no figures: $(empty_panels | head -2 | cut -c1-120 | tr '\n' ';')"
fi
rules_ok() {
	local r
	for r in flowtally:bytes:rate1m flowtally:seen_bits:rate1m flowtally:table_fill:ratio \
		flowtally:last_interval_age:seconds flowtally:unclassified:ratio5m; do
		[ "$(query "$r" | jq '.data.result | length')" -gt 0 ] || { echo "$r"; return 1; }
	done
}
wait_for 20 rules_ok >/dev/null && pass rules_record_from_a_real_scrape ||
	fail rules_record_from_a_real_scrape "empty: $(rules_ok)"
# nothing here overflows, fills, fails to export or stalls: no alert fires
# (the share of malformed frames is 5%, and the alert needs more than 5%
# for ten minutes)
firing=$(query 'ALERTS{alertstate="firing"}' | jq -r '[.data.result[].metric.alertname] | join(" ")')
[ -z "$firing" ] && pass rules_no_alert_on_a_healthy_instance ||
	fail rules_no_alert_on_a_healthy_instance "firing: $firing"
live_stop INT >/dev/null
exit $FAILED
