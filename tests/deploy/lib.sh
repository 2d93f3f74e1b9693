# shellcheck shell=bash
# Shared by the deployment tests (sourced): the simulator, a debootstrap root, assertions.
# Every file lives under the build tree passed to the test; nothing is cached elsewhere.

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

# The host's configured Debian mirror (deb822 "URIs:" or a one-line "deb" entry).
debian_mirror() {
  local uri
  uri="$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}')"
  [[ -n "$uri" ]] || uri="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}')"
  echo "${uri:-http://deb.debian.org/debian}"
}

# Starts agentboot-sim (serving the fake agent package unless PACKAGE is "none"); exports its
# variables (AZP_URL, ...). Usage: start_sim SIM_BINARY PACKAGE STATE_DIR
start_sim() {
  local sim="$1" package="$2" dir="$3" version args=()
  version="$(basename "$package" .tar.gz)"; version="${version##*-}"
  [[ "$package" == none ]] || args=(--agent-package "$version=$package")
  rm -rf "$dir"; mkdir -p "$dir"
  "$sim" --quiet --state-dir "$dir/state" --env-file "$dir/sim.env" "${args[@]}" >"$dir/sim.log" 2>&1 &
  SIM_PID=$!
  for _ in $(seq 1 100); do [[ -s "$dir/sim.env" ]] && break; sleep 0.1; done
  [[ -s "$dir/sim.env" ]] || fail "agentboot-sim did not start: $(cat "$dir/sim.log")"
  set -a
  # shellcheck source=/dev/null
  source "$dir/sim.env"
  set +a
  [[ "$package" == none ]] || export AGENT_VERSION="$version"
}

stop_sim() {
  if [[ -n "${SIM_PID:-}" ]]; then kill -INT "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; fi
  SIM_PID=""
}

control() { curl -fsS -X "$1" "$AGENTBOOT_SIM_CONTROL$2" -H 'Content-Type: application/json' ${3:+-d "$3"}; }
queue_job() { control POST /devops/jobs "{\"pool\":\"$1\",\"duration_ms\":$2,\"result\":\"$3\"}" >/dev/null; }
agents_in_pool() { control GET /devops/state | jq '.agents | length'; }
last_job() { control GET /devops/jobs | jq -r ".jobs[-1].$1"; }
wait_job_running() {
  for _ in $(seq 1 600); do
    [[ "$(last_job state)" == running ]] && return 0
    sleep 0.1
  done
  fail "the queued job never started"
}

# The health port agentboot logged (JSON log lines on stderr).
health_port_from() {
  for _ in $(seq 1 300); do
    local port
    port="$(grep -o '"port":"[0-9]*"' "$1" 2>/dev/null | head -1 | grep -o '[0-9]\+' || true)"
    [[ -n "$port" ]] && { echo "$port"; return 0; }
    sleep 0.1
  done
  fail "no health endpoint in $1"
}

# Mounts /proc into a root (agentboot and the listener read it) and makes sure the basic device
# nodes exist. No bind mount of /dev: a root left mounted after a killed test must be safe to
# `rm -rf` (a proc mount refuses deletion; a bound /dev would not). Undone by unmount_root.
mount_root() {
  local node name major minor
  mkdir -p "$1/dev" "$1/proc"
  for node in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
    IFS=: read -r name major minor <<<"$node"
    if [[ ! -c "$1/dev/$name" ]]; then
      rm -f "$1/dev/$name"
      mknod -m 0666 "$1/dev/$name" c "$major" "$minor"
    fi
  done
  mountpoint -q "$1/proc" || mount -t proc proc "$1/proc"
}
unmount_root() {
  if mountpoint -q "$1/proc"; then umount "$1/proc" 2>/dev/null || umount -l "$1/proc"; fi
}
# Unmounts whatever a killed earlier run left mounted under a folder.
unmount_under() {
  local target
  while read -r target; do
    umount "$target" 2>/dev/null || umount -l "$target" 2>/dev/null || true
  done < <(findmnt -rn -o TARGET | grep "^$1/" | sort -r)
}

# The Debian packages of the fake listener's shared libraries (the real agent's prerequisites,
# libicu and friends, are not what the fake needs). Usage: fake_listener_prereqs PACKAGE SCRATCH
fake_listener_prereqs() {
  local prereqs
  mkdir -p "$2"
  tar -C "$2" -xzf "$1" ./bin/Agent.Listener
  prereqs="$(ldd "$2/bin/Agent.Listener" | awk '/=> \//{print $3}' | xargs -n1 readlink -f |
    { xargs dpkg -S 2>/dev/null || true; } | cut -d: -f1 | sort -u | tr "\n" " ")"
  [[ -n "$prereqs" ]] || fail "could not find the fake listener's libraries"
  echo "$prereqs"
}
