#!/usr/bin/env bash
# Benchmarks `agentboot run` against one agentboot-sim on loopback and prints every number from
# this one run: (1) agentboot's own time from exec to the listener's launch with a cached agent
# package, split into its stages, for a fresh registration and for the same host relaunched with
# its registration kept; (2) the supervisor's RSS and CPU over an idle window, measured
# beside two bash scripts that supervise a child the way a shell entrypoint does.
#
# Usage: bash tests/bench/run_supervisor.sh [BUILD_DIR]        (default BUILD_DIR: <repo>/build)
#   Builds nothing: BUILD_DIR must already hold agentboot/agentboot, agentboot/agentboot-sim and
#   fake-agent/vsts-agent-linux-x64-4.260.0.tar.gz (the fake agent package). Needs curl, jq and
#   openssl (the command-line tool, to time RSA-2048 generation on its own).
# Environment:
#   BENCH_LAUNCH_RUNS   timed `agentboot run` launches (default 10)
#   BENCH_IDLE_SECONDS  length of the idle window (default 60)
#
# (1) Launch. One `agentboot run --once` with a queued job fills the package cache first. Then each
#     timed run starts `agentboot --log-format json run …` in the background with its log going to
#     a file; the start time is $EPOCHREALTIME just before the launch (it includes bash's fork).
#     The script reads the log as it grows, waking every 5 ms, and stamps each stage's log line when
#     it sees it: the lines' own "time" field has whole seconds only. Every stage boundary is
#     therefore seen 0-5 ms late (plus scheduling), the same for every boundary. "listener started"
#     is logged after the listener's execve succeeded (the launcher's close-on-exec report pipe).
#     Requests come from the sim's request log (cleared before each run): those made with the
#     host's managed identity are agentboot's; the listener authenticates as its own agent.
#     Each run is then stopped with SIGTERM (must exit 0) and unregistered.
# (2) Idle. One `agentboot run` is started and the window begins once the sim reports its agent
#     "online". Beside it run two bash supervisors of a `sleep` child: `child & wait $!` with a
#     TERM trap (the shape of Microsoft's start.sh) and a polling loop (`kill -0; sleep 1`). All
#     three are measured the same way, from /proc, for the same window: VmRSS sampled every second
#     (max) and at the end with RssAnon/RssFile, PSS and USS (smaps_rollup: Private_Clean +
#     Private_Dirty, the memory only this process holds); CPU as utime+stime (fields
#     14+15 of /proc/PID/stat, clock ticks) and with reaped children (+16+17), as deltas over the
#     window; on-CPU time in microseconds from the scheduler (first field of
#     /proc/PID/task/*/schedstat, summed over threads; own process only), since a 10 ms tick is too
#     coarse for an idle process, also as ms per minute; wake-ups as the delta of voluntary+involuntary
#     context switches summed over every thread (/proc/PID/task/*/status); the thread count. Requests:
#     every request agentboot made in the window, including the IMDS Scheduled Events poll, which
#     carries no identity (its path tells it apart; the idle run must log that it watches them). The
#     target for agentboot is <= 10 ms of CPU a minute (issue 13); the report says whether it is met. The listener (a
#     child agentboot does not reap during the window) is not counted in agentboot's numbers.
# Exits non-zero if any measured step fails. Stops every process it started.
set -euo pipefail
export LC_ALL=C  # $EPOCHREALTIME uses the locale's decimal point

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
runs="${BENCH_LAUNCH_RUNS:-10}"
idle_seconds="${BENCH_IDLE_SECONDS:-60}"
version=4.260.0

agentboot="$build/agentboot/agentboot"
sim_bin="$build/agentboot/agentboot-sim"
package="$build/fake-agent/vsts-agent-linux-x64-$version.tar.gz"
for f in "$agentboot" "$sim_bin"; do
  [[ -x "$f" ]] || { echo "bench: missing $f (build it first)" >&2; exit 2; }
done
[[ -f "$package" ]] || { echo "bench: missing $package (build the fake agent package first)" >&2; exit 2; }
for tool in curl jq openssl; do command -v "$tool" >/dev/null || { echo "bench: $tool not found" >&2; exit 2; }; done

