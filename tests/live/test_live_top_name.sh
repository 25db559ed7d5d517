#!/usr/bin/env bash
# flowtally top NAME in a real terminal (tmux), against an instance started
# by hand: it shows the instance's tables with their counts, follows the sort
# keys and Tab, and 'q' ends only the view: the instance counts on and its
# final record is exact. A missing instance and a bad name are one line each.
# Beside a full table (65,535 keys) the control answer is only the rows
# asked for.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0
TM=fttopn$LIVE_ID
NAME=ftn$LIVE_ID
PY=/usr/bin/python3

if ! command -v tmux >/dev/null; then
	skip top_name_view "tmux is not installed (scripts/deps.sh installs it)"
	exit 0
fi
if [ ! -x "$PY" ]; then
	skip top_name_view "$PY is missing"
	exit 0
fi
top_cleanup() {
	tmux kill-session -t "$TM" 2>/dev/null
	live_cleanup
}
trap top_cleanup EXIT
screen() { tmux capture-pane -p -t "$TM"; }
first_row() { screen | sed -n '/^KEY/{n;p;q}'; }

# errors first: one line each, before any screen is taken
out=$("$FT" top "nothere$LIVE_ID" 2>&1 </dev/null)
rc=$?
[ $rc -eq 1 ] && [ "$(echo "$out" | wc -l)" -eq 1 ] && echo "$out" | grep -q "no instance named 'nothere$LIVE_ID' runs here" &&
	pass top_name_missing_instance_is_one_line_exit_1 ||
	fail top_name_missing_instance_is_one_line_exit_1 "status $rc: $out"
out=$("$FT" top "../bad" 2>&1 </dev/null)
rc=$?
[ $rc -eq 2 ] && [ "$(echo "$out" | wc -l)" -eq 1 ] && echo "$out" | grep -q "instance name '../bad' invalid" &&
	pass top_name_bad_name_is_one_line_exit_2 || fail top_name_bad_name_is_one_line_exit_2 "status $rc: $out"

live_veth 1500 || { fail top_name_setup "cannot create the veth pair"; exit 1; }
live_start --name "$NAME" --direction ingress --interval 0.3 -t ports=proto,dport -t sources=saddr/24 ||
	{ fail top_name_setup "flowtally did not start"; exit 1; }
in_ns "$FTSEND" -i "$VB" --seed 81 --count 3000 --malformed 5 --expect "$LIVE_TMP/in.json" ||
	fail top_name_send "ftsend failed"
sleep 0.8

tmux new-session -d -s "$TM" -x 140 -y 40 "$FT top $NAME; echo status \$?; sleep 30"
for _ in $(seq 100); do screen | grep -q "^table ports ingress" && break; sleep 0.1; done
screen | grep -q "^table ports ingress" && pass top_name_shows_the_instance_table ||
	fail top_name_shows_the_instance_table "$(screen | head -8 | tr '\n' ';')"

