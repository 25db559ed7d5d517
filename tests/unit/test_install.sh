#!/usr/bin/env bash
# make install DESTDIR=...: the binary, the man page (which man renders
# without a warning), the systemd unit (which systemd-analyze verifies, and
# scores, where it is installed), its environment file, the logrotate file,
# the Prometheus rules and the Grafana dashboard, at their paths under
# DESTDIR; no root needed.
cd "$(dirname "$0")/../.." || exit 1
FAILED=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1${2:+: $2}"; FAILED=1; }
skip() { echo "SKIP $1: $2"; }

dest=$(mktemp -d /tmp/ft-install.XXXXXX)
trap 'rm -rf "$dest"' EXIT
bin=$dest/usr/local/sbin/flowtally
man8=$dest/usr/local/share/man/man8/flowtally.8
unit=$dest/lib/systemd/system/flowtally@.service

if ! out=$(make -s install DESTDIR="$dest" 2>&1); then
	fail install_make_install "$(echo "$out" | tail -3 | tr '\n' ';')"
	exit 1
fi
[ -x "$bin" ] && "$bin" version | grep -q '^flowtally ' && pass install_binary_runs ||
	fail install_binary_runs "$bin"

if [ ! -f "$man8" ]; then
	fail install_man_page_renders_without_warnings "no $man8"
elif ! command -v man >/dev/null; then
	skip install_man_page_renders_without_warnings "man is missing: man-db could not be installed"
else
	warn=$(MANWIDTH=80 man --warnings -l "$man8" 2>&1 >/dev/null)
	text=$(MANWIDTH=80 man -l "$man8" 2>/dev/null)
	if [ -z "$warn" ] && grep -q "EXIT STATUS" <<<"$text" && grep -q "127.0.0.1:9753" <<<"$text"; then
		pass install_man_page_renders_without_warnings
	else
		fail install_man_page_renders_without_warnings "$(echo "$warn" | head -2 | tr '\n' ';')"
	fi
fi

if [ ! -f "$unit" ]; then
	fail install_unit_verifies "no $unit"
elif ! command -v systemd-analyze >/dev/null; then
	skip install_unit_verifies "systemd-analyze is missing (systemd not installed)"
else
	# verify looks for ExecStart on this host: point it at the installed binary
	mkdir -p "$dest/verify"
	sed "s|/usr/local/sbin/flowtally|$bin|" "$unit" >"$dest/verify/flowtally@lo.service"
	if out=$(systemd-analyze verify --man=no "$dest/verify/flowtally@lo.service" 2>&1) &&
		[ -z "$out" ]; then
		pass install_unit_verifies
	else
		fail install_unit_verifies "$(echo "$out" | head -3 | tr '\n' ';')"
	fi
fi
grep -q '^ExecStart=/usr/local/sbin/flowtally run -i %i --pin %i --keep .*\$FLOWTALLY_OPTS \$FLOWTALLY_INSTANCE_OPTS$' "$unit" &&
	grep -q '^Restart=on-failure' "$unit" && pass install_unit_runs_the_installed_binary ||
	fail install_unit_runs_the_installed_binary "$(grep '^ExecStart' "$unit")"

# the hardened unit: systemd's own exposure score, 5.0 at most (lower is
# better; the capabilities flowtally needs keep it above 2)
if command -v systemd-analyze >/dev/null && [ -f "$unit" ] &&
	out=$(systemd-analyze security --offline=yes --no-pager \
		"$dest/verify/flowtally@lo.service" 2>&1); then
	score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p' <<<"$out")
	if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 5.0) }'; then
		pass "install_unit_security_exposure_at_most_5 ($score)"
	else
		fail install_unit_security_exposure_at_most_5 "score '${score:-none}': $(tail -1 <<<"$out")"
	fi
else
	skip install_unit_security_exposure_at_most_5 "systemd-analyze security --offline=yes is not available"
fi

# systemd's ProtectKernelTunables=yes mounts /sys/fs/bpf read-only whatever
# ReadWritePaths= says (seen under systemd-nspawn): the unit sets the same
# read-only paths itself, and must not set it
if [ -f "$unit" ] && ! grep -q '^ProtectKernelTunables=yes' "$unit" &&
	grep -q '^ReadWritePaths=.*/sys/fs/bpf' "$unit" && grep -q '^ReadOnlyPaths=/sys ' "$unit"; then
	pass install_unit_keeps_bpffs_writable
else
	fail install_unit_keeps_bpffs_writable "ProtectKernelTunables=yes, or no ReadWritePaths=/sys/fs/bpf"
fi

missing=
for f in etc/default/flowtally etc/logrotate.d/flowtally \
	usr/local/share/flowtally/prometheus/flowtally.rules.yml \
	usr/local/share/flowtally/prometheus/flowtally.alerts.yml \
	usr/local/share/flowtally/grafana/flowtally.json \
	usr/local/share/flowtally/schema/flowtally-record.schema.json \
	usr/local/share/flowtally/schema/flowtally-entry.schema.json; do
	[ -f "$dest/$f" ] || missing+="$f "
done
[ -d "$dest/etc/flowtally" ] || missing+="etc/flowtally/ "
[ -z "$missing" ] && pass install_env_logrotate_rules_and_dashboard || fail install_env_logrotate_rules_and_dashboard "missing: $missing"

# the operator's /etc/default/flowtally survives a second make install
echo 'FLOWTALLY_OPTS="--interval 5"' >"$dest/etc/default/flowtally"
make -s install DESTDIR="$dest" >/dev/null 2>&1
grep -q -- '--interval 5' "$dest/etc/default/flowtally" && pass install_keeps_the_operators_default_file ||
	fail install_keeps_the_operators_default_file "overwritten"
exit $FAILED
