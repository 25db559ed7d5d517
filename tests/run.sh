#!/usr/bin/env bash
# Runs every tier and ends with "N passed, N failed, N skipped".
#   unit     host-only tests of what userspace computes, and of make install
#            (no root needed)
#   testrun  crafted frames through BPF_PROG_TEST_RUN into the real programs
#   live     real frames over veth pairs in namespaces of the tests' own
# Set FT_TIERS="unit testrun" to pick tiers, FT_LONG=1 for the soak tests.
cd "$(dirname "$0")/.." || exit 1

tiers=${FT_TIERS:-unit testrun live}
log=$(mktemp /tmp/ft-test.XXXXXX)
trap 'rm -f "$log"' EXIT

# Each test program prints PASS/FAIL/SKIP lines; a program that dies without
# a verdict line counts as one failure.
run_one() {
	local name=$1 rc out
	shift
	out=$(timeout --kill-after=10 "${FT_TEST_TIMEOUT:-300}" "$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | tee -a "$log" | grep -v '^\(PASS\|SKIP\) ' | sed 's/^/  /' >&2
	printf '%s\n' "$out" | grep '^PASS ' | sed 's/^/  /'
	printf '%s\n' "$out" | grep '^SKIP ' | sed 's/^/  /'
	if [ $rc -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^FAIL '; then
		echo "FAIL $name: exited with status $rc" | tee -a "$log"
	fi
}

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP $1: needs root (CAP_BPF, CAP_NET_ADMIN)" | tee -a "$log"
		return 1
	fi
}

for tier in $tiers; do
	echo "== $tier"
	case $tier in
	unit)
		for t in build/tests/test_*; do
			case $(basename "$t") in test_testrun*) continue ;; esac
			run_one "$(basename "$t")" "$t"
		done
		for t in tests/unit/test_*.sh; do
			[ -e "$t" ] && run_one "$(basename "$t" .sh)" bash "$t"
		done
		;;
	testrun)
		need_root testrun && run_one test_testrun build/tests/test_testrun
		;;
	live)
		if need_root live; then
			for t in tests/live/test_*.sh; do
				run_one "$(basename "$t" .sh)" bash "$t"
			done
			if [ -n "${FT_LONG:-}" ]; then
				for t in tests/live/long_*.sh; do
					[ -e "$t" ] && run_one "$(basename "$t" .sh)" bash "$t"
				done
			fi
		fi
		;;
	*)
		echo "FAIL tiers: unknown tier '$tier'" | tee -a "$log"
		;;
	esac
done

passed=$(grep -c '^PASS ' "$log")
failed=$(grep -c '^FAIL ' "$log")
skipped=$(grep -c '^SKIP ' "$log")
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
