#!/usr/bin/env bash
# Contract tests: Microsoft's @azure/identity and azure-devops-node-api against agentboot-sim.
# Usage: run.sh <path to agentboot-sim> [test file…]   (default: every *.test.mjs here)
set -euo pipefail
if [[ $# -lt 1 ]]; then
  echo "usage: $0 <agentboot-sim binary> [test file…]" >&2
  exit 2
fi
sim_bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
shift
cd "$(dirname "${BASH_SOURCE[0]}")"
if [[ ! -d node_modules ]]; then
  # The lock file pins every package; nothing else is fetched at test time.
  npm ci --no-audit --no-fund --loglevel=error
fi
export AGENTBOOT_SIM_BIN="$sim_bin"
if [[ $# -eq 0 ]]; then
  set -- identity.test.mjs devops.test.mjs
fi
exec node --test "$@"
