# Reads contrib/systemd/flowtally@.service (or an installed copy) and runs
# its ExecStart as systemd would, under its capability set and a read-only
# system (tests/live/unit_sandbox.sh). Source it.

# unit_values FILE KEY: every value of KEY, one a line, in order.
unit_values() { sed -n "s/^$2=//p" "$1"; }

# unit_caps FILE: the CapabilityBoundingSet as setpriv takes it.
unit_caps() {
	unit_values "$1" CapabilityBoundingSet | tr ' ' '\n' | grep . |
		sed 's/^CAP_//' | tr 'A-Z' 'a-z' | sed 's/^/+/' | paste -sd,
}

# unit_argv FILE INSTANCE BINARY LOGDIR DEFAULT_ENV INSTANCE_ENV: fills
# UNIT_ARGV with the ExecStart of instance INSTANCE, its binary and log
# directory replaced, its environment files those given; $VAR words are split
# on white space, as systemd does with an unquoted $VAR.
unit_argv() {
	local unit=$1 inst=$2 bin=$3 logdir=$4 defenv=$5 instenv=$6 line w v
	local -A env=()

	for f in "$defenv" "$instenv"; do
		[ -r "$f" ] || continue
		while IFS= read -r line; do
			[[ $line =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
			v=${BASH_REMATCH[2]}
			v=${v#\"}
			v=${v%\"}
			env[${BASH_REMATCH[1]}]=$v
		done <"$f"
	done
	line=$(unit_values "$unit" ExecStart | head -1)
	line=${line//%i/$inst}
	line=${line//\/var\/log\/flowtally/$logdir}
	UNIT_ARGV=()
	set -f
	for w in $line; do
		case $w in
		\$*) v=${w#\$}; UNIT_ARGV+=(${env[$v]:-}) ;;
		*) UNIT_ARGV+=("$w") ;;
		esac
	done
	set +f
	UNIT_ARGV[0]=$bin
}

# unit_exec FILE RW_PATHS ARGV...: executes ARGV in the unit's sandbox
# (exec: call it in a background subshell, and $! is flowtally's PID).
unit_exec() {
	local unit=$1 rw=$2 um
	shift 2
	um=$(unit_values "$unit" UMask | tail -1)
	exec unshare --mount --propagation private -- \
		bash tests/live/unit_sandbox.sh "$(unit_caps "$unit")" "${um:-0022}" "$rw" -- "$@"
}

# unit_syscalls FILE: the system calls the unit's SystemCallFilter allows,
# one a line (systemd's groups, as systemd-analyze lists them).
unit_syscalls() {
	local allow=() deny=() line w
	while IFS= read -r line; do
		if [ "${line:0:1}" = "~" ]; then
			for w in ${line:1}; do deny+=("$w"); done
		else
			for w in $line; do allow+=("$w"); done
		fi
	done < <(unit_values "$1" SystemCallFilter)
	expand() {
		local w
		for w in "$@"; do
			case $w in
			@*) expand $(systemd-analyze syscall-filter "$w" 2>/dev/null |
				sed -n 's/^    \([-@a-z0-9_]*\)$/\1/p') ;;
			*) echo "$w" ;;
			esac
		done | sort -u
	}
	comm -23 <(expand "${allow[@]}") <(expand "${deny[@]}")
}
