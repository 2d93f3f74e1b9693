#!/usr/bin/env bash
# The main job on the embedded default: builds agentboot, starts agentboot-sim (IMDS, Entra and
# Azure DevOps on loopback), then shows a host getting a token from its "managed identity",
# registering itself in an agent pool without a PAT, proving the agent's own credential works,
# and unregistering. Usage: bash agentboot/demo.sh   (as root on a fresh Debian machine)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash cmake/install-deps.sh
echo "== building (first time takes a few minutes)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target agentboot agentboot-sim fake-agent-listener >/dev/null

work="$(mktemp -d)"
sim_pid=""
cleanup() {
  if [[ -n "$sim_pid" ]]; then kill -INT "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== starting agentboot-sim"
build/agentboot/agentboot-sim --quiet --state-dir "$work/sim" --env-file "$work/sim.env" &
sim_pid=$!
for _ in $(seq 1 100); do [[ -s "$work/sim.env" ]] && break; sleep 0.1; done
[[ -s "$work/sim.env" ]] || { echo "agentboot-sim did not start" >&2; exit 1; }
set -a; source "$work/sim.env"; set +a
echo "   IMDS at $AZURE_POD_IDENTITY_AUTHORITY_HOST, Azure DevOps at $AZP_URL"

agent_root="$work/agent"
mkdir -p "$agent_root/bin"
ln -s "$root/build/tests/fake_agent/fake-agent-listener" "$agent_root/bin/Agent.Listener"

run() { echo; echo "\$ agentboot $*"; build/agentboot/agentboot "$@"; }

run token --identity imds
run register --identity imds --pool Default --agent-name demo-host --agent-dir "$agent_root"
echo; echo "\$ $agent_root/bin/Agent.Listener run --check   # the official agent's files, its own RSA key"
"$agent_root/bin/Agent.Listener" run --check
run register --identity imds --pool Default --agent-name demo-host --agent-dir "$agent_root"
run unregister --identity imds --agent-dir "$agent_root"
echo; echo "== done: no PAT, no secret on disk but the agent's own key (now removed)"
