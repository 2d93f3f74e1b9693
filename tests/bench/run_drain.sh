#!/usr/bin/env bash
# Benchmarks the drain of `agentboot run` against one agentboot-sim on loopback and prints every
# number from this one run:
#   (1) idle drain: SIGTERM to an online, idle agent -> agentboot has exited 0 and the agent is
#       gone from the pool; wall time and the requests agentboot made (identity / Azure DevOps);
#   (2) busy drain: a 3 s job is running when SIGTERM arrives (0-1 s after the sim shows it
#       running, at random, so the job ends at a random point between two polls); the time from the listener's
#       "completed with result" line to agentboot's exit, for --drain-poll 0.5 and the default 5,
#       and the job's result (it must be the job's own: succeeded).
#
# Usage: bash tests/bench/run_drain.sh [BUILD_DIR]             (default BUILD_DIR: <repo>/build)
#   Builds nothing: BUILD_DIR must hold agentboot/agentboot, agentboot/agentboot-sim and
#   fake-agent/vsts-agent-linux-x64-4.260.0.tar.gz. Needs curl and jq.
# Environment: BENCH_DRAIN_RUNS (default 10 idle runs; busy runs are half of it per poll value).
# Times come from $EPOCHREALTIME around the kill and the wait (so they include bash's own
# overhead, the same for every run); log lines are stamped when the script sees them (it reads
# the growing log every 5 ms). Requests come from the sim's request log, cleared just before the
# SIGTERM: those made with the host's managed identity are agentboot's.
set -euo pipefail
export LC_ALL=C

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
runs="${BENCH_DRAIN_RUNS:-10}"
version=4.260.0
agentboot="$build/agentboot/agentboot"
sim_bin="$build/agentboot/agentboot-sim"
package="$build/fake-agent/vsts-agent-linux-x64-$version.tar.gz"
for f in "$agentboot" "$sim_bin" "$package"; do
  [[ -e "$f" ]] || { echo "bench: missing $f (build it first)" >&2; exit 2; }
done
for tool in curl jq; do command -v "$tool" >/dev/null || { echo "bench: $tool not found" >&2; exit 2; }; done

