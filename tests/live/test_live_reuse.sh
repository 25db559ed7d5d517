#!/usr/bin/env bash
# Slot reuse: with --max-interfaces 2 and one interface that stays, every
# interface that comes after the first gone one must reuse the one slot
# left, once the gone one's counts were read to the end and reported. Ten
# create/send/delete cycles: every frame is counted exactly, the gone ones
# add up in "(removed)", and nothing is left loaded. flowtally runs in the
# test's namespace; the senders sit in a second one.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0
NS2=${NS}s
P=ftp$LIVE_ID
Q=ftq$LIVE_ID
CYCLES=10
cleanup_reuse() {
	ip netns del "$NS2" 2>/dev/null
	live_cleanup
}
trap cleanup_reuse EXIT

in_ns2() { nsenter --net="/run/netns/$NS2" "$@"; }
pair() {	# N: $P$N in $NS (counted), $Q$N in $NS2 (sends)
	ip -n "$NS" link add "$P$1" type veth peer name "$Q$1" netns "$NS2" &&
		ip -n "$NS" link set "$P$1" up && ip -n "$NS2" link set "$Q$1" up
}
logged() {	# TEXT: waits (10 s at most) until flowtally's stderr has it
	for _ in $(seq 100); do
		grep -qF "$1" "$LIVE_TMP/err.txt" && return 0
		sleep 0.1
	done
	return 1
}
send() {	# N SEED COUNT
	in_ns2 "$FTSEND" -i "$Q$1" --seed "$2" --count "$3" --malformed 10 \
		--expect "$LIVE_TMP/e$1.json" >/dev/null
}

before=$(bpf_objects)
ip netns add "$NS" && ip netns add "$NS2" || { fail reuse_setup "namespaces"; exit 1; }
# no IPv6 on the test's devices: the kernel then sends nothing of its own
in_ns sysctl -qw net.ipv6.conf.default.disable_ipv6=1
in_ns2 sysctl -qw net.ipv6.conf.default.disable_ipv6=1
pair 0 || { fail reuse_setup "first pair"; exit 1; }
live_spawn_cmd "$LIVE_TMP/out.json" "$LIVE_TMP/err.txt" nsenter --net="/run/netns/$NS" "$FT" run -i "$P*" \
	--name "ft$LIVE_ID" --max-interfaces 2 --json --interval 0.2 --direction ingress &&
	live_track || { fail reuse_start "flowtally did not start"; exit 1; }
logged "counting on ${P}0 " || fail reuse_start "${P}0 not attached"

ok=0
for c in $(seq $CYCLES); do
	pair "$c" || { fail reuse_setup "pair $c"; break; }
	logged "counting on $P$c " || { fail "reuse_cycle_${c}_attached" "$(tail -2 "$LIVE_TMP/err.txt")"; break; }
	live_track
	send "$c" $((600 + c)) $((100 + 37 * c))
	send 0 $((700 + c)) 50
	mv "$LIVE_TMP/e0.json" "$LIVE_TMP/e0.$c.json"
	ip -n "$NS" link del "$P$c"
	logged "$P$c is gone" || { fail "reuse_cycle_${c}_gone" "$(tail -2 "$LIVE_TMP/err.txt")"; break; }
	ok=$c
done
[ "$ok" = "$CYCLES" ] && pass reuse_every_cycle_got_a_slot || fail reuse_every_cycle_got_a_slot "$ok of $CYCLES"
waited=$(grep -c "wait for a free slot" "$LIVE_TMP/err.txt")
[ "$waited" -gt 0 ] && pass reuse_new_interfaces_waited_for_the_slot ||
	fail reuse_new_interfaces_waited_for_the_slot "never said so"
# a few records: the gone ones' slots are read to the end and retired
live_wait_intervals "$LIVE_TMP/out.json" 5 || fail reuse_intervals "no interval records"
live_stop INT || fail reuse_stop "status $?"

grep '"type":"final"' "$LIVE_TMP/out.json" >"$LIVE_TMP/final.json"
got=$(jq -c --arg i "${P}0" '.ifaces[] | select(.name == $i and .direction == "ingress") | .seen' \
	"$LIVE_TMP/final.json")
want=$(expect_sum "$LIVE_TMP"/e0.*.json | jq -c .seen)
[ "$got" = "$want" ] && pass reuse_staying_interface_exact || fail reuse_staying_interface_exact "got $got, want $want"
got=$(jq -c '[.ifaces[] | select(.direction == "ingress" and .name != "'"${P}0"'" and .name != "(other)")] |
	{packets: (map(.seen.packets) | add), bytes: (map(.seen.bytes) | add)}' "$LIVE_TMP/final.json")
want=$(expect_sum $(seq -f "$LIVE_TMP/e%g.json" 1 $CYCLES) | jq -c '{packets: .seen.packets, bytes: .seen.bytes}')
[ "$got" = "$want" ] && pass reuse_gone_interfaces_exact_in_final || fail reuse_gone_interfaces_exact_in_final "got $got, want $want"
# every frame was on an interface of a slot: none of no known interface
got=$(jq '[.ifaces[] | select(.name == "(other)") | .seen.packets] | add // 0' "$LIVE_TMP/final.json")
[ "$got" = 0 ] && pass reuse_nothing_in_other || fail reuse_nothing_in_other "$got packets in (other)"
n=$(jq '[.ifaces[] | select(.name == "(removed)")] | length' "$LIVE_TMP/final.json")
[ "$n" = 1 ] && pass reuse_removed_row || fail reuse_removed_row "$n rows"
# each gone interface's intervals add up to what was sent on it
bad=0
for c in $(seq $CYCLES); do
	got=$(grep '"type":"interval"' "$LIVE_TMP/out.json" | jq -s --arg i "$P$c" \
		'[.[].ifaces[] | select(.name == $i and .direction == "ingress") | .seen.packets] | add')
	[ "$got" = "$(jq .seen.packets "$LIVE_TMP/e$c.json")" ] || bad=$((bad + 1))
done
[ $bad = 0 ] && pass reuse_each_interface_reported_exactly || fail reuse_each_interface_reported_exactly "$bad of $CYCLES off"
[ -z "$(unconserved "$LIVE_TMP/final.json" ingress)" ] && pass reuse_final_conserved ||
	fail reuse_final_conserved "$(unconserved "$LIVE_TMP/final.json" ingress)"
bpf_objects_settle "$before" && pass reuse_nothing_left_loaded ||
	fail reuse_nothing_left_loaded "$(bpf_objects_left "$before")"
exit $FAILED
