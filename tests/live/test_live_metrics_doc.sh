#!/usr/bin/env bash
# Every metric family /metrics serves is documented in README.md and in the
# man page, and every family they document is served: a real scrape (an
# LRU table among the tables, so that the LRU-only family is there too)
# compared with both documents' lists.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
. tests/live/lib_export.sh
FAILED=0

have_tools metrics_doc curl python3 || exit 0
live_veth 1500 || { fail metrics_doc_setup "cannot create the veth pair"; exit 1; }
port=$(free_port) || { fail metrics_doc_setup "no free port"; exit 1; }
live_start --interval 0.2 --prometheus "127.0.0.1:$port" -t ports=proto,dport \
	-t recent=flow:lru ||
	{ fail metrics_doc_start "flowtally did not start"; exit 1; }
in_ns "$FTSEND" -i "$VB" --seed 71 --count 200 --rate 2000 --malformed 5 >/dev/null ||
	fail metrics_doc_send "ftsend failed"
sleep 0.5	# an interval or two: the counts are in the exposition
curl -sf --max-time 5 "http://127.0.0.1:$port/metrics" >"$LIVE_TMP/metrics.txt" ||
	fail metrics_doc_scrape "curl failed"
live_stop INT

out=$(python3 tests/live/metric_families.py README.md man/flowtally.8 "$LIVE_TMP/metrics.txt")
rc=$?
[ $rc -eq 0 ] && pass "metrics_every_family_served_is_in_readme_and_man_page (${out##*$'\n'})" ||
	fail metrics_every_family_served_is_in_readme_and_man_page "$(echo "$out" | head -4 | tr '\n' ';')"
exit $FAILED
