#!/bin/bash
# make check-layers: src/ is layered, cli -> run -> {export, output} -> core -> lib
# (-> include/flowtally/abi.h). An include may point to its own layer or one
# below it, never up, and no two modules (NAME.c + NAME.h) may include each
# other, directly or round a longer loop. Prints every offence; exit 1 if any.
set -u
cd "$(dirname "$0")/.."

# What each layer may include besides itself: export and output are side by side.
declare -A may=(
	[lib]=""
	[core]="lib"
	[output]="core lib"
	[export]="output core lib"
	[run]="export output core lib"
	[cli]="run export output core lib"
)
declare -A layer_of
for d in src/*/; do
	l=$(basename "$d")
	[ -n "${may[$l]+x}" ] || { echo "check-layers: src/$l/ is no layer (add it to $0)"; exit 1; }
	for h in "$d"*.h; do
		[ -e "$h" ] && layer_of[$(basename "$h")]=$l
	done
done

bad=0
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
for f in src/*/*.[ch]; do
	l=$(basename "$(dirname "$f")")
	m=$(basename "$f"); m=${m%.*}
	while read -r inc; do
		to=${layer_of[$inc]-}
		[ -n "$to" ] || continue	# abi.h, the skeleton, system headers
		if [ "$to" != "$l" ] && [[ " ${may[$l]} " != *" $to "* ]]; then
			echo "check-layers: $f includes $inc from src/$to/, above src/$l/"
			bad=1
		fi
		[ "${inc%.h}" != "$m" ] && echo "${inc%.h} $m" >>"$edges"
	done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
done
# tsort names the modules of every include loop (header -> includer edges).
if ! tsort "$edges" >/dev/null 2>"$edges.err"; then
	awk '/input contains a loop/ { if (l) print l; l = "check-layers: include loop:"; next }
	     { sub(/^tsort: /, ""); l = l " " $0 } END { if (l) print l }' "$edges.err"
	bad=1
fi
rm -f "$edges.err"
[ $bad = 0 ] && echo "check-layers: every include points down, no loops"
exit $bad
