#!/usr/bin/env bash
# --all-interfaces in the test's namespace: every interface but lo is
# counted, one that appears later too, each exactly. (The default instance
# name, 'flowtally', is the parser's unit test: here the test names its own
# so that it cannot meet another instance.)
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0
NS2=${NS}s
cleanup_all() {
	ip netns del "$NS2" 2>/dev/null
	live_cleanup
}
trap cleanup_all EXIT
in_ns2() { nsenter --net="/run/netns/$NS2" "$@"; }
pair() {
	ip -n "$NS" link add "$1" type veth peer name "$2" netns "$NS2" &&
		ip -n "$NS" link set "$1" up && ip -n "$NS2" link set "$2" up
}

before=$(bpf_objects)
ip netns add "$NS" && ip netns add "$NS2" || { fail all_setup "namespaces"; exit 1; }
in_ns sysctl -qw net.ipv6.conf.default.disable_ipv6=1
in_ns2 sysctl -qw net.ipv6.conf.default.disable_ipv6=1
ip -n "$NS" link set lo up
pair eth0 peer0 && pair wg1 peer1 || { fail all_setup "pairs"; exit 1; }
live_spawn_cmd "$LIVE_TMP/out.json" "$LIVE_TMP/err.txt" nsenter --net="/run/netns/$NS" "$FT" run \
	--all-interfaces --name "fa$LIVE_ID" --json --interval 0.3 --direction ingress &&
	live_track || { fail all_start "did not start"; exit 1; }
for _ in $(seq 100); do grep -q "come and go" "$LIVE_TMP/err.txt" && break; sleep 0.1; done
grep -q "every interface but lo as they come and go: 2 now" "$LIVE_TMP/err.txt" &&
	pass all_interfaces_but_lo_at_start || fail all_interfaces_but_lo_at_start "$(cat "$LIVE_TMP/err.txt")"
pair late2 peer2 || fail all_setup "late pair"
for _ in $(seq 100); do grep -q "counting on late2 " "$LIVE_TMP/err.txt" && break; sleep 0.1; done
grep -q "counting on late2 " "$LIVE_TMP/err.txt" && pass all_interfaces_follows_new_ones ||
	fail all_interfaces_follows_new_ones "$(tail -2 "$LIVE_TMP/err.txt")"
live_track
in_ns2 "$FTSEND" -i peer1 --seed 5 --count 400 --malformed 10 --expect "$LIVE_TMP/e1.json" >/dev/null
in_ns2 "$FTSEND" -i peer2 --seed 6 --count 250 --malformed 10 --expect "$LIVE_TMP/e2.json" >/dev/null
sleep 0.7
live_stop INT || fail all_stop "status $?"
grep '"type":"final"' "$LIVE_TMP/out.json" >"$LIVE_TMP/final.json"
names=$(jq -r '[.ifaces[].name] | unique | join(" ")' "$LIVE_TMP/final.json")
[ "$names" = "eth0 late2 wg1" ] && pass all_interfaces_not_lo || fail all_interfaces_not_lo "$names"
for p in "wg1 e1" "late2 e2"; do
	set -- $p
	got=$(jq -c --arg i "$1" '.ifaces[] | select(.name == $i) | .seen' "$LIVE_TMP/final.json")
	want=$(jq -c .seen "$LIVE_TMP/$2.json")
	[ "$got" = "$want" ] && pass "all_interfaces_${1}_exact" || fail "all_interfaces_${1}_exact" "got $got, want $want"
done
bpf_objects_settle "$before" && pass all_nothing_left_loaded ||
	fail all_nothing_left_loaded "$(bpf_objects_left "$before")"
exit $FAILED
