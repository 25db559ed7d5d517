#!/usr/bin/env bash
# What a user gets wrong gets one clear line and the right exit status, and
# leaves nothing loaded: bad options (2), a missing interface (1), an
# interface another instance counts already (1), no privileges (1), no BTF (1).
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0

# expect NAME STATUS PATTERN -- COMMAND...: exit status and a one-line message
expect() {
	local name=$1 want=$2 pattern=$3 rc
	shift 4
	"$@" >"$LIVE_TMP/o.txt" 2>"$LIVE_TMP/e.txt"
	rc=$?
	if [ $rc -ne "$want" ]; then
		fail "$name" "exit status $rc, want $want ($(head -c 200 "$LIVE_TMP/e.txt"))"
	elif ! grep -q "$pattern" "$LIVE_TMP/e.txt"; then
		fail "$name" "message '$(head -c 200 "$LIVE_TMP/e.txt")' lacks '$pattern'"
	elif [ "$(wc -l <"$LIVE_TMP/e.txt")" -ne 1 ]; then
		fail "$name" "$(wc -l <"$LIVE_TMP/e.txt") lines on stderr, want 1"
	else
		pass "$name"
	fi
}

before=$(bpf_objects)
expect error_no_command 2 "no command given" -- "$FT"
expect error_unknown_command 2 "unknown command 'frobnicate'" -- "$FT" frobnicate
expect error_run_without_iface 2 "no interface given" -- "$FT" run
expect error_bad_interval 2 "interval 'soon' invalid" -- "$FT" run -i lo --interval soon
expect error_unknown_option 2 "unknown option '--colour'" -- "$FT" run -i lo --colour
expect error_bad_table_field 2 "unknown field 'dstport'" -- "$FT" run -i lo -t 'x=dstport'
expect error_bad_prefix 2 "prefix '/33' out of range" -- "$FT" run -i lo -t 'x=saddr/33'
expect error_table_size_zero 2 "size '0' out of range" -- "$FT" run -i lo -t 'x=dport:size=0'
expect error_duplicate_table 2 "table name 'a' given twice" -- "$FT" run -i lo -t a=dport -t a=sport
expect error_missing_interface 1 "no interface 'ft-nope0'" -- "$FT" run -i ft-nope0
expect error_not_root 1 "permission denied" -- \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$FT" run -i lo --duration 1
expect error_no_btf 1 "kernel BTF" -- \
	unshare -m sh -c "mount --bind /dev/null /sys/kernel/btf/vmlinux && exec $FT run -i lo --duration 1"
expect error_bpffs_cannot_be_mounted 1 "bpffs is not mounted at /sys/fs/bpf and mounting it failed" -- \
	unshare -m sh -c "umount /sys/fs/bpf 2>/dev/null; mount -t tmpfs -o ro,size=4k none /sys/fs &&
		exec $FT run -i lo --pin ftnobpf$LIVE_ID --duration 1"
out=$(unshare -m sh -c "umount /sys/fs/bpf 2>/dev/null;
	exec $FT run -i lo --direction egress --pin ftmnt$LIVE_ID --duration 0.2" 2>&1 >/dev/null)
rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -q "mounted bpffs at /sys/fs/bpf" && pass pin_mounts_missing_bpffs ||
	fail pin_mounts_missing_bpffs "status $rc: $out"
expect error_keep_needs_pin 2 "keep needs --pin" -- "$FT" run -i lo --keep
expect error_json_mode_error_is_json 1 '^{"error":"no interface' -- "$FT" run -i ft-nope0 --json

# A second instance on an interface that one counts already is refused, and
# the first goes on counting.
live_veth 1500 || { fail live_errors_setup "cannot create the veth pair"; exit 1; }
live_start --interval 0.2 || { fail second_instance_setup "flowtally did not start"; exit 1; }
expect error_second_instance_refused 1 "$VA is counted by another flowtally already (program 'flowtally_tc_in', id" -- \
	"$FT" run -i "$VA" --name "second$LIVE_ID" --duration 1
expect error_second_instance_refused_on_another_hook 1 "$VA is counted by another flowtally already (program 'flowtally_tc_in', id" -- \
	"$FT" run -i "$VA" --name "third$LIVE_ID" --ingress-hook xdp -d ingress --duration 1
expect error_second_instance_same_name 1 "an instance named '$VA' runs already" -- \
	"$FT" run -i lo --name "$VA" --duration 1
in_ns "$FTSEND" -i "$VB" --seed 5 --count 500 --expect "$LIVE_TMP/in.json" >/dev/null ||
	fail second_instance_send "ftsend failed"
sleep 0.3
live_stop INT
grep '"type":"final"' "$LIVE_TMP/out.json" >"$LIVE_TMP/final.json"
d=$(live_diff "$LIVE_TMP/final.json" "$LIVE_TMP/in.json" "$VA" ingress 2>&1) || d="cannot compare: $d"
[ -z "$d" ] && pass first_instance_keeps_counting || fail first_instance_keeps_counting "$d"

# --duration ends the run by itself: intervals, then final, exit 0
"$FT" run -i "$VA" --json --interval 0.3 --duration 1 >"$LIVE_TMP/d.json" 2>/dev/null
rc=$?
types=$(jq -r .type "$LIVE_TMP/d.json" | uniq -c | awk '{print $2 ":" $1}' | tr '\n' ' ')
if [ $rc -eq 0 ] && [ "$(tail -1 "$LIVE_TMP/d.json" | jq -r .type)" = final ] &&
   [ "$(grep -c '"type":"interval"' "$LIVE_TMP/d.json")" -ge 3 ]; then
	pass duration_ends_run_with_final_record
else
	fail duration_ends_run_with_final_record "status $rc, records: $types"
fi

bpf_objects_settle "$before" && pass errors_leave_nothing_loaded ||
	fail errors_leave_nothing_loaded "$(bpf_objects_left "$before")"
exit $FAILED
