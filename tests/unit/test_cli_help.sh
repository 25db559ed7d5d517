#!/usr/bin/env bash
# Each command's help is its own: 'flowtally help CMD' is 'CMD --help', and
# top's usage is top's, without the options top refuses. No root needed.
cd "$(dirname "$0")/../.." || exit 1
FT=${FT:-build/flowtally}
FAILED=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1${2:+: $2}"; FAILED=1; }

for cmd in run top table status dump stop; do
	want=$("$FT" "$cmd" --help 2>&1 | head -1)
	got=$("$FT" help "$cmd" 2>&1 | head -1)
	[ -n "$want" ] && [ "$got" = "$want" ] && [ "${got#Usage: flowtally $cmd}" != "$got" ] &&
		pass "help_${cmd}_prints_its_own_usage" ||
		fail "help_${cmd}_prints_its_own_usage" "got '$got', want '$want'"
done
top=$("$FT" top --help 2>&1)
grep -q -- "--interval" <<<"$top" && ! grep -q -- "--json\|--csv\|--output" <<<"$top" &&
	pass top_help_lists_only_what_top_takes ||
	fail top_help_lists_only_what_top_takes "$(grep -- '--json\|--csv\|--output' <<<"$top" | head -1)"
"$FT" help nosuch >/dev/null 2>"${TMPDIR:-/tmp}/ft-help.$$"
rc=$?
[ $rc -eq 2 ] && grep -q "unknown command 'nosuch'" "${TMPDIR:-/tmp}/ft-help.$$" &&
	pass help_unknown_command_is_a_usage_error ||
	fail help_unknown_command_is_a_usage_error "status $rc"
rm -f "${TMPDIR:-/tmp}/ft-help.$$"
"$FT" top -i lo --duration 1x >/dev/null 2>"${TMPDIR:-/tmp}/ft-help.$$"
rc=$?
[ $rc -eq 2 ] && grep -q "see 'flowtally top --help'" "${TMPDIR:-/tmp}/ft-help.$$" &&
	pass top_usage_error_points_at_top_help || fail top_usage_error_points_at_top_help "status $rc"
rm -f "${TMPDIR:-/tmp}/ft-help.$$"
# -D and -n are gone (-D daemonizes in nfcapd and pmacctd): one line that
# says what to write instead, exit 2, nothing started
for opt in "-D 10:--duration" "-n 1:--interval"; do
	"$FT" run -i lo ${opt%%:*} >/dev/null 2>"${TMPDIR:-/tmp}/ft-help.$$"
	rc=$?
	err=$(cat "${TMPDIR:-/tmp}/ft-help.$$")
	name=dropped_option_${opt:1:1}_says_use_${opt##*--}
	[ $rc -eq 2 ] && [ "$(wc -l <<<"$err")" -eq 1 ] && grep -q "use ${opt##*:}" <<<"$err" &&
		pass "$name" || fail "$name" "status $rc: $err"
done
rm -f "${TMPDIR:-/tmp}/ft-help.$$"
exit $FAILED
