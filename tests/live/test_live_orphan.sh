#!/usr/bin/env bash
# A link of this instance's own programs that it no longer holds (an orphan:
# here kept by a pin of the test's, as a killed process's pin or an fd held
# elsewhere would keep it) on an interface it attaches again: flowtally
# knows the program by its maps, detaches the orphan instead of refusing the
# interface as "another flowtally's", and counts every frame once.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0
NS2=${NS}s
P=ftp$LIVE_ID
Q=ftq$LIVE_ID
R=ftr$LIVE_ID
ORPHAN=/sys/fs/bpf/ftorphan$LIVE_ID
cleanup_orphan() {
	rm -f "$ORPHAN"
	ip netns del "$NS2" 2>/dev/null
	live_cleanup
}
trap cleanup_orphan EXIT
in_ns2() { nsenter --net="/run/netns/$NS2" "$@"; }
logged() {	# TEXT [N]: waits (10 s at most) until stderr has it N times
	for _ in $(seq 100); do
		[ "$(grep -cF "$1" "$LIVE_TMP/err.txt")" -ge "${2:-1}" ] && return 0
		sleep 0.1
	done
	return 1
}
rename() {	# FROM TO
	ip -n "$NS" link set "$1" down && ip -n "$NS" link set "$1" name "$2" &&
		ip -n "$NS" link set "$2" up
}

before=$(bpf_objects)
ip netns add "$NS" && ip netns add "$NS2" || { fail orphan_setup "namespaces"; exit 1; }
in_ns sysctl -qw net.ipv6.conf.default.disable_ipv6=1
in_ns2 sysctl -qw net.ipv6.conf.default.disable_ipv6=1
ip -n "$NS" link add "${P}1" type veth peer name "${Q}1" netns "$NS2" &&
	ip -n "$NS" link set "${P}1" up && ip -n "$NS2" link set "${Q}1" up ||
	{ fail orphan_setup "pair"; exit 1; }
idx=$(ip -n "$NS" -o link show "${P}1" | cut -d: -f1)
live_spawn_cmd "$LIVE_TMP/out.json" "$LIVE_TMP/err.txt" nsenter --net="/run/netns/$NS" "$FT" run \
	-i "$P*" --name "ft$LIVE_ID" --json --interval 0.2 --direction ingress &&
	live_track || { fail orphan_start "flowtally did not start"; exit 1; }

# the tcx link flowtally holds on ${P}1, pinned by the test
# (a tcx link's fdinfo says its ifindex; this bpftool predates tcx)
link=
for fi in /proc/"$FT_PID"/fdinfo/*; do
	grep -q "^ifindex:[[:space:]]*$idx\$" "$fi" 2>/dev/null || continue
	link=$(sed -n 's/^link_id:[[:space:]]*//p' "$fi")
	[ -n "$link" ] && break
done
[ -n "$link" ] && bpftool link pin id "$link" "$ORPHAN" || { fail orphan_setup "no link to pin"; exit 1; }

# renamed out: flowtally lets go of its link, the test's pin keeps it attached
rename "${P}1" "${R}1" || fail orphan_setup "rename out"
logged "${P}1 was renamed to ${R}1" || fail orphan_left "$(tail -2 "$LIVE_TMP/err.txt")"
# and back: attached again, the orphan found to be its own and detached (if
# it were not, each frame would count twice: both use the same maps)
rename "${R}1" "${P}1" || fail orphan_setup "rename back"
logged "counting on ${P}1 " 2 && pass orphan_own_program_not_refused ||
	fail orphan_own_program_not_refused "$(tail -2 "$LIVE_TMP/err.txt" | tr '\n' ';')"
live_track
in_ns2 "$FTSEND" -i "${Q}1" --seed 7 --count 300 --malformed 10 --expect "$LIVE_TMP/e.json" >/dev/null
live_wait_intervals "$LIVE_TMP/out.json" 3 || fail orphan_intervals "no interval records"
live_stop INT || fail orphan_stop "status $?"

grep '"type":"final"' "$LIVE_TMP/out.json" >"$LIVE_TMP/final.json"
got=$(jq --arg i "${P}1" '[.ifaces[] | select(.direction == "ingress" and (.name == $i or .name == "(removed)" or
	.name == "(other)")) | .seen.packets] | add // 0' "$LIVE_TMP/final.json")
want=$(jq .seen.packets "$LIVE_TMP/e.json")
[ "$got" = "$want" ] && pass orphan_frames_counted_once || fail orphan_frames_counted_once "got $got, want $want"
got=$(jq '[.ifaces[] | select(.name == "(other)") | .seen.packets] | add // 0' "$LIVE_TMP/final.json")
[ "$got" = 0 ] && pass orphan_nothing_in_other || fail orphan_nothing_in_other "$got packets"
rm -f "$ORPHAN"
bpf_objects_settle "$before" && pass orphan_nothing_left_loaded ||
	fail orphan_nothing_left_loaded "$(bpf_objects_left "$before")"
exit $FAILED
