#!/usr/bin/env bash
# The control socket never holds the run loop: slow and idle clients do not
# stop records, a request is answered while a slow client is connected, and
# a client past its deadline is dropped. Only root or the instance's user is
# answered; others hear "permission denied". A name is taken by a lock, so
# a second instance of it is refused whatever state the socket is in.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0
PY=/usr/bin/python3
NAME=ftc$LIVE_ID
PIDS=()

control_cleanup() {
	local pid

	for pid in "${PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
	done
	ip link del "${VA}x" 2>/dev/null
	live_cleanup
}
trap control_cleanup EXIT

if [ ! -x "$PY" ]; then
	skip control_socket "$PY is missing"
	exit 0
fi

# clients SOCKET IDLE DRIP SECONDS: IDLE clients that connect and send
# nothing, one that sends "listlist" a byte every 0.8 s (DRIP=1); all end after
# SECONDS. Prints "dropped" if the dripping one was closed on before it was
# done, "answered" if it got an answer.
clients() {
	"$PY" - "$@" <<'PYEOF'
import socket, sys, time
path, idle, drip, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", float(sys.argv[4])
end = time.monotonic() + secs
state = "held"
d = None
if drip:
    d = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    d.connect(path)
held = []
for _ in range(idle):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(0.05)
    try:
        s.connect(path)
        held.append(s)
    except OSError:
        s.close()
if d:
    d.settimeout(0.8)
    for ch in b"listlist":
        try:
            d.send(bytes([ch]))
            got = d.recv(256)
            state = "dropped" if got == b"" or b"busy" in got else "answered"
            break
        except socket.timeout:
            pass
        except OSError:
            state = "dropped"
            break
while time.monotonic() < end:
    time.sleep(0.1)
print(state)
PYEOF
}

live_veth 1500 || { fail control_setup "cannot create the veth pair"; exit 1; }
before=$(bpf_objects)

# 1. 50 idle clients and a slow one for 3 s of a 4 s run at 0.2 s: the
#    records keep coming, none spans the clients' time (before, the loop
#    waited on the slow client: one record then covered about 3 s).
live_start --name "$NAME" --interval 0.2 --duration 4 || { fail control_start "did not start"; exit 1; }
state=$(clients "/run/flowtally/$NAME.sock" 50 1 3)
for _ in $(seq 100); do kill -0 "$FT_PID" 2>/dev/null || break; sleep 0.1; done
live_stop INT
n=$(grep -c '"type":"interval"' "$LIVE_TMP/out.json")
longest=$(jq -s '[.[] | select(.type == "interval") | .seconds] | max' "$LIVE_TMP/out.json")
[ "$n" -ge 10 ] && awk -v l="$longest" 'BEGIN { exit !(l < 1.5) }' &&
	pass records_go_on_with_slow_and_idle_clients ||
	fail records_go_on_with_slow_and_idle_clients "$n interval records, the longest $longest s (interval 0.2 s)"
[ "$state" = dropped ] && pass slow_client_dropped_at_its_deadline ||
	fail slow_client_dropped_at_its_deadline "the slow client was $state"

# 2. A request is answered while a slow client holds a connection.
live_start --name "$NAME" --interval 0.2 || { fail control_start2 "did not start"; exit 1; }
clients "/run/flowtally/$NAME.sock" 0 1 7 >/dev/null &
cp=$!
sleep 0.3
out=$(timeout 4 "$FT" table --name "$NAME" list 2>&1); rc=$?
wait $cp
[ $rc -eq 0 ] && grep -q "^ports " <<<"$out" && pass request_answered_beside_a_slow_client ||
	fail request_answered_beside_a_slow_client "status $rc: $out"

