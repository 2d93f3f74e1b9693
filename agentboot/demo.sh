#!/usr/bin/env bash
# The main job on the embedded default. Builds agentboot, starts agentboot-sim (IMDS, Entra and
# Azure DevOps on loopback, serving a fake agent package), then shows the life of an ephemeral
# host: a token from its managed identity (no PAT), the agent package downloaded and verified,
# registration, the official listener (a strict fake) running one job, deregistration with a
# fresh token, and an exit code that is the job's result. A second host then starts from the
# cache with no download. A long-lived third host is finally told to stop (SIGTERM, as docker
# stop or Kubernetes would) in the middle of a job: it drains, lets the job finish, and leaves.
# Usage: bash agentboot/demo.sh   (as root on a fresh Debian machine)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash cmake/install-deps.sh
# The same build/ as tests/run.sh's first build (cmake/build-config.sh): neither rebuilds the other.
source cmake/build-config.sh
echo "== building agentboot, agentboot-sim and the fake agent package in build/"
echo "   (the first time: about 150 files, 10-20 minutes on 2 free cores; later runs: seconds)"
cmake -S . -B build -G Ninja "${agentboot_build_config[@]}" >/dev/null
build_log="$(mktemp)"
# Ninja's "[done/total]" lines, shown every 10 files; the whole log only when the build fails.
if ! cmake --build build -j "$(nproc)" --target agentboot agentboot-sim fake-agent-package 2>&1 |
  tee "$build_log" | awk -F'[][/]' '/^\[[0-9]+\/[0-9]+\]/ && $2 > 0 && ($2 % 10 == 0 || $2 == $3) {
    printf "   built %s of %s\n", $2, $3; fflush() }'; then
  cat "$build_log" >&2; rm -f "$build_log"; exit 1
fi
rm -f "$build_log"

work="$(mktemp -d)"
sim_pid=""
cleanup() {
  if [[ -n "$sim_pid" ]]; then kill -INT "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

package="$(ls build/fake-agent/vsts-agent-linux-x64-*.tar.gz | sort -V | head -1)"
version="$(basename "$package" .tar.gz)"; version="${version##*-}"
build/agentboot/agentboot-sim --quiet --state-dir "$work/sim" --env-file "$work/sim.env" \
  --agent-package "$version=$root/$package" &
sim_pid=$!
for _ in $(seq 1 100); do [[ -s "$work/sim.env" ]] && break; sleep 0.1; done
[[ -s "$work/sim.env" ]] || { echo "agentboot-sim did not start" >&2; exit 1; }
set -a; source "$work/sim.env"; set +a
control() { curl -fsS -X "$1" "$AGENTBOOT_SIM_CONTROL$2" -H 'Content-Type: application/json' ${3:+-d "$3"} >/dev/null; }
control POST /devops/settings '{"message_poll_ms":1000}'
echo "== agentboot-sim: IMDS at $AZURE_POD_IDENTITY_AUTHORITY_HOST, Azure DevOps at $AZP_URL"

agentboot() {
  echo; echo "\$ agentboot $*"
  set +e; build/agentboot/agentboot "$@"; local code=$?; set -e
  echo "(exit code $code)"
}

agentboot token
echo; echo "== a job is queued in pool Default (it will succeed)"
control POST /devops/jobs '{"pool":"Default","duration_ms":1500,"result":"succeeded"}'
agentboot run --once --agent-name ephemeral-1 --agent-dir "$work/host1" --cache-dir "$work/cache" \
  --agent-version "$version"
echo; echo "== another job (this one fails), picked up by a second host that starts from the cache"
control POST /devops/jobs '{"pool":"Default","duration_ms":1000,"result":"failed"}'
agentboot run --once --agent-name ephemeral-2 --agent-dir "$work/host2" --cache-dir "$work/cache" \
  --agent-version "$version"
echo; echo "== a long-lived host takes a 4 s job; SIGTERM arrives 1 s into it"
control POST /devops/jobs '{"pool":"Default","duration_ms":4000,"result":"succeeded"}'
echo "\$ agentboot run --agent-name long-lived --drain-timeout 60 ... &   (then kill -TERM)"
build/agentboot/agentboot run --agent-name long-lived --agent-dir "$work/host3" \
  --cache-dir "$work/cache" --agent-version "$version" --drain-poll 0.5 --drain-timeout 60 \
  >"$work/host3.log" 2>&1 &
host3=$!
for _ in $(seq 1 300); do
  curl -fsS "$AGENTBOOT_SIM_CONTROL/devops/jobs" | jq -e '.jobs[-1].state == "running"' >/dev/null && break
  sleep 0.1
done
sleep 1
kill -TERM "$host3"
set +e; wait "$host3"; code=$?; set -e
grep -E '\[(drain|run)\]|completed with result' "$work/host3.log" | grep -v 'launching' || true
echo "(exit code $code; the job's result on the server: $(curl -fsS "$AGENTBOOT_SIM_CONTROL/devops/jobs" | jq -r '.jobs[-1].result'))"
echo; echo "== agents left in the pool: $(curl -fsS "$AGENTBOOT_SIM_CONTROL/devops/state" | jq '.agents | length')"
