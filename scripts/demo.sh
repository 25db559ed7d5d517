#!/usr/bin/env bash
# make demo: flowtally counting real frames in a namespace of its own. A veth
# pair (one end in a new netns), flowtally on the root end, a known mix of
# TCP/UDP over IPv4/IPv6 with some malformed frames sent both ways; then the
# final totals next to what was sent. Everything is removed on exit.
set -u
cd "$(dirname "$0")/.." || exit 1
FT=build/flowtally
FTSEND=build/ftsend
id=$$
NS=ft-demo-$id VA=ftdemo$id VB=ftdemp$id
tmp=$(mktemp -d /tmp/ft-demo.XXXXXX)
ft_pid=

cleanup() {
	[ -n "$ft_pid" ] && kill -TERM "$ft_pid" 2>/dev/null && wait "$ft_pid" 2>/dev/null
	ip link del "$VA" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$(id -u)" -ne 0 ]; then
	echo "flowtally demo: needs root (creates a network namespace, loads BPF)" >&2
	exit 1
fi

echo "== a veth pair: $VA (root namespace, flowtally counts here) <-> $VB (netns $NS)"
ip netns add "$NS"
ip link add "$VA" type veth peer name "$VB"
ip link set "$VB" netns "$NS"
# no addresses and no IPv6: the kernel adds no frames of its own
sysctl -qw "net.ipv6.conf.$VA.disable_ipv6=1"
nsenter --net="/run/netns/$NS" sysctl -qw "net.ipv6.conf.$VB.disable_ipv6=1"
ip link set "$VA" up
nsenter --net="/run/netns/$NS" ip link set "$VB" up

echo "== flowtally run -i $VA --interval 1 --top 6"
"$FT" run -i "$VA" --interval 1 --top 6 | tee "$tmp/out.txt" &
ft_pid=$(pgrep -n -P $$ -x flowtally || true)
for _ in $(seq 50); do
	bpftool link show 2>/dev/null | grep -q "ifindex $(cat /sys/class/net/$VA/ifindex)" && break
	sleep 0.1
done

echo "== sending: 3000 frames into $VA, 1500 out of it (5% malformed)" >&2
nsenter --net="/run/netns/$NS" "$FTSEND" -i "$VB" --seed 7 --count 3000 --rate 1200 \
	--malformed 5 --expect "$tmp/in.json" &
send_pid=$!
"$FTSEND" -i "$VA" --seed 8 --count 1500 --rate 600 --malformed 5 --expect "$tmp/out.json"
wait "$send_pid"
sleep 0.5
kill -INT "$ft_pid"
wait "$ft_pid" 2>/dev/null
ft_pid=

# the final record's totals line: "total seen:  ingress N packets B bytes  egress ..."
read -r _ _ _ in_p _ in_b _ _ eg_p _ eg_b _ < <(grep '^total seen:' "$tmp/out.txt" | tail -1)
sent_in=$(jq -r '"\(.seen.packets) \(.seen.bytes)"' "$tmp/in.json")
sent_eg=$(jq -r '"\(.seen.packets) \(.seen.bytes)"' "$tmp/out.json")
echo
echo "== sent vs counted"
printf '%-8s %10s %12s   %10s %12s\n' "" "sent pkts" "sent bytes" "counted" "bytes"
printf '%-8s %10s %12s   %10s %12s\n' ingress $sent_in "$in_p" "$in_b"
printf '%-8s %10s %12s   %10s %12s\n' egress $sent_eg "$eg_p" "$eg_b"
if [ "$sent_in $sent_eg" = "$in_p $in_b $eg_p $eg_b" ]; then
	echo "every frame counted, exactly"
else
	echo "MISMATCH: counted totals differ from what was sent" >&2
	exit 1
fi
