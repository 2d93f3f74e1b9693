#!/usr/bin/env bash
# Fleet benchmark: N hosts start `agentboot run` at once against one agentboot-sim, all with the
# same managed identity, each with its own agent name (its "host name") and agent directory. The
# simulator throttles that identity at R requests per minute (a token bucket of B). The script
# measures the scale-out until every listener holds a session, then a scale-in: it queues jobs
# for some of the agents, sends SIGTERM to every agentboot and checks that every agent was removed
# and that no job was lost.
#
# Usage: bash tests/bench/run_fleet.sh [BUILD_DIR]        (default BUILD_DIR: <repo>/build)
#   Builds nothing: BUILD_DIR must hold agentboot/agentboot, agentboot/agentboot-sim and
#   fake-agent/vsts-agent-linux-x64-4.260.0.tar.gz (the fake agent package). Needs curl and jq.
# Environment:
#   FLEET_N            hosts (default 100)
#   FLEET_RATE         requests per minute the identity may make (default 1200)
#   FLEET_BURST        the throttle's bucket size (default 10)
#   FLEET_POLL_MS      the message long poll of the simulated service (default 50000, ~the service)
#   FLEET_JOBS         jobs queued before the scale-in (default N/10, at least 1)
#   FLEET_TIMEOUT      seconds the scale-out and the scale-in may take each (default 540)
#   FLEET_STATE_FILE   1: the simulator persists its organization (--state-file)
#   FLEET_SIM_ARGS     more agentboot-sim arguments (e.g. --max-connections 64)
#   FLEET_MAX_RATIO    fail when total time / ideal exceeds it (default: report only)
# The hosts run under SCHED_IDLE (chrt --idle): on one machine the N hosts share the simulator's
# CPUs (and, with autogroup scheduling, its CPU share, so nice alone does not help), while in a
# real fleet each host has its own. They name their identity source (--identity imds), as a
# fleet's image would: the automatic probe gives up on an IMDS that answers slowly.
#
# Figures: successes (listeners holding a session), duplicates (agents beyond N in the
# organization: must be 0), early requests (requests a client sent before the Retry-After it was
# given had passed, counted by the simulator per X-TFS-Session: must be 0), the scale-out time
# against the ideal N x requests-per-registration / R, the simulator's peak connections, queue,
# threads and memory, the latency of a short IMDS request sampled every second during the run,
# the hosts' token requests to their one IMDS per second (against IMDS's 20 per second per VM)
# and the scale-in (exit codes, agents left, jobs per state).
# Exits non-zero when a check fails. Stops every process it started.
set -euo pipefail
export LC_ALL=C

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
n="${FLEET_N:-100}"
rate="${FLEET_RATE:-1200}"
burst="${FLEET_BURST:-10}"
poll_ms="${FLEET_POLL_MS:-50000}"
jobs_n="${FLEET_JOBS:-$(((n + 9) / 10))}"
timeout_s="${FLEET_TIMEOUT:-540}"
version=4.260.0

agentboot="$build/agentboot/agentboot"
sim_bin="$build/agentboot/agentboot-sim"
package="$build/fake-agent/vsts-agent-linux-x64-$version.tar.gz"
for f in "$agentboot" "$sim_bin"; do
  [[ -x "$f" ]] || { echo "fleet: missing $f (build it first)" >&2; exit 2; }
done
[[ -f "$package" ]] || { echo "fleet: missing $package (build fake-agent-package first)" >&2; exit 2; }
for tool in curl jq chrt; do command -v "$tool" >/dev/null || { echo "fleet: $tool not found" >&2; exit 2; }; done
# Each host is two processes (agentboot, the listener) with a few descriptors each.
(( $(ulimit -n) >= 4 * n + 256 )) || ulimit -n $((4 * n + 256)) 2>/dev/null ||
  { echo "fleet: raise the open-files limit to $((4 * n + 256))" >&2; exit 2; }

work="$(mktemp -d)"
sim_pid=""
host_pids=()
cleanup() {
  local pid
  for pid in "${host_pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  if [[ -n "$sim_pid" ]]; then kill -TERM "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "fleet: FAIL: $*" >&2; exit 1; }
