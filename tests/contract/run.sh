#!/usr/bin/env bash
# Contract test: Microsoft's @azure/identity against agentboot-sim.
# Usage: run.sh <path to agentboot-sim>
set -euo pipefail
if [[ $# -ne 1 ]]; then
  echo "usage: $0 <agentboot-sim binary>" >&2
  exit 2
fi
sim_bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
cd "$(dirname "${BASH_SOURCE[0]}")"
if [[ ! -d node_modules ]]; then
  # The lock file pins every package; nothing else is fetched at test time.
  npm ci --no-audit --no-fund --loglevel=error
fi
export AGENTBOOT_SIM_BIN="$sim_bin"
exec node --test identity.test.mjs
