#!/usr/bin/env bash
# Benchmarks agentboot against the Azure CLI, both talking to one agentboot-sim on loopback, and
# prints every number from this one run: wall time (median, p90), max RSS and HTTP round trips.
#
# Usage: bash tests/bench/run.sh [BUILD_DIR]        (default BUILD_DIR: <repo>/build)
#   Builds nothing: BUILD_DIR must already hold agentboot/agentboot, agentboot/agentboot-sim and
#   tests/fake_agent/fake-agent-listener (configure it with -DCMAKE_BUILD_TYPE=Release).
#   Needs `az` (Debian azure-cli; install-deps.sh with AGENTBOOT_WITH_AZ=1) and /usr/bin/time.
# Environment:
#   BENCH_RUNS_AGENTBOOT  timed runs of each agentboot command (default 20)
#   BENCH_RUNS_AZ         timed runs of `az account get-access-token` (default 10; about 0.5 s each)
#
# What is measured (each command gets one untimed warm-up run first, which also gives its max RSS):
#   token       `agentboot token --identity imds`
#   az token    `az account get-access-token --resource <Azure DevOps>` through a pre-seeded
#               managed-identity profile (no `az login`) and MSI_ENDPOINT = the sim's Cloud Shell form
#   register    (a) fresh registration in a new agent dir, (b) the idempotent re-run, (c) unregister
# Round trips come from the sim's request log, cleared before each command and read after it;
# requests under the organization path count as Azure DevOps, everything else as identity.
# Exits non-zero if any command fails or a command did not reach the sim.
set -euo pipefail
export LC_ALL=C  # $EPOCHREALTIME uses the locale's decimal point

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
runs_ab="${BENCH_RUNS_AGENTBOOT:-20}"
runs_az="${BENCH_RUNS_AZ:-10}"
devops_resource=499b84ac-1321-427f-aa17-267ca6975798

agentboot="$build/agentboot/agentboot"
sim_bin="$build/agentboot/agentboot-sim"
listener="$build/tests/fake_agent/fake-agent-listener"
for f in "$agentboot" "$sim_bin" "$listener"; do
  [[ -x "$f" ]] || { echo "bench: missing $f (build it first)" >&2; exit 2; }