work="$(mktemp -d)"
sim_pid=""
run_pid=""
cleanup() {
  [[ -n "$run_pid" ]] && kill -KILL "$run_pid" 2>/dev/null || true
  [[ -n "$sim_pid" ]] && { kill -TERM "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "bench: $*" >&2; exit 1; }

"$sim_bin" --quiet --state-dir "$work/sim" --env-file "$work/sim.env" \
  --agent-package "$version=$package" >"$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 100); do [[ -s "$work/sim.env" ]] && break; sleep 0.1; done
[[ -s "$work/sim.env" ]] || fail "agentboot-sim did not start"
set -a; source "$work/sim.env"; set +a
org_path="/${AZP_URL#http*://*/}/"
host_identity="$AGENTBOOT_SIM_SYSTEM_ASSIGNED_OBJECT_ID"
control() { curl -fsS -X "$1" "$AGENTBOOT_SIM_CONTROL$2" ${3:+-d "$3"}; }
control POST /devops/settings '{"message_poll_ms":1000}' >/dev/null

us() { local t="${1/./}"; echo $((10#$t)); }
exec {nap_fd}<> <(:)
nap() { read -r -t "$1" -u "$nap_fd" _ || true; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'; }
agents_named() { control GET /devops/state | jq --arg n "$1" '[.agents[] | select(.name == $n)] | length'; }
host_requests() {
  control GET /requests | jq -r --arg id "$host_identity" --arg org "$org_path" '
    [.requests[] | select(.identity == $id)] as $mine
    | [ ($mine | map(select(.path | startswith($org) | not)) | length),
        ($mine | map(select(.path | startswith($org))) | length) ] | @tsv'
}
start_run() {  # start_run NAME LOG [ARGS...]
  local name="$1" log="$2"; shift 2
  "$agentboot" run --agent-name "$name" --agent-dir "$work/agents/$name" --cache-dir "$work/cache" \
    --agent-version "$version" "$@" >"$log" 2>&1 &
  run_pid=$!
}
wait_for() {  # wait_for SECONDS COMMAND...: polls every 20 ms
  local deadline=$(($(us "$EPOCHREALTIME") + $1 * 1000000)); shift
  until "$@"; do
    (($(us "$EPOCHREALTIME") < deadline)) || return 1
    nap 0.02
  done
}
online() { control GET /devops/state | jq -e --arg n "$1" '.agents[] | select(.name == $n and .status == "online")' >/dev/null; }
job_running() { control GET /devops/jobs | jq -e '.jobs[-1].state == "running"' >/dev/null; }

# Fill the package cache.
control POST /devops/jobs '{"pool":"Default","duration_ms":100,"result":"succeeded"}' >/dev/null
"$agentboot" run --once --agent-name warmup --agent-dir "$work/agents/warmup" --cache-dir "$work/cache" \
  --agent-version "$version" >"$work/warmup.log" 2>&1 || { cat "$work/warmup.log" >&2; fail "warm-up run failed"; }

echo "== (1) idle drain: SIGTERM to an online idle agent, $runs runs"
times=(); reqs=()
for i in $(seq "$runs"); do
  name="idle-$i"
  start_run "$name" "$work/$name.log"
  wait_for 30 online "$name" || { cat "$work/$name.log" >&2; fail "$name never came online"; }
  control DELETE /requests >/dev/null
  t0=$EPOCHREALTIME
  kill -TERM "$run_pid"
  code=0; wait "$run_pid" || code=$?
  t1=$EPOCHREALTIME; run_pid=""
  ((code == 0)) || { cat "$work/$name.log" >&2; fail "$name exited $code"; }
  [[ "$(agents_named "$name")" == 0 ]] || fail "$name is still registered"
  times+=($(( ($(us "$t1") - $(us "$t0")) / 1000 )))
  reqs+=("$(host_requests)")
done
printf '   drain time ms: %s\n' "${times[*]}"
echo "   median drain time: $(printf '%s\n' "${times[@]}" | median) ms"
echo "   requests per drain (identity, Azure DevOps): $(printf '%s\n' "${reqs[@]}" | sort | uniq -c | awk '{printf "%s x (%s, %s)  ", $1, $2, $3}')"

echo "== (2) busy drain: a 3 s job running when SIGTERM arrives"
busy_runs=$(( (runs + 1) / 2 ))
for poll in 0.5 5; do
  tails=(); results=()
  for i in $(seq "$busy_runs"); do
    name="busy-$poll-$i"; log="$work/$name.log"
    control POST /devops/jobs '{"pool":"Default","duration_ms":3000,"result":"succeeded"}' >/dev/null
    start_run "$name" "$log" --drain-poll "$poll"
    wait_for 30 job_running || { cat "$log" >&2; fail "no job started for $name"; }
    # A random point in the job, so that the job's end falls anywhere between two polls.
    nap "0.$(printf '%03d' $((RANDOM % 1000)))"
    kill -TERM "$run_pid"
    # Stamp the job's end when its line appears, then wait for the exit.
    t_job=""
    while kill -0 "$run_pid" 2>/dev/null; do
      if [[ -z "$t_job" ]] && grep -q 'completed with result' "$log"; then t_job=$EPOCHREALTIME; fi
      nap 0.005
    done
    t_exit=$EPOCHREALTIME
    code=0; wait "$run_pid" || code=$?; run_pid=""
    ((code == 0)) || { cat "$log" >&2; fail "$name exited $code"; }
    [[ -n "$t_job" ]] || { cat "$log" >&2; fail "$name: no job end seen"; }
    [[ "$(agents_named "$name")" == 0 ]] || fail "$name is still registered"
    tails+=($(( ($(us "$t_exit") - $(us "$t_job")) / 1000 )))
    results+=("$(control GET /devops/jobs | jq -r '.jobs[-1].result')")
  done
  printf '   --drain-poll %s: job end -> exit ms: %s (median %s); job results: %s\n' \
    "$poll" "${tails[*]}" "$(printf '%s\n' "${tails[@]}" | median)" "$(printf '%s\n' "${results[@]}" | sort | uniq -c | xargs)"
done
