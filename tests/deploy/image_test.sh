#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The container image, built and run with no Docker daemon. buildah (chroot isolation) builds the
# Dockerfile's runtime-prebuilt target from the binaries this build compiled (nothing compiled
# again), on a base image made from the debootstrap root and tagged debian:bookworm-slim, with the
# pinned fake agent package pre-baked through the AGENT_PACKAGE_URL build argument (served by
# agentboot-sim, as Microsoft's CDN would). Then the image's own entrypoint and environment run in
# its unpacked root (chroot, as the image's user) against agentboot-sim on loopback:
#   1. register, one job with --once, deregister; the exit code is the job's result (0, then 22);
#   2. a long-lived container whose HEALTHCHECK passes is sent SIGTERM (its STOPSIGNAL) mid-job:
#      it drains (the job finishes with its own result), deregisters and exits 0.
# Usage: image_test.sh SOURCE_DIR BUILD_DIR AGENTBOOT SIM PACKAGE
set -euo pipefail
src="$1" build="$2" agentboot="$3" sim="$4" package="$5"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib.sh"
command -v buildah >/dev/null || fail "buildah is missing: run cmake/install-deps.sh"

work="$build/deploy/image"
storage="$build/deploy/containers"
bah() { buildah --root "$storage/storage" --runroot "$storage/run" --storage-driver vfs "$@"; }
image=localhost/agentboot:test
ctr="" mnt="" runs=()
cleanup() {
  for pid in "${runs[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  [[ -n "$mnt" ]] && unmount_root "$mnt"
  [[ -n "$ctr" ]] && { bah umount "$ctr" >/dev/null 2>&1 || true; bah rm "$ctr" >/dev/null 2>&1 || true; }
  stop_sim
}
trap cleanup EXIT
unmount_under "$storage"
if [[ -d "$storage" ]]; then bah rm --all >/dev/null 2>&1 || true; fi
rm -rf "$work"; mkdir -p "$work/context/bin"

step "base image debian:bookworm-slim from the debootstrap root"
if ! bah inspect --type image docker.io/library/debian:bookworm-slim >/dev/null 2>&1; then
  base="$(bah from scratch)"
  base_mnt="$(bah mount "$base")"
  tar -C "$build/deploy/rootfs" -cf - . | tar -C "$base_mnt" -xf -
  bah umount "$base" >/dev/null
  bah commit -q "$base" docker.io/library/debian:bookworm-slim >/dev/null
  bah rm "$base" >/dev/null
fi

start_sim "$sim" "$package" "$work/sim"
sha="$(sha256sum "$package" | cut -d' ' -f1)"
install -m 0755 "$agentboot" "$work/context/bin/agentboot"
# The fake listener's libraries stand in for the real agent's prerequisites (AGENT_PREREQS).
prereqs="$(fake_listener_prereqs "$package" "$work/listener")"

step "buildah bud --target runtime-prebuilt (agent $AGENT_VERSION pre-baked)"
start=$SECONDS
# (AGENTBOOT_DEPLOY_REUSE_IMAGE=1 keeps an image built before: for editing this script only.)
if [[ "${AGENTBOOT_DEPLOY_REUSE_IMAGE:-0}" != 1 ]] || ! bah inspect --type image "$image" >/dev/null 2>&1; then
  bah bud --isolation chroot --format docker --target runtime-prebuilt -q \
  --build-arg "AGENT_VERSION=$AGENT_VERSION" \
  --build-arg "AGENT_PACKAGE_URL=$AGENTBOOT_SIM_HTTP/_downloads/vsts-agent-linux-x64-$AGENT_VERSION.tar.gz" \
  --build-arg "AGENT_SHA256=$sha" --build-arg "AGENT_PREREQS=$prereqs" \
  -f "$src/images/container/Dockerfile" -t "$image" "$work/context" >"$work/bud.log" 2>&1 ||
    fail "buildah bud failed: $(tail -20 "$work/bud.log")"
fi
echo "image built in $((SECONDS - start)) s"
# The containers talk to a simulator that has no agent package at all: a start that tried to
# download one would fail.
stop_sim
start_sim "$sim" none "$work/sim-run"
control POST /devops/settings '{"message_poll_ms":500}' >/dev/null

