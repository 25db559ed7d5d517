# Shared by the live tests: a network namespace and a veth pair of the test's
# own, named with a unique suffix and removed by a trap; flowtally started
# and stopped by PID. Source it; it needs $FT (the binary) and $FTSEND.

. "$(dirname "${BASH_SOURCE[0]}")/spawn.sh"

FT=${FT:-build/flowtally}
FTSEND=${FTSEND:-build/ftsend}
LIVE_TMP=$(mktemp -d /tmp/ft-live.XXXXXX)
LIVE_ID=$$$RANDOM
LIVE_ID=${LIVE_ID:0:9}
NS=ft-$LIVE_ID
VA=fta$LIVE_ID		# root end: flowtally counts here
VB=ftb$LIVE_ID		# namespace end: test traffic comes from here
FT_PID=

live_cleanup() {
	if [ -n "$FT_PID" ] && kill -0 "$FT_PID" 2>/dev/null; then
		kill -TERM "$FT_PID" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$FT_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$FT_PID" 2>/dev/null
	fi
	ip link del "$VA" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$LIVE_TMP"
}
trap live_cleanup EXIT

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1${2:+: $2}"; FAILED=1; }
skip() { echo "SKIP $1: $2"; }

in_ns() { nsenter --net="/run/netns/$NS" "$@"; }

# A veth pair that carries only the test's frames: no addresses and no IPv6
# on either end, so the kernel sends nothing of its own (no ND, MLD, ARP).
live_veth() {
	local mtu=${1:-1500}

	ip netns add "$NS" || return 1
	ip link add "$VA" mtu "$mtu" type veth peer name "$VB" mtu "$mtu" || return 1
	ip link set "$VB" netns "$NS" || return 1
	sysctl -qw "net.ipv6.conf.$VA.disable_ipv6=1"
	in_ns sysctl -qw "net.ipv6.conf.$VB.disable_ipv6=1"
	ip link set "$VA" up && in_ns ip link set "$VB" up
}

# flowtally run on $VA in the background, stdout to $1, the rest its options;
# returns once it says it is counting (10 s at most).
live_spawn() {
	local out=$1
	shift
	live_spawn_cmd "$out" "$LIVE_TMP/err.txt" "$FT" run -i "$VA" "$@" && live_track
}

# The same with JSON records to $LIVE_TMP/out.json.
live_start() { live_spawn "$LIVE_TMP/out.json" --json "$@"; }

# Stops flowtally with a signal and waits (15 s at most); returns its status.
live_stop() {
	local sig=${1:-INT} rc

	live_track	# maps that table changes made since the start
	kill -"$sig" "$FT_PID" 2>/dev/null
	for _ in $(seq 150); do kill -0 "$FT_PID" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$FT_PID" 2>/dev/null; then
		kill -KILL "$FT_PID"
		return 124
	fi
	wait "$FT_PID"
	rc=$?
	FT_PID=
	return $rc
}

# Mismatches between flowtally's record ($1: file with one JSON record) and
# ftsend's expectation ($2) for interface $3 and direction $4; empty if exact.
live_diff() {
	jq -rn --slurpfile f "$1" --slurpfile e "$2" --arg ifn "$3" --arg dir "$4" -f \
		tests/live/diff.jq
}

# The expectation of several ftsend runs together: their sum (stdout).
expect_sum() {
	jq -s '{seen: {packets: (map(.seen.packets) | add), bytes: (map(.seen.bytes) | add)},
		unclassified: (reduce .[] as $e ({}; reduce ($e.unclassified | to_entries[]) as $u (.;
				.[$u.key].packets += $u.value.packets | .[$u.key].bytes += $u.value.bytes))),
		entries: ([.[].entries[]] | group_by([.proto, .dport]) |
			map({proto: .[0].proto, dport: .[0].dport, packets: (map(.packets) | add),
			     bytes: (map(.bytes) | add)}))}' "$@"
}

