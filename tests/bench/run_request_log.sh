#!/usr/bin/env bash
# The simulator's request log under load: sends REQUESTS short IMDS requests on one kept-alive
# connection (curl's URL globbing), then reads GET /_control/requests once; prints the simulator's
# RSS before, after the requests and after the read, the read's size and time, and the exact count.
#
# Usage: bash tests/bench/run_request_log.sh SIM_BINARY [REQUESTS]     (default REQUESTS: 50000)
#   Needs curl, jq and bc. Starts and stops its own agentboot-sim.
set -euo pipefail
export LC_ALL=C
sim="$1"; n="${2:-50000}"; work=$(mktemp -d)
"$sim" --quiet --state-dir "$work/s" --env-file "$work/env" >/dev/null 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do [[ -s "$work/env" ]] && break; sleep 0.1; done
[[ -s "$work/env" ]] || { echo "request-log: agentboot-sim did not start" >&2; exit 1; }
set -a; source "$work/env"; set +a
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }
r0=$(rss)
t0=$EPOCHREALTIME
curl -fsS -o /dev/null -H Metadata:true \
  "$AZURE_POD_IDENTITY_AUTHORITY_HOST/metadata/instance?api-version=2021-02-01&n=[1-$n]"
t1=$EPOCHREALTIME
r1=$(rss)
t2=$EPOCHREALTIME
bytes=$(curl -fsS "$AGENTBOOT_SIM_CONTROL/requests" | wc -c)
t3=$EPOCHREALTIME
count=$(curl -fsS "$AGENTBOOT_SIM_CONTROL/requests?limit=1" | jq .count)
r2=$(rss)
printf '%s requests in %.1f s; RSS %d KB at start, %d KB after the requests, %d KB after one GET /requests (%d bytes in %.2f s); count %s\n' \
  "$n" "$(echo "$t1 - $t0" | bc)" "$r0" "$r1" "$r2" "$bytes" "$(echo "$t3 - $t2" | bc)" "$count"
((count == n)) || { echo "request-log: count $count, expected $n" >&2; exit 1; }
