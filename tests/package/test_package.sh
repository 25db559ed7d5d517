#!/usr/bin/env bash
# make test-package: builds the .deb as `make deb` does, installs it on this
# machine as an operator would, then removes and purges it. Root. It changes the system's
# packages, so it is not part of `make test`; .ci/run runs it after.
#   lintian; Depends = the packages of the libraries flowtally links; install
#   starts and enables nothing; flowtally --version, man -w; the installed
#   unit's security score; logrotate and promtool on the installed files;
#   the live unit and dashboard tests with the installed binary, unit, env
#   file, rules and dashboard; remove keeps a pinned instance and its state,
#   purge too while it is loaded, and purge removes everything once it is not.
# Ends with "N passed, N failed, N skipped"; the package is purged whatever
# happens (trap).
cd "$(dirname "$0")/../.." || exit 1
REPO=$PWD
log=$(mktemp /tmp/ft-package.XXXXXX)
pass() { echo "PASS $1" | tee -a "$log"; }
fail() { echo "FAIL $1${2:+: $2}" | tee -a "$log"; }
skip() { echo "SKIP $1: $2" | tee -a "$log"; }
summary() {
	local p f s
	p=$(grep -c '^PASS ' "$log")
	f=$(grep -c '^FAIL ' "$log")
	s=$(grep -c '^SKIP ' "$log")
	echo "$p passed, $f failed, $s skipped"
	rm -f "$log"
	[ "$f" -eq 0 ] && [ "$p" -gt 0 ]
}

if [ "$(id -u)" -ne 0 ]; then
	skip package "needs root (it installs a package)"
	summary
	exit
fi
if dpkg-query -W -f='${Status}' flowtally 2>/dev/null | grep -q 'install ok installed'; then
	skip package "flowtally is installed on this machine already: the test would replace and purge it"
	summary
	exit
fi
# make deb, as part of the test: a build that fails is a FAIL line too
if out=$(scripts/build-deb.sh 2>&1); then
	pass package_builds_with_dpkg_buildpackage
else
	fail package_builds_with_dpkg_buildpackage "$(echo "$out" | tail -3 | tr '\n' ';')"
	summary
	exit 1
fi
deb=$(ls build/deb/flowtally_*_amd64.deb 2>/dev/null | head -1)
# nothing in the tree but build/, nothing beside it (dpkg-buildpackage's
# parent folder)
stray=$(git status --porcelain --ignored 2>/dev/null | grep -v ' build/$' | grep '^!!' | paste -sd' ')
stray+=$(ls -d ../flowtally_* ../flowtally-dbgsym_* 2>/dev/null | paste -sd' ')
[ -n "$deb" ] && [ -z "$stray" ] && pass package_outputs_stay_in_build_deb ||
	fail package_outputs_stay_in_build_deb "deb '$deb', ignored files outside build/: $stray"
deb=$(readlink -f "$deb")

. tests/live/lib.sh
# lib.sh has its own pass/fail/skip: these also keep the count
pass() { echo "PASS $1" | tee -a "$log"; }
fail() { echo "FAIL $1${2:+: $2}" | tee -a "$log"; }
skip() { echo "SKIP $1: $2" | tee -a "$log"; }
PINNED=
package_cleanup() {
	[ -n "$PINNED" ] && "$REPO/build/flowtally" stop "$PINNED" >/dev/null 2>&1
	dpkg -P flowtally >/dev/null 2>&1
	live_cleanup
}
trap package_cleanup EXIT
# no service is started by a package while this runs (as deps.sh does)
policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
	policy=/usr/sbin/policy-rc.d
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
	trap 'rm -f "$policy"; package_cleanup' EXIT
fi

# lintian: no error, no warning (an override says why where there is one)
out=$(lintian --fail-on error,warning "$deb" 2>&1 | grep -v 'root privileges')
[ -z "$out" ] && pass package_lintian_clean || fail package_lintian_clean "$(echo "$out" | head -3 | tr '\n' ';')"