work="$(mktemp -d)"
sim_pid=""
pids=()  # everything else started in the background, stopped on exit
stop_pid() {  # stop_pid PID SIGNAL: signal, wait up to 10 s, then SIGKILL
  local pid="$1" sig="$2"
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill "-$sig" "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  for pid in "${pids[@]}"; do stop_pid "$pid" TERM; done
  if [[ -n "$sim_pid" ]]; then stop_pid "$sim_pid" TERM; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "bench: $*" >&2; exit 1; }

"$sim_bin" --quiet --state-dir "$work/sim" --env-file "$work/sim.env" \
  --agent-package "$version=$package" >"$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 100); do [[ -s "$work/sim.env" ]] && break; sleep 0.1; done
[[ -s "$work/sim.env" ]] || { cat "$work/sim.log" >&2; fail "agentboot-sim did not start"; }
set -a; source "$work/sim.env"; set +a
org_path="/${AZP_URL#http*://*/}/"   # e.g. /sim/: everything under it is Azure DevOps
host_identity="$AGENTBOOT_SIM_SYSTEM_ASSIGNED_OBJECT_ID"  # how the sim logs the host's requests
control() { curl -fsS -X "$1" "$AGENTBOOT_SIM_CONTROL$2" ${3:+-d "$3"}; }
# The fake listener long-polls for 20 s, so the idle window sees few of its requests.
control POST /devops/settings '{"message_poll_ms":20000}' >/dev/null

# ---- helpers --------------------------------------------------------------------------------------

us() { local t="${1/./}"; echo $((10#$t)); }  # $EPOCHREALTIME -> integer microseconds
exec {nap_fd}<> <(:)                           # a pipe nobody writes: `read -t` on it sleeps without a fork
nap() { read -r -t "$1" -u "$nap_fd" _ || true; }
clk_tck=$(getconf CLK_TCK)

# agentboot's requests since the log was cleared: "identity devops packages"
host_requests() {
  control GET /requests | jq -r --arg id "$host_identity" --arg org "$org_path" '
    [.requests[] | select(.identity == $id)] as $mine
    | [ ($mine | map(select(.path | startswith($org) | not)) | length),
        ($mine | map(select(.path | startswith($org))) | length),
        ([.requests[] | select(.path | test("_downloads|/packages"))] | length) ] | @tsv'
}

# start_run NAME LOGFILE [ARGS...]: starts `agentboot run` in the background, sets run_pid and t_exec.
start_run() {
  local name="$1" log="$2"; shift 2
  : >"$log"
  t_exec=$EPOCHREALTIME
  "$agentboot" --log-format json run --agent-name "$name" --agent-dir "$work/agents/$name" \
    --cache-dir "$work/cache" --agent-version "$version" "$@" >"$log" 2>&1 &
  run_pid=$!
  pids+=("$run_pid")
}

# watch_launch LOGFILE PID [fresh|existing]: follows the log until "listener started"; sets
# stamp[marker]=time. A fresh registration must have logged every stage.
declare -A stamp
watch_launch() {
  local log="$1" pid="$2" fd line buf="" now deadline
  deadline=$(($(us "$EPOCHREALTIME") + 30000000))
  stamp=()
  exec {fd}<"$log"
  while :; do
    if IFS= read -r -u "$fd" line; then
      line="$buf$line"; buf=""; now=$EPOCHREALTIME
      case "$line" in
        *'"msg":"access token acquired"'*) stamp[token]=$now ;;
        *'"msg":"agent package ready"'*) stamp[package]=$now ;;
        *'"msg":"agent key created"'*) stamp[key]=$now ;;
        *'"msg":"agent registered"'*) stamp[registered]=$now ;;
        *'"source":"supervisor","msg":"listener started"'*) stamp[listener]=$now; break ;;
      esac
    else
      buf+="$line"  # a partial line at the end of the file: keep it, read the rest later
      kill -0 "$pid" 2>/dev/null || { exec {fd}<&-; cat "$log" >&2; fail "agentboot run exited before the listener started"; }
      (($(us "$EPOCHREALTIME") < deadline)) || { exec {fd}<&-; cat "$log" >&2; fail "no 'listener started' within 30 s"; }
      nap 0.005
    fi
  done
  exec {fd}<&-
  local m
  [[ "${3:-fresh}" == fresh ]] || return 0  # a kept registration logs no key or registration
  for m in token package key registered; do
    [[ -n "${stamp[$m]:-}" ]] || { cat "$log" >&2; fail "log line for '$m' missing"; }
  done
}

