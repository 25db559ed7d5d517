#!/usr/bin/env bash
# An instance name is a name, never a path: with a pinned instance present,
# every command given a name that points elsewhere is a usage error (2) and
# touches nothing: not a victim folder in /tmp, not its .state beside it,
# not another tool's pins under /sys/fs/bpf. Links planted where flowtally
# makes its files are not followed.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0
PIN=ftn$LIVE_ID
X=$LIVE_TMP/x			# a victim folder, a state file beside it
VICTIM=$X/victim
OTHER_TOOL=/sys/fs/bpf/ftv$LIVE_ID	# another tool's pins
PLANTED=()

names_cleanup() {
	rm -f "${PLANTED[@]}"
	rm -rf "$OTHER_TOOL"
	"$FT" stop "$PIN" >/dev/null 2>&1
	live_cleanup
}
trap names_cleanup EXIT

# what the attempts must leave as it was: names, sizes and contents
snapshot() {
	find "$X" "$OTHER_TOOL" -printf '%p %y %s\n' 2>/dev/null | sort
	cat "$VICTIM"/* "$X/victim.state" 2>/dev/null | md5sum
}

# expect_usage NAME -- COMMAND...: exit 2, one line on stderr
expect_usage() {
	local name=$1 rc
	shift 2
	"$@" >"$LIVE_TMP/o.txt" 2>"$LIVE_TMP/e.txt" </dev/null
	rc=$?
	if [ $rc -ne 2 ]; then
		fail "$name" "exit status $rc, want 2 ($(head -c 200 "$LIVE_TMP/e.txt"))"
	elif [ "$(wc -l <"$LIVE_TMP/e.txt")" -ne 1 ]; then
		fail "$name" "$(wc -l <"$LIVE_TMP/e.txt") lines on stderr, want 1"
	else
		return 0
	fi
	return 1
}

mkdir -p "$VICTIM" || { fail names_setup "no victim folder"; exit 1; }
echo "keep me" >"$VICTIM/a"
echo "keep me too" >"$VICTIM/b"
echo "not a flowtally state" >"$X/victim.state"
live_veth 1500 || { fail names_setup "cannot create the veth pair"; exit 1; }
live_start --pin "$PIN" --keep --interval 0.2 || { fail names_setup "flowtally did not start"; exit 1; }
mkdir -p "$OTHER_TOOL" &&
	bpftool map create "$OTHER_TOOL/m" type array key 4 value 4 entries 1 name ftv ||
	{ fail names_setup "cannot pin the other tool's map"; exit 1; }
before=$(snapshot)

# from /sys/fs/bpf/flowtally/ (pins), /var/lib/flowtally/ (state) and
# /run/flowtally/ (socket, lock): up to / and down to the victim
up=../../../../../../../..
escapes=(
	"$up$VICTIM" "$VICTIM" "../ftv$LIVE_ID" ".." "." "./$PIN" "$PIN/" "$PIN/../$PIN"
	"a/../../x" ".$PIN" "a..b" "v$LIVE_ID
x" $'v\e[2Jx' "v x" "" "n123456789012345678901234567890123456789"
)
n=0
for name in "${escapes[@]}"; do
	n=$((n + 1))
	ok=1
	expect_usage "stop $n" -- "$FT" stop "$name" || ok=0
	expect_usage "dump $n" -- "$FT" dump "$name" || ok=0
	expect_usage "status $n" -- "$FT" status "$name" || ok=0
	expect_usage "table $n" -- "$FT" table --name "$name" list || ok=0
	expect_usage "table-del $n" -- "$FT" table --name "$name" del ports || ok=0
	expect_usage "run-name $n" -- "$FT" run -i "$VA" --name "$name" --duration 0.1 || ok=0
	expect_usage "run-pin $n" -- "$FT" run -i "$VA" --pin "$name" --duration 0.1 || ok=0
	expect_usage "top-pin $n" -- "$FT" top -i "$VA" --pin "$name" || ok=0
	[ "$(snapshot)" = "$before" ] || { fail "escape $n changed the victim" "$(printf %q "$name")"; ok=0; }
	[ $ok -eq 1 ] || fail "name_is_never_a_path" "$(printf %q "$name")"
done
[ "$FAILED" -eq 0 ] && pass "every_command_refuses_${n}_path_names_with_exit_2"
[ -d "/sys/fs/bpf/flowtally/$PIN" ] && [ -e "$OTHER_TOOL/m" ] && [ "$(snapshot)" = "$before" ] &&
	pass path_names_touch_nothing || fail path_names_touch_nothing "something moved"

# a table name is checked by the client too
expect_usage table_del_dotdot -- "$FT" table --name "$PIN" del ../ports && pass table_name_is_never_a_path
expect_usage table_resize_space -- "$FT" table --name "$PIN" resize ' ports' 10 &&
	grep -q "table name ' ports' invalid" "$LIVE_TMP/e.txt" && pass resize_leading_space_is_a_usage_error
expect_usage table_add_newline -- "$FT" table --name "$PIN" add $'x=dport\nstop' &&
	pass table_request_with_newline_is_a_usage_error
# a name with a newline: one line, the newline shown escaped
expect_usage newline_name -- "$FT" stop $'ab\ncd' &&
	grep -q "'ab\\\\x0acd'" "$LIVE_TMP/e.txt" && pass name_with_newline_is_one_escaped_line ||
	fail name_with_newline_is_one_escaped_line "$(cat "$LIVE_TMP/e.txt")"

# Links planted where flowtally looks or creates are not followed.
ln -s "$VICTIM" "/sys/fs/bpf/flowtally/evil$LIVE_ID" && PLANTED+=("/sys/fs/bpf/flowtally/evil$LIVE_ID")
"$FT" stop "evil$LIVE_ID" >/dev/null 2>"$LIVE_TMP/e.txt"; rc=$?
[ $rc -eq 1 ] && [ "$(snapshot)" = "$before" ] && pass stop_does_not_follow_a_planted_pin_link ||
	fail stop_does_not_follow_a_planted_pin_link "status $rc: $(cat "$LIVE_TMP/e.txt")"
"$FT" dump "evil$LIVE_ID" >/dev/null 2>&1; rc=$?
[ $rc -eq 1 ] && pass dump_does_not_follow_a_planted_pin_link ||
	fail dump_does_not_follow_a_planted_pin_link "status $rc"
"$FT" status | grep -q "evil$LIVE_ID" && fail status_lists_no_planted_link "listed" ||
	pass status_lists_no_planted_link
ln -s "$OTHER_TOOL" "/sys/fs/bpf/flowtally/pl$LIVE_ID" && PLANTED+=("/sys/fs/bpf/flowtally/pl$LIVE_ID")
"$FT" run -i "$VA" --pin "pl$LIVE_ID" --duration 0.1 >/dev/null 2>"$LIVE_TMP/e.txt"; rc=$?
[ $rc -eq 1 ] && grep -q "not a folder" "$LIVE_TMP/e.txt" && [ "$(snapshot)" = "$before" ] &&
	pass run_does_not_pin_through_a_planted_link ||
	fail run_does_not_pin_through_a_planted_link "status $rc: $(cat "$LIVE_TMP/e.txt"); $(ls "$OTHER_TOOL")"
ln -s "$X/created" "/run/flowtally/lk$LIVE_ID.lock" && PLANTED+=("/run/flowtally/lk$LIVE_ID.lock")
"$FT" run -i "$VA" --name "lk$LIVE_ID" --duration 0.1 >/dev/null 2>"$LIVE_TMP/e.txt"; rc=$?
[ $rc -eq 1 ] && [ ! -e "$X/created" ] && pass lock_file_is_not_opened_through_a_link ||
	fail lock_file_is_not_opened_through_a_link "status $rc, created: $(ls "$X")"
ln -s "$X/created" "$LIVE_TMP/out-link"
"$FT" run -i "$VA" --name "o$LIVE_ID" --output "$LIVE_TMP/out-link" --duration 0.1 \
	>/dev/null 2>"$LIVE_TMP/e.txt"; rc=$?
[ $rc -eq 1 ] && [ ! -e "$X/created" ] && grep -q "symbolic link" "$LIVE_TMP/e.txt" &&
	pass output_is_not_written_through_a_link ||
	fail output_is_not_written_through_a_link "status $rc: $(cat "$LIVE_TMP/e.txt")"

# the real instance is still there and stops by its name
[ "$(snapshot)" = "$before" ] && kill -0 "$FT_PID" && pass instance_untouched_by_attempts ||
	fail instance_untouched_by_attempts "victim changed or instance gone"
"$FT" stop "$PIN" >/dev/null; rc=$?
for _ in $(seq 50); do kill -0 "$FT_PID" 2>/dev/null || break; sleep 0.1; done
[ $rc -eq 0 ] && [ ! -e "/sys/fs/bpf/flowtally/$PIN" ] && pass stop_by_name_still_works ||
	fail stop_by_name_still_works "status $rc"
exit $FAILED
