#!/usr/bin/env bash
# Table slots come back after 'table del' once the removal was reported, so
# tables can be added and removed for the life of an instance; when there is
# truly no room the client is told why, not sent to the log.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
FAILED=0
NAME=fts$LIVE_ID
ft_table() { "$FT" table --name "$NAME" "$@"; }

live_veth 1500 || { fail slots_setup "cannot create the veth pair"; exit 1; }
live_start --name "$NAME" --interval 0.05 || { fail slots_start "flowtally did not start"; exit 1; }

# 70 add/del cycles: more than the 64 slots there are
done_cycles=0
for i in $(seq 70); do
	added=
	for _ in $(seq 20); do	# the slot of the last removal is free after its record
		ft_table add "t$i=sport:size=16" >/dev/null 2>"$LIVE_TMP/add.err" && { added=1; break; }
		sleep 0.05
	done
	[ -n "$added" ] && ft_table del "t$i" >/dev/null 2>"$LIVE_TMP/add.err" || break
	done_cycles=$i
done
[ "$done_cycles" -eq 70 ] && pass table_slots_reused_after_del ||
	fail table_slots_reused_after_del "stopped after $done_cycles cycles: $(cat "$LIVE_TMP/add.err")"

# fill every slot: the 65th table is refused with the reason
for i in $(seq 63); do ft_table add "f$i=dport:size=16" >/dev/null 2>&1 || break; done
ft_table add 'one_more=dport' >/dev/null 2>"$LIVE_TMP/full.err"
rc=$?
[ $rc -eq 1 ] && grep -q "64 tables at most" "$LIVE_TMP/full.err" &&
	pass table_add_refused_names_the_reason ||
	fail table_add_refused_names_the_reason "status $rc: $(cat "$LIVE_TMP/full.err")"
live_stop INT || fail slots_stop "status $?"
exit $FAILED