us() { local t="${1/./}"; echo $((10#$t)); }

sim_args=(--quiet --state-dir "$work/sim" --env-file "$work/sim.env" --agent-package "$version=$package")
[[ "${FLEET_STATE_FILE:-0}" == 1 ]] && sim_args+=(--state-file "$work/devops.json")
# A host holds up to three connections at once (the listener's long poll, its other calls kept
# alive, agentboot's own); the simulator serves each on a thread of its own.
max_connections=$((3 * n + 256))
((max_connections < 2048)) && max_connections=2048
sim_args+=(--max-connections "$max_connections")
# shellcheck disable=SC2206
sim_args+=(${FLEET_SIM_ARGS:-})
"$sim_bin" "${sim_args[@]}" >"$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 100); do [[ -s "$work/sim.env" ]] && break; sleep 0.1; done
[[ -s "$work/sim.env" ]] || { cat "$work/sim.log" >&2; fail "agentboot-sim did not start"; }
set -a; source "$work/sim.env"; set +a
org_path="/${AZP_URL#http*://*/}/"
host_identity="$AGENTBOOT_SIM_SYSTEM_ASSIGNED_OBJECT_ID"
control() { curl -fsS --max-time 60 -X "$1" "$AGENTBOOT_SIM_CONTROL$2" ${3:+-d "$3"}; }
control POST /devops/settings "{\"message_poll_ms\":$poll_ms}" >/dev/null

echo "fleet: warming the package cache (one 'run --once' with a queued job)..." >&2
control POST /devops/jobs '{"pool":"Default","duration_ms":100,"result":"succeeded"}' >/dev/null
"$agentboot" --log-format json run --once --agent-name warm --agent-dir "$work/agents/warm" \
  --cache-dir "$work/cache" --agent-version "$version" >"$work/warm.log" 2>&1 ||
  { cat "$work/warm.log" >&2; fail "warm-up 'run --once' failed"; }
[[ "$(control GET /devops/state | jq '.counts.agents')" == 0 ]] || fail "the warm-up left an agent"

control POST /devops/throttle "{\"requests_per_minute\":$rate,\"burst\":$burst,\"oid\":\"$host_identity\"}" >/dev/null
control DELETE /requests >/dev/null

# The hosts' token requests to the one IMDS they share, counted per second of the simulator's log
# (read incrementally: only entries after the last sequence seen). IMDS allows the Managed
# Identity category 20 requests a second per VM (instance-metadata-service.md "Rate limiting").
token_path=/metadata/identity/oauth2/token
token_seq=0 token_total=0
declare -A token_per_s=()
count_token_requests() {
  local page at n
  page=$(control GET "/requests?path_prefix=$token_path&after=$token_seq" 2>/dev/null) || return 0
  token_seq=$(jq --argjson s "$token_seq" '[.requests[].sequence] | max // $s' <<<"$page")
  while read -r n at; do
    [[ -n "$at" ]] || continue
    token_per_s[$at]=$((${token_per_s[$at]:-0} + n))
    token_total=$((token_total + n))
  done < <(jq -r '.requests | group_by(.at)[] | "\(length) \(.[0].at)"' <<<"$page")
}

# sample: reads the sim's stats, keeps the peaks, times one short IMDS request; prints sessions.
peak_conn=0 peak_queue=0 peak_threads=0 peak_rss=0 peak_parked=0 imds_max_ms=0 imds_samples=()
imds_failed=0
sample() {
  local t0 t1 stats ms
  t0=$EPOCHREALTIME
  curl -fsS --max-time 30 -H Metadata:true \
    "$AZURE_POD_IDENTITY_AUTHORITY_HOST/metadata/instance?api-version=2021-02-01" >/dev/null ||
    imds_failed=$((imds_failed + 1))
  t1=$EPOCHREALTIME
  ms=$((($(us "$t1") - $(us "$t0")) / 1000))
  imds_samples+=("$ms")
  ((ms > imds_max_ms)) && imds_max_ms=$ms
  # An agentboot-sim without /_control/stats (before this benchmark existed) gives zeros there.
  stats=$(control GET /stats 2>/dev/null || echo '{}')
  read -r c q th rss pk <<<"$(jq -r '[((.http.connections // 0) + (.https.connections // 0)),
      ((.http.queued_connections // 0) + (.https.queued_connections // 0)),
      (.process.threads // 0), (.process.rss_kb // 0), (.devops.parked_polls // 0)] | @tsv' <<<"$stats")"
  s=$(control GET /devops/sessions | jq '.count' || echo 0)
  if [[ -z "$rss" || "$rss" == 0 ]]; then
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$sim_pid/status")
    th=$(awk '/^Threads:/ { print $2 }' "/proc/$sim_pid/status")
  fi
  ((c > peak_conn)) && peak_conn=$c
  ((q > peak_queue)) && peak_queue=$q
  ((th > peak_threads)) && peak_threads=$th
  ((rss > peak_rss)) && peak_rss=$rss
  ((pk > peak_parked)) && peak_parked=$pk
  sessions=$s
  count_token_requests
}

# ---- scale-out -----------------------------------------------------------------------------------
echo "fleet: starting $n hosts (throttle: $rate requests/minute, burst $burst)..." >&2
mkdir -p "$work/logs"
t_start=$(us "$EPOCHREALTIME")
for i in $(seq "$n"); do
  chrt --idle 0 "$agentboot" --identity imds --log-format json run --agent-name "fleet-host-$i" --agent-dir "$work/agents/$i" \
    --cache-dir "$work/cache" --agent-version "$version" >"$work/logs/$i.log" 2>&1 &
  host_pids+=($!)
done
t_launched=$(us "$EPOCHREALTIME")
sessions=0
deadline=$((t_start + timeout_s * 1000000))
ticks=0
while :; do
  sample
  ticks=$((ticks + 1))
  ((ticks % 10 == 0)) && echo "fleet: $((($(us "$EPOCHREALTIME") - t_start) / 1000000)) s: $sessions sessions, IMDS ${imds_samples[-1]} ms, $imds_failed IMDS requests failed" >&2
  ((sessions >= n)) && break
  (($(us "$EPOCHREALTIME") < deadline)) || break
  sleep 1
done
t_online=$(us "$EPOCHREALTIME")
exited=0
for pid in "${host_pids[@]}"; do kill -0 "$pid" 2>/dev/null || exited=$((exited + 1)); done
if ((sessions < n)); then
  echo "fleet: the last log line of each agentboot that exited, counted:" >&2
  for i in $(seq "$n"); do
    kill -0 "${host_pids[$((i - 1))]}" 2>/dev/null || tail -n 1 "$work/logs/$i.log" | cut -c1-160
  done | sed -E 's/[0-9]+/N/g' | sort | uniq -c | sort -rn | head -n 8 >&2
  fail "after $(((t_online - t_start) / 1000000)) s only $sessions of $n listeners held a session" \
    "($exited agentboot processes exited; IMDS: max ${imds_max_ms} ms, $imds_failed failed;" \
    "simulator: peak $peak_threads threads, $((peak_rss / 1024)) MB)"
fi

state=$(control GET /devops/state)
agents=$(jq '[.agents[] | select(.name | startswith("fleet-host-"))] | length' <<<"$state")
unique=$(jq '[.agents[] | select(.name | startswith("fleet-host-")) | .name] | unique | length' <<<"$state")
requests=$(control GET "/requests?path_prefix=$org_path&limit=1")
devops_by_host=$(jq --arg id "$host_identity" '.count_by_identity[$id] // 0' <<<"$requests")
throttled=$(control GET /stats 2>/dev/null | jq '.devops.throttled // 0' || echo 0)
early=$(control GET /stats 2>/dev/null | jq '.devops.early_after_retry_after // 0' || echo 0)
all_requests=$(control GET "/requests?limit=1" | jq '.count')
successes=$sessions
duplicates=$((agents - unique))
extra=$((agents > n ? agents - n : 0))
duplicates=$((duplicates + extra))
# Requests the throttle let through per registration (429s included in the count above).
ok_by_host=$((devops_by_host - throttled))
per_reg=$(awk -v r="$ok_by_host" -v n="$n" 'BEGIN { printf "%.2f", r / n }')
scale_out_s=$(awk -v a="$t_start" -v b="$t_online" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')
# The bucket starts full: B requests pass at once, the rest at R per minute.
ideal_s=$(awk -v r="$ok_by_host" -v rate="$rate" -v b="$burst" 'BEGIN { x = (r - b) * 60 / rate; if (x < 0) x = 0; printf "%.1f", x }')
ratio=$(awk -v a="$scale_out_s" -v i="$ideal_s" 'BEGIN { if (i > 0) printf "%.2f", a / i; else print "n/a" }')
imds_median=$(printf '%s\n' "${imds_samples[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
count_token_requests
# Exact, from the log's counters: more than token_total when the ring dropped entries unread.
token_exact=$(control GET "/requests?path_prefix=$token_path&limit=1" | jq '.count')
token_peak=0 token_seconds=0 token_over=0
for at in "${!token_per_s[@]}"; do
  c=${token_per_s[$at]}
  token_seconds=$((token_seconds + 1))
  ((c > token_peak)) && token_peak=$c
  ((c > 20)) && token_over=$((token_over + 1))
done

# ---- scale-in ------------------------------------------------------------------------------------
echo "fleet: queueing $jobs_n jobs of 3 s, then SIGTERM to every host..." >&2
for _ in $(seq "$jobs_n"); do
  control POST /devops/jobs '{"pool":"Default","duration_ms":3000,"result":"succeeded"}' >/dev/null
done
sleep 1  # let the listeners take their jobs: the drain must then wait for them
running=$(control GET /devops/jobs | jq '[.jobs[] | select(.state == "running")] | length')
t_term=$(us "$EPOCHREALTIME")
for pid in "${host_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
bad_exit=0
bad_exits=""  # "exit code: last log line" of each host that did not exit 0 (124: still running)
term_deadline=$((t_term + timeout_s * 1000000))
for i in "${!host_pids[@]}"; do
  pid=${host_pids[$i]}
  while kill -0 "$pid" 2>/dev/null && (($(us "$EPOCHREALTIME") < term_deadline)); do sleep 0.2; done
  rc=0
  if kill -0 "$pid" 2>/dev/null; then rc=124; kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || rc=$?
  if ((rc != 0)); then
    bad_exit=$((bad_exit + 1))
    bad_exits+="exit $rc: $(tail -n 1 "$work/logs/$((i + 1)).log" | cut -c1-200)"$'\n'
  fi
done
host_pids=()
t_gone=$(us "$EPOCHREALTIME")
scale_in_s=$(awk -v a="$t_term" -v b="$t_gone" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')
left=$(control GET /devops/state | jq '.counts.agents')
jobs=$(control GET /devops/jobs)
completed=$(jq '[.jobs[] | select(.state == "completed" and .result == "succeeded")] | length' <<<"$jobs")
still_queued=$(jq '[.jobs[] | select(.state == "queued")] | length' <<<"$jobs")
lost=$(jq '[.jobs[] | select(.state == "running" or (.state == "completed" and .result != "succeeded"))] | length' <<<"$jobs")
# The warm-up's job is in the list too.
completed=$((completed - 1))
final=$(control GET /stats 2>/dev/null || echo '{}')
sim_peak_rss=$(jq '.process.peak_rss_kb // 0' <<<"$final")
((sim_peak_rss > 0)) || sim_peak_rss=$(awk '/^VmHWM:/ { print $2 }' "/proc/$sim_pid/status")
recorded=$(jq '.request_log.recorded // 1' <<<"$final")

cat <<EOF
fleet: N=$n hosts, one identity throttled at $rate requests/minute (burst $burst), long poll ${poll_ms} ms
machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)

scale-out
  listeners holding a session      : $successes / $n   (agentboot processes that exited early: $exited)
  duplicate registrations          : $duplicates
  requests before Retry-After ended: $early
  429 answers to the identity      : $throttled
  DevOps requests per registration : $per_reg (identity's requests that passed the throttle / N)
  time to the last session         : ${scale_out_s} s (launching took $(((t_launched - t_start) / 1000)) ms)
  ideal (requests - burst) / R     : ${ideal_s} s
  ratio                            : ${ratio}x
simulator
  peak open connections            : $peak_conn
  peak queued connections          : $peak_queue
  peak threads                     : $peak_threads
  peak parked long polls           : $peak_parked
  RSS peak (sampled) / VmHWM       : $((peak_rss / 1024)) MB / $((sim_peak_rss / 1024)) MB
  requests served (all paths)      : $all_requests (logged in the ring: up to its capacity)
  IMDS request latency, 1/s        : median ${imds_median} ms, max ${imds_max_ms} ms (${#imds_samples[@]} samples, $imds_failed failed or > 30 s)
one identity endpoint (the N hosts share one IMDS)
  token requests (timed / all)     : $token_total / $token_exact, in $token_seconds distinct seconds, peak $token_peak in one second
  seconds above IMDS's 20/s per VM : $token_over
scale-in (SIGTERM to all)
  jobs queued / running at SIGTERM : $jobs_n / $running
  hosts not exiting 0              : $bad_exit
  agents left in the organization  : $left
  jobs completed (succeeded)       : $completed, still queued: $still_queued, lost: $lost
  time to the last exit            : ${scale_in_s} s
EOF
if ((bad_exit > 0)); then
  echo "fleet: the hosts that did not exit 0, by exit code and last log line (numbers as N):" >&2
  printf '%s' "$bad_exits" | sed -E 's/[0-9]+/N/2g' | sort | uniq -c | sort -rn | head -n 8 >&2
fi
[[ "$recorded" -gt 0 ]] || fail "the simulator recorded no request"
((imds_failed == 0)) || fail "$imds_failed short IMDS requests failed or took over 30 s"
((successes == n)) || { tail -n 5 "$work/logs/1.log" >&2; fail "$((n - successes)) listeners never held a session"; }
((duplicates == 0)) || fail "$duplicates duplicate registrations"
((early == 0)) || fail "$early requests were sent before their Retry-After had passed"
((bad_exit == 0)) || fail "$bad_exit hosts did not exit 0 after SIGTERM"
((left == 0)) || fail "$left agents were left registered"
((lost == 0)) || fail "$lost jobs were lost"
((completed + still_queued == jobs_n)) || fail "jobs: $completed completed + $still_queued queued != $jobs_n"
if [[ -n "${FLEET_MAX_RATIO:-}" && "$ratio" != n/a ]]; then
  awk -v r="$ratio" -v m="$FLEET_MAX_RATIO" 'BEGIN { exit !(r <= m) }' ||
    fail "scale-out took ${ratio}x the ideal time (limit ${FLEET_MAX_RATIO}x)"
fi
echo "fleet: all checks passed"
