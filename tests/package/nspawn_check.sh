#!/usr/bin/env bash
# flowtally@.service under systemd, on a machine whose PID 1 is not systemd:
# a Debian 12 root from debootstrap, booted with systemd-nspawn on the host's
# network, the .deb of build/deb/ installed in it, two instances enabled
# with their environment files. Every setting of the unit is enforced there
# (seccomp, capabilities, mounts). Checks exact counts on each instance's
# port, the processes' capabilities, seccomp and no_new_privs, a restart
# that adopts the pinned instance, logrotate's reload, the records' mode,
# and that dpkg -r stops the processes and keeps the instances pinned.
# Root; downloads Debian 12 packages (FT_DEBIAN_MIRROR); about two minutes.
# Not part of make test or make test-package. Ends with "N passed, ...".
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
. tests/live/lib_export.sh
. tests/live/lib_unit.sh
FAILED=0
MIRROR=${FT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
HOSTFT=$(readlink -f build/flowtally)
FTSEND=$(readlink -f "$FTSEND")
VA2=${VA}2 VB2=${VB}2
ROOT=
NSPAWN=
log=$LIVE_TMP/verdicts
pass() { echo "PASS $1" | tee -a "$log"; }
fail() { echo "FAIL $1${2:+: $2}" | tee -a "$log"; FAILED=1; }
skip() { echo "SKIP $1: $2" | tee -a "$log"; }
summary() {
	echo "$(grep -c '^PASS ' "$log") passed, $(grep -c '^FAIL ' "$log") failed," \
		"$(grep -c '^SKIP ' "$log") skipped"
}

nspawn_cleanup() {
	"$HOSTFT" stop "$VA" >/dev/null 2>&1
	"$HOSTFT" stop "$VA2" >/dev/null 2>&1
	if [ -n "$NSPAWN" ] && kill -0 "$NSPAWN" 2>/dev/null; then
		kill -TERM "$NSPAWN"	# nspawn asks the container's systemd to power off
		for _ in $(seq 120); do kill -0 "$NSPAWN" 2>/dev/null || break; sleep 0.5; done
		kill -KILL "$NSPAWN" 2>/dev/null
	fi
	"$HOSTFT" stop "$VA" >/dev/null 2>&1
	"$HOSTFT" stop "$VA2" >/dev/null 2>&1
	ip link del "$VA2" 2>/dev/null
	[ -n "$ROOT" ] && rm -rf --one-file-system "$ROOT"
	export_cleanup
}
trap nspawn_cleanup EXIT

[ "$(id -u)" -eq 0 ] || { skip nspawn "needs root"; summary; exit 0; }
for p in systemd-container debootstrap; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$p" >/dev/null 2>&1
done
have_tools nspawn systemd-nspawn debootstrap curl jq capsh || { summary; exit 0; }
deb=$(ls build/deb/flowtally_*_amd64.deb 2>/dev/null | head -1)
[ -n "$deb" ] && [ -x "$HOSTFT" ] || { fail nspawn_setup "run 'make deb' and 'make' first"; summary; exit 1; }

ROOT=$(mktemp -d /var/tmp/ft-nspawn.XXXXXX)
if ! debootstrap --variant=minbase \
	--include=systemd,systemd-sysv,dbus,libbpf1,libmicrohttpd12,libncurses6,logrotate \
	bookworm "$ROOT" "$MIRROR" >"$LIVE_TMP/debootstrap.log" 2>&1; then
	fail nspawn_debootstrap "$(tail -2 "$LIVE_TMP/debootstrap.log" | tr '\n' ';')"
	summary
	exit 1
fi
cp "$deb" "$ROOT/root/flowtally.deb"
# apt, not dpkg -i: the dependencies the root lacks come from the archive
chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	/root/flowtally.deb >"$LIVE_TMP/dpkg.log" 2>&1 &&
	pass nspawn_package_installs || fail nspawn_package_installs "$(tail -2 "$LIVE_TMP/dpkg.log")"

live_veth 1500 || { fail nspawn_setup "veth"; summary; exit 1; }
ip link add "$VA2" type veth peer name "$VB2" && ip link set "$VB2" netns "$NS" ||
	{ fail nspawn_setup "second veth"; summary; exit 1; }
sysctl -qw "net.ipv6.conf.$VA2.disable_ipv6=1"
in_ns sysctl -qw "net.ipv6.conf.$VB2.disable_ipv6=1"
ip link set "$VA2" up && in_ns ip link set "$VB2" up

# no udev in a container: no device unit for BindsTo=; the rest as shipped
unit=$ROOT/lib/systemd/system/flowtally@.service
grep -v -e '^BindsTo=' -e '^After=sys-subsystem' "$unit" >"$ROOT/etc/systemd/system/flowtally@.service"
port1=$(free_port) && port2=$(free_port) || { fail nspawn_setup "no free port"; summary; exit 1; }
[ "$port1" != "$port2" ] || port2=$((port1 + 1))
echo "FLOWTALLY_INSTANCE_OPTS=\"--prometheus 127.0.0.1:$port1\"" >"$ROOT/etc/flowtally/$VA.env"
echo "FLOWTALLY_INSTANCE_OPTS=\"--prometheus 127.0.0.1:$port2\"" >"$ROOT/etc/flowtally/$VA2.env"
mkdir -p "$ROOT/etc/systemd/system/multi-user.target.wants"
for i in "$VA" "$VA2"; do
	ln -s /etc/systemd/system/flowtally@.service \
		"$ROOT/etc/systemd/system/multi-user.target.wants/flowtally@$i.service"
done

# --system-call-filter=bpf: nspawn's own filter refuses bpf() otherwise
systemd-nspawn -D "$ROOT" -b --capability=all --system-call-filter=bpf --bind=/sys/fs/bpf \
	-M "ftn$LIVE_ID" --register=no --keep-unit --console=read-only >"$LIVE_TMP/nspawn.log" 2>&1 &
NSPAWN=$!
c_init() { pgrep -P "$NSPAWN" | head -1; }
c() { nsenter -t "$(c_init)" -a "$@"; }
seen() {
	curl -sf --max-time 5 "http://127.0.0.1:$2/metrics" | awk -v i="$1" '
		$1 == "flowtally_seen_packets_total{iface=\"" i "\",direction=\"ingress\"}" { print $2 }'
}
both_up() { [ -n "$(seen "$VA" "$port1")" ] && [ -n "$(seen "$VA2" "$port2")" ]; }
if wait_for 90 both_up; then
	pass nspawn_two_instances_start_under_systemd
else
	fail nspawn_two_instances_start_under_systemd \
		"$(c journalctl -u 'flowtally@*' -o cat --no-pager 2>/dev/null | grep -i error | tail -2 | tr '\n' ';')"
	summary
	exit 1
fi

want_caps=$(unit_caps "$unit" | tr ',' '\n' | tr -d + | sort | paste -sd,)
bad=
for pid in $(pgrep -x flowtally); do
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -e "--pin $VA " -e "--pin $VA2 " || continue
	caps=$(capsh --decode="$(awk '/^CapEff/ { print $2 }' "/proc/$pid/status")" | sed 's/.*=//' |
		tr ',' '\n' | sed 's/^cap_//' | sort | paste -sd,)
	seccomp=$(awk '/^Seccomp:/ { print $2 }' "/proc/$pid/status")
	nnp=$(awk '/^NoNewPrivs:/ { print $2 }' "/proc/$pid/status")
	[ "$caps" = "$want_caps" ] && [ "$seccomp" = 2 ] && [ "$nnp" = 1 ] ||
		bad+="$pid: caps $caps seccomp $seccomp nnp $nnp; "
done
[ -z "$bad" ] && pass nspawn_processes_hold_the_units_capabilities_seccomp_and_nnp ||
	fail nspawn_processes_hold_the_units_capabilities_seccomp_and_nnp "$bad"

in_ns "$FTSEND" -i "$VB" --seed 61 --count 700 --malformed 5 --expect "$LIVE_TMP/a1.json" >/dev/null
in_ns "$FTSEND" -i "$VB2" --seed 62 --count 300 --expect "$LIVE_TMP/b.json" >/dev/null
want1=$(jq .seen.packets "$LIVE_TMP/a1.json") want2=$(jq .seen.packets "$LIVE_TMP/b.json")
wait_for 10 eval '[ "$(seen "$VA" "$port1")" = "$want1" ] && [ "$(seen "$VA2" "$port2")" = "$want2" ]' &&
	pass nspawn_each_instance_counts_exactly ||
	fail nspawn_each_instance_counts_exactly "$(seen "$VA" "$port1")/$want1, $(seen "$VA2" "$port2")/$want2"

c systemctl stop "flowtally@$VA"
in_ns "$FTSEND" -i "$VB" --seed 63 --count 250 --expect "$LIVE_TMP/a2.json" >/dev/null
c systemctl start "flowtally@$VA"
want=$(jq -s 'map(.seen.packets) | add' "$LIVE_TMP/a1.json" "$LIVE_TMP/a2.json")
wait_for 10 eval '[ "$(seen "$VA" "$port1")" = "$want" ]' &&
	c journalctl -u "flowtally@$VA" -o cat --no-pager | grep -q "adopted pinned instance" &&
	pass nspawn_restart_adopts_and_counts_what_came_while_stopped ||
	fail nspawn_restart_adopts_and_counts_what_came_while_stopped "got $(seen "$VA" "$port1"), want $want"

logs=$ROOT/var/log/flowtally
if c logrotate -f /etc/logrotate.d/flowtally >"$LIVE_TMP/logrotate.log" 2>&1; then
	grown() { [ -s "$logs/$VA.json" ] && [ -s "$logs/$VA2.json" ]; }
	[ -s "$logs/$VA.json.1" ] && [ -s "$logs/$VA2.json.1" ] && wait_for 10 grown &&
		pass nspawn_logrotate_rotates_and_instances_reopen ||
		fail nspawn_logrotate_rotates_and_instances_reopen "$(cd "$logs" && stat -c '%n %s' * | paste -sd' '); $(tr '\n' ';' <"$LIVE_TMP/logrotate.log" | cut -c1-200)"
else
	fail nspawn_logrotate_rotates_and_instances_reopen "$(tail -2 "$LIVE_TMP/logrotate.log")"
fi
modes=$(stat -c %a "$logs/$VA.json" "$logs/$VA2.json" "$ROOT/var/lib/flowtally/$VA.state" | sort -u | paste -sd' ')
[ "$modes" = 600 ] && pass nspawn_records_and_state_are_private || fail nspawn_records_and_state_are_private "modes $modes"

c dpkg -r flowtally >"$LIVE_TMP/remove.log" 2>&1
active=$(c systemctl is-active "flowtally@$VA" "flowtally@$VA2" | paste -sd' ')
[ "$active" = "inactive inactive" ] && [ -d "/sys/fs/bpf/flowtally/$VA" ] &&
	[ -d "/sys/fs/bpf/flowtally/$VA2" ] && pass nspawn_remove_stops_the_processes_and_keeps_the_pins ||
	fail nspawn_remove_stops_the_processes_and_keeps_the_pins "units: $active"
summary
exit $FAILED
