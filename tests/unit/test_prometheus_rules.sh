#!/usr/bin/env bash
# contrib/prometheus: promtool finds the rules valid, and its unit tests
# (flowtally.test.yml) see each alert fire on the series meant to fire it and
# stay silent on the others; every alert has a runbook entry in README.md.
cd "$(dirname "$0")/../.." || exit 1
FAILED=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1${2:+: $2}"; FAILED=1; }
skip() { echo "SKIP $1: $2"; }

if ! command -v promtool >/dev/null; then
	skip prometheus_rules "promtool is missing: prometheus could not be installed"
	exit 0
fi
dir=contrib/prometheus
out=$(promtool check rules "$dir/flowtally.rules.yml" "$dir/flowtally.alerts.yml" 2>&1) &&
	pass prometheus_rules_check || fail prometheus_rules_check "$(echo "$out" | grep -v '^$' | tail -2 | tr '\n' ';')"
out=$(cd "$dir" && promtool test rules flowtally.test.yml 2>&1) &&
	pass prometheus_alerts_fire_and_stay_silent_as_tested ||
	fail prometheus_alerts_fire_and_stay_silent_as_tested "$(echo "$out" | head -8 | tr '\n' ';')"
alerts=$(sed -n 's/^ *- alert: //p' "$dir/flowtally.alerts.yml")
tested=$(sed -n 's/^ *alertname: //p' "$dir/flowtally.test.yml" | sort -u)
untested=$(comm -23 <(sort <<<"$alerts") <(echo "$tested") | paste -sd' ')
[ -z "$untested" ] && pass prometheus_every_alert_has_a_test || fail prometheus_every_alert_has_a_test "$untested"
nobook=
for a in $alerts; do
	grep -q "^#### $a\$" README.md || nobook+="$a "
done
[ -z "$nobook" ] && pass prometheus_every_alert_has_a_runbook_in_readme ||
	fail prometheus_every_alert_has_a_runbook_in_readme "$nobook"
exit $FAILED
