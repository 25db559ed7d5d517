#!/usr/bin/env bash
# A pinned instance that follows a pattern, killed with -9: frames while no
# process runs are counted by its pinned links; an interface deleted and
# one added meanwhile are found by the next start, which adopts it (the
# deleted one's counts kept, the new one attached). `flowtally status`
# lists what is attached with which hook. Exact in the end, nothing left.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0
NS2=${NS}s
P=ftp$LIVE_ID
Q=ftq$LIVE_ID
PIN=ftc$LIVE_ID
cleanup_pinned() {
	"$FT" stop "$PIN" >/dev/null 2>&1
	ip netns del "$NS2" 2>/dev/null
	live_cleanup
}
trap cleanup_pinned EXIT
in_ns2() { nsenter --net="/run/netns/$NS2" "$@"; }
pair() {
	ip -n "$NS" link add "$P$1" type veth peer name "$Q$1" netns "$NS2" &&
		ip -n "$NS" link set "$P$1" up && ip -n "$NS2" link set "$Q$1" up
}
send() {	# N SEED COUNT
	in_ns2 "$FTSEND" -i "$Q$1" --seed "$2" --count "$3" --malformed 10 \
		--expect "$LIVE_TMP/e$1.$2.json" >/dev/null
}
start() {	# OUT: runs until "come and go" says how many
	live_spawn_cmd "$1" "$LIVE_TMP/err.txt" nsenter --net="/run/netns/$NS" "$FT" run \
		-i "$P*" --pin "$PIN" --json --interval 0.3 --direction ingress || return 1
	for _ in $(seq 100); do
		grep -q "come and go" "$LIVE_TMP/err.txt" && break
		sleep 0.1
	done
	live_track
}

before=$(bpf_objects)
ip netns add "$NS" && ip netns add "$NS2" || { fail pinned_setup "namespaces"; exit 1; }
in_ns sysctl -qw net.ipv6.conf.default.disable_ipv6=1
in_ns2 sysctl -qw net.ipv6.conf.default.disable_ipv6=1
pair 1 && pair 2 || { fail pinned_setup "pairs"; exit 1; }
start "$LIVE_TMP/out1.json" || { fail pinned_start "did not start"; exit 1; }
send 1 11 300
send 2 21 200
st=$("$FT" status "$PIN" --json)
ok=$(echo "$st" | jq --arg a "${P}1" --arg b "${P}2" '.[0].attached | map(select(.ingress == "tcx" and .followed)) |
	map(.name) | sort == ([$a, $b] | sort)')
[ "$ok" = true ] && pass pinned_status_lists_attached_with_hook || fail pinned_status_lists_attached_with_hook "$st"
kill -KILL "$FT_PID"; wait "$FT_PID" 2>/dev/null; FT_PID=

# no process: the pinned links count; one goes, one comes
send 1 12 150
send 2 22 100
ip -n "$NS" link del "${P}2"
pair 3 || fail pinned_setup "third pair"
start "$LIVE_TMP/out2.json" || { fail pinned_adopt "did not adopt"; exit 1; }
grep -q "counting on ${P}3 " "$LIVE_TMP/err.txt" && pass pinned_adoption_attaches_new_interface ||
	fail pinned_adoption_attaches_new_interface "$(cat "$LIVE_TMP/err.txt")"
grep -q "${P}2 is gone" "$LIVE_TMP/err.txt" && pass pinned_adoption_finds_deleted_interface ||
	fail pinned_adoption_finds_deleted_interface "$(cat "$LIVE_TMP/err.txt")"
send 3 31 250
send 1 13 50
st=$("$FT" status "$PIN")
echo "$st" | grep -q "${P}3 .*ingress tcx" && pass pinned_status_text_shows_hooks ||
	fail pinned_status_text_shows_hooks "$st"
sleep 1
live_stop INT || fail pinned_stop "status $?"

grep '"type":"final"' "$LIVE_TMP/out2.json" >"$LIVE_TMP/final.json"
for i in 1 3; do
	got=$(jq -c --arg i "$P$i" '.ifaces[] | select(.name == $i) | .seen' "$LIVE_TMP/final.json")
	want=$(expect_sum "$LIVE_TMP"/e$i.*.json | jq -c .seen)
	[ "$got" = "$want" ] && pass "pinned_iface_${i}_exact_across_kill" ||
		fail "pinned_iface_${i}_exact_across_kill" "got $got, want $want"
done
got=$(jq -c --arg i "${P}2" '[.ifaces[] | select(.name == $i or .name == "(removed)") | .seen.packets] | add' \
	"$LIVE_TMP/final.json")
want=$(expect_sum "$LIVE_TMP"/e2.*.json | jq .seen.packets)
[ "$got" = "$want" ] && pass pinned_deleted_interface_counts_kept || fail pinned_deleted_interface_counts_kept "got $got, want $want"
[ ! -e "/sys/fs/bpf/flowtally/$PIN" ] && pass pinned_clean_exit_unpins || fail pinned_clean_exit_unpins "pins left"
bpf_objects_settle "$before" && pass pinned_nothing_left_loaded ||
	fail pinned_nothing_left_loaded "$(bpf_objects_left "$before")"
exit $FAILED
