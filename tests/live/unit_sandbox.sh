#!/usr/bin/env bash
# What systemd does for flowtally@.service, as far as it can be done without
# systemd as PID 1: run inside `unshare --mount`, it makes every mount
# read-only but the unit's writable paths (ProtectSystem=strict,
# ProtectKernelTunables, ReadWritePaths, StateDirectory, RuntimeDirectory,
# LogsDirectory), sets the UMask, and executes the command as root with only
# the unit's CapabilityBoundingSet and NoNewPrivileges (setpriv).
#   unit_sandbox.sh CAPS UMASK RW_PATH[:RW_PATH...] -- COMMAND...
# CAPS as setpriv takes them: +bpf,+net_admin,...
set -u
caps=$1 umask_value=$2 rw=$3
shift 3
[ "${1:-}" = "--" ] && shift

IFS=: read -r -a rw_paths <<<"$rw"
is_rw() {
	local p
	for p in "${rw_paths[@]}"; do
		case $1 in "$p" | "$p"/*) return 0 ;; esac
	done
	return 1
}

for p in "${rw_paths[@]}"; do
	mount --bind "$p" "$p" || { echo "sandbox: cannot bind $p" >&2; exit 97; }
done
# /proc and /dev stay as they are (the unit's ProtectProc and PrivateDevices
# are not reproduced); every other mount becomes read-only.
findmnt -rno TARGET | while read -r t; do
	case $t in /proc | /proc/* | /dev | /dev/* | *\\x*) continue ;; esac
	is_rw "$t" && continue
	mount -o remount,bind,ro "$t" 2>/dev/null
done
probe=/etc/.flowtally-sandbox-probe.$$
if touch "$probe" 2>/dev/null; then
	rm -f "$probe"
	echo "sandbox: / is still writable" >&2
	exit 97
fi
for p in "${rw_paths[@]}"; do
	# mkdir, not touch: bpffs holds directories and pins, no files, and no
	# name with a dot
	mkdir "$p/ftprobe$$" 2>/dev/null && rmdir "$p/ftprobe$$" ||
		{ echo "sandbox: $p is not writable" >&2; exit 97; }
done
umask "$umask_value"
exec setpriv --bounding-set=-all,"$caps" --inh-caps=-all --no-new-privs -- "$@"
