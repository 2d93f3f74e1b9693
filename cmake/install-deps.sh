#!/usr/bin/env bash
# Installs what agentboot needs to build, test and demo on Debian 12, as root. Idempotent: it
# installs only the packages that are missing, and the npm packages of the contract tests.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates curl
  libcurl4-openssl-dev libssl-dev nlohmann-json3-dev libpoco-dev
  libgtest-dev libgmock-dev libcli11-dev libexpected-dev
  openssl procps clang-format time jq
  buildah debootstrap shellcheck
  clang libclang-rt-14-dev  # the libFuzzer build (tests/fuzz)
  clang-tidy  # the static checks (tests/tidy.sh, .clang-tidy)
)
if [[ "${AGENTBOOT_WITH_AZ:-0}" == 1 ]]; then packages+=(azure-cli); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm (contract tests) may come from elsewhere than Debian: only install when absent.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if ((${#missing[@]})); then
  if [[ $(id -u) != 0 ]]; then
    echo "install-deps: missing Debian packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -f "$root/tests/contract/package.json" && ! -d "$root/tests/contract/node_modules" ]]; then
  echo "install-deps: installing npm packages for the contract tests"
  (cd "$root/tests/contract" && npm ci --no-audit --no-fund --loglevel=error)
fi
if [[ -f "$root/tests/integration/oidc/package.json" && ! -d "$root/tests/integration/oidc/node_modules" ]]; then
  echo "install-deps: installing npm packages for the oidc publish test (Azurite)"
  (cd "$root/tests/integration/oidc" && npm ci --no-audit --no-fund --loglevel=error)
fi
if [[ -f "$root/tests/deploy/schemas/package.json" && ! -d "$root/tests/deploy/schemas/node_modules" ]]; then
  echo "install-deps: installing npm packages for the deployment schema tests"
  (cd "$root/tests/deploy/schemas" && npm ci --no-audit --no-fund --loglevel=error)
fi