done
command -v az >/dev/null || { echo "bench: az not found (AGENTBOOT_WITH_AZ=1 install-deps.sh)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "bench: /usr/bin/time not found (Debian package 'time')" >&2; exit 2; }

work="$(mktemp -d)"
sim_pid=""
cleanup() {
  if [[ -n "$sim_pid" ]]; then kill -INT "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$sim_bin" --quiet --state-dir "$work/sim" --env-file "$work/sim.env" >"$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 1 100); do [[ -s "$work/sim.env" ]] && break; sleep 0.1; done
[[ -s "$work/sim.env" ]] || { echo "bench: agentboot-sim did not start" >&2; cat "$work/sim.log" >&2; exit 1; }
set -a; source "$work/sim.env"; set +a
org_path="/${AZP_URL#http*://*/}/"   # e.g. /sim/: everything under it is Azure DevOps

# az, isolated: its own config dir holding the smallest profile az 2.45 accepts for a system-assigned
# managed identity (it reads id, tenantId, isDefault, environmentName and user.name/assignedIdentityInfo).
export AZURE_CONFIG_DIR="$work/az" AZURE_CORE_COLLECT_TELEMETRY=no AZURE_CORE_NO_COLOR=1
export MSI_ENDPOINT="$AGENTBOOT_SIM_CLOUDSHELL_MSI_ENDPOINT"
unset IDENTITY_ENDPOINT IDENTITY_HEADER MSI_SECRET
mkdir -p "$AZURE_CONFIG_DIR"
cat >"$AZURE_CONFIG_DIR/azureProfile.json" <<EOF
{"subscriptions":[{"id":"00000000-0000-4000-8000-000000000000","tenantId":"$AGENTBOOT_SIM_TENANT_ID",
 "isDefault":true,"environmentName":"AzureCloud",
 "user":{"name":"systemAssignedIdentity","assignedIdentityInfo":"MSI"}}]}
EOF

# ---- helpers --------------------------------------------------------------------------------------

# Timestamps come from bash 5's $EPOCHREALTIME (microseconds), so taking one forks nothing.
elapsed_us() { echo $((10#${2/./} - 10#${1/./})); }
log_count() {  # requests in the sim's log under an optional path prefix
  curl -fsS "$AGENTBOOT_SIM_CONTROL/requests${1:+?path_prefix=$1}" | grep -o '"count":[0-9]*' | head -n1 | cut -d: -f2
}
clear_log() { curl -fsS -X DELETE "$AGENTBOOT_SIM_CONTROL/requests" >/dev/null; }

# run_one LABEL CMD...: runs CMD once (output to a log; never printed unless it fails), timed, and
# appends "wall_us identity_requests devops_requests" to $work/LABEL.samples.
run_one() {
  local label="$1"; shift
  clear_log
  local t0 t1 rc=0
  t0=$EPOCHREALTIME
  "$@" >"$work/last.out" 2>"$work/last.err" || rc=$?
  t1=$EPOCHREALTIME
  if ((rc != 0)); then
    echo "bench: '$label' failed (exit $rc): $*" >&2; cat "$work/last.err" >&2; exit 1
  fi
  local total devops
  total=$(log_count); devops=$(log_count "$org_path")
  if ((total == 0)); then echo "bench: '$label' made no request to the sim" >&2; exit 1; fi
  echo "$(elapsed_us "$t0" "$t1") $((total - devops)) $devops" >>"$work/$label.samples"
}

# time_only LABEL CMD...: like run_one for a command that makes no request (start-up floors).
time_only() {
  local label="$1"; shift
  local t0 t1
  t0=$EPOCHREALTIME
  "$@" >/dev/null 2>"$work/last.err" || { echo "bench: '$label' failed: $*" >&2; cat "$work/last.err" >&2; exit 1; }
  t1=$EPOCHREALTIME
  echo "$(elapsed_us "$t0" "$t1") 0 0" >>"$work/$label.samples"
}

# rss LABEL CMD...: one untimed warm-up run under /usr/bin/time; records max RSS in KiB.
# Its wall time (including /usr/bin/time's own fork) goes to LABEL.cold.
rss() {
  local label="$1"; shift
  local t0=$EPOCHREALTIME
  /usr/bin/time -f %M -o "$work/$label.rss" "$@" >"$work/last.out" 2>"$work/last.err" || {
    echo "bench: warm-up of '$label' failed: $*" >&2; cat "$work/last.err" >&2; exit 1
  }
  elapsed_us "$t0" "$EPOCHREALTIME" >"$work/$label.cold"
}

new_agent_dir() {  # a fresh agent dir whose Agent.Listener reports the version
  mkdir -p "$work/agents/$1/bin"
  ln -s "$listener" "$work/agents/$1/bin/Agent.Listener"
  echo "$work/agents/$1"
}

# stats LABEL -> "median_ms p90_ms identity_reqs devops_reqs" (requests as "n" or "min-max")
stats() {
  sort -n "$work/$1.samples" | awk '
    { t[NR] = $1 / 1000.0; id[NR] = $2; dv[NR] = $3 }
    function span(a,   i, lo, hi) { lo = hi = a[1]; for (i = 2; i <= NR; i++) { if (a[i] < lo) lo = a[i]; if (a[i] > hi) hi = a[i] }
                                     return lo == hi ? lo : lo "-" hi }
    END {
      med = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
      k = int(0.9 * NR); if (k < 0.9 * NR) k++            # nearest-rank p90
      printf "%.1f %.1f %s %s\n", med, t[k], span(id), span(dv)
    }'
}

# ---- measurements ---------------------------------------------------------------------------------

ab_token=("$agentboot" token --identity imds)
az_token=(az account get-access-token --resource "$devops_resource" --output none)

echo "bench: measuring (agentboot x$runs_ab, az x$runs_az; one warm-up each)..." >&2
rss token "${ab_token[@]}"
for _ in $(seq "$runs_ab"); do run_one token "${ab_token[@]}"; done

rss az_token "${az_token[@]}"
for _ in $(seq "$runs_az"); do run_one az_token "${az_token[@]}"; done

warm="$(new_agent_dir warm)"
rss register_fresh "$agentboot" register --identity imds --agent-dir "$warm" --agent-name bench-warm
rss register_rerun "$agentboot" register --identity imds --agent-dir "$warm" --agent-name bench-warm
rss unregister "$agentboot" unregister --identity imds --agent-dir "$warm"
for i in $(seq "$runs_ab"); do
  dir="$(new_agent_dir "a$i")"
  run_one register_fresh "$agentboot" register --identity imds --agent-dir "$dir" --agent-name "bench-$i"
  run_one register_rerun "$agentboot" register --identity imds --agent-dir "$dir" --agent-name "bench-$i"
  run_one unregister "$agentboot" unregister --identity imds --agent-dir "$dir"
done

# Start-up floors: the same programs doing no work, and where az's time goes (one run of it with
# CPython's import timer; the sum of every module's own import time).
az_python="$(head -n1 "$(command -v az)" | sed 's/^#! *//; s/ .*//')"
rss agentboot_version "$agentboot" --version
rss python_empty "$az_python" -c pass
for _ in $(seq "$runs_ab"); do time_only agentboot_version "$agentboot" --version; done
for _ in $(seq "$runs_az"); do time_only python_empty "$az_python" -c pass; done
clear_log
"$az_python" -X importtime "$(command -v az)" account get-access-token --resource "$devops_resource" \
  --output none 2>"$work/importtime.txt" || { echo "bench: az with -X importtime failed" >&2; exit 1; }
az_import_ms=$(awk -F'|' '/^import time:/ && $1 !~ /self/ { gsub(/[^0-9]/, "", $1); s += $1 } END { printf "%.0f", s / 1000 }' "$work/importtime.txt")
az_import_count=$(grep -c '^import time:' "$work/importtime.txt")

# ---- report ---------------------------------------------------------------------------------------

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), Debian $(cat /etc/debian_version), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "versions: agentboot $("$agentboot" --version 2>/dev/null | head -n1 || echo '?'), az $(az version --query '"azure-cli"' -o tsv 2>/dev/null)"
echo
fmt="%-38s %4s %10s %9s %9s %9s %8s %7s\n"
printf "$fmt" command runs "median ms" "p90 ms" "maxRSS KB" "identity" "DevOps" "total"
printf "$fmt" "--------------------------------------" "----" "---------" "--------" "--------" "--------" "-------" "------"
declare -A med
row() {  # row LABEL TEXT [floor]
  local m p id dv total
  read -r m p id dv < <(stats "$1")
  med[$1]=$m
  if [[ $id =~ ^[0-9]+$ && $dv =~ ^[0-9]+$ ]]; then total=$((id + dv)); else total=varies; fi
  if [[ ${3:-} == floor ]]; then id=-; dv=-; total=-; fi
  printf "$fmt" "$2" "$(wc -l <"$work/$1.samples")" "$m" "$p" "$(cat "$work/$1.rss")" "$id" "$dv" "$total"
}
row token "agentboot token --identity imds"
row az_token "az account get-access-token (MSI)"
row register_fresh "agentboot register (fresh)"
row register_rerun "agentboot register (idempotent re-run)"
row unregister "agentboot unregister"
row agentboot_version "floor: agentboot --version" floor
row python_empty "floor: $(basename "$az_python") -c pass (az's)" floor
echo
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }'; }
echo "ratios (median wall time):"
echo "  az token / agentboot token              : $(ratio "${med[az_token]}" "${med[token]}")"
echo "  az token / agentboot register (fresh)   : $(ratio "${med[az_token]}" "${med[register_fresh]}")  (az's token step alone vs agentboot's whole registration)"
echo "  agentboot register (fresh) / token      : $(ratio "${med[register_fresh]}" "${med[token]}")"
echo "  max RSS az / agentboot token            : $(ratio "$(cat "$work/az_token.rss")" "$(cat "$work/token.rss")")"
echo "  az module imports (one -X importtime run): $az_import_ms ms in $((az_import_count - 1)) modules"
echo "  first az run in an empty config dir     : $(awk '{ printf "%.1f ms", $1 / 1000 }' "$work/az_token.cold") (it builds its command index; not in the table)"
echo
echo "round trips: every agentboot run is a fresh process, so it has no cached token and spends one"
echo "identity request first; 'DevOps' are the requests to the organization (the issue's budget of at"
echo "most 4 on the happy path with a cached token)."
