#!/usr/bin/env bash
# The ingress hook of pinned instances and of forced modes: a pinned tcx
# ingress link is pinned as tcxin_IFINDEX, an XDP one as xdp_IFINDEX; after kill -9 the
# next start adopts whichever is there and reports it (hook and dump), with
# exact totals; --xdp-mode generic reports xdp-generic.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0
PIN=fth$LIVE_ID

hook_of() { jq -r 'select(.type == "final" or .type == "dump") | .ifaces[] |
	select(.direction == "ingress") | .hook' "$1" | tail -1; }
send() { in_ns "$FTSEND" -i "$VB" --seed "$1" --count 300 --expect "$LIVE_TMP/s$1.json" >/dev/null; }

before=$(bpf_objects)
live_veth 1500 || { fail hooks_setup "cannot create the veth pair"; exit 1; }

# pinned: kill -9, frames while no process runs, adopt: hook and totals kept
pinned() {	# name pin-object hook flowtally-options...
	local name=$1 obj=$2 hook=$3 want got
	shift 3
	live_start --pin "$PIN" --interval 0.2 -d ingress "$@" ||
		{ fail "hooks_${name}_start" "did not start"; return; }
	send 81
	sleep 0.2
	kill -KILL "$FT_PID"; wait "$FT_PID" 2>/dev/null; FT_PID=
	[ -e "/sys/fs/bpf/flowtally/$PIN/${obj}_$(cat "/sys/class/net/$VA/ifindex")" ] && pass "hooks_${name}_link_pinned_as_$obj" ||
		fail "hooks_${name}_link_pinned_as_$obj" "$(ls "/sys/fs/bpf/flowtally/$PIN" | tr '\n' ' ')"
	send 82
	"$FT" dump "$PIN" --json >"$LIVE_TMP/dump.json" 2>/dev/null
	live_start --pin "$PIN" --interval 0.2 -d ingress ||
		{ fail "hooks_${name}_adopt" "did not adopt"; return; }
	send 83
	sleep 0.3
	live_stop INT
	want=$(jq -s '[.[].seen.packets] | add' "$LIVE_TMP"/s8[123].json)
	got=$(jq -s 'map(select(.type == "final"))[0].total.ingress.packets' "$LIVE_TMP/out.json")
	[ "$got" = "$want" ] && pass "hooks_${name}_adopted_totals_exact" ||
		fail "hooks_${name}_adopted_totals_exact" "got $got, want $want"
	[ "$(hook_of "$LIVE_TMP/out.json")" = "$hook" ] && [ "$(hook_of "$LIVE_TMP/dump.json")" = "$hook" ] &&
		pass "hooks_${name}_adopted_hook_reported" ||
		fail "hooks_${name}_adopted_hook_reported" \
			"run $(hook_of "$LIVE_TMP/out.json"), dump $(hook_of "$LIVE_TMP/dump.json"), want $hook"
	[ ! -e "/sys/fs/bpf/flowtally/$PIN" ] && pass "hooks_${name}_clean_exit_unpins" ||
		fail "hooks_${name}_clean_exit_unpins" "pins left"
}
pinned tcx tcxin tcx --ingress-hook tcx
pinned xdp xdp xdp-native --ingress-hook xdp

live_start --interval 0.2 -d ingress --xdp-mode generic || { fail hooks_generic_start "did not start"; exit 1; }
send 84
sleep 0.3
live_stop INT
got=$(jq -s 'map(select(.type == "final"))[0].ifaces[0] | "\(.hook) \(.seen.packets)"' -r "$LIVE_TMP/out.json")
[ "$got" = "xdp-generic $(jq .seen.packets "$LIVE_TMP/s84.json")" ] && pass hooks_generic_xdp_when_asked ||
	fail hooks_generic_xdp_when_asked "$got"

bpf_objects_settle "$before" && pass hooks_nothing_left_loaded ||
	fail hooks_nothing_left_loaded "$(bpf_objects_left "$before")"
exit $FAILED