step "the image's configuration"
config="$(bah inspect --type image "$image" | jq '.Docker.config')"
echo "$config" | jq -e '.Entrypoint == ["/usr/bin/agentboot"] and .Cmd == ["run"]' >/dev/null ||
  fail "entrypoint/cmd: $config"
echo "$config" | jq -e '.User == "agent" and .StopSignal == "SIGTERM"' >/dev/null || fail "user/stop signal: $config"
echo "$config" | jq -e '.Healthcheck.Test | join(" ") | test("/healthz")' >/dev/null || fail "healthcheck: $config"
mapfile -t image_env < <(echo "$config" | jq -r '.Env[]')
entrypoint="$(echo "$config" | jq -r '.Entrypoint[0]')"
healthcheck="$(echo "$config" | jq -r '.Healthcheck.Test[1:] | join(" ")')"
workdir="$(echo "$config" | jq -r '.WorkingDir')"

ctr="$(bah from "$image")"
mnt="$(bah mount "$ctr")"
mount_root "$mnt"
[[ -f "$mnt/opt/agentboot/packages/vsts-agent-linux-x64-$AGENT_VERSION.tar.gz" ]] || fail "no pre-baked package"
uid="$(chroot "$mnt" id -u agent)"; [[ "$uid" != 0 ]] || fail "the image's user is root"

# docker run IMAGE ARGS...: the entrypoint, CMD replaced by ARGS, the image's environment and
# user; a container's only network here is the host's loopback, where the simulator listens.
container() {
  # exec: the caller's $! is then agentboot itself (chroot and env exec too), which gets the signal.
  exec chroot --userspec=agent:agent "$mnt" /usr/bin/env -i -C "$workdir" "${image_env[@]}" \
    HOME=/home/agent AZP_URL="$AZP_URL" AZURE_POD_IDENTITY_AUTHORITY_HOST="$AZURE_POD_IDENTITY_AUTHORITY_HOST" \
    AGENTBOOT_HEALTH_LISTEN=127.0.0.1:0 AGENTBOOT_SCHEDULED_EVENTS=off "$@"
}

step "docker run IMAGE run --once: a successful job, then a failing one"
queue_job Default 500 succeeded
set +e; (container AZP_AGENT_NAME=ephemeral-1 "$entrypoint" run --once) >"$work/once-1.log" 2>&1; code=$?; set -e
[[ $code == 0 ]] || fail "succeeded job: exit $code: $(tail -5 "$work/once-1.log")"
[[ "$(last_job result)" == succeeded ]] || fail "job result on the server: $(last_job result)"
queue_job Default 500 failed
set +e; (container AZP_AGENT_NAME=ephemeral-2 "$entrypoint" run --once) >"$work/once-2.log" 2>&1; code=$?; set -e
[[ $code == 22 ]] || fail "failed job: exit $code (want 22): $(tail -5 "$work/once-2.log")"
[[ "$(agents_in_pool)" == 0 ]] || fail "agents left after --once: $(agents_in_pool)"
grep -q '"level"' "$work/once-1.log" || fail "no JSON log lines on the container's output"

step "a long-lived container gets SIGTERM in the middle of a 4 s job"
queue_job Default 4000 succeeded
container AZP_AGENT_NAME=long-lived AGENTBOOT_DRAIN_TIMEOUT=60 "$entrypoint" run --drain-poll 0.5 \
  >"$work/long.log" 2>&1 &
pid=$!; runs+=("$pid")
port="$(health_port_from "$work/long.log")"
wait_job_running
chroot "$mnt" /bin/sh -c "${healthcheck//8080/$port}" || fail "the image's HEALTHCHECK failed: $healthcheck"
sleep 1
kill -TERM "$pid"
set +e; wait "$pid"; code=$?; set -e
runs=()
[[ $code == 0 ]] || fail "drained container exit $code: $(tail -10 "$work/long.log")"
[[ "$(last_job result)" == succeeded ]] || fail "the job did not finish on its own: $(last_job result)"
[[ "$(agents_in_pool)" == 0 ]] || fail "agent left after the drain"
grep -q 'drain' "$work/long.log" || fail "no drain in the log"
echo "image test: passed (image built, 2 ephemeral runs, 1 drain)"
