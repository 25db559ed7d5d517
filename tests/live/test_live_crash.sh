#!/usr/bin/env bash
# A pinned instance killed (SIGKILL) at every step that reads, saves or
# changes its maps: an interval's read, the deletion of idle keys, a table's
# resize and removal, a table added, the state file's write. Each time the
# restart adopts it, and the final totals are exactly what was sent: nothing
# lost, nothing counted twice. The steps are named by test points
# (src/lib/testpoint.h); the tests say nothing of their order, only of totals.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0
PIN=ftc$LIVE_ID

send() { in_ns "$FTSEND" -i "$VB" --seed "$1" --count "$2" --malformed 5 \
	--expect "$LIVE_TMP/s$1.json" >/dev/null; }
# table changes go to the instance's control socket
ft_table() { "$FT" table --name "$PIN" "$@" >/dev/null 2>"$LIVE_TMP/table.err"; }

# waits (10 s at most) for the process to die by its test point
wait_killed() {
	for _ in $(seq 100); do kill -0 "$FT_PID" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$FT_PID" 2>/dev/null; then
		return 1
	fi
	wait "$FT_PID" 2>/dev/null
	FT_PID=
}

# One round (3 tables, so the 4th add is the control's): start pinned with the test point armed, traffic, the operation
# that reaches the point, death, traffic while down, adoption, traffic, stop.
crash_round() {
	local point=$1 op=$2 seed=$(( $3 * 10 )) name=kill_at_${1//[-:]/_}_loses_nothing

	export FLOWTALLY_KILL_AT=$point
	live_start --pin "$PIN" --interval 0.2 \
		-t 'ports=proto,dport:idle=0' -t 'flows=flow:size=4096' -t 'recent=dport:lru:size=64'
	rc=$?
	unset FLOWTALLY_KILL_AT
	if [ $rc -ne 0 ]; then
		fail "$name" "did not start"
		"$FT" stop "$PIN" >/dev/null 2>&1
		return
	fi
	send $((seed + 1)) 400
	: >"$LIVE_TMP/table.err"
	case $op in
	interval) ;;
	resize) ft_table resize flows 8192 ;;
	del) ft_table del flows ;;
	add) ft_table add 'late=sport' ;;
	esac
	if ! wait_killed; then
		fail "$name" "the process did not reach $point ($(cat "$LIVE_TMP/table.err" 2>/dev/null))"
		live_stop INT
		"$FT" stop "$PIN" >/dev/null 2>&1
		return
	fi
	send $((seed + 2)) 300		# no process: the pinned links count
	live_start --pin "$PIN" --interval 0.2 || { fail "$name" "did not adopt"; return; }
	send $((seed + 3)) 200
	sleep 0.5
	live_stop INT || fail "$name" "exit status $?"
	grep '"type":"final"' "$LIVE_TMP/out.json" >"$LIVE_TMP/final.json"
	expect_sum "$LIVE_TMP/s$((seed + 1)).json" "$LIVE_TMP/s$((seed + 2)).json" \
		"$LIVE_TMP/s$((seed + 3)).json" >"$LIVE_TMP/want.json"
	d=$(live_diff "$LIVE_TMP/final.json" "$LIVE_TMP/want.json" "$VA" ingress 2>&1)
	d+=$(unconserved "$LIVE_TMP/final.json" ingress 2>&1)
	[ -z "$d" ] && pass "$name" || fail "$name" "$(echo "$d" | head -3 | tr '\n' ';')"
	[ ! -e "/sys/fs/bpf/flowtally/$PIN" ] || "$FT" stop "$PIN" >/dev/null 2>&1
}

# bash reports every process the test kills on purpose: not worth reading
exec 2>>"$LIVE_TMP/shell.log"

before=$(bpf_objects)
live_veth 1500 || { fail crash_setup "cannot create the veth pair"; exit 1; }

round=0
for spec in collect-read:interval collect-saved:interval collect-expired:interval \
	    collect-read:2:interval save-written:3:interval flip-stored:3:interval \
	    swap-saved:resize swap-replaced:resize resize-flipped:resize swap-replaced:2:resize \
	    del-read:del del-saved:del add-unactivated:4:add add-linked:4:add; do
	round=$((round + 1))
	crash_round "${spec%:*}" "${spec##*:}" "$round"
done

# A damaged state file is refused with one line naming the damage and the way
# forward, by a restart and by dump alike; 'flowtally stop' then removes it.
STATE=/var/lib/flowtally/$PIN.state
damaged_round() {
	local name=$1 offset=$2 bytes=$3 rc drc

	live_start --pin "$PIN" --keep --interval 0.2 || { fail "$name" "did not start"; return; }
	send 90 200
	sleep 0.3
	live_stop TERM
	printf "$bytes" | dd of="$STATE" bs=1 seek="$offset" conv=notrunc status=none
	"$FT" run -i "$VA" --pin "$PIN" --duration 1 >/dev/null 2>"$LIVE_TMP/adopt.err"
	rc=$?
	"$FT" dump "$PIN" >/dev/null 2>"$LIVE_TMP/dump.err"
	drc=$?
	if [ $rc -eq 1 ] && [ $drc -eq 1 ] && [ "$(grep -c . "$LIVE_TMP/adopt.err")" -eq 1 ] &&
	   grep -q "$4" "$LIVE_TMP/adopt.err" && grep -q "flowtally stop $PIN" "$LIVE_TMP/adopt.err" &&
	   grep -q "$4" "$LIVE_TMP/dump.err"; then
		pass "$name"
	else
		fail "$name" "status $rc/$drc: $(cat "$LIVE_TMP/adopt.err" "$LIVE_TMP/dump.err" | tr '\n' ';')"
	fi
	"$FT" stop "$PIN" >/dev/null
	[ ! -e "$STATE" ] && [ ! -e "/sys/fs/bpf/flowtally/$PIN" ] ||
		fail "$name" "stop left the state or the pins"
}
damaged_round damaged_state_huge_count_refused 40 '\xff\xff\xff\x7f' "size does not match"
damaged_round damaged_state_edited_total_refused 2000 '\x01' "checksum"
damaged_round damaged_state_bad_magic_refused 0 'XX' "not a flowtally state file"

bpf_objects_settle "$before" && pass crash_rounds_leave_nothing_loaded ||
	fail crash_rounds_leave_nothing_loaded "$(bpf_objects_left "$before")"
exit $FAILED
