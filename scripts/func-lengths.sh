#!/bin/bash
# Prints "LINES FILE:LINE FUNCTION" for every function in the files given (default
# src/ and bpf/), longest first: from the line that names it to its closing brace.
cd "$(dirname "$0")/.."
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(src/*/*.c src/*/*.h bpf/*.c bpf/*.h)
ctags -x --c-kinds=f --language-force=C "${files[@]}" 2>/dev/null |
while read -r name kind line file rest; do
	awk -v s="$line" -v f="$file" -v n="$name" 'NR >= s && /^}/ { print NR - s + 1, f ":" s, n; exit }' "$file"
done | sort -rn
