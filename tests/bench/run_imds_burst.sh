#!/usr/bin/env bash
# IMDS burst benchmark: N agentboot processes on one VM (N containers of one node, say) ask the
# VM's one IMDS for a token at the same moment. IMDS allows the Managed Identity category 20
# requests a second and 5 at a time per VM and answers 429 beyond that (instance-metadata-
# service.md "Rate limiting"); agentboot-sim --imds-limits keeps those limits. The script reports
# how many processes got a token, how long the last one took against the ideal N / 20 s, the
# 429s IMDS sent, the admitted requests per second (never above 20), and each process's tries.
#
# Usage: bash tests/bench/run_imds_burst.sh [BUILD_DIR]     (default BUILD_DIR: <repo>/build)
#   Builds nothing: BUILD_DIR must hold agentboot/agentboot and agentboot/agentboot-sim. Needs
#   curl and jq.
# Environment: BURST_N processes (default 100). Exits non-zero when a process got no token or
# IMDS admitted more than its limit in a second.
set -euo pipefail
export LC_ALL=C

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
n="${BURST_N:-100}"
agentboot="$build/agentboot/agentboot"
sim_bin="$build/agentboot/agentboot-sim"
for f in "$agentboot" "$sim_bin"; do
  [[ -x "$f" ]] || { echo "imds-burst: missing $f (build it first)" >&2; exit 2; }
done
for tool in curl jq; do command -v "$tool" >/dev/null || { echo "imds-burst: $tool not found" >&2; exit 2; }; done

work="$(mktemp -d)"
sim_pid=""
cleanup() {
  if [[ -n "$sim_pid" ]]; then kill -TERM "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "imds-burst: FAIL: $*" >&2; exit 1; }
us() { local t="${1/./}"; echo $((10#$t)); }

"$sim_bin" --quiet --imds-limits --state-dir "$work/sim" --env-file "$work/sim.env" >"$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 100); do [[ -s "$work/sim.env" ]] && break; sleep 0.1; done
[[ -s "$work/sim.env" ]] || { cat "$work/sim.log" >&2; fail "agentboot-sim did not start"; }
set -a; source "$work/sim.env"; set +a
control() { curl -fsS --max-time 60 -X "$1" "$AGENTBOOT_SIM_CONTROL$2"; }

echo "imds-burst: $n 'agentboot token --identity imds' at once against one rate-limited IMDS..." >&2
mkdir -p "$work/logs"
pids=()
t0=$(us "$EPOCHREALTIME")
for i in $(seq "$n"); do
  ( "$agentboot" --identity imds --log-format json --verbose token >"$work/logs/$i.out" 2>"$work/logs/$i.log" \
      && rc=0 || rc=$?  # errexit would end this subshell at a failure, before its .rc
    us "$EPOCHREALTIME" >"$work/logs/$i.end"; echo "$rc" >"$work/logs/$i.rc" ) &
  pids+=($!)
done
# Every subshell leaves its .rc last. (`wait PID` is not enough at this N: bash keeps only so many
# exit statuses of finished background jobs, and waiting for a forgotten one returns at once.)
for _ in $(seq 6000); do
  done_n=$(find "$work/logs" -name '*.rc' | wc -l)
  ((done_n >= n)) && break
  sleep 0.1
done
((done_n >= n)) || fail "only $done_n of $n processes finished within 10 minutes"
for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done

ok=0 failed=0 last_end=$t0 tries_hist=""
for i in $(seq "$n"); do
  if [[ "$(cat "$work/logs/$i.rc")" == 0 ]]; then ok=$((ok + 1)); else failed=$((failed + 1)); fi
  end=$(cat "$work/logs/$i.end"); ((end > last_end)) && last_end=$end
  tries=$(( $(grep -c '"retrying the identity endpoint"' "$work/logs/$i.log" || true) + 1 ))
  tries_hist+="$tries"$'\n'
done
limits=$(control GET /imds-limits)
admitted=$(jq '.identity.admitted' <<<"$limits")
refused=$(jq '.identity.refused_rate + .identity.refused_concurrency' <<<"$limits")
per_second=$(control GET "/requests?path_prefix=/metadata/identity&limit=100000" |
  jq '[.requests[] | select(.status == 200) | .at] | group_by(.) | map(length) | max // 0')
total_s=$(awk -v a="$t0" -v b="$last_end" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')
ideal_s=$(awk -v n="$n" 'BEGIN { printf "%.1f", n / 20 }')

echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "processes                          : $n (one VM's IMDS: 20 token requests/s, 5 at a time)"
echo "got a token                        : $ok"
echo "failed                             : $failed"
echo "time to the last token             : $total_s s (ideal N / 20: $ideal_s s)"
echo "IMDS answers: 200 / 429            : $admitted / $refused"
echo "most tokens issued in one second   : $per_second (limit 20)"
echo "tries per process (tries: processes):"
sort -n <<<"${tries_hist%$'\n'}" | uniq -c | awk '{ printf "  %s: %s\n", $2, $1 }'
if ((failed > 0)); then
  echo "imds-burst: the last log line of each failed process, counted:" >&2
  for i in $(seq "$n"); do
    [[ "$(cat "$work/logs/$i.rc")" == 0 ]] || tail -n 1 "$work/logs/$i.log" | cut -c1-200
  done | sed -E 's/[0-9]+/N/g' | sort | uniq -c | sort -rn | head -n 5 >&2
  fail "$failed of $n processes got no token"
fi
((per_second <= 20)) || fail "IMDS issued $per_second tokens in one second (limit 20)"