stop_run() {  # stop_run PID LOGFILE: SIGTERM, must exit 0
  local rc=0
  kill -TERM "$1"
  wait "$1" || rc=$?
  ((rc == 0)) || { cat "$2" >&2; fail "agentboot run exited $rc after SIGTERM"; }
}

unregister() {
  "$agentboot" unregister --agent-dir "$work/agents/$1" >"$work/unregister.out" 2>&1 ||
    { cat "$work/unregister.out" >&2; fail "unregister of $1 failed"; }
}

# stats FILE -> "median p90 min max" (values in ms with one decimal; nearest-rank p90)
stats() {
  sort -n "$1" | awk '
    { t[NR] = $1 / 1000.0 }
    END {
      med = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
      k = int(0.9 * NR); if (k < 0.9 * NR) k++
      printf "%.1f %.1f %.1f %.1f\n", med, t[k], t[1], t[NR]
    }'
}

# ---- (1) exec -> listener launch with a cached package -------------------------------------------

echo "bench: warming the package cache (one 'run --once' with a queued job)..." >&2
control POST /devops/jobs '{"pool":"Default","duration_ms":200,"result":"succeeded"}' >/dev/null
"$agentboot" --log-format json run --once --agent-name warm --agent-dir "$work/agents/warm" \
  --cache-dir "$work/cache" --agent-version "$version" >"$work/warm.log" 2>&1 ||
  { cat "$work/warm.log" >&2; fail "warm-up 'run --once' failed"; }
[[ -d "$work/cache/$version" ]] || fail "the warm-up left no $version in the cache"

echo "bench: $runs launches of 'agentboot run' (log polled every 5 ms)..." >&2
for i in $(seq "$runs"); do
  control DELETE /requests >/dev/null
  start_run "bench-$i" "$work/run-$i.log" --keep-registration
  watch_launch "$work/run-$i.log" "$run_pid"
  counts=$(host_requests)
  read -r req_id req_dv req_pkg <<<"$counts"
  ((req_pkg == 0)) || fail "run $i downloaded the package despite the cache"
  # The package's source is the field "source", logged as "field.source" (the line's own
  # "source" names the module).
  grep '"msg":"agent package ready"' "$work/run-$i.log" | grep -q '"field.source":"cache"' ||
    fail "run $i: no cache hit logged"
  t0=$(us "$t_exec"); tt=$(us "${stamp[token]}"); tp=$(us "${stamp[package]}")
  tk=$(us "${stamp[key]}"); tr=$(us "${stamp[registered]}"); tl=$(us "${stamp[listener]}")
  echo $((tl - t0)) >>"$work/s.total"
  echo $((tt - t0)) >>"$work/s.token"
  echo $((tp - tt)) >>"$work/s.package"
  echo $((tk - tp)) >>"$work/s.key"
  echo $((tr - tk)) >>"$work/s.add"
  echo $((tl - tr)) >>"$work/s.launch"
  echo "$req_id $req_dv $req_pkg" >>"$work/s.requests"
  stop_run "$run_pid" "$work/run-$i.log"
  # The same host again, its registration kept by the drain (--keep-registration): no key, no add.
  start_run "bench-$i" "$work/rerun-$i.log" --keep-registration
  watch_launch "$work/rerun-$i.log" "$run_pid" existing
  grep -q '"msg":"agent key created"' "$work/rerun-$i.log" && fail "rerun $i made a new key"
  echo $(($(us "${stamp[listener]}") - $(us "$t_exec"))) >>"$work/s.existing"
  stop_run "$run_pid" "$work/rerun-$i.log"
  unregister "bench-$i"
done

