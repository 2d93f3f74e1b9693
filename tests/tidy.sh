#!/usr/bin/env bash
# clang-tidy over agentboot's production sources (agentboot/ and modules/*/src; tests and fakes
# are left out), with the checks of .clang-tidy, every finding an error. Clang's thread-safety
# analysis (-Wthread-safety, the GUARDED_BY/REQUIRES annotations of agentboot/thread_annotations.h)
# runs as part of it. Needs a configured build directory (compile_commands.json).
# Usage: bash tests/tidy.sh [build-dir [file.cc ...]]   (default: build, every production file
# but the simulator's; AGENTBOOT_TIDY_SIM=1 adds modules/sim/src, about 30 % more time)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build="${1:-build}"
shift || true
jobs="${AGENTBOOT_JOBS:-$(nproc)}"
if [[ ! -f "$build/compile_commands.json" ]]; then
  echo "tidy: $build/compile_commands.json is missing; configure the build first (cmake -S . -B $build)" >&2
  exit 2
fi
if (($# == 0)); then
  mapfile -t files < <(jq -r '.[].file' "$build/compile_commands.json" |
    grep -E "^$root/(agentboot/|modules/[^/]+/src/)" | grep -v '/tests/' |
    if [[ "${AGENTBOOT_TIDY_SIM:-0}" == 1 ]]; then cat; else grep -v "^$root/modules/sim/"; fi |
    sort -u)
else
  files=("$@")
fi
start=$SECONDS
# One file per clang-tidy; a crash (a signal) counts as a failure without stopping the others.
# -Wno-error: the build's -Werror is GCC's business (its warnings fail the build already); clang's
# own warnings differ (e.g. its -Wshadow), so only the checks of .clang-tidy decide here.
set +e
# shellcheck disable=SC2016  # $0 and $1 belong to the sh -c script
printf '%s\0' "${files[@]}" | xargs -0 -n 1 -P "$jobs" sh -c \
  'clang-tidy -p "$0" --quiet --extra-arg=-Wthread-safety --extra-arg=-Wno-error "$1" 2>&1 || exit 1' "$build" |
  grep --line-buffered -v -E '^[0-9]+ (warnings?|errors?) generated\.$|^Suppressed [0-9]+ warnings'
status=${PIPESTATUS[1]}
set -e
echo "tidy: ${#files[@]} files in $((SECONDS - start)) s"
if ((status != 0)); then
  echo "tidy: clang-tidy found problems (above); fix them, or see .clang-tidy for the checks" >&2
  exit 1
fi
