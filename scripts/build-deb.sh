#!/usr/bin/env bash
# Builds the Debian package with dpkg-buildpackage -b in a copy of the tree
# under build/deb/ (dpkg-buildpackage writes into the parent folder of the
# tree it builds): the .deb, .buildinfo and .changes end in build/deb/.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(dpkg-parsechangelog -S Version)
out=build/deb
src=$out/src/flowtally-$version

rm -rf "$out"
mkdir -p "$src"
# the tracked files and the new ones git does not ignore; a tree that is
# not a git checkout is copied whole, less build/
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z -co --exclude-standard | xargs -0 cp --parents -t "$src"
else
	tar --exclude=./build -cf - . | tar -C "$src" -xf -
fi
(cd "$src" && dpkg-buildpackage -b -us -uc >../build.log 2>&1) || {
	tail -30 "$out/src/build.log" >&2
	echo "flowtally: dpkg-buildpackage failed; the log: $out/src/build.log" >&2
	exit 1
}
mv "$out"/src/*.deb "$out"/src/*.buildinfo "$out"/src/*.changes "$out"/ 2>/dev/null || true
ls "$out"/*.deb
