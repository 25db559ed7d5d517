# flowtally started in the background and waited for until it counts: shared
# by tests/live/lib.sh and the live bench (bench/live.sh, bench/live_tcp.sh),
# which keep namespaces of their own. Source it.

# Runs the rest of the arguments in the background, stdout to $1 and stderr
# appended to $2, as FT_PID; returns once $2 says "counting on" (10 s at
# most), else prints $2 and returns 1. $2 is emptied here, not by the child's
# redirection: the wait must not find the last run's "counting on" before the
# child truncates the file.
live_spawn_cmd() {
	local out=$1 err=$2
	shift 2
	: >"$err"
	"$@" >"$out" 2>>"$err" &
	FT_PID=$!
	for _ in $(seq 100); do
		grep -q "counting on" "$err" 2>/dev/null && return 0
		kill -0 "$FT_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$err" >&2
	return 1
}
