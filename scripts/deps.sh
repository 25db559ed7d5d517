#!/usr/bin/env bash
# Installs what building and testing flowtally needs on Debian 12, and only
# what is missing. Run as root (make demo / make test call it).
set -euo pipefail

packages=(
	make gcc clang llvm pkg-config	# toolchain; clang 14 builds the BPF side
	libbpf-dev libelf-dev zlib1g-dev linux-libc-dev
	bpftool				# vmlinux.h and the skeleton at build time
	iproute2 util-linux procps	# ip, nsenter, pgrep in tests and the demo
	jq				# tests read flowtally's JSON
	netbase				# /etc/services: port names
	iputils-ping			# the demo pings across its veth
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "flowtally: missing packages: ${missing[*]} (run 'make deps' as root," \
	     "or: apt-get install ${missing[*]})" >&2
	exit 1
fi
echo "flowtally: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
