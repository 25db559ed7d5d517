#!/usr/bin/env bash
# Container identity: a veth's record names its peer's ifindex and network
# namespace (netnsid as `ip link` shows it, and the namespace's inode as
# `lsns -t net` shows it), for a peer in a named namespace, in a namespace
# only a process holds (as a container runtime's), in flowtally's own
# namespace, and for a peer moved into a namespace while flowtally runs.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0
VA2=${VA}2 VB2=${VB}2 VA3=${VA}3 VB3=${VB}3 VA4=${VA}4 VB4=${VB}4
HOLDER=

cleanup_more() {
	ip link del "$VA2" 2>/dev/null
	ip link del "$VA3" 2>/dev/null
	ip link del "$VA4" 2>/dev/null
	[ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null
	live_cleanup
}
trap cleanup_more EXIT

live_veth 1500 || { fail identity_setup "cannot create the veth pair"; exit 1; }
# a namespace no file in /run/netns names: only the holder process has it
unshare --net sleep 120 &
HOLDER=$!
for _ in $(seq 50); do
	[ "$(stat -L -c %i /proc/$HOLDER/ns/net 2>/dev/null)" != "$(stat -L -c %i /proc/self/ns/net)" ] && break
	sleep 0.1
done
[ "$(stat -L -c %i /proc/$HOLDER/ns/net 2>/dev/null)" != "$(stat -L -c %i /proc/self/ns/net)" ] ||
	{ fail identity_setup "unshare --net gave the holder no namespace of its own"; exit 1; }
for n in 2 3 4; do
	a=${VA}$n b=${VB}$n
	ip link add "$a" type veth peer name "$b" || { fail identity_setup "pair $n"; exit 1; }
	sysctl -qw "net.ipv6.conf.$a.disable_ipv6=1" "net.ipv6.conf.$b.disable_ipv6=1"
	ip link set "$a" up
done
ip link set "$VB4" netns "/proc/$HOLDER/ns/net" || { fail identity_setup "move into the holder"; exit 1; }
# VB3 stays here until flowtally runs, then moves into $NS
live_start -i "$VA2" -i "$VA3" -i "$VA4" --interval 0.3 ||
	{ fail identity_start "did not start"; exit 1; }
ip link set "$VB3" netns "$NS" || fail identity_move "cannot move $VB3"
sleep 1
live_stop INT || fail identity_stop "status $?"
grep '"type":"final"' "$LIVE_TMP/out.json" >"$LIVE_TMP/final.json"

peer_of() {	# iface -> {ifindex, netnsid, netns_inode} as flowtally printed it
	jq -c --arg i "$1" '[.ifaces[] | select(.name == $i)][0].peer' "$LIVE_TMP/final.json"
}
want() {	# peer ifindex, netnsid ("" = none), inode
	jq -nc --argjson i "$1" --arg n "$2" --argjson ino "$3" \
		'{ifindex: $i} + (if $n == "" then {} else {netnsid: ($n | tonumber)} end) +
		 {netns_inode: $ino}'
}
netnsid_of() { ip -j link show "$1" | jq -r '.[0].link_netnsid // ""'; }
ifindex_in() { nsenter --net="$1" ip -j link show "$2" | jq '.[0].ifindex'; }	# netns file, name
own=$(stat -L -c %i /proc/self/ns/net)
ns_ino=$(stat -L -c %i "/run/netns/$NS")
holder_ino=$(stat -L -c %i "/proc/$HOLDER/ns/net")

got=$(peer_of "$VA")
exp=$(want "$(ifindex_in "/run/netns/$NS" "$VB")" "$(netnsid_of "$VA")" "$ns_ino")
[ "$got" = "$exp" ] && pass identity_named_namespace ||
	fail identity_named_namespace "got $got, want $exp"

got=$(peer_of "$VA2")
exp=$(want "$(ifindex_in /proc/self/ns/net "$VB2")" "" "$own")
[ "$got" = "$exp" ] && pass identity_own_namespace || fail identity_own_namespace "got $got, want $exp"

got=$(peer_of "$VA4")
exp=$(want "$(ifindex_in "/proc/$HOLDER/ns/net" "$VB4")" \
	"$(netnsid_of "$VA4")" "$holder_ino")
[ "$got" = "$exp" ] && pass identity_process_namespace ||
	fail identity_process_namespace "got $got, want $exp"

got=$(peer_of "$VA3")
exp=$(want "$(ifindex_in "/run/netns/$NS" "$VB3")" "$(netnsid_of "$VA3")" "$ns_ino")
[ "$got" = "$exp" ] && pass identity_follows_a_move || fail identity_follows_a_move "got $got, want $exp"

# every record names the peers, each interval's too
missing=$(jq -c 'select(.type == "interval") | .ifaces[] | select(.peer.netns_inode == null) | .name' \
	"$LIVE_TMP/out.json" | head -3 | tr '\n' ' ')
records=$(grep -c '"type":"interval"' "$LIVE_TMP/out.json")
[ "$records" -gt 0 ] && [ -z "$missing" ] && pass identity_in_every_record ||
	fail identity_in_every_record "$records interval records, no peer namespace on: $missing"
out=$(python3 tests/live/validate_json.py schema/flowtally-record.schema.json "$LIVE_TMP/out.json" 2>&1)
[ $? -eq 0 ] && pass identity_records_valid || fail identity_records_valid "$(echo "$out" | tail -1)"
exit $FAILED
