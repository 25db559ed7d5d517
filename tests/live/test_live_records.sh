#!/usr/bin/env bash
# Records an operator can trust: a write that fails (a full device, a full
# file system, a reader that went away) is one error line and exit 1, never
# a silent exit 0; a file on a full file system ends with a whole record;
# the first record's seconds start when counting starts, not before loading.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0
PIN=ftr$LIVE_ID

# write_fails NAME PATTERN -- COMMAND...: exit 1 within the timeout, the
# error once on stderr
write_fails() {
	local name=$1 pattern=$2 rc n
	shift 3
	"$@" 2>"$LIVE_TMP/e.txt"
	rc=$?
	n=$(grep -c "$pattern" "$LIVE_TMP/e.txt")
	if [ $rc -eq 1 ] && [ "$n" -eq 1 ] && [ "$(grep -vc 'counting on' "$LIVE_TMP/e.txt")" -eq 1 ]; then
		pass "$name"
	else
		fail "$name" "status $rc, '$pattern' $n times: $(tr '\n' ';' <"$LIVE_TMP/e.txt" | head -c 300)"
	fi
}

live_veth 1500 || { fail records_setup "cannot create the veth pair"; exit 1; }
before=$(bpf_objects)
run=(timeout 30 "$FT" run -i "$VA" --interval 0.1)
to_full() { "$@" >/dev/full; }
write_fails json_to_full_device_exits_1 "cannot write records to stdout: No space left on device" -- \
	to_full "${run[@]}" --json --duration 1
write_fails csv_to_full_device_exits_1 "cannot write records to stdout: No space left on device" -- \
	to_full "${run[@]}" --csv --duration 1
write_fails output_full_device_exits_1 "cannot write records to /dev/full: No space left on device" -- \
	"${run[@]}" --output /dev/full --duration 1

# A reader that goes away: noticed without traffic (CSV writes nothing then),
# and the run ends at once: 'timeout' would make it 124.
write_fails csv_closed_stdout_ends_the_run "its reader went away" -- \
	bash -c '"$@" | true; exit ${PIPESTATUS[0]}' _ "${run[@]}" --csv
write_fails json_closed_stdout_ends_the_run "final record cannot be written there" -- \
	bash -c '"$@" | head -c 1 >/dev/null; exit ${PIPESTATUS[0]}' _ "${run[@]}" --json

# A full file system: the run ends with exit 1 and the file holds whole
# records only (a tmpfs of its own, in a mount namespace of its own).
unshare -m sh -c "mkdir -p '$LIVE_TMP/full' && mount -t tmpfs -o size=16k none '$LIVE_TMP/full' &&
	timeout 30 '$FT' run -i '$VA' --json --interval 0.02 --output '$LIVE_TMP/full/out.json' \
		2>'$LIVE_TMP/e.txt'; echo \$? >'$LIVE_TMP/rc.txt';
	tail -c 1 '$LIVE_TMP/full/out.json' | od -An -c | tr -d ' ' >'$LIVE_TMP/last.txt';
	jq -c .type '$LIVE_TMP/full/out.json' >'$LIVE_TMP/types.txt' 2>'$LIVE_TMP/jq.txt';
	echo \$? >'$LIVE_TMP/jqrc.txt'"
rc=$(cat "$LIVE_TMP/rc.txt")
[ "$rc" = 1 ] && grep -q "No space left on device" "$LIVE_TMP/e.txt" && pass full_filesystem_exits_1 ||
	fail full_filesystem_exits_1 "status $rc: $(tr '\n' ';' <"$LIVE_TMP/e.txt")"
[ "$(cat "$LIVE_TMP/last.txt")" = '\n' ] && [ "$(cat "$LIVE_TMP/jqrc.txt")" = 0 ] &&
	[ "$(wc -l <"$LIVE_TMP/types.txt")" -gt 0 ] && pass full_filesystem_leaves_whole_records ||
	fail full_filesystem_leaves_whole_records "last byte '$(cat "$LIVE_TMP/last.txt")', jq: $(head -c 200 "$LIVE_TMP/jq.txt")"

# Other commands' stdout is checked too.
live_start --pin "$PIN" --interval 0.2 || { fail records_start "flowtally did not start"; exit 1; }
"$FT" status "$PIN" >/dev/full 2>"$LIVE_TMP/e.txt"; rc=$?
[ $rc -eq 1 ] && grep -q "cannot write to stdout" "$LIVE_TMP/e.txt" && pass status_to_full_device_exits_1 ||
	fail status_to_full_device_exits_1 "status $rc"
"$FT" table --name "$PIN" list >/dev/full 2>"$LIVE_TMP/e.txt"; rc=$?
[ $rc -eq 1 ] && grep -q "cannot write to stdout" "$LIVE_TMP/e.txt" && pass table_list_to_full_device_exits_1 ||
	fail table_list_to_full_device_exits_1 "status $rc"

# The first record starts once loaded: after the maps were pinned (bpffs
# times come from a coarse clock, never ahead of the precise one).
pinned=$(stat -c %.6Y "/sys/fs/bpf/flowtally/$PIN/ft_narrow")
live_stop INT
first=$(head -1 "$LIVE_TMP/out.json" | jq .start)
final=$(grep '"type":"final"' "$LIVE_TMP/out.json" | jq .start)
awk -v f="$first" -v t="$final" -v p="$pinned" 'BEGIN { exit !(f >= p && t >= p) }' &&
	pass first_record_starts_after_loading ||
	fail first_record_starts_after_loading "first record starts $first, final $final, maps pinned $pinned"
bpf_objects_settle "$before" && pass records_leave_nothing_loaded ||
	fail records_leave_nothing_loaded "$(bpf_objects_left "$before")"
exit $FAILED