# the leader by bytes and by packets, from what was sent: "proto port packets bytes"
leader() {
	jq -r --arg by "$1" '.entries | max_by(.[$by]) |
		({"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "132": "sctp", "136": "udplite",
		  "47": "gre", "50": "esp"}[.proto | tostring] // (.proto | tostring)) + " " +
		(if .proto == 1 or .proto == 58 then "\(.dport / 256 | floor)/\(.dport % 256)" else "\(.dport)" end) +
		" \(.packets) \(.bytes)"' "${2:-$LIVE_TMP/in.json}"
}
for key in b:bytes p:packets; do
	tmux send-keys -t "$TM" "${key%%:*}"
	want=$(leader "${key#*:}")
	got=
	for _ in $(seq 30); do
		# key, then the last two columns: total packets and bytes
		got=$(first_row | awk '{print $1, $2, $(NF-1), $NF}')
		[ "$got" = "$want" ] && break
		sleep 0.1
	done
	[ -n "${FT_DEBUG:-}" ] && screen >&2
	[ "$got" = "$want" ] && pass "top_name_sorts_by_${key#*:}_with_exact_counts" ||
		fail "top_name_sorts_by_${key#*:}_with_exact_counts" "first row '$(first_row)', want '$want'"
done
tmux send-keys -t "$TM" Tab
for _ in $(seq 30); do screen | grep -q "^table sources ingress" && break; sleep 0.1; done
rows=$(screen | sed -n '/^KEY/,$p' | grep -c "addresses")
screen | grep -q "^table sources ingress" && [ "$rows" -ge 1 ] && pass top_name_tab_switches_table ||
	fail top_name_tab_switches_table "$(screen | grep '^table'), $rows rows"

# space pauses the view, not the counting: frames sent meanwhile leave the
# screen as it was, and show once it resumes (Tab: back to the ports table,
# still sorted by packets)
rows() { screen | sed -n '/^KEY/,$p'; }
tmux send-keys -t "$TM" " "
for _ in $(seq 30); do screen | grep -q "space: resume" && break; sleep 0.1; done
before=$(rows)
in_ns "$FTSEND" -i "$VB" --seed 83 --count 300 --expect "$LIVE_TMP/p.json" >/dev/null ||
	fail top_name_send "ftsend failed"
sleep 1
paused=$(rows)
expect_sum "$LIVE_TMP/in.json" "$LIVE_TMP/p.json" >"$LIVE_TMP/inp.json"
want=$(leader packets "$LIVE_TMP/inp.json")
tmux send-keys -t "$TM" " "
tmux send-keys -t "$TM" Tab
for _ in $(seq 30); do
	got=$(first_row | awk '{print $1, $2, $(NF-1), $NF}')
	[ "$got" = "$want" ] && break
	sleep 0.1
done
[ "$paused" = "$before" ] && [ "$got" = "$want" ] && pass top_name_space_pauses_the_view_not_the_counting ||
	fail top_name_space_pauses_the_view_not_the_counting "changed while paused: $([ "$paused" = "$before" ] && echo no || echo yes); first row '$got', want '$want'"

# a request the instance does not answer (stopped with SIGSTOP): resizes
# (SIGWINCH) while the view waits do not end it, and q ends it at once
kill -STOP "$FT_PID"
sleep 1.5	# the view asks twice a second: one request is waiting now
for w in 120 100 140 110; do tmux resize-window -t "$TM" -x $w -y 40; sleep 0.3; done
sleep 0.5
ended=$(screen | grep -A1 "^flowtally" | tr '\n' ';')
screen | grep -q "^status" || ended=
tmux send-keys -t "$TM" q
for _ in $(seq 30); do screen | grep -q "^status" && break; sleep 0.1; done
quit=$(screen | grep "^status")
kill -CONT "$FT_PID"
[ -z "$ended" ] && [ "$quit" = "status 0" ] && pass top_name_resize_and_q_while_a_request_waits ||
	fail top_name_resize_and_q_while_a_request_waits "ended by the resizes: '$ended'; after q: '$quit'"

tmux send-keys -t "$TM" q
for _ in $(seq 50); do screen | grep -q "^status" && break; sleep 0.1; done
screen | grep -q "^status 0" && kill -0 "$FT_PID" 2>/dev/null && pass top_name_q_leaves_the_instance_running ||
	fail top_name_q_leaves_the_instance_running "$(screen | tail -3 | tr '\n' ';')"

# it counts on after the view: more frames, then its final record
in_ns "$FTSEND" -i "$VB" --seed 82 --count 500 --malformed 5 --expect "$LIVE_TMP/k.json" ||
	fail top_name_send "ftsend failed"
sleep 0.5
live_stop INT
rc=$?
expect_sum "$LIVE_TMP/in.json" "$LIVE_TMP/p.json" "$LIVE_TMP/k.json" >"$LIVE_TMP/both.json"
grep '"type":"final"' "$LIVE_TMP/out.json" >"$LIVE_TMP/final.json"
d=$(live_diff "$LIVE_TMP/final.json" "$LIVE_TMP/both.json" "$VA" ingress 2>&1) || d="cannot compare: $d"
[ $rc -eq 0 ] && [ -z "$d" ] && pass top_name_instance_counts_on_and_final_record_is_exact ||
	fail top_name_instance_counts_on_and_final_record_is_exact "status $rc; $(echo "$d" | head -3 | tr '\n' ';')"
u=$(unconserved "$LIVE_TMP/final.json" ingress)
[ -z "$u" ] && pass top_name_final_tables_add_up_to_seen || fail top_name_final_tables_add_up_to_seen "$u"

# A full table (65,535 keys): the answer is only the rows asked for, well
# inside the socket's 2 s deadline, and the instance's records go on.
live_start --name "$NAME" --direction ingress --interval 0.3 -t wide=proto,sport ||
	{ fail top_name_setup "flowtally did not start again"; exit 1; }
sent=$(in_ns "$PY" - "$VB" <<'PYEOF'
import socket, struct, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
eth = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00"
n = 0
for sp in range(1, 65536):
    udp = struct.pack("!HHHH", sp, 443, 8, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 0, 0, 64, 17, 0, bytes([192, 0, 2, 1]),
                     bytes([198, 51, 100, 1]))
    for _ in range(3):
        try:
            n += s.send(eth + ip + udp) > 0
            break
        except OSError:
            pass
print(n)
PYEOF
)
sleep 1
ask() {
	"$PY" - "/run/flowtally/$NAME.sock" "$1" <<'PYEOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
data = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    data += b
lines = data.decode().splitlines()
print(len(data), sum(l.startswith("entry ") for l in lines), lines[-1] if lines else "")
PYEOF
}
read -r size entries last <<<"$(ask "top 500 bytes wide ingress")"
keys=$(ask "top 500 rate" >/dev/null; "$FT" table --name "$NAME" list >/dev/null && echo ok)
[ "$last" = ok ] && [ "$entries" = 500 ] && [ "$size" -lt 200000 ] && [ "$keys" = ok ] && [ "$sent" = 65535 ] &&
	pass top_name_answer_is_bounded_beside_a_full_table ||
	fail top_name_answer_is_bounded_beside_a_full_table "sent $sent: $size bytes, $entries rows, last '$last'"
read -r _ _ last <<<"$(ask "top 501 bytes")"
[ "${last#error 2 }" != "$last" ] && pass top_name_refuses_more_rows_than_it_serves ||
	fail top_name_refuses_more_rows_than_it_serves "$last"
# the view of an instance that stops ends with one line and status 1
tmux kill-session -t "$TM" 2>/dev/null
tmux new-session -d -s "$TM" -x 140 -y 40 "$FT top $NAME; echo status \$?; sleep 30"
for _ in $(seq 100); do screen | grep -q "^table wide ingress" && break; sleep 0.1; done
live_stop INT
rc=$?
# a loaded machine: the view asks twice a second and gives a stopping
# instance 1 s more; 15 s is plenty
for _ in $(seq 150); do screen | grep -q "^status" && break; sleep 0.1; done
said=$(screen | grep -B1 "^status" | head -1)
screen | grep -q "^status 1" && [ "$said" = "flowtally: top: instance '$NAME' stopped: the view ends with it" ] &&
	pass top_name_view_of_a_stopped_instance_ends_with_one_line ||
	fail top_name_view_of_a_stopped_instance_ends_with_one_line "$(screen | grep . | tail -3 | tr '\n' ';')"
grep '"type":"final"' "$LIVE_TMP/out.json" >"$LIVE_TMP/final2.json"
n=$(jq '[.tables[] | select(.name == "wide") | .entries | length] | add' "$LIVE_TMP/final2.json")
u=$(unconserved "$LIVE_TMP/final2.json" ingress)
[ $rc -eq 0 ] && [ "$n" = 65535 ] && [ -z "$u" ] && pass top_name_full_table_counted_exactly_beside_the_view ||
	fail top_name_full_table_counted_exactly_beside_the_view "status $rc, $n keys, $u"
exit $FAILED
