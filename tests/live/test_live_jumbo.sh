#!/usr/bin/env bash
# MTU 9000 veth, native XDP (xdp.frags) and tcx (the hook a veth gets):
# frames up to 9000 bytes count at their whole length, exactly.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0

live_veth 9000 || { fail live_jumbo_setup "cannot create the veth pair"; exit 1; }
live_start --interval 0.5 --xdp-mode native || { fail live_jumbo_start "flowtally did not start"; exit 1; }
if grep -q "ingress: xdp-native" "$LIVE_TMP/err.txt"; then
	pass live_jumbo_attaches_native
else
	fail live_jumbo_attaches_native "$(head -1 "$LIVE_TMP/err.txt")"
fi
in_ns "$FTSEND" -i "$VB" --seed 21 --count 3000 --max-frame 9000 --malformed 5 \
	--expect "$LIVE_TMP/in.json" || fail live_jumbo_send "ftsend failed"
sleep 0.3
live_stop TERM
rc=$?
[ $rc -eq 0 ] && pass live_sigterm_exits_0 || fail live_sigterm_exits_0 "exit status $rc"
grep '"type":"final"' "$LIVE_TMP/out.json" >"$LIVE_TMP/final.json"
d=$(live_diff "$LIVE_TMP/final.json" "$LIVE_TMP/in.json" "$VA" ingress 2>&1) || d="cannot compare: $d"
if [ -z "$d" ]; then
	pass live_jumbo_frames_count_whole_length
else
	fail live_jumbo_frames_count_whole_length "$(echo "$d" | head -5 | tr '\n' ';')"
fi
# the mix did carry frames past one page, or the test proves nothing
big=$(jq '[.tables[] | select(.direction == "ingress") | .entries[] | select(.bytes > 4096 * .packets)] | length' "$LIVE_TMP/final.json")
[ "${big:-0}" -gt 0 ] && pass live_jumbo_mix_has_big_frames || fail live_jumbo_mix_has_big_frames "no entry averages above 4096 bytes"

# the same frames through tcx
live_start --interval 0.5 -d ingress || { fail live_jumbo_tcx_start "flowtally did not start"; exit 1; }
in_ns "$FTSEND" -i "$VB" --seed 21 --count 3000 --max-frame 9000 --malformed 5 \
	--expect "$LIVE_TMP/in.json" || fail live_jumbo_tcx_send "ftsend failed"
sleep 0.3
live_stop TERM
grep '"type":"final"' "$LIVE_TMP/out.json" >"$LIVE_TMP/final.json"
hook=$(jq -r '.ifaces[0].hook' "$LIVE_TMP/final.json")
d=$(live_diff "$LIVE_TMP/final.json" "$LIVE_TMP/in.json" "$VA" ingress 2>&1) || d="cannot compare: $d"
[ -z "$d" ] && [ "$hook" = tcx ] && pass live_jumbo_tcx_frames_count_whole_length ||
	fail live_jumbo_tcx_frames_count_whole_length "hook $hook; $(echo "$d" | head -5 | tr '\n' ';')"
exit $FAILED
