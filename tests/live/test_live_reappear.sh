#!/usr/bin/env bash
# An interface deleted and made again at once under the same name and the
# same ifindex (ip link add ... index N): the kernel detached its links with
# the old device, so flowtally must notice the deletion (RTM_DELLINK), let
# the old one go and attach the new one. The frames on both are counted
# exactly, none in (other). Also a storm of link events (carrier flaps) is
# taken in a few looks, and counting goes on exactly through it.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0
NS2=${NS}s
P=ftp$LIVE_ID
Q=ftq$LIVE_ID
IDX=$((4000 + RANDOM % 1000))
cleanup_reappear() {
	ip netns del "$NS2" 2>/dev/null
	live_cleanup
}
trap cleanup_reappear EXIT
in_ns2() { nsenter --net="/run/netns/$NS2" "$@"; }
pair() {	# N [INDEX]
	ip -n "$NS" link add "$P$1" ${2:+index "$2"} type veth peer name "$Q$1" netns "$NS2" &&
		ip -n "$NS" link set "$P$1" up && ip -n "$NS2" link set "$Q$1" up
}
send() {	# N SEED COUNT
	in_ns2 "$FTSEND" -i "$Q$1" --seed "$2" --count "$3" --malformed 10 \
		--expect "$LIVE_TMP/e$1.$2.json" >/dev/null
}
attached_times() { grep -c "counting on $P$1 " "$LIVE_TMP/err.txt"; }

before=$(bpf_objects)
ip netns add "$NS" && ip netns add "$NS2" || { fail reappear_setup "namespaces"; exit 1; }
in_ns sysctl -qw net.ipv6.conf.default.disable_ipv6=1
in_ns2 sysctl -qw net.ipv6.conf.default.disable_ipv6=1
pair 1 "$IDX" && pair 2 || { fail reappear_setup "pairs"; exit 1; }
live_spawn_cmd "$LIVE_TMP/out.json" "$LIVE_TMP/err.txt" nsenter --net="/run/netns/$NS" "$FT" run \
	-i "$P*" --name "ft$LIVE_ID" --json --interval 0.2 --direction ingress &&
	live_track || { fail reappear_start "flowtally did not start"; exit 1; }
for _ in $(seq 100); do [ "$(attached_times 2)" -ge 1 ] && break; sleep 0.1; done

send 1 11 300
# gone and back within one look (the process stopped meanwhile, so both
# events wait in its socket): same name, same ifindex
kill -STOP "$FT_PID"
ip -n "$NS" link del "${P}1" && pair 1 "$IDX" || fail reappear_setup "made again"
kill -CONT "$FT_PID"
[ "$(ip -n "$NS" -o link show "${P}1" | cut -d: -f1)" = "$IDX" ] ||
	fail reappear_setup "index $IDX not given again"
for _ in $(seq 100); do [ "$(attached_times 1)" -ge 2 ] && break; sleep 0.1; done
[ "$(attached_times 1)" -ge 2 ] && pass reappear_same_name_and_ifindex_attached_again ||
	fail reappear_same_name_and_ifindex_attached_again "$(tail -3 "$LIVE_TMP/err.txt" | tr '\n' ';')"
live_track
send 1 12 200

# a storm: 100 carrier flaps (200 events) on the other pair while it counts
for i in $(seq 100); do
	ip -n "$NS2" link set "${Q}2" down && ip -n "$NS2" link set "${Q}2" up
done
send 2 21 400
live_wait_intervals "$LIVE_TMP/out.json" 4 || fail reappear_intervals "no interval records"
live_stop INT || fail reappear_stop "status $?"

grep '"type":"final"' "$LIVE_TMP/out.json" >"$LIVE_TMP/final.json"
rows() {	# NAME...: their ingress packets together
	local want
	want=$(printf '%s\n' "$@" | jq -R . | jq -s -c .)
	jq --argjson n "$want" '[.ifaces[] | select(.direction == "ingress" and (.name as $x | $n | index($x))) |
		.seen.packets] | add // 0' "$LIVE_TMP/final.json"
}
got=$(rows "${P}1" "(removed)")
want=$(expect_sum "$LIVE_TMP"/e1.*.json | jq .seen.packets)
[ "$got" = "$want" ] && pass reappear_both_devices_counted_exactly ||
	fail reappear_both_devices_counted_exactly "got $got, want $want"
got=$(rows "${P}2")
want=$(jq .seen.packets "$LIVE_TMP/e2.21.json")
[ "$got" = "$want" ] && pass reappear_storm_counting_exact || fail reappear_storm_counting_exact "got $got, want $want"
got=$(rows "(other)")
[ "$got" = 0 ] && pass reappear_nothing_in_other || fail reappear_nothing_in_other "$got packets"
grep -q "${P}2 is gone\|${P}2 could not" "$LIVE_TMP/err.txt" &&
	fail reappear_storm_keeps_interface "$(grep "${P}2" "$LIVE_TMP/err.txt" | tail -2 | tr '\n' ';')" ||
	pass reappear_storm_keeps_interface
bpf_objects_settle "$before" && pass reappear_nothing_left_loaded ||
	fail reappear_nothing_left_loaded "$(bpf_objects_left "$before")"
exit $FAILED
