#!/usr/bin/env bash
# Measures what dynamic loading costs agentboot at start-up, and what link-time options change it.
#
# Usage: bash tests/bench/run_startup.sh [BUILD_DIR]      (default BUILD_DIR: <repo>/build)
#   Builds nothing it does not relink itself: BUILD_DIR must hold agentboot/agentboot and
#   agentboot/agentboot-sim (a Ninja build). Each variant below is the agentboot binary relinked from
#   the same object files with extra linker options, so every figure comes from this one run, side by
#   side. Environment: STARTUP_RUNS (execs per round, default 50), STARTUP_ROUNDS (default 7).
#
# For each variant it prints: shared objects loaded (ldd), symbol and relative relocations and the
# dynamic loader's own time (LD_DEBUG=statistics, median), and the CPU time (perf stat task-clock,
# user + system, so other load on the machine hardly moves it) per exec of `--version` and of
# `token --identity imds` against agentboot-sim on loopback. Rounds interleave the variants; the
# median round counts. Needs perf (Debian linux-perf) with software events allowed.
# References: /bin/true (exec with libc only) and `curl --version` (Debian's libcurl with its whole
# dependency tree, the floor for any binary that keeps libcurl as a shared library).
set -euo pipefail
export LC_ALL=C

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="$(cd "${1:-$repo/build}" && pwd)"
runs="${STARTUP_RUNS:-50}"
rounds="${STARTUP_ROUNDS:-7}"
agentboot="$build/agentboot/agentboot"
sim_bin="$build/agentboot/agentboot-sim"
for f in "$agentboot" "$sim_bin"; do
  [[ -x "$f" ]] || { echo "startup bench: $f is missing; build agentboot and agentboot-sim first" >&2; exit 2; }
done