# Depends: the packages of the libraries the binary links, and only those
tmp=$LIVE_TMP/deb
dpkg-deb -x "$deb" "$tmp"
needed=$(objdump -p "$tmp/usr/sbin/flowtally" | awk '$1 == "NEEDED" { print $2 }')
want=$(for so in $needed; do
	f=$(ldconfig -p | awk -v s="$so" '$1 == s { print $NF; exit }')
	{ dpkg -S "$f" 2>/dev/null || dpkg -S "$(readlink -f "$f")" 2>/dev/null; } | cut -d: -f1 | head -1
done | sort -u | paste -sd' ')
# and procps: the unit's ExecReload runs /bin/kill
want=$(echo $want procps | tr ' ' '\n' | sort -u | paste -sd' ')
got=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/(.*)//; s/ //g' | grep . | sort -u | paste -sd' ')
[ -n "$want" ] && [ "$got" = "$want" ] && pass package_depends_on_the_libraries_it_links_and_procps ||
	fail package_depends_on_the_libraries_it_links_and_procps "Depends: $got; want: $want"
echo "$got" | grep -q libbpf1 && echo "$got" | grep -q libmicrohttpd12 &&
	pass package_depends_on_libbpf1_and_libmicrohttpd12 ||
	fail package_depends_on_libbpf1_and_libmicrohttpd12 "$got"

