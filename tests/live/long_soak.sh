#!/usr/bin/env bash
# make test-long: the soak versions. Ten seconds of sustained top-rate
# traffic at 0.1 s intervals, and a hundred start/stop cycles.
cd "$(dirname "$0")/../.." || exit 1
rc=0
FT_SUSTAIN_FRAMES=1200000 bash tests/live/test_live_sustained.sh || rc=1
FT_LOOPS=100 bash tests/live/test_live_lifecycle.sh || rc=1
exit $rc
