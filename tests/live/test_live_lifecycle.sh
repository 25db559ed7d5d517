#!/usr/bin/env bash
# Counting that survives the process: kill -9 mid-traffic, frames while no
# process runs, a restart with --pin that adopts the totals exactly; --keep
# and 'flowtally stop'; dump without a process; an interface deleted under a
# running instance; start/stop in a loop without growth; nothing left behind.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0
PIN=ftl$LIVE_ID

# sums of ftsend expectations: {"seen": ...} of several files
seen_sum() { jq -s -c '{packets: (map(.seen.packets) | add), bytes: (map(.seen.bytes) | add)}' "$@"; }
final_seen() { grep '"type":"final"' "$1" | jq -c '.total.ingress'; }
send() { in_ns "$FTSEND" -i "$VB" --seed "$1" --count "$2" ${3:+--rate $3} --malformed 5 \
	--expect "$LIVE_TMP/s$1.json" >/dev/null; }

before=$(bpf_objects)
live_veth 1500 || { fail lifecycle_setup "cannot create the veth pair"; exit 1; }

# 1. kill -9 mid-traffic, traffic while down, restart adopts: exact totals
live_start --pin "$PIN" --interval 0.1 || { fail lifecycle_start "flowtally did not start"; exit 1; }
send 41 3000 3000 &
sp=$!
sleep 0.5
kill -KILL "$FT_PID"; wait "$FT_PID" 2>/dev/null; FT_PID=
wait $sp
send 42 1000			# nobody runs: the pinned links count
[ -d "/sys/fs/bpf/flowtally/$PIN" ] && pass pinned_instance_survives_kill9 ||
	fail pinned_instance_survives_kill9 "pins gone"
"$FT" dump "$PIN" --json >"$LIVE_TMP/dump.json" 2>"$LIVE_TMP/dump.err"
got=$(jq -c '.total.ingress' "$LIVE_TMP/dump.json" 2>/dev/null)
want=$(seen_sum "$LIVE_TMP/s41.json" "$LIVE_TMP/s42.json")
[ "$got" = "$want" ] && pass dump_without_process_is_exact ||
	fail dump_without_process_is_exact "got $got, want $want $(cat "$LIVE_TMP/dump.err")"
"$FT" status "$PIN" | grep -q "not running, pinned" && pass status_shows_pinned_without_process ||
	fail status_shows_pinned_without_process "$("$FT" status "$PIN" | head -1)"

live_start --pin "$PIN" --interval 0.1 || { fail lifecycle_restart "flowtally did not adopt"; exit 1; }
grep -q "adopted pinned instance '$PIN'" "$LIVE_TMP/err.txt" && pass restart_adopts_pinned_instance ||
	fail restart_adopts_pinned_instance "$(tr '\n' ';' <"$LIVE_TMP/err.txt")"
send 43 1500 3000
sleep 0.3
live_stop INT || fail restart_exit_status "status $?"
got=$(final_seen "$LIVE_TMP/out.json")
want=$(seen_sum "$LIVE_TMP/s41.json" "$LIVE_TMP/s42.json" "$LIVE_TMP/s43.json")
[ "$got" = "$want" ] && pass kill9_restart_totals_exact || fail kill9_restart_totals_exact "got $got, want $want"
[ ! -e "/sys/fs/bpf/flowtally/$PIN" ] && [ ! -e "/var/lib/flowtally/$PIN.state" ] &&
	pass clean_exit_removes_pins_and_state || fail clean_exit_removes_pins_and_state "left behind"

# 2. --keep: a clean exit leaves it counting; stop after kill -9 removes all
live_start --pin "$PIN" --keep --interval 0.2 || { fail keep_start "did not start"; exit 1; }
live_stop TERM
send 44 500
"$FT" dump "$PIN" --json 2>/dev/null | jq -e ".total.ingress.packets == $(jq .seen.packets "$LIVE_TMP/s44.json")" >/dev/null &&
	pass keep_leaves_instance_counting || fail keep_leaves_instance_counting "dump differs"