# 3. Others: turned away with "permission denied", by the file modes or,
#    where those let them in, by the peer's credentials.
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
for cmd in "table --name $NAME list" "stop $NAME" "status $NAME" "dump $NAME"; do
	# shellcheck disable=SC2086
	"${nobody[@]}" "$FT" $cmd >/dev/null 2>"$LIVE_TMP/e.txt"; rc=$?
	[ $rc -eq 1 ] && grep -q "permission denied" "$LIVE_TMP/e.txt" &&
		[ "$(wc -l <"$LIVE_TMP/e.txt")" -eq 1 ] &&
		pass "non_root_${cmd%% *}_says_permission_denied" ||
		fail "non_root_${cmd%% *}_says_permission_denied" "status $rc: $(cat "$LIVE_TMP/e.txt")"
done
live_stop INT

# in a mount namespace of its own, a /run/flowtally anyone may enter
unshare -m sh -c "mkdir -p /run/flowtally && mount -t tmpfs -o mode=0755 none /run/flowtally &&
	'$FT' run -i '$VA' --name '$NAME' --interval 0.2 --duration 10 >/dev/null 2>'$LIVE_TMP/pc.txt' &
	pid=\$!
	for i in \$(seq 100); do [ -S /run/flowtally/$NAME.sock ] && break; sleep 0.1; done
	chmod 0755 /run/flowtally; chmod 0666 /run/flowtally/$NAME.sock
	${nobody[*]} '$FT' table --name '$NAME' list >/dev/null 2>'$LIVE_TMP/nobody.txt'
	echo \$? >'$LIVE_TMP/nobody.rc'
	'$FT' table --name '$NAME' list >/dev/null 2>&1; echo \$? >'$LIVE_TMP/root.rc'
	kill -INT \$pid; wait \$pid"
[ "$(cat "$LIVE_TMP/nobody.rc")" = 1 ] &&
	grep -q "permission denied: only root or the user the instance runs as" "$LIVE_TMP/nobody.txt" &&
	pass peer_credentials_checked || fail peer_credentials_checked \
		"status $(cat "$LIVE_TMP/nobody.rc"): $(cat "$LIVE_TMP/nobody.txt")"
[ "$(cat "$LIVE_TMP/root.rc")" = 0 ] && pass root_answered_through_the_same_socket ||
	fail root_answered_through_the_same_socket "status $(cat "$LIVE_TMP/root.rc")"

# 4. The lock holds the name, whatever becomes of the socket.
ip link add "${VA}x" type veth peer name "${VB}x" && ip link set "${VA}x" up && ip link set "${VB}x" up
live_start --name "$NAME" --interval 0.2 || { fail lock_start "did not start"; exit 1; }
rm -f "/run/flowtally/$NAME.sock"	# as a crash of a tool or a hand would
"$FT" run -i "${VA}x" --name "$NAME" --duration 1 >/dev/null 2>"$LIVE_TMP/e.txt"; rc=$?
[ $rc -eq 1 ] && grep -q "an instance named '$NAME' runs already" "$LIVE_TMP/e.txt" &&
	pass second_instance_refused_without_its_socket ||
	fail second_instance_refused_without_its_socket "status $rc: $(cat "$LIVE_TMP/e.txt")"
live_stop INT
# two started together: exactly one runs
for i in 1 2; do
	dev=$VA; [ $i = 2 ] && dev=${VA}x
	"$FT" run -i "$dev" --name "$NAME" --duration 1.5 >/dev/null 2>"$LIVE_TMP/t$i.txt" &
	PIDS+=($!)
done
rcs=""
for pid in "${PIDS[@]}"; do wait "$pid"; rcs="$rcs$?"; done
PIDS=()
refused=$(cat "$LIVE_TMP/t1.txt" "$LIVE_TMP/t2.txt" | grep -c "runs already")
{ [ "$rcs" = 01 ] || [ "$rcs" = 10 ]; } && [ "$refused" -eq 1 ] && pass two_started_together_one_runs ||
	fail two_started_together_one_runs "exit statuses $rcs, $refused refused"

bpf_objects_settle "$before" && pass control_leaves_nothing_loaded ||
	fail control_leaves_nothing_loaded "$(bpf_objects_left "$before")"
exit $FAILED
