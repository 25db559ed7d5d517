#!/usr/bin/env bash
# flowtally top in a real terminal (tmux): the top rows follow the sort keys,
# Tab switches tables, space pauses, q quits with the final record and never
# removes a pinned instance.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0
TM=fttop$LIVE_ID

if ! command -v tmux >/dev/null; then
	skip top_view "tmux is not installed (scripts/deps.sh installs it)"
	exit 0
fi
top_cleanup() {
	tmux kill-session -t "$TM" 2>/dev/null
	[ -n "${PIN:-}" ] && "$FT" stop "$PIN" >/dev/null 2>&1
	live_cleanup
}
trap top_cleanup EXIT
screen() { tmux capture-pane -p -t "$TM"; }
# the first row under the KEY header
first_row() { screen | sed -n '/^KEY/{n;p;q}'; }

live_veth 1500 || { fail top_setup "cannot create the veth pair"; exit 1; }
tmux new-session -d -s "$TM" -x 120 -y 40 \
	"$FT top -i $VA --direction ingress --interval 0.3 -t ports=proto,dport -t sources=saddr/24; echo status \$?; sleep 30"
for _ in $(seq 100); do screen | grep -q "^table ports" && break; sleep 0.1; done
in_ns "$FTSEND" -i "$VB" --seed 81 --count 3000 --malformed 5 --expect "$LIVE_TMP/in.json" ||
	fail top_send "ftsend failed"
sleep 1

# expected leaders, from what was sent: "proto port" of the entry with the most
# bytes, and of the one with the most packets
leader() {
	jq -r --arg by "$1" '.entries | max_by(.[$by]) |
		({"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "132": "sctp", "136": "udplite",
		  "47": "gre", "50": "esp"}[.proto | tostring] // (.proto | tostring)) + " " +
		(if .proto == 1 or .proto == 58 then "\(.dport / 256 | floor)/\(.dport % 256)" else "\(.dport)" end)' \
		"$LIVE_TMP/in.json"
}
for key in b:bytes p:packets; do
	tmux send-keys -t "$TM" "${key%%:*}"
	sleep 0.4
	want=$(leader "${key#*:}")
	got=$(first_row | awk '{print $1, $2}')
	[ -n "${FT_DEBUG:-}" ] && screen >&2
	[ "$got" = "$want" ] && pass "top_sorts_by_${key#*:}" ||
		fail "top_sorts_by_${key#*:}" "first row '$(first_row)', want '$want'"
done
tmux send-keys -t "$TM" Tab
sleep 0.4
screen | grep -q "^table sources ingress" && pass top_tab_switches_table ||
	fail top_tab_switches_table "$(screen | grep '^table')"
tmux send-keys -t "$TM" " "
sleep 0.4
screen | grep -q "space: resume" && pass top_space_pauses || fail top_space_pauses "$(screen | head -1)"
tmux send-keys -t "$TM" q
for _ in $(seq 50); do screen | grep -q "^status" && break; sleep 0.1; done
screen | grep -q "^status 0" && screen | grep -q "total seen:  ingress $(jq .seen.packets "$LIVE_TMP/in.json") packets" &&
	pass top_q_quits_with_final_record || fail top_q_quits_with_final_record "$(screen | tail -4 | tr '\n' ';')"

# top is a view: 'q' never removes a pinned instance, with --keep or without;
# only 'flowtally stop NAME' does.
PIN=ftt$LIVE_ID
for keep in --keep ""; do
	tmux kill-session -t "$TM" 2>/dev/null
	tmux new-session -d -s "$TM" -x 120 -y 40 \
		"$FT top -i $VA --direction ingress --interval 0.3 --pin $PIN $keep; echo status \$?; sleep 30"
	# loading takes longer on a busy machine: 30 s at most
	for _ in $(seq 300); do screen | grep -q "^table ports" && break; sleep 0.1; done
	in_ns "$FTSEND" -i "$VB" --seed 82 --count 200 --expect "$LIVE_TMP/k.json" >/dev/null
	sleep 0.7
	tmux send-keys -t "$TM" q
	for _ in $(seq 150); do screen | grep -q "^status" && break; sleep 0.1; done
	name=top_q_keeps_pinned_instance${keep:+_with_keep}
	got=$("$FT" dump "$PIN" --json 2>/dev/null | jq -c .total.ingress.packets)
	if screen | grep -q "^status 0" && [ -d "/sys/fs/bpf/flowtally/$PIN" ] &&
	   [ -e "/var/lib/flowtally/$PIN.state" ] && [ "$got" = "$(jq .seen.packets "$LIVE_TMP/k.json")" ]; then
		pass "$name"
	else
		fail "$name" "dump: $got packets; $(screen | tail -3 | tr '\n' ';')"
	fi
	"$FT" stop "$PIN" >/dev/null
	[ ! -e "/sys/fs/bpf/flowtally/$PIN" ] && [ ! -e "/var/lib/flowtally/$PIN.state" ] &&
		pass "stop_removes_what_top${keep:+_with_keep}_left" ||
		fail "stop_removes_what_top${keep:+_with_keep}_left" "still pinned"
done
exit $FAILED
