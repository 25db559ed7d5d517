#!/usr/bin/env bash
# Hundreds of interfaces: 300 veth pairs (flowtally's ends in the test's
# namespace, the senders' in a second one), followed with -i 'PATTERN'.
# Frames on a sample of them are counted exactly per interface and in
# total; Prometheus keeps its per-interface series within
# --prometheus-max-interfaces, the rest in iface="other", the sum exact;
# start-up and one interval's read are printed (no timed assertion);
# nothing is left loaded.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0
N=${FT_MANY_IFACES:-300}
NS2=${NS}s
P=ftp$LIVE_ID
Q=ftq$LIVE_ID
cleanup_many() {
	ip netns del "$NS2" 2>/dev/null	# takes every pair with it
	live_cleanup
}
trap cleanup_many EXIT
in_ns2() { nsenter --net="/run/netns/$NS2" "$@"; }

before=$(bpf_objects)
ip netns add "$NS" && ip netns add "$NS2" || { fail many_setup "namespaces"; exit 1; }
in_ns sysctl -qw net.ipv6.conf.default.disable_ipv6=1
in_ns2 sysctl -qw net.ipv6.conf.default.disable_ipv6=1
ip -n "$NS" link set lo up	# Prometheus listens there
for i in $(seq "$N"); do
	echo "link add $P$i type veth peer name $Q$i netns $NS2"
	echo "link set $P$i up"
done >"$LIVE_TMP/add.batch"
for i in $(seq "$N"); do echo "link set $Q$i up"; done >"$LIVE_TMP/up.batch"
ip -n "$NS" -batch "$LIVE_TMP/add.batch" && ip -n "$NS2" -batch "$LIVE_TMP/up.batch" ||
	{ fail many_setup "cannot create $N veth pairs"; exit 1; }

t0=$(date +%s.%N)
live_spawn_cmd "$LIVE_TMP/out.json" "$LIVE_TMP/err.txt" nsenter --net="/run/netns/$NS" \
	"$FT" run -v -i "$P*" --name "ft$LIVE_ID" --max-interfaces 512 --json --interval 0.5 --direction ingress \
	--prometheus 127.0.0.1:9753 --prometheus-max-interfaces 50 ||
	{ fail many_start "flowtally did not start"; exit 1; }
# the first interface's "counting on" ends live_spawn_cmd; the summary
# comes once all are attached
for _ in $(seq 300); do
	grep -q "as they come and go" "$LIVE_TMP/err.txt" && break
	sleep 0.1
done
t1=$(date +%s.%N)
live_track
# -v says what the interface counters cost (the default, 256, is fewer than $N)
grep -q "512 interface slots: 256 KiB of counters on each of [0-9]* possible CPUs" "$LIVE_TMP/err.txt" &&
	pass many_verbose_says_counter_cost || fail many_verbose_says_counter_cost "$(head -3 "$LIVE_TMP/err.txt")"
grep -q "as they come and go: $N now" "$LIVE_TMP/err.txt" && pass many_all_attached_at_start ||
	fail many_all_attached_at_start "$(grep "come and go" "$LIVE_TMP/err.txt")"
echo "  start-up with $N interfaces: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s"

# a sample: first, last and every 37th
sample="1 $N $(seq 37 37 "$N" | tr '\n' ' ')"
for i in $sample; do
	in_ns2 "$FTSEND" -i "$Q$i" --seed $((900 + i)) --count $((50 + i)) --malformed 10 \
		--expect "$LIVE_TMP/e$i.json" >/dev/null || fail many_send "ftsend on $Q$i"
done
# two records after the last frame: what Prometheus shows was read after it
live_wait_intervals "$LIVE_TMP/out.json" 2 || fail many_intervals "no interval records"
metrics=$(in_ns curl -s --max-time 5 http://127.0.0.1:9753/metrics)
own=$(echo "$metrics" | grep '^flowtally_seen_packets_total{' | grep 'direction="ingress"' |
	grep -vc 'iface="other"')
[ "$own" = 50 ] && pass many_prometheus_iface_series_capped || fail many_prometheus_iface_series_capped "$own series"
got=$(echo "$metrics" | awk '/^flowtally_seen_packets_total\{.*direction="ingress"/ { s += $NF } END { print s + 0 }')
want=$(expect_sum "$LIVE_TMP"/e*.json | jq .seen.packets)
[ "$got" = "$want" ] && pass many_prometheus_sum_exact || fail many_prometheus_sum_exact "got $got, want $want"
live_stop INT || fail many_stop "status $?"

grep '"type":"final"' "$LIVE_TMP/out.json" >"$LIVE_TMP/final.json"
bad=0
for i in $sample; do
	got=$(jq -c --arg i "$P$i" '.ifaces[] | select(.name == $i and .direction == "ingress") |
		{seen: .seen, unclassified: .unclassified}' "$LIVE_TMP/final.json")
	want=$(jq -c '{seen, unclassified}' "$LIVE_TMP/e$i.json")
	[ "$got" = "$want" ] || { bad=$((bad + 1)); echo "  $P$i: got ${got:0:80}, want ${want:0:80}"; }
done
[ $bad = 0 ] && pass many_sample_counted_exactly || fail many_sample_counted_exactly "$bad interfaces off"
n=$(jq '[.ifaces[] | select(.direction == "ingress" and (.name | startswith("'"$P"'")))] | length' \
	"$LIVE_TMP/final.json")
[ "$n" = "$N" ] && pass many_every_interface_in_the_record || fail many_every_interface_in_the_record "$n of $N"
got=$(jq '[.ifaces[] | select(.direction == "ingress") | .seen.packets] | add' "$LIVE_TMP/final.json")
want=$(expect_sum "$LIVE_TMP"/e*.json | jq .seen.packets)
[ "$got" = "$want" ] && pass many_total_exact || fail many_total_exact "got $got, want $want"
[ -z "$(unconserved "$LIVE_TMP/final.json" ingress)" ] && pass many_final_conserved ||
	fail many_final_conserved "$(unconserved "$LIVE_TMP/final.json" ingress)"
echo "  one interval with $N interfaces: $(grep -o 'swap [0-9.]* us, read [0-9.]* us' "$LIVE_TMP/err.txt" | tail -1)"

bpf_objects_settle "$before" && pass many_nothing_left_loaded ||
	fail many_nothing_left_loaded "$(bpf_objects_left "$before")"
exit $FAILED
