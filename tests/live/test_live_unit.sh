#!/usr/bin/env bash
# flowtally@.service as systemd would run it, without systemd as PID 1: two
# instances from the unit's ExecStart and its environment files, each on its
# own interface with its own Prometheus port from its own env file, under the
# unit's capability bounding set, umask and a read-only system but the
# unit's writable paths (tests/live/unit_sandbox.sh). Each counts exactly and
# is scraped; a restart (traced: every system call must be one the unit's
# SystemCallFilter allows, every socket of a family RestrictAddressFamilies
# allows) adopts the pinned counters and the frames that came while no
# process ran.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
. tests/live/lib_export.sh
. tests/live/lib_unit.sh
FAILED=0
UNIT=${FT_UNIT:-contrib/systemd/flowtally@.service}
DEFAULT_ENV=${FT_DEFAULT_ENV:-contrib/default/flowtally}
FT=$(readlink -f "$FT")
FTSEND=$(readlink -f "$FTSEND")
VA2=${VA}2 VB2=${VB}2
PIDS=()

unit_cleanup() {
	local pid

	for pid in "${PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || continue
		for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
	done
	"$FT" stop "$VA" >/dev/null 2>&1
	"$FT" stop "$VA2" >/dev/null 2>&1
	ip link del "$VA2" 2>/dev/null
	export_cleanup
}
trap unit_cleanup EXIT

have_tools unit_setup setpriv unshare findmnt curl jq || exit 0
# flowtally's own folders, as the package makes them; left in place after
# (another run beside this one may be using them: removing one under its
# sandbox's bind mount made that run's start fail)
for d in /var/lib/flowtally /run/flowtally; do
	[ -d "$d" ] || mkdir -m 0755 "$d"
done
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf ||
	{ fail unit_setup "no bpffs at /sys/fs/bpf"; exit 1; }
live_veth 1500 || { fail unit_setup "cannot create the veth pair"; exit 1; }
ip link add "$VA2" type veth peer name "$VB2" && ip link set "$VB2" netns "$NS" ||
	{ fail unit_setup "second pair"; exit 1; }
sysctl -qw "net.ipv6.conf.$VA2.disable_ipv6=1"
in_ns sysctl -qw "net.ipv6.conf.$VB2.disable_ipv6=1"
ip link set "$VA2" up && in_ns ip link set "$VB2" up

# the shipped defaults, a faster interval; one env file an instance, each
# with its own port
mkdir -p "$LIVE_TMP/etc" "$LIVE_TMP/log"
sed 's/--interval 1"/--interval 0.2"/' "$DEFAULT_ENV" >"$LIVE_TMP/etc/default"
grep -q -- '--interval 0.2' "$LIVE_TMP/etc/default" ||
	fail unit_setup "FLOWTALLY_OPTS has no '--interval 1' in $DEFAULT_ENV"
port1=$(free_port) && port2=$(free_port) || { fail unit_setup "no free port"; exit 1; }
[ "$port1" != "$port2" ] || port2=$((port1 + 1))
echo "FLOWTALLY_INSTANCE_OPTS=\"--prometheus 127.0.0.1:$port1\"" >"$LIVE_TMP/etc/$VA.env"
echo "FLOWTALLY_INSTANCE_OPTS=\"--prometheus [::1]:$port2 -t ports=proto,dport -t lru=proto,dport:lru:size=64\"" \
	>"$LIVE_TMP/etc/$VA2.env"
rw=/sys/fs/bpf:/var/lib/flowtally:/run/flowtally:$LIVE_TMP/log

# start IFACE PORT_URL [strace-output]: the unit's ExecStart for IFACE in
# the sandbox; its PID in STARTED
start() {
	local iface=$1 trace=${2:-}

	unit_argv "$UNIT" "$iface" "$FT" "$LIVE_TMP/log" "$LIVE_TMP/etc/default" \
		"$LIVE_TMP/etc/$iface.env"
	: >"$LIVE_TMP/$iface.err"
	if [ -n "$trace" ]; then
		strace -f -qq -o "$trace" -- bash -c '. tests/live/lib_unit.sh; unit_exec "$@"' _ \
			"$UNIT" "$rw" "${UNIT_ARGV[@]}" 2>"$LIVE_TMP/$iface.err" &
	else
		(unit_exec "$UNIT" "$rw" "${UNIT_ARGV[@]}") 2>"$LIVE_TMP/$iface.err" &
	fi
	STARTED=$!
	PIDS+=("$STARTED")
	for _ in $(seq 100); do
		grep -q "counting on" "$LIVE_TMP/$iface.err" && return 0
		kill -0 "$STARTED" 2>/dev/null || break
		sleep 0.1
	done
	echo "    $iface: $(tail -3 "$LIVE_TMP/$iface.err" | tr '\n' ';')" >&2
	return 1
}