# install: nothing started, nothing enabled
if out=$(DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb" 2>&1); then
	pass package_installs
else
	fail package_installs "$(echo "$out" | tail -3 | tr '\n' ';')"
	summary
	exit 1
fi
listed=$(dpkg -L flowtally)
# other flowtally processes of this machine (tests) are not the package's
running=$(for p in $(pgrep -x flowtally); do
	[ "$(readlink "/proc/$p/exe")" = /usr/sbin/flowtally ] && echo "$p"
done | paste -sd' ')
enabled=$(ls /etc/systemd/system/*.wants/ 2>/dev/null | grep flowtally | paste -sd' ')
[ -z "$running$enabled" ] && pass package_install_starts_and_enables_nothing ||
	fail package_install_starts_and_enables_nothing "running: $running, enabled: $enabled"

v=$(flowtally --version 2>&1)
[ "$(command -v flowtally)" = /usr/sbin/flowtally ] &&
	[ "$v" = "flowtally $(dpkg-query -W -f='${Version}' flowtally)" ] &&
	pass package_flowtally_version || fail package_flowtally_version "$(command -v flowtally): $v"
m=$(man -w flowtally 2>&1)
if grep -rqs '^path-exclude.*/usr/share/man' /etc/dpkg/dpkg.cfg /etc/dpkg/dpkg.cfg.d/; then
	skip package_man_page "dpkg is told not to install man pages here (path-exclude in /etc/dpkg)"
else
	[ "$m" = /usr/share/man/man8/flowtally.8.gz ] && pass package_man_page || fail package_man_page "$m"
fi

unit=/lib/systemd/system/flowtally@.service
mkdir -p "$LIVE_TMP/unit"
cp "$unit" "$LIVE_TMP/unit/flowtally@lo.service"
if out=$(systemd-analyze verify --man=no "$LIVE_TMP/unit/flowtally@lo.service" 2>&1) && [ -z "$out" ]; then
	pass package_unit_verifies
else
	fail package_unit_verifies "$(echo "$out" | head -2 | tr '\n' ';')"
fi
score=$(systemd-analyze security --offline=yes --no-pager "$LIVE_TMP/unit/flowtally@lo.service" 2>&1 |
	sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p')
echo "  unit exposure: ${score:-?}"
[ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 5.0) }' &&
	pass package_unit_security_exposure_at_most_5 ||
	fail package_unit_security_exposure_at_most_5 "score ${score:-none}"
grep -q '^ExecStart=/usr/sbin/flowtally run ' "$unit" && pass package_unit_runs_usr_sbin_flowtally ||
	fail package_unit_runs_usr_sbin_flowtally "$(grep ^ExecStart "$unit")"

out=$(logrotate -d /etc/logrotate.d/flowtally 2>&1)
grep -q 'considering log /var/log/flowtally/\*.json' <<<"$out" && ! grep -qi 'error' <<<"$out" &&
	pass package_logrotate_file_parses || fail package_logrotate_file_parses "$(echo "$out" | grep -i error | head -2)"

rules=/usr/share/flowtally/prometheus
if command -v promtool >/dev/null; then
	out=$(promtool check rules "$rules/flowtally.rules.yml" "$rules/flowtally.alerts.yml" 2>&1) &&
		pass package_promtool_check_rules || fail package_promtool_check_rules "$(echo "$out" | tail -2)"
	mkdir -p "$LIVE_TMP/rules"
	cp "$rules"/*.yml contrib/prometheus/flowtally.test.yml "$LIVE_TMP/rules/"
	out=$(cd "$LIVE_TMP/rules" && promtool test rules flowtally.test.yml 2>&1) &&
		pass package_promtool_test_rules || fail package_promtool_test_rules "$(echo "$out" | head -4 | tr '\n' ';')"
else
	skip package_promtool "promtool is missing"
fi

# the live tests, with what the package installed
run_live() {
	local name=$1 out rc
	shift
	out=$(env "$@" timeout --kill-after=10 300 bash "tests/live/$name.sh" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed -n 's/^\(PASS\|FAIL\|SKIP\) /\1 package_/p' | tee -a "$log"
	printf '%s\n' "$out" | grep -v '^\(PASS\|FAIL\|SKIP\) ' | sed 's/^/  /' >&2
	[ $rc -eq 0 ] || grep -q '^FAIL ' <<<"$out" || fail "package_$name" "exited with status $rc"
}
run_live test_live_unit FT=/usr/sbin/flowtally FT_UNIT=$unit FT_DEFAULT_ENV=/etc/default/flowtally
run_live test_live_dashboard FT=/usr/sbin/flowtally FT_DASHBOARD=/usr/share/flowtally/grafana/flowtally.json \
	FT_RULES_DIR=$rules

# remove, then purge, while an instance is pinned and counting: its pins and
# saved totals stay
live_veth 1500 || fail package_veth "cannot create the veth pair"
PINNED=pkg$LIVE_ID
if flowtally run -i "$VA" --pin "$PINNED" --keep --duration 0.3 >/dev/null 2>"$LIVE_TMP/pin.err"; then
	state=/var/lib/flowtally/$PINNED.state pins=/sys/fs/bpf/flowtally/$PINNED
	dpkg -r flowtally >/dev/null 2>&1
	[ -d "$pins" ] && [ -f "$state" ] && [ ! -e /usr/sbin/flowtally ] &&
		pass package_remove_leaves_a_pinned_instance_alone ||
		fail package_remove_leaves_a_pinned_instance_alone "pins $(ls -d "$pins" 2>&1), state $(ls "$state" 2>&1)"
	out=$(dpkg -P flowtally 2>&1)
	[ -d "$pins" ] && [ -f "$state" ] && grep -q "pinned instances still counting: .*$PINNED" <<<"$out" &&
		pass package_purge_keeps_a_loaded_instance_and_says_so ||
		fail package_purge_keeps_a_loaded_instance_and_says_so "$(echo "$out" | tail -1)"
	"$REPO/build/flowtally" stop "$PINNED" >/dev/null 2>&1 && PINNED=
else
	fail package_pinned_instance "$(head -1 "$LIVE_TMP/pin.err")"
	PINNED=
fi

# install again and purge with nothing loaded: nothing is left
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb" >/dev/null 2>&1 ||
	fail package_reinstall "apt-get install failed"
mkdir -p /var/log/flowtally /var/lib/flowtally	# as systemd's LogsDirectory and StateDirectory
echo '{}' >/var/log/flowtally/eth0.json
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sf "$unit" /etc/systemd/system/multi-user.target.wants/flowtally@eth0.service
others=$(ls /sys/fs/bpf/flowtally 2>/dev/null | paste -sd' ')
dpkg -P flowtally >/dev/null 2>&1
left=
while IFS= read -r f; do
	[ -d "$f" ] && continue	# shared folders (/usr/share/man/man8, /etc/default) stay
	[ -e "$f" ] && left+="$f "
done <<<"$listed"
for d in /usr/share/flowtally /usr/share/doc/flowtally /etc/flowtally /var/log/flowtally \
	/etc/systemd/system/multi-user.target.wants/flowtally@eth0.service; do
	[ -e "$d" ] && left+="$d "
done
# an instance pinned meanwhile (another suite on this machine) is another too
others=$(echo $others $(ls /sys/fs/bpf/flowtally 2>/dev/null))
if [ -n "$others" ]; then
	skip package_purge_removes_the_state "other pinned instances on this machine ($others): purge keeps the state"
else
	for d in /var/lib/flowtally /sys/fs/bpf/flowtally; do [ -e "$d" ] && left+="$d "; done
fi
dpkg-query -W -f='${Status}' flowtally 2>/dev/null | grep -q 'install ok installed' && left+="(still installed) "
[ -z "$left" ] && pass package_purge_leaves_nothing || fail package_purge_leaves_nothing "left: $left"
summary