# The key's own cost, beside the launches: the same library's generation in its command-line tool
# (exec included), and that tool's exec alone.
for _ in $(seq "$runs"); do
  t0=$EPOCHREALTIME; openssl genrsa 2048 >/dev/null 2>&1 || fail "openssl genrsa failed"
  echo $(($(us "$EPOCHREALTIME") - $(us "$t0"))) >>"$work/s.genrsa"
  t0=$EPOCHREALTIME; openssl version >/dev/null
  echo $(($(us "$EPOCHREALTIME") - $(us "$t0"))) >>"$work/s.openssl"
done

# ---- (2) idle supervisor beside bash --------------------------------------------------------------

cat >"$work/bash-wait.sh" <<'EOF'
# start.sh's shape: start the child, forward TERM, block in wait.
sleep 100000 & child=$!
trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 0' TERM
wait "$child"
EOF
cat >"$work/bash-poll.sh" <<'EOF'
# A polling supervisor: check the child once a second.
sleep 100000 & child=$!
trap 'kill -TERM "$child" 2>/dev/null; exit 0' TERM
while kill -0 "$child" 2>/dev/null; do sleep 1; done
EOF

echo "bench: idle window of ${idle_seconds} s (agentboot run beside two bash supervisors)..." >&2
start_run bench-idle "$work/idle.log"
idle_pid=$run_pid
online=""
for _ in $(seq 300); do
  kill -0 "$idle_pid" 2>/dev/null || { cat "$work/idle.log" >&2; fail "idle agentboot run exited"; }
  online=$(control GET /devops/state | jq -r '.agents[] | select(.name == "bench-idle") | .status')
  [[ "$online" == online ]] && break
  sleep 0.1
done
[[ "$online" == online ]] || { cat "$work/idle.log" >&2; fail "bench-idle never came online"; }
bash "$work/bash-wait.sh" & wait_pid=$!; pids+=("$wait_pid")
bash "$work/bash-poll.sh" & poll_pid=$!; pids+=("$poll_pid")
nap 1  # let the bash scripts reach their steady state

labels=(agentboot bash_wait bash_poll)
declare -A pid_of=([agentboot]=$idle_pid [bash_wait]=$wait_pid [bash_poll]=$poll_pid)
declare -A cpu0 cpuc0 ns0 runus cs0 rss_max rss_end anon file pss uss threads cpu cpuc wake

# proc_stat PID -> "own_ticks own+children_ticks"
proc_stat() {
  local s f
  s=$(<"/proc/$1/stat") || return 1
  read -r -a f <<<"${s##*) }"  # fields from 3 on; comm may hold spaces
  echo "$((f[11] + f[12])) $((f[11] + f[12] + f[13] + f[14]))"
}
# status_field PID NAME -> the number of a /proc/PID/status line
status_field() {
  local k v _
  while read -r k v _; do [[ "$k" == "$2:" ]] && { echo "$v"; return 0; }; done <"/proc/$1/status"
  echo 0
}
# run_ns PID -> nanoseconds on a CPU, all threads (first field of /proc/PID/task/*/schedstat)
run_ns() {
  local t ns _ sum=0
  for t in /proc/"$1"/task/*/schedstat; do read -r ns _ <"$t" && sum=$((sum + ns)); done
  echo "$sum"
}
# switches PID -> voluntary + involuntary context switches of every thread (a thread that exited
# during the window is missed; agentboot's threads live as long as the run)
switches() {
  local t k v _ sum=0
  for t in /proc/"$1"/task/*/status; do
    while read -r k v _; do
      [[ "$k" == voluntary_ctxt_switches: || "$k" == nonvoluntary_ctxt_switches: ]] && sum=$((sum + v))
    done <"$t" || true
  done
  echo "$sum"
}
# smaps_field PID NAME... -> the sum of those smaps_rollup lines (KB)
smaps_field() {
  local p="$1"; shift
  awk -v names=" $* " 'index(names, " " substr($1, 1, length($1) - 1) " ") { s += $2 } END { print s + 0 }' "/proc/$p/smaps_rollup"
}
alive_all() {
  local l
  for l in "${labels[@]}"; do kill -0 "${pid_of[$l]}" 2>/dev/null || fail "$l (pid ${pid_of[$l]}) died during the idle window"; done
}