# Tables of record $1 (direction $2) whose entries, overflow and
# unclassified do not add up to seen: one line each, nothing when all do.
# Removed tables stop counting and LRU tables lose what they evict: both are
# left out.
unconserved() {
	jq -r --arg dir "$2" '
		def pk: .packets; def sum(f): map(f) | add // 0;
		([.ifaces[] | select(.direction == $dir)] | sum(.seen.packets)) as $seen |
		([.ifaces[] | select(.direction == $dir) | .unclassified | to_entries[] | .value.packets] | add // 0) as $uncl |
		.tables[] | select(.direction == $dir and (.removed | not) and (.approximate | not)) |
		((.entries | sum(.packets)) + .overflow.packets + $uncl) as $got |
		select($got != $seen) | "\(.name): \($got) counted, \($seen) seen"' "$1"
}

# The test's own objects, never the machine's: another flowtally running (or
# starting, or changing its tables) on the host must not fail a test.
#   - ids of the programs, maps and links its flowtally processes held, read
#     from /proc/PID/fdinfo while they run (live_track; live_spawn calls it);
#   - what is pinned under its pin names and state files (they all carry
#     $LIVE_ID);
#   - programs attached to its interfaces.
# Once a process is gone only a pin, an attachment or another process's fd
# can keep its objects, so a leak of the test's own runs shows here, the
# short runs that fail too (they can only leak through those).
LIVE_IDS=$LIVE_TMP/ids
: >"$LIVE_IDS"

# Records the BPF objects that process $1 (default: $FT_PID) holds now.
live_track() {
	local pid=${1:-$FT_PID}

	[ -n "$pid" ] || return 0
	cat "/proc/$pid/fdinfo/"* 2>/dev/null |
		sed -n 's/^\(prog\|map\|link\)_id:[[:space:]]*\([0-9]*\)$/\1 \2/p' >>"$LIVE_IDS"
}

# The ids of every program, map and link that exists now ("KIND ID").
bpf_all_ids() {
	local kind

	for kind in prog map link; do
		bpftool "$kind" show -j 2>/dev/null | jq -r --arg k "$kind" '.[]? | "\($k) \(.id)"'
	done
}

# The test's objects that exist now (see above), one a line, sorted.
bpf_objects() {
	local dev

	{
		if [ -s "$LIVE_IDS" ]; then
			comm -12 <(bpf_all_ids | sort -u) <(sort -u "$LIVE_IDS")
		fi
		for dev in "$VA" "${VA}x" "${VA}y" ${LIVE_DEVS:-}; do
			ip -j -d link show dev "$dev" 2>/dev/null |
				jq -r --arg d "$dev" '.[0].xdp.prog.id // empty | "xdp on \($d): prog \(.)"'
		done
		ls -d /sys/fs/bpf/flowtally/*"$LIVE_ID"* /var/lib/flowtally/*"$LIVE_ID"* 2>/dev/null |
			sed 's/^/file /'
	} | sort
}

# The kernel frees maps after a grace period, a bit after the last fd closes:
# waits (5 s at most) until the test's objects are those of $1 again.
bpf_objects_settle() {
	for _ in $(seq 50); do
		[ "$(bpf_objects)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# "what is left": the objects now that were not there in $1
bpf_objects_left() { diff <(echo "$1") <(bpf_objects) | grep '^>' | head -3 | tr '\n' ';'; }

# Waits (20 s at most) until file $1 has $2 more "type":"interval" records
# than now: the records, not the clock, say that the counts were read.
live_wait_intervals() {
	local n
	n=$(( $(grep -c '"type":"interval"' "$1" 2>/dev/null) + $2 ))
	for _ in $(seq 200); do
		[ "$(grep -c '"type":"interval"' "$1" 2>/dev/null)" -ge "$n" ] && return 0
		sleep 0.1
	done
	return 1
}