live_start --pin "$PIN" --keep --interval 0.2 || { fail keep_adopt "did not adopt"; exit 1; }
kill -KILL "$FT_PID"; wait "$FT_PID" 2>/dev/null; FT_PID=
"$FT" stop "$PIN" >/dev/null || fail stop_after_kill9 "status $?"
[ ! -e "/sys/fs/bpf/flowtally/$PIN" ] && bpf_objects_settle "$before" &&
	pass stop_after_kill9_removes_everything ||
	fail stop_after_kill9_removes_everything "$(bpf_objects_left "$before")"
"$FT" stop "$PIN" 2>/dev/null; [ $? -eq 1 ] && pass stop_unknown_instance_fails ||
	fail stop_unknown_instance_fails "status $?"

# 3. stop a running --keep instance: it exits cleanly and removes its pins
live_start --pin "$PIN" --keep --interval 0.2 || { fail stop_running_start "did not start"; exit 1; }
"$FT" run -i "$VA" --name "other$LIVE_ID" --duration 1 >/dev/null 2>"$LIVE_TMP/second.txt"
rc=$?
[ $rc -eq 1 ] && grep -q "counted by pinned flowtally instance '$PIN' already" "$LIVE_TMP/second.txt" &&
	pass second_instance_refused_naming_pinned_one ||
	fail second_instance_refused_naming_pinned_one "status $rc: $(cat "$LIVE_TMP/second.txt")"
"$FT" stop "$PIN" >/dev/null
for _ in $(seq 50); do kill -0 "$FT_PID" 2>/dev/null || break; sleep 0.1; done
if ! kill -0 "$FT_PID" 2>/dev/null && [ ! -e "/sys/fs/bpf/flowtally/$PIN" ]; then
	pass stop_running_instance; wait "$FT_PID"; FT_PID=
else
	fail stop_running_instance "still running or pinned"
fi

# 4. an interface deleted mid-run: the other goes on, its counts exact
ip link add "${VA}x" type veth peer name "${VB}x"
ip link set "${VA}x" up; ip link set "${VB}x" up
live_start -i "${VA}x" --interval 0.2 || { fail gone_start "did not start"; exit 1; }
ip link del "${VA}x"
sleep 0.6
send 45 400
live_stop INT; rc=$?
grep -q "${VA}x is gone" "$LIVE_TMP/err.txt" && pass deleted_interface_is_noticed ||
	fail deleted_interface_is_noticed "$(tr '\n' ';' <"$LIVE_TMP/err.txt")"
got=$(grep '"type":"final"' "$LIVE_TMP/out.json" | jq -c --arg i "$VA" '.ifaces[] | select(.name == $i and .direction == "ingress") | .seen')
[ $rc -eq 0 ] && [ "$got" = "$(jq -c .seen "$LIVE_TMP/s45.json")" ] && pass other_interface_counts_on ||
	fail other_interface_counts_on "status $rc, got $got"
ip link add "${VA}y" type veth peer name "${VB}y"
"$FT" run -i "${VA}y" --interval 0.2 --name "g$LIVE_ID" >/dev/null 2>"$LIVE_TMP/gone.txt" &
gp=$!
# deleted once it counts, not after a guess at how long loading takes
for _ in $(seq 100); do grep -q "counting on" "$LIVE_TMP/gone.txt" && break; sleep 0.1; done
sleep 0.3	# an interval or so counting on it
ip link del "${VA}y"
for _ in $(seq 50); do kill -0 $gp 2>/dev/null || break; sleep 0.1; done
wait $gp; rc=$?
[ $rc -eq 1 ] && grep -q "every interface is gone" "$LIVE_TMP/gone.txt" && pass all_interfaces_gone_exits_1 ||
	fail all_interfaces_gone_exits_1 "status $rc: $(tr '\n' ';' <"$LIVE_TMP/gone.txt")"

# 5. start and stop in a loop: no program, map or link left, no fd growth
n=${FT_LOOPS:-20}
for i in $(seq "$n"); do
	timeout 20 "$FT" run -i "$VA" --duration 0.05 >/dev/null 2>&1 || { fail start_stop_loop "run $i failed"; break; }
done
bpf_objects_settle "$before" && pass "start_stop_loop_${n}_leaves_nothing" ||
	fail "start_stop_loop_${n}_leaves_nothing" "$(bpf_objects_left "$before")"
exit $FAILED
