#!/usr/bin/env bash
# Installs what building and testing flowtally needs on Debian 12, and only
# what is missing; more packages may be given as arguments. Run as root
# (make demo / make test call it).
set -euo pipefail

packages=(
	make gcc clang llvm pkg-config	# toolchain; clang 14 builds the BPF side
	libbpf-dev libelf-dev zlib1g-dev linux-libc-dev
	libncurses-dev			# flowtally top
	bpftool				# vmlinux.h and the skeleton at build time
	iproute2 util-linux procps	# ip, nsenter, pgrep in tests and the demo
	jq				# tests read flowtally's JSON
	python3-jsonschema		# tests: records and entries against schema/*.json
	netbase				# /etc/services: port names
	iputils-ping			# the demo pings across its veth
	iperf3 ethtool			# tests: TCP through a veth, TSO and GRO switched
	tmux				# tests drive flowtally top in a real terminal
	libmicrohttpd-dev		# --prometheus serves /metrics with it
	libfixbuf-dev			# --ipfix: templates, sessions, messages (CERT NetSA)
	prometheus			# tests: promtool, and a server that scrapes flowtally
	nfdump tshark			# tests: an IPFIX collector and a decoder of what it got
	socat				# tests: a TCP listener for IPFIX over TCP
	man-db groff-base		# tests: the man page renders without warnings
	libcap2-bin strace curl		# tests: the unit's capabilities and system calls
)
packages+=("$@")			# more, for a caller (scripts/deps-package.sh)

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
# tshark asks whether non-root users may capture: they may not
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
# prometheus and nfdump ship services that would listen on every address;
# the tests start their own on 127.0.0.1, so none is started at install
policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
	policy=/usr/sbin/policy-rc.d
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
	trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
