#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The VM scale set path in a throwaway root: cpack builds the .deb from this build's binary; the
# debootstrap root, given systemd (as every VM image has), plays a fresh VM. The custom script
# extension's script installs the package (dependencies from the mirror), writes the settings and
# enables the unit; `systemd-analyze verify` checks the installed unit. The unit's ExecStart then
# runs in the root with its EnvironmentFiles, as systemd would start it, against agentboot-sim:
# the listener runs as the agentboot user, /healthz answers, and SIGTERM to the main process only
# (KillSignal=SIGTERM, KillMode=mixed) mid-job drains. Running the script again changes nothing;
# new settings are written; bad arguments get exit code 2.
# Usage: vmss_test.sh SOURCE_DIR BUILD_DIR SIM PACKAGE
set -euo pipefail
src="$1" build="$2" sim="$3" package="$4"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib.sh"

work="$build/deploy/vmss"
root="$work/root"
pid="" mounted=0
cleanup() {
  [[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null
  ((mounted)) && unmount_root "$root"
  stop_sim
}
trap cleanup EXIT
unmount_under "$work"
rm -rf "$work"; mkdir -p "$work"

step "cpack -G DEB"
(cd "$build" && cpack -G DEB -B "$work/deb" >"$work/cpack.log" 2>&1) || fail "cpack: $(tail -5 "$work/cpack.log")"
deb="$(find "$work/deb" -maxdepth 1 -name 'agentboot_*_amd64.deb')"
[[ -f "$deb" ]] || fail "no agentboot_<version>_amd64.deb in $work/deb"
dpkg-deb -f "$deb" Depends | grep -q libcurl4 || fail "the package lists no library dependencies"

step "a fresh VM: the debootstrap root plus systemd and the agent's prerequisites"
cp -a "$build/deploy/rootfs" "$root"
mount_root "$root"; mounted=1
prereqs="$(fake_listener_prereqs "$package" "$work/listener")"
# shellcheck disable=SC2086  # a list of package names
chroot "$root" /bin/sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends systemd $prereqs" >"$work/vm-image.log" 2>&1 ||
  fail "preparing the VM root: $(tail -5 "$work/vm-image.log")"

start_sim "$sim" "$package" "$work/sim"
control POST /devops/settings '{"message_poll_ms":500}' >/dev/null
ext=/var/lib/waagent/custom-script/download/0
mkdir -p "$root$ext"
cp "$deb" "$src/images/vmss/install-agentboot.sh" "$root$ext/"
cse() { chroot "$root" /usr/bin/env -C "$ext" bash ./install-agentboot.sh "$@"; }
settings=(--org-url "$AZP_URL" --pool Default --client-id "$AGENTBOOT_SIM_USER_ASSIGNED_CLIENT_ID"
  --drain-timeout 60)

step "the custom script extension: install, settings, enable"
cse "${settings[@]}" >"$work/cse-1.log" 2>&1 || fail "extension: $(cat "$work/cse-1.log")"
grep '^install-agentboot:' "$work/cse-1.log"
chroot "$root" getent passwd agentboot >/dev/null || fail "no agentboot user"
[[ -L "$root/etc/systemd/system/multi-user.target.wants/agentboot.service" ]] || fail "the unit is not enabled"
grep -qx "AZURE_CLIENT_ID=$AGENTBOOT_SIM_USER_ASSIGNED_CLIENT_ID" "$root/etc/agentboot/agentboot.env" ||
  fail "settings: $(cat "$root/etc/agentboot/agentboot.env")"
grep -qx 'TimeoutStopSec=240' "$root/etc/systemd/system/agentboot.service.d/10-drain-timeout.conf" ||
  fail "the drop-in does not wait for a 60 s drain"

step "systemd-analyze verify agentboot.service"
verify="$(chroot "$root" systemd-analyze verify agentboot.service 2>&1)" || fail "verify: $verify"
[[ -z "$verify" ]] || fail "systemd-analyze verify complained: $verify"
unit="$root/usr/lib/systemd/system/agentboot.service"
for line in KillMode=mixed KillSignal=SIGTERM Restart=on-failure; do
  grep -qx "$line" "$unit" || fail "the unit has no $line"
done

step "the service as systemd starts it; SIGTERM to the main process in the middle of a 4 s job"
exec_start="$(sed -n 's/^ExecStart=//p' "$unit")"
mapfile -t env_files < <(sed -n 's/^EnvironmentFile=-\{0,1\}//p' "$unit")
service_env=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
for file in "${env_files[@]}"; do
  [[ -f "$root$file" ]] || continue
  mapfile -t -O "${#service_env[@]}" service_env < <(grep -E '^[A-Z_]+=' "$root$file")
done
# Test-only: IMDS is the simulator's, and the health port any free one.
service_env+=(AZURE_POD_IDENTITY_AUTHORITY_HOST="$AZURE_POD_IDENTITY_AUTHORITY_HOST"
  AGENTBOOT_HEALTH_LISTEN=127.0.0.1:0)
queue_job Default 4000 succeeded
read -ra exec_argv <<<"$exec_start"
chroot "$root" /usr/bin/env -i "${service_env[@]}" "${exec_argv[@]}" --drain-poll 0.5 >"$work/service.log" 2>&1 &
pid=$!
port="$(health_port_from "$work/service.log")"
wait_job_running
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || fail "/healthz did not answer"
agent_uid="$(chroot "$root" id -u agentboot)"
listener_uid=""
for p in /proc/[0-9]*; do
  if [[ "$(readlink "$p/exe" 2>/dev/null)" == */Agent.Listener ]] && grep -q "^PPid:[[:space:]]*$pid\$" "$p/status"; then
    listener_uid="$(awk '/^Uid:/ {print $2}' "$p/status")"
  fi
done
[[ "$listener_uid" == "$agent_uid" ]] || fail "the listener runs as uid '$listener_uid', not agentboot ($agent_uid)"
sleep 1
kill -TERM "$pid"
set +e; wait "$pid"; code=$?; set -e
pid=""
[[ $code == 0 ]] || fail "the drained service exited $code: $(tail -10 "$work/service.log")"
[[ "$(last_job result)" == succeeded ]] || fail "the job did not finish on its own: $(last_job result)"
[[ "$(agents_in_pool)" == 0 ]] || fail "agent left after the drain"

step "the extension runs again: nothing changes"
before="$(stat -c %Y.%i "$root/etc/agentboot/agentboot.env")"
cse "${settings[@]}" >"$work/cse-2.log" 2>&1 || fail "second run: $(cat "$work/cse-2.log")"
for line in 'already installed' 'settings unchanged' 'starts at boot'; do
  grep -q "$line" "$work/cse-2.log" || fail "second run, no '$line': $(cat "$work/cse-2.log")"
done
[[ "$(stat -c %Y.%i "$root/etc/agentboot/agentboot.env")" == "$before" ]] || fail "the settings file was rewritten"
[[ "$(chroot "$root" getent passwd | grep -c '^agentboot:')" == 1 ]] || fail "user created twice"
cse --org-url "$AZP_URL" --pool Other --drain-timeout 300 >"$work/cse-3.log" 2>&1 || fail "$(cat "$work/cse-3.log")"
grep -qx 'AZP_POOL=Other' "$root/etc/agentboot/agentboot.env" || fail "new settings were not written"
grep -qx 'TimeoutStopSec=480' "$root/etc/systemd/system/agentboot.service.d/10-drain-timeout.conf" ||
  fail "the drop-in did not follow the new drain timeout"
set +e; cse --pool Default >"$work/cse-4.log" 2>&1; code=$?; set -e
[[ $code == 2 ]] || fail "missing --org-url: exit $code (want 2)"
grep -q -- '--org-url is required' "$work/cse-4.log" || fail "missing --org-url: $(cat "$work/cse-4.log")"
echo "vmss test: passed"
