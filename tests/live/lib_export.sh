# Shared by the exporter tests (source after lib.sh): free ports on
# 127.0.0.1, bounded waits, the collectors a test starts (stopped by PID in
# the trap), and tools that may be missing.

EXPORT_PIDS=()

export_cleanup() {
	local pid

	for pid in "${EXPORT_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || continue
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
	done
	live_cleanup
}
trap export_cleanup EXIT

# Stops one process the test started (INT first: collectors flush on it) and
# waits for it, 10 s at most.
stop_pid() {
	kill -"${2:-INT}" "$1" 2>/dev/null
	for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# A port no TCP or UDP socket uses, away from the well-known ones.
free_port() {
	local used p

	used=$(ss -Htuan | awk '{ n = split($5, a, ":"); print a[n] }' | sort -u)
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 30000))
		grep -qx "$p" <<<"$used" || { echo "$p"; return 0; }
	done
	return 1
}

# wait_for SECONDS CMD...: CMD every 0.2 s until it succeeds.
wait_for() {
	local limit=$(($1 * 5)) i
	shift
	for ((i = 0; i < limit; i++)); do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}

# have_tools TEST CMD...: prints SKIP naming the first command missing.
have_tools() {
	local name=$1 c
	shift
	for c in "$@"; do
		if ! command -v "$c" >/dev/null; then
			skip "$name" "$c is missing: its package could not be installed (scripts/deps.sh)"
			return 1
		fi
	done
}
