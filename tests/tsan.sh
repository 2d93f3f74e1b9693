#!/usr/bin/env bash
# The whole suite under ThreadSanitizer, in its own build directory (not part of CI: it takes far
# longer than CI's budget on 2 cores).
#
# Usage: bash tests/tsan.sh [BUILD_DIR] [extra ctest arguments...]   (default BUILD_DIR: <repo>/build-tsan)
#   e.g. bash tests/tsan.sh build-tsan -R 'supervisor|identity'
# Every process the tests start (agentboot, agentboot-sim, the fake listener) is instrumented too.
# TSAN_OPTIONS stops at the first report (halt_on_error=1) so a race fails the test that showed it.
# Left out, as they say nothing about threads: fleet (the N=1000 benchmark), fuzz (clang's libFuzzer
# build only) and deploy-slow (builds and boots an image root file system).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$repo/build-tsan}"
shift || true
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

cmake -S "$repo" -B "$build" -G Ninja -DAGENTBOOT_TSAN=ON -DAGENTBOOT_WERROR=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" "${launcher[@]}"
cmake --build "$build" -j "${AGENTBOOT_JOBS:-2}"

export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1${TSAN_OPTIONS:+:$TSAN_OPTIONS}"
ctest --test-dir "$build" -j "${AGENTBOOT_JOBS:-2}" --output-on-failure --timeout 600 \
  -LE '^(fleet|fuzz|deploy-slow)$' "$@"
