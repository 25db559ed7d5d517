#!/usr/bin/env bash
# A pinned instance that follows a pattern, killed (SIGKILL) inside the
# steps that change which interfaces it counts on: an attach (its slot saved,
# given to the programs, its ingress link made, its links pinned), a leave
# (its pins removed) and a retire (its slot freed). Each time the restart
# adopts it: no "another flowtally" refusal of its own orphan, the half-done
# attach done again, the final totals exact per interface with nothing in
# (other), and only the live interfaces' link pins and ft_ifslot entries
# left (a slot and a pin planted while it is down are swept).
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0
NS2=${NS}s
P=ftp$LIVE_ID
Q=ftq$LIVE_ID
PIN=ftk$LIVE_ID
cleanup_follow() {
	[ -n "$FT_PID" ] && kill -KILL "$FT_PID" 2>/dev/null
	"$FT" stop "$PIN" >/dev/null 2>&1
	ip netns del "$NS2" 2>/dev/null
	live_cleanup
}
trap cleanup_follow EXIT
exec 2>>"$LIVE_TMP/shell.log"	# the kills on purpose are reported there

in_ns2() { nsenter --net="/run/netns/$NS2" "$@"; }
pair() {
	ip -n "$NS" link add "$P$1" type veth peer name "$Q$1" netns "$NS2" &&
		ip -n "$NS" link set "$P$1" up && ip -n "$NS2" link set "$Q$1" up
}
send() {	# PAIR SEED COUNT
	in_ns2 "$FTSEND" -i "$Q$1" --seed "$2" --count "$3" --malformed 10 \
		--expect "$LIVE_TMP/e$1.$2.json" >/dev/null
}
start() {	# OUT
	live_spawn_cmd "$1" "$LIVE_TMP/err.txt" nsenter --net="/run/netns/$NS" "$FT" run \
		-i "$P*" --pin "$PIN" --json --interval 0.2 --direction ingress || return 1
	for _ in $(seq 100); do
		grep -q "come and go" "$LIVE_TMP/err.txt" && break
		sleep 0.1
	done
	live_track
}
wait_killed() {
	for _ in $(seq 100); do kill -0 "$FT_PID" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$FT_PID" 2>/dev/null && return 1
	wait "$FT_PID" 2>/dev/null
	FT_PID=
}
ifindex() { ip -n "$NS" -o link show "$1" 2>/dev/null | cut -d: -f1; }
iface_packets() {	# FINAL NAME...: the packets of these rows together
	local f=$1
	shift
	jq --argjson n "$(printf '%s\n' "$@" | jq -R . | jq -s .)" \
		'[.ifaces[] | select(.name as $x | $n | index($x)) | .seen.packets] | add // 0' "$f"
}
want_packets() { expect_sum "$@" | jq .seen.packets; }