# stop PID: SIGTERM, as systemctl stop; its status
stop() {
	kill -TERM "$1" 2>/dev/null
	for _ in $(seq 150); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# seen IFACE URL: ingress frames in the exposition, or nothing
seen() {
	curl -sf --max-time 5 "$2" | awk -v i="$1" '
		$1 == "flowtally_seen_packets_total{iface=\"" i "\",direction=\"ingress\"}" { print $2 }'
}

start "$VA" && pid1=$STARTED && start "$VA2" && pid2=$STARTED ||
	{ fail unit_two_instances_start "$(cat "$LIVE_TMP"/*.err | tail -4 | tr '\n' ';')"; exit 1; }
pass unit_two_instances_start_side_by_side_from_their_env_files

# the capabilities the kernel gave the process are the unit's, no more
want_caps=$(unit_caps "$UNIT" | tr ',' '\n' | tr -d + | sort | paste -sd,)
got_caps=$(grep CapEff "/proc/$pid1/status" | awk '{ print $2 }')
got_names=$(capsh --decode="$got_caps" 2>/dev/null | sed 's/.*=//' | tr ',' '\n' |
	sed 's/^cap_//' | sort | paste -sd,)
[ "$got_names" = "$want_caps" ] && pass unit_runs_with_the_bounding_set_only ||
	fail unit_runs_with_the_bounding_set_only "effective: $got_names, unit: $want_caps"

in_ns "$FTSEND" -i "$VB" --seed 51 --count 800 --malformed 5 --expect "$LIVE_TMP/a1.json" >/dev/null &
send=$!
in_ns "$FTSEND" -i "$VB2" --seed 52 --count 600 --malformed 5 --expect "$LIVE_TMP/b.json" >/dev/null
wait $send
want1=$(jq .seen.packets "$LIVE_TMP/a1.json")
want2=$(jq .seen.packets "$LIVE_TMP/b.json")
url1="http://127.0.0.1:$port1/metrics" url2="http://[::1]:$port2/metrics"
if wait_for 10 eval '[ "$(seen "$VA" "$url1")" = "$want1" ] && [ "$(seen "$VA2" "$url2")" = "$want2" ]'; then
	pass unit_each_instance_scraped_on_its_own_port_counts_exactly
else
	fail unit_each_instance_scraped_on_its_own_port_counts_exactly \
		"$VA: $(seen "$VA" "$url1") of $want1, $VA2: $(seen "$VA2" "$url2") of $want2"
fi
curl -sf "$url2" | grep -q "^flowtally_table_evictions_total{table=\"lru\",direction=\"ingress\"} [0-9]" &&
	pass unit_instance_env_file_sets_its_tables ||
	fail unit_instance_env_file_sets_its_tables "no lru table in $VA2's exposition"

# flowtally top NAME beside the unit's instance: its table with the counts
# sent, and 'q' leaves it running (its final record below counts every frame)
if command -v tmux >/dev/null; then
	TM=ftunit$LIVE_ID
	tmux new-session -d -s "$TM" -x 120 -y 30 "$FT top $VA; echo status \$?; sleep 30"
	tmux send-keys -t "$TM" p
	want_top=$(jq -r '.entries | max_by(.packets) | .packets' "$LIVE_TMP/a1.json")
	got_top=
	for _ in $(seq 100); do
		got_top=$(tmux capture-pane -p -t "$TM" | sed -n '/^KEY/{n;p;q}' | awk '{ print $(NF-1) }')
		[ "$got_top" = "$want_top" ] && break
		sleep 0.1
	done
	tmux send-keys -t "$TM" q
	for _ in $(seq 50); do tmux capture-pane -p -t "$TM" | grep -q "^status" && break; sleep 0.1; done
	topped=$(tmux capture-pane -p -t "$TM" | grep "^status")
	tmux kill-session -t "$TM" 2>/dev/null
	[ "$got_top" = "$want_top" ] && [ "$topped" = "status 0" ] && kill -0 "$pid1" 2>/dev/null &&
		pass unit_top_name_views_the_instance_and_q_leaves_it_running ||
		fail unit_top_name_views_the_instance_and_q_leaves_it_running "top row $got_top of $want_top, $topped"
else
	skip unit_top_name_views_the_instance_and_q_leaves_it_running "tmux is not installed"
fi

# systemctl stop: the instance stays pinned and counting (--keep)
stop "$pid1"
rc=$?
[ $rc -eq 0 ] && pass unit_stop_exits_0 || fail unit_stop_exits_0 "status $rc"
in_ns "$FTSEND" -i "$VB" --seed 53 --count 400 --expect "$LIVE_TMP/a2.json" >/dev/null

# the restart adopts it, under strace; a SIGTERM later, the log has a final
# record with every frame sent to the interface
trace=$LIVE_TMP/strace.txt
strace -f -qq -o /dev/null true 2>/dev/null || trace=	# no ptrace here (a container's seccomp)
start "$VA" "$trace" || { fail unit_restart "did not start"; exit 1; }
tracer=$STARTED
grep -q "adopted pinned instance" "$LIVE_TMP/$VA.err" && pass unit_restart_adopts_the_pinned_instance ||
	fail unit_restart_adopts_the_pinned_instance "$(head -2 "$LIVE_TMP/$VA.err" | tr '\n' ';')"
want=$(jq -s 'map(.seen.packets) | add' "$LIVE_TMP/a1.json" "$LIVE_TMP/a2.json")
wait_for 10 eval '[ "$(seen "$VA" "$url1")" = "$want" ]' &&
	pass unit_restart_counts_what_came_while_stopped ||
	fail unit_restart_counts_what_came_while_stopped "got $(seen "$VA" "$url1"), want $want"
ft_pid=$tracer
[ -n "$trace" ] && ft_pid=$(pgrep -P "$tracer" | head -1)
stop "${ft_pid:-0}" >/dev/null
wait "$tracer" 2>/dev/null
stop "$pid2" >/dev/null

final=$(grep '"type":"final"' "$LIVE_TMP/log/$VA.json" | tail -1)
got=$(jq -c --arg i "$VA" '.ifaces[] | select(.name == $i and .direction == "ingress") | .seen' <<<"$final")
want=$(jq -s -c '{packets: map(.seen.packets) | add, bytes: map(.seen.bytes) | add}' \
	"$LIVE_TMP/a1.json" "$LIVE_TMP/a2.json")
[ -n "$got" ] && [ "$got" = "$want" ] && pass unit_log_final_record_counts_every_frame ||
	fail unit_log_final_record_counts_every_frame "got $got, want $want"
mode=$(stat -c %a "$LIVE_TMP/log/$VA.json")
[ "$mode" = 600 ] && pass unit_umask_keeps_records_private || fail unit_umask_keeps_records_private "mode $mode"

if [ -z "$trace" ]; then
	skip unit_system_calls_within_the_filter "strace cannot trace here"
	skip unit_socket_families_within_restrict_address_families "strace cannot trace here"
	exit $FAILED
fi
# every system call flowtally made is one the unit's filter allows
allowed=$(unit_syscalls "$UNIT")
# the sandbox's own setup (mount, setpriv, bash) comes before flowtally's
# execve; strace pads PIDs with spaces
made=$(awk -v ft="$FT" '
	index($0, "execve(\"" ft "\"") { on = 1 }
	on && match($0, /^[0-9]+ +[a-z0-9_]+\(/) { s = substr($0, RSTART, RLENGTH - 1); sub(/^[0-9]+ +/, "", s); print s }
' "$LIVE_TMP/strace.txt" | sort -u)
denied=$(comm -23 <(echo "$made") <(echo "$allowed") | paste -sd' ')
if [ -z "$made" ]; then
	fail unit_system_calls_within_the_filter "strace saw no execve of $FT: $(grep -c . "$LIVE_TMP/strace.txt") lines, $(grep -m2 execve "$LIVE_TMP/strace.txt" | cut -c1-100 | tr "\n" ";")"
elif [ -z "$denied" ]; then
	pass unit_system_calls_within_the_filter
else
	fail unit_system_calls_within_the_filter "not allowed: $denied"
fi

# and every socket it opened is of a family RestrictAddressFamilies allows
families=$(unit_values "$UNIT" RestrictAddressFamilies | tr ' ' '\n' | grep . | sort -u)
opened=$(awk -v ft="$FT" '
	index($0, "execve(\"" ft "\"") { on = 1 }
	on && match($0, /(socket|socketpair)\(AF_[A-Z0-9]+/) { s = substr($0, RSTART, RLENGTH); sub(/.*\(/, "", s); print s }
' "$LIVE_TMP/strace.txt" | sort -u)
outside=$(comm -23 <(echo "$opened") <(echo "$families") | paste -sd' ')
[ -n "$opened" ] && [ -z "$outside" ] && pass unit_socket_families_within_restrict_address_families ||
	fail unit_socket_families_within_restrict_address_families "opened: $(echo $opened), outside: $outside"
exit $FAILED
