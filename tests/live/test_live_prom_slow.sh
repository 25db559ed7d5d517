#!/usr/bin/env bash
# Prometheus scrapes are answered while slow clients hold connections: 20
# connections from one address that send a byte now and then (more than the
# 16 that locked every scraper out before) leave another address's scrape
# answered, and the run's records go on.
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
. tests/live/lib_export.sh
FAILED=0
PY=/usr/bin/python3

have_tools prom_slow_clients curl jq "$PY" || exit 0
live_veth 1500 || { fail prom_slow_setup "cannot create the veth pair"; exit 1; }
port=$(free_port) || { fail prom_slow_setup "no free port"; exit 1; }
live_start --interval 0.2 --direction ingress --prometheus "127.0.0.1:$port" ||
	{ fail prom_slow_start "flowtally did not start"; exit 1; }

# 20 connections from 127.0.0.1, each sending a byte of a request that
# never ends every 0.5 s, for 4 s; prints how many the server kept open
"$PY" - "$port" >"$LIVE_TMP/drip.txt" 2>&1 <<'PYEOF' &
import socket, sys, time
port = int(sys.argv[1])
conns = []
for _ in range(20):
    s = socket.create_connection(("127.0.0.1", port), timeout=1)
    s.setblocking(False)
    conns.append(s)
end = time.monotonic() + 4
while time.monotonic() < end:
    for s in list(conns):
        try:
            s.send(b"G")
        except OSError:
            conns.remove(s)
    time.sleep(0.5)
print(len(conns))
PYEOF
EXPORT_PIDS+=($!)
sleep 1
code=$(curl -s -o "$LIVE_TMP/metrics.txt" -w '%{http_code}' -m 3 --interface 127.0.0.2 \
	"http://127.0.0.1:$port/metrics")
[ "$code" = 200 ] && grep -q '^flowtally_build_info' "$LIVE_TMP/metrics.txt" &&
	pass scrape_answered_beside_20_slow_connections ||
	fail scrape_answered_beside_20_slow_connections "HTTP status '$code'"
wait "${EXPORT_PIDS[0]}"
kept=$(tail -1 "$LIVE_TMP/drip.txt")
[ "$kept" -le 4 ] 2>/dev/null && pass slow_client_limited_to_4_connections ||
	fail slow_client_limited_to_4_connections "the server kept $kept of 20: $(head -c 200 "$LIVE_TMP/drip.txt")"
live_stop INT || fail prom_slow_exit "status $?"
exit $FAILED
