#!/usr/bin/env bash
# What `make deb` and `make test-package` need besides scripts/deps.sh:
# the Debian toolchain, lintian, and systemd-analyze for the unit's score.
# Installs only what is missing; run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh

packages=(
	debhelper dpkg-dev	# dpkg-buildpackage, dh
	lintian			# the package's checks
	systemd			# systemd-analyze verify / security
	logrotate		# logrotate -d checks the shipped file
)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "flowtally: missing packages: ${missing[*]} (run as root, or: apt-get install ${missing[*]})" >&2
	exit 1
fi
echo "flowtally: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
