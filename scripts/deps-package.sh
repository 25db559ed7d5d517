#!/usr/bin/env bash
# What `make deb` and `make test-package` need besides scripts/deps.sh:
# the Debian toolchain, lintian, and systemd-analyze for the unit's score.
# Installs only what is missing (scripts/deps.sh does it); run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/deps.sh \
	debhelper dpkg-dev	`# dpkg-buildpackage, dh` \
	lintian			`# the package's checks` \
	systemd			`# systemd-analyze verify / security` \
	logrotate		`# logrotate -d checks the shipped file`