control DELETE /requests >/dev/null
for l in "${labels[@]}"; do
  ticks=$(proc_stat "${pid_of[$l]}")
  read -r "cpu0[$l]" "cpuc0[$l]" <<<"$ticks"
  cs0[$l]=$(switches "${pid_of[$l]}")
  ns0[$l]=$(run_ns "${pid_of[$l]}")
  rss_max[$l]=0
done
t_start=$(us "$EPOCHREALTIME")
t_end=$((t_start + idle_seconds * 1000000))
while :; do
  alive_all
  for l in "${labels[@]}"; do
    r=$(status_field "${pid_of[$l]}" VmRSS)
    ((r > rss_max[$l])) && rss_max[$l]=$r
  done
  now=$(us "$EPOCHREALTIME")
  ((now < t_end)) || break
  left=$(((t_end - now) / 1000))
  ((left > 1000)) && left=1000
  nap "$((left / 1000)).$(printf '%03d' $((left % 1000)))"
done
window_ms=$((($(us "$EPOCHREALTIME") - t_start) / 1000))
for l in "${labels[@]}"; do
  p=${pid_of[$l]}
  ticks=$(proc_stat "$p")
  read -r c cc <<<"$ticks"
  cpu[$l]=$(((c - cpu0[$l]) * 1000 / clk_tck))
  cpuc[$l]=$(((cc - cpuc0[$l]) * 1000 / clk_tck))
  wake[$l]=$(($(switches "$p") - cs0[$l]))
  runus[$l]=$((($(run_ns "$p") - ns0[$l]) / 1000))
  rss_end[$l]=$(status_field "$p" VmRSS)
  ((rss_end[$l] > rss_max[$l])) && rss_max[$l]=${rss_end[$l]}
  anon[$l]=$(status_field "$p" RssAnon)
  file[$l]=$(status_field "$p" RssFile)
  pss[$l]=$(smaps_field "$p" Pss)
  uss[$l]=$(smaps_field "$p" Private_Clean Private_Dirty Private_Hugetlb)
  threads[$l]=$(status_field "$p" Threads)
