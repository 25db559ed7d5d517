# Shared by the live tests: a network namespace and a veth pair of the test's
# own, named with a unique suffix and removed by a trap; flowtally started
# and stopped by PID. Source it; it needs $FT (the binary) and $FTSEND.

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
	# the last start's "counting on" must not be taken for this one's: the
	# shell truncates the file only once the child runs
	rm -f "$LIVE_TMP/err.txt"
	"$FT" run -i "$VA" "$@" >"$out" 2>"$LIVE_TMP/err.txt" &
	FT_PID=$!
	for _ in $(seq 100); do
		grep -q "counting on" "$LIVE_TMP/err.txt" 2>/dev/null && return 0
		kill -0 "$FT_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$LIVE_TMP/err.txt" >&2
	return 1
}

# The same with JSON records to $LIVE_TMP/out.json.
live_start() { live_spawn "$LIVE_TMP/out.json" --json "$@"; }

# Stops flowtally with a signal and waits (15 s at most); returns its status.
live_stop() {
	local sig=${1:-INT} rc

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

# flowtally's objects that exist now: its programs and maps by id (a link
# holds a program, so a leaked link shows as a leaked program). Other BPF
# users of the machine are left out.
bpf_objects() {
	{
		bpftool prog show 2>/dev/null | grep -o '^[0-9]*: [a-z_]* *name flowtally_[a-z]*' |
			sed 's/^/prog /'
		bpftool map show 2>/dev/null | grep -o '^[0-9]*: [a-z_]* *name \(ft_[a-z0-9_]*\|flowtall[a-z._]*\)' |
			sed 's/^/map /'
	} | sort
}

# The kernel frees maps after a grace period, a bit after the last fd closes:
# waits (5 s at most) until flowtally's objects are those of $1 again.
bpf_objects_settle() {
	for _ in $(seq 50); do
		[ "$(bpf_objects)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# "what is left": the objects now that were not there in $1
bpf_objects_left() { diff <(echo "$1") <(bpf_objects) | grep '^>' | head -3 | tr '\n' ';'; }
