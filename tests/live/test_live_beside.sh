#!/usr/bin/env bash
# The live tests pass on a host where flowtally already runs: another
# instance (this test's own, on a veth of its own, standing for the host's)
# counts and changes its tables while a leak check and whole test files run.
# The leak check sees the test's own leftovers, and only those.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0
VO=fto$LIVE_ID		# the other instance's interface
OTHER=other$LIVE_ID
OTHER_PID=
CHURN_PID=

beside_cleanup() {
	local pid

	for pid in $CHURN_PID $OTHER_PID; do
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
	done
	ip link del "$VO" 2>/dev/null
	live_cleanup
}
trap beside_cleanup EXIT

ip link add "$VO" type veth peer name "ftp$LIVE_ID" || { fail beside_setup "no veth"; exit 1; }
sysctl -qw "net.ipv6.conf.$VO.disable_ipv6=1" "net.ipv6.conf.ftp$LIVE_ID.disable_ipv6=1"
ip link set "$VO" up && ip link set "ftp$LIVE_ID" up
"$FT" run -i "$VO" --name "$OTHER" --interval 0.2 >/dev/null 2>"$LIVE_TMP/other.txt" &
OTHER_PID=$!
for _ in $(seq 100); do grep -q "counting on" "$LIVE_TMP/other.txt" && break; sleep 0.1; done
grep -q "counting on" "$LIVE_TMP/other.txt" || { fail beside_setup "the other instance did not start"; exit 1; }
live_veth 1500 || { fail beside_setup "cannot create the veth pair"; exit 1; }

# 1. The other instance makes new maps while this test's instance runs and
#    stops: the check still finds nothing of the test's left.
before=$(bpf_objects)
live_start --interval 0.2 || { fail beside_start "flowtally did not start"; exit 1; }
"$FT" table --name "$OTHER" add "b1=dport:size=16" >/dev/null || fail beside_other_add "status $?"
live_stop INT
bpf_objects_settle "$before" && pass leak_check_ignores_another_instance ||
	fail leak_check_ignores_another_instance "$(bpf_objects_left "$before")"

# 2. What the test leaves, it sees: a pinned instance kept, then stopped.
live_start --pin "ftb$LIVE_ID" --keep --interval 0.2 || { fail beside_keep "did not start"; exit 1; }
live_stop TERM
left=$(bpf_objects_left "$before")
case $left in
*"file /sys/fs/bpf/flowtally/ftb$LIVE_ID"*"prog "*|*"prog "*"file /sys/fs/bpf/flowtally/ftb$LIVE_ID"*|\
*"file /sys/fs/bpf/flowtally/ftb$LIVE_ID"*) pass leak_check_sees_own_leftovers ;;
*) fail leak_check_sees_own_leftovers "left: '$left'" ;;
esac
"$FT" stop "ftb$LIVE_ID" >/dev/null
bpf_objects_settle "$before" && pass leak_check_clear_after_stop ||
	fail leak_check_clear_after_stop "$(bpf_objects_left "$before")"

# 3. Whole test files, while the other instance keeps adding tables (new
#    maps all along: a check of every flowtally object on the machine fails).
(for i in $(seq 40); do
	"$FT" table --name "$OTHER" add "c$i=dport:size=16" >/dev/null 2>&1 || break
	sleep 0.25
done) &
CHURN_PID=$!
for t in test_live_counts test_live_errors; do
	out=$(timeout 120 bash "tests/live/$t.sh" 2>&1)
	rc=$?
	if [ $rc -eq 0 ] && ! grep -q '^FAIL' <<<"$out"; then
		pass "${t#test_}_passes_beside_another_instance"
	else
		fail "${t#test_}_passes_beside_another_instance" \
			"status $rc: $(grep '^FAIL' <<<"$out" | head -3 | tr '\n' ';')"
	fi
done
kill -0 "$OTHER_PID" 2>/dev/null && pass other_instance_ran_throughout ||
	fail other_instance_ran_throughout "$(tail -2 "$LIVE_TMP/other.txt" | tr '\n' ';')"
exit $FAILED