done
counts=$(host_requests)
read -r idle_req_id idle_req_dv _ <<<"$counts"
# IMDS requests without an identity: Scheduled Events and instance metadata (only agentboot asks)
read -r idle_req_events idle_req_meta < <(control GET /requests | jq -r '
  [ ([.requests[] | select(.path | startswith("/metadata/scheduledevents"))] | length),
    ([.requests[] | select(.path | startswith("/metadata/instance"))] | length) ] | @tsv')
idle_req_total=$((idle_req_id + idle_req_dv + idle_req_events + idle_req_meta))
grep -q '"msg":"watching Azure Scheduled Events"' "$work/idle.log" ||
  { cat "$work/idle.log" >&2; fail "the idle run does not watch Scheduled Events (it must, with the default settings and IMDS)"; }
listener_pid=$(pgrep -P "$idle_pid" | head -n1 || true)
listener_rss=$([[ -n "$listener_pid" ]] && status_field "$listener_pid" VmRSS || echo "?")

stop_run "$idle_pid" "$work/idle.log"
unregister bench-idle
for p in "$wait_pid" "$poll_pid"; do
  kill -TERM "$p"; rc=0; wait "$p" || rc=$?
  ((rc == 0)) || fail "bash supervisor $p exited $rc after SIGTERM"
done
pids=()

# ---- report ---------------------------------------------------------------------------------------

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), Debian $(cat /etc/debian_version), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "versions: agentboot $("$agentboot" --version 2>/dev/null | head -n1 || echo '?'), $(bash --version | head -n1 | sed 's/ (.*//')"
echo
echo "(1) exec -> listener launch, cached package ($runs runs; each stamp is seen 0-5 ms late)"
fmt="%-46s %9s %8s %8s %8s\n"
printf "$fmt" stage "median ms" "p90 ms" "min ms" "max ms"
printf "$fmt" "----------------------------------------------" "---------" "-------" "-------" "-------"
stage() { read -r m p lo hi < <(stats "$work/s.$1"); printf "$fmt" "$2" "$m" "$p" "$lo" "$hi"; }
stage token "start-up + token (1 IMDS request)"
stage package "agent package (cache hit)"
stage key "find pool + find agent + RSA-2048 key"
stage add "add agent + write agent files"
stage launch "launch (prepare + fork/exec Agent.Listener)"
stage total "total: exec -> listener started"
stage existing "same host, registration kept: exec -> listener"
read -r fresh_med _ < <(stats "$work/s.total")
read -r kept_med _ < <(stats "$work/s.existing")
echo "fresh / kept registration (medians): $(awk -v a="$fresh_med" -v b="$kept_med" 'BEGIN { printf "%.2fx", a / b }') (issue 13's target: 1.2x)"
echo "requests per run from agentboot (identity DevOps package): $(sort -u "$work/s.requests" | paste -sd, -)"
read -r gen_med gen_p90 _ < <(stats "$work/s.genrsa")
read -r exec_med _ < <(stats "$work/s.openssl")
echo "RSA-2048 generation alone, 'openssl genrsa 2048' ($runs runs, same library): median $gen_med ms, p90 $gen_p90 ms ('openssl version' exec: $exec_med ms)"
echo "the target needs a fresh run within $(awk -v k="$kept_med" 'BEGIN { printf "%.1f", 1.2 * k }') ms (1.2 x kept); the key alone takes the median above, and is made while start-up, the token, the package and two lookups (the kept run's first $(awk -v k="$kept_med" 'BEGIN { printf "%.1f", k }') ms, its launch included) go on"
echo
echo "(2) idle supervisor, ${window_ms} ms window, measured side by side (RSS in KB; CPU in ms, 1 tick = $((1000 / clk_tck)) ms)"
fmt="%-34s %7s %7s %8s %8s %7s %7s %8s %12s %11s %8s %7s\n"
printf "$fmt" process "RSS end" "RSS max" "RssAnon" "RssFile" "PSS" "USS" "CPU own" "CPU +reaped" "on-CPU us" "wake-ups" threads
printf "$fmt" "----------------------------------" "-------" "-------" "-------" "-------" "------" "------" "-------" "-----------" "----------" "-------" "-------"
declare -A title=([agentboot]="agentboot run (supervisor only)" [bash_wait]="bash: child & wait \$!" [bash_poll]="bash: kill -0 / sleep 1 loop")
for l in "${labels[@]}"; do
  printf "$fmt" "${title[$l]}" "${rss_end[$l]}" "${rss_max[$l]}" "${anon[$l]}" "${file[$l]}" "${pss[$l]}" "${uss[$l]}" "${cpu[$l]}" "${cpuc[$l]}" "${runus[$l]}" "${wake[$l]}" "${threads[$l]}"
done
echo "agentboot's own requests during the window: $idle_req_total (identity $idle_req_id, DevOps $idle_req_dv, IMDS Scheduled Events $idle_req_events, IMDS instance metadata $idle_req_meta); its listener (not counted above): RSS $listener_rss KB"
cpu_per_min=$(awk -v us="${runus[agentboot]}" -v ms="$window_ms" 'BEGIN { printf "%.2f", us / 1000.0 * 60000.0 / ms }')
verdict=$(awk -v v="$cpu_per_min" 'BEGIN { print (v <= 10.0 ? "met" : "NOT met") }')
echo "agentboot idle CPU: $cpu_per_min ms per minute, all threads (target <= 10 ms per minute: $verdict); USS ${uss[agentboot]} KB, PSS ${pss[agentboot]} KB, RSS ${rss_end[agentboot]} KB, ${threads[agentboot]} threads"
echo
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print (a == 0 ? "n/a (both 0)" : "n/a (divisor 0)"); else printf "%.1fx\n", a / b }'; }
echo "ratios (agentboot / bash), this run:"
for l in bash_wait bash_poll; do
  echo "  vs ${title[$l]}: RSS end $(ratio "${rss_end[agentboot]}" "${rss_end[$l]}"), RssAnon $(ratio "${anon[agentboot]}" "${anon[$l]}"), PSS $(ratio "${pss[agentboot]}" "${pss[$l]}"), on-CPU $(ratio "${runus[agentboot]}" "${runus[$l]}")"
done