work="$(mktemp -d)"
sim_pid=""
cleanup() {
  if [[ -n "$sim_pid" ]]; then kill -INT "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# ---- variants: the same objects relinked with extra linker options -------------------------------
link_cmd="$(ninja -C "$build" -t commands agentboot/agentboot | tail -n1)"
link_cmd="${link_cmd#: && }"  # Ninja wraps it as ": && c++ ... && :"; options go on c++ itself
link_cmd="${link_cmd% && :}"
[[ "$link_cmd" == *"-o agentboot/agentboot "* ]] || { echo "startup bench: no link command for agentboot" >&2; exit 2; }
names=(as-built)
declare -A bin=([as-built]="$agentboot")
add_variant() {  # add_variant NAME LINKER-OPTIONS...
  local name="$1" out="$work/agentboot-$1"
  shift
  (cd "$build" && eval "${link_cmd/-o agentboot\/agentboot /-o $out } $*") \
    || { echo "startup bench: relinking with '$*' failed" >&2; exit 1; }
  names+=("$name")
  bin[$name]="$out"
}
# Before 203b60c the health server used Poco's SocketAddress and agentboot loaded PocoNet and
# PocoFoundation: the same objects with those two libraries forced back in stand for "before".
add_variant before:+Poco -Wl,--no-as-needed -lPocoNet -lPocoFoundation
add_variant lazy -Wl,-z,lazy
add_variant now -Wl,-z,now
add_variant relr -Wl,-z,pack-relative-relocs
add_variant now+relr -Wl,-z,now -Wl,-z,pack-relative-relocs
add_variant O1+gnu-hash -Wl,-O1 -Wl,--hash-style=gnu
add_variant no-as-needed -Wl,--no-as-needed
# References: an empty C++ main() (libstdc++, libm, libgcc_s, libc) linked (--no-as-needed) to
# libcurl, then also to Poco's two libraries, which the agentboot binary linked until the health
# server stopped using Poco: what each group costs when none of agentboot's own code runs.
printf 'int main() { return 0; }\n' >"$work/empty.cc"
add_empty() {  # add_empty NAME LIBRARIES...
  local name="$1"
  shift
  c++ -O2 "$work/empty.cc" -o "$work/$name" -Wl,--no-as-needed "$@" \
    || { echo "startup bench: linking the empty reference '$name' failed" >&2; exit 1; }
  names+=("$name")
  bin[$name]="$work/$name"
}
add_empty empty+curl -lcurl
add_empty empty+curl+PocoF -lcurl -lPocoFoundation
add_empty empty+curl+PocoF+N -lcurl -lPocoFoundation -lPocoNet
names+=(curl true)
bin[curl]="$(command -v curl)"
bin[true]=/bin/true

# ---- the simulator, for `token` ------------------------------------------------------------------
"$sim_bin" --quiet --state-dir "$work/sim" --env-file "$work/sim.env" >"$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 1 100); do [[ -s "$work/sim.env" ]] && break; sleep 0.1; done
[[ -s "$work/sim.env" ]] || { echo "startup bench: agentboot-sim did not start" >&2; cat "$work/sim.log" >&2; exit 1; }
set -a
# shellcheck disable=SC1091
source "$work/sim.env"
set +a
"$agentboot" token --identity imds >/dev/null || { echo "startup bench: agentboot token failed" >&2; exit 1; }

# ---- measurements ----------------------------------------------------------------------------------
args_for() {  # the command line a variant runs for a kind (version | token)
  case "$1:$2" in
    curl:*) echo --version ;;
    true:* | empty*) echo "" ;;
    *:version) echo --version ;;
    *:token) echo "token --identity imds" ;;
  esac
}
cpu_us() {  # cpu_us BIN ARGS: CPU time (perf task-clock, user + system) per exec, mean of $runs execs
  local out
  out=$(perf stat -x, -r "$runs" -e task-clock "$@" 2>&1 >/dev/null) \
    || { echo "startup bench: $* failed: $out" >&2; exit 1; }
  awk -F, '$3 == "task-clock" { printf "%d", $1 * 1000 }' <<<"$out"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ld_stat() {  # ld_stat BIN FIELD: a field of LD_DEBUG=statistics for one `--version` run
  # shellcheck disable=SC2046
  LD_DEBUG=statistics "$1" $(args_for "$2" version) 2>&1 >/dev/null | awk -v f="$3" '
    f == "cycles" && /total startup time in dynamic loader/ { print $(NF-1) }
    f == "relocs" && /final number of relocations:/ { print $NF }
    f == "relative" && /number of relative relocations/ { print $NF }' | tail -n1
}

declare -A samples
for ((r = 0; r < rounds; r++)); do
  for n in "${names[@]}"; do
    for kind in version token; do
      [[ "$kind" == token && "$n" != as-built && "${bin[$n]}" != "$work/agentboot-"* ]] && continue
      # shellcheck disable=SC2046
      samples[$n:$kind]+="$(cpu_us "${bin[$n]}" $(args_for "$n" "$kind")) "
    done
    for _ in 1 2 3; do samples[$n:cycles]+="$(ld_stat "${bin[$n]}" "$n" cycles) "; done
  done
done

base_version=$(tr ' ' '\n' <<<"${samples[as-built:version]}" | grep . | median)
base_token=$(tr ' ' '\n' <<<"${samples[as-built:token]}" | grep . | median)
echo "agentboot start-up: CPU time per exec (perf stat task-clock, user + system), $runs execs x $rounds interleaved"
echo "rounds per cell, median round; ld Mcycles: the dynamic loader's own count (LD_DEBUG=statistics), median"
printf '%-18s %5s %8s %8s %10s %11s %8s %11s %8s\n' variant libs relocs relative "ld Mcycles" "--version us" ratio "token us" ratio
for n in "${names[@]}"; do
  libs=$(ldd "${bin[$n]}" | grep -c '=>\|ld-linux' || true)
  cyc=$(tr ' ' '\n' <<<"${samples[$n:cycles]}" | grep . | median)
  ver=$(tr ' ' '\n' <<<"${samples[$n:version]}" | grep . | median)
  if [[ -n "${samples[$n:token]:-}" ]]; then
    tok=$(tr ' ' '\n' <<<"${samples[$n:token]}" | grep . | median)
    tok_ratio=$(awk -v a="$tok" -v b="$base_token" 'BEGIN { printf "%.2f", a / b }')
  else
    tok=-; tok_ratio=-
  fi
  printf '%-18s %5s %8s %8s %10.2f %11s %8s %11s %8s\n' "$n" "$libs" "$(ld_stat "${bin[$n]}" "$n" relocs)" \
    "$(ld_stat "${bin[$n]}" "$n" relative)" "$(awk -v c="$cyc" 'BEGIN { print c / 1e6 }')" "$ver" \
    "$(awk -v a="$ver" -v b="$base_version" 'BEGIN { printf "%.2f", a / b }')" "$tok" "$tok_ratio"
done
echo "ratio: CPU time per exec / as-built's in this run (below 1.00 is cheaper)"
echo "NEEDED of as-built: $(readelf -d "$agentboot" | awk '/NEEDED/ { gsub(/[][]/, "", $NF); printf "%s ", $NF }')"