# round POINT KIND R: KIND attach (a second interface comes), attach-kept
# (the same, killed after its links were pinned: they count while down),
# leave or retire (the second interface is deleted).
crash_round() {
	local point=$1 kind=$2 a=${3}1 b=${3}2 name=follow_kill_at_${1//[-:]/_}
	local got want d

	pair "$a" || { fail "$name" "pair"; return; }
	[ "$kind" = attach ] || [ "$kind" = attach-kept ] || pair "$b" || { fail "$name" "pair"; return; }
	export FLOWTALLY_KILL_AT=$point
	start "$LIVE_TMP/out1.json"
	unset FLOWTALLY_KILL_AT
	[ -n "$FT_PID" ] || { fail "$name" "did not start"; return; }
	send "$a" 1 300
	case $kind in
	attach*) pair "$b" ;;
	*)	send "$b" 2 200
		ip -n "$NS" link del "$P$b" ;;
	esac
	if ! wait_killed; then
		fail "$name" "the process did not reach $point"
		live_stop INT
		"$FT" stop "$PIN" >/dev/null 2>&1
		return
	fi
	send "$a" 3 100			# no process: the pinned links count
	if [ "$kind" = attach-kept ]; then
		# what a state cannot know of: a slot of ifindex 54321 and a link
		# pin of ifindex 54321 (any object will do): the restart removes both
		bpftool map update pinned "/sys/fs/bpf/flowtally/$PIN/ft_ifslot" \
			key 0x31 0xd4 0 0 value 1 0 0 0 || fail "$name" "cannot plant a slot"
		bpftool map pin pinned "/sys/fs/bpf/flowtally/$PIN/ft_ifslot" \
			"/sys/fs/bpf/flowtally/$PIN/tcxin_54321" || fail "$name" "cannot plant a pin"
	fi
	[ "$kind" = attach ] || [ "$kind" = attach-kept ] && send "$b" 4 150
	start "$LIVE_TMP/out2.json" || { fail "$name" "did not adopt: $(cat "$LIVE_TMP/err.txt")"; return; }
	if grep -q "another flowtally\|could not be attached" "$LIVE_TMP/err.txt"; then
		fail "$name" "$(grep "another flowtally\|could not be attached" "$LIVE_TMP/err.txt" | head -1)"
	fi
	send "$a" 5 50
	[ "$kind" = attach ] || [ "$kind" = attach-kept ] && send "$b" 6 70
	# link pins: the live interfaces' only
	got=$(ls "/sys/fs/bpf/flowtally/$PIN" 2>/dev/null | grep -E '^(xdp|tcxin|tcx)_' | sort | tr '\n' ' ')
	want="tcxin_$(ifindex "$P$a") "
	[ "$kind" = attach ] || [ "$kind" = attach-kept ] && want="$want tcxin_$(ifindex "$P$b") "
	want=$(echo $want | tr ' ' '\n' | sort | tr '\n' ' ')
	[ "$got" = "$want" ] || fail "$name" "link pins '$got', want '$want'"
	# the programs' slot map: the live interfaces only, nothing stale
	got=$(bpftool -j map dump pinned "/sys/fs/bpf/flowtally/$PIN/ft_ifslot" 2>/dev/null | jq length)
	want=1
	[ "$kind" = attach ] || [ "$kind" = attach-kept ] && want=2
	for _ in $(seq 20); do	# a gone one's entry goes at the first look
		[ "$got" = "$want" ] && break
		sleep 0.1
		got=$(bpftool -j map dump pinned "/sys/fs/bpf/flowtally/$PIN/ft_ifslot" 2>/dev/null | jq length)
	done
	[ "$got" = "$want" ] || fail "$name" "ft_ifslot has $got entries, want $want"
	live_wait_intervals "$LIVE_TMP/out2.json" 3 || fail "$name" "no interval records"
	live_stop INT || fail "$name" "exit status $?"
	grep '"type":"final"' "$LIVE_TMP/out2.json" >"$LIVE_TMP/final.json"
	d=
	got=$(iface_packets "$LIVE_TMP/final.json" "$P$a")
	want=$(want_packets "$LIVE_TMP"/e$a.*.json)
	[ "$got" = "$want" ] || d+="$P$a: $got, want $want;"
	case $kind in
	attach) want=$(want_packets "$LIVE_TMP"/e$b.6.json) ;;
	attach-kept) want=$(want_packets "$LIVE_TMP"/e$b.4.json "$LIVE_TMP"/e$b.6.json) ;;
	*) want=$(want_packets "$LIVE_TMP"/e$b.2.json) ;;
	esac
	got=$(iface_packets "$LIVE_TMP/final.json" "$P$b" "(removed)")
	[ "$got" = "$want" ] || d+="$P$b: $got, want $want;"
	got=$(iface_packets "$LIVE_TMP/final.json" "(other)")
	[ "$got" = 0 ] || d+="(other): $got, want 0;"
	[ -z "$d" ] && pass "$name" || fail "$name" "$d"
	[ ! -e "/sys/fs/bpf/flowtally/$PIN" ] || { fail "$name" "pins left"; "$FT" stop "$PIN" >/dev/null 2>&1; }
	ip -n "$NS" link del "$P$a" 2>/dev/null
	ip -n "$NS" link del "$P$b" 2>/dev/null
}

before=$(bpf_objects)
ip netns add "$NS" && ip netns add "$NS2" || { fail follow_crash_setup "namespaces"; exit 1; }
in_ns sysctl -qw net.ipv6.conf.default.disable_ipv6=1
in_ns2 sysctl -qw net.ipv6.conf.default.disable_ipv6=1

r=0
for spec in attach-saved:2:attach attach-slot:2:attach attach-ingress:2:attach \
	    attach-pinned:2:attach-kept leave-unpinned:leave retire-released:retire; do
	r=$((r + 1))
	crash_round "${spec%:*}" "${spec##*:}" "$r"
done

bpf_objects_settle "$before" && pass follow_crash_leaves_nothing_loaded ||
	fail follow_crash_leaves_nothing_loaded "$(bpf_objects_left "$before")"
exit $FAILED
