#!/usr/bin/env bash
# Custom script extension for a VM scale set (or any Debian/Ubuntu VM): installs the agentboot
# package, writes this host's settings and enables the agentboot service, which registers the VM
# in the agent pool with its managed identity (no PAT) and drains on scale-in.
# Idempotent: running it again with the same settings changes nothing and restarts nothing; new
# settings restart the service (which drains the running job first).
#
# Usage: install-agentboot.sh --org-url URL --pool NAME [--client-id ID] [--drain-timeout SECONDS]
#                             [--package PATH_OR_URL] [--agent-name NAME]
# Exit codes: 0 done, 2 bad arguments, 3 not root, 4 package download or install failed,
#             5 the service could not be enabled or started.
set -euo pipefail

readonly env_dir=/etc/agentboot
readonly env_file=/etc/agentboot/agentboot.env
readonly dropin_dir=/etc/systemd/system/agentboot.service.d
# Margin above the drain for the listener's stop (--stop-timeout 60) and the deregistration.
readonly stop_margin=180

org_url="" pool="" client_id="" drain_timeout=600 package="" agent_name=""

die() { echo "install-agentboot: $2" >&2; exit "$1"; }
log() { echo "install-agentboot: $*"; }

usage() { sed -n '8,11p' "$0" | sed 's/^# \{0,1\}//'; }

parse_args() {
  while (($#)); do
    [[ $# -ge 2 || "$1" == --help ]] || die 2 "$1 needs a value. Run with --help for the options."
    case "$1" in
      --org-url) org_url="$2" ;;
      --pool) pool="$2" ;;
      --client-id) client_id="$2" ;;
      --drain-timeout) drain_timeout="$2" ;;
      --package) package="$2" ;;
      --agent-name) agent_name="$2" ;;
      --help) usage; exit 0 ;;
      *) die 2 "unknown option '$1'. Run with --help for the options." ;;
    esac
    shift 2
  done
  [[ -n "$org_url" ]] || die 2 "--org-url is required (https://dev.azure.com/ORG). Pass the organization URL."
  [[ "$org_url" =~ ^https?://[^[:space:]]+$ ]] || die 2 "--org-url '$org_url' is not an http(s) URL."
  [[ -n "$pool" ]] || die 2 "--pool is required. Pass the agent pool's name."
  [[ "$pool$agent_name$client_id" != *[$'\n\r=']* ]] || die 2 "settings must not contain newlines or '='."
  [[ -z "$client_id" || "$client_id" =~ ^[0-9a-fA-F-]{36}$ ]] ||
    die 2 "--client-id '$client_id' is not a GUID. Pass the user-assigned identity's client id."
  if [[ ! "$drain_timeout" =~ ^[0-9]{1,5}$ ]] || ((10#$drain_timeout > 86400)); then
    die 2 "--drain-timeout '$drain_timeout' is not a number of seconds (0-86400)."
  fi
  drain_timeout=$((10#$drain_timeout))
}

# The package: a local .deb, or a URL downloaded to a temporary file.
fetch_package() {
  if [[ -z "$package" ]]; then
    package="$(find "$(dirname "$0")" -maxdepth 1 -name 'agentboot_*_amd64.deb' | sort -V | tail -1)"
    [[ -n "$package" ]] || die 2 "no --package and no agentboot_*_amd64.deb next to this script."
  fi
  if [[ "$package" =~ ^https?:// ]]; then
    local tmp
    tmp="$(mktemp --suffix=.deb)"
    curl -fsSL --retry 5 -o "$tmp" "$package" ||
      die 4 "could not download $package. Check the URL and the VM's outbound access."
    package="$tmp"
  fi
  [[ -f "$package" ]] || die 2 "package '$package' does not exist."
}

install_package() {
  local wanted installed
  wanted="$(dpkg-deb -f "$package" Version)" || die 4 "$package is not a Debian package."
  installed="$(dpkg-query -W -f='${Version}' agentboot 2>/dev/null || true)"
  if [[ "$installed" == "$wanted" ]]; then
    log "agentboot $wanted is already installed"
    return
  fi
  log "installing agentboot $wanted${installed:+ (was $installed)}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die 4 "apt-get update failed. Check the VM's access to its Debian/Ubuntu mirror."
  # The absolute path makes apt install the file (and resolve its dependencies from the mirror).
  apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold \
    "$(realpath "$package")" || die 4 "apt-get could not install $package."
}

# Writes FILE with CONTENT atomically; returns 0 when it changed.
write_if_changed() {
  local file="$1" content="$2" tmp
  if [[ -f "$file" && "$(cat "$file")" == "$content" ]]; then return 1; fi
  tmp="$(mktemp "$file.XXXXXX")"
  printf '%s\n' "$content" >"$tmp"
  chmod 0644 "$tmp"
  mv -f "$tmp" "$file"
}

write_settings() {
  local settings changed=1
  settings="# Written by install-agentboot.sh (custom script extension); no secret is stored here.
AZP_URL=$org_url
AZP_POOL=$pool
AGENTBOOT_DRAIN_TIMEOUT=$drain_timeout"
  [[ -z "$client_id" ]] || settings+=$'\n'"AZURE_CLIENT_ID=$client_id"
  [[ -z "$agent_name" ]] || settings+=$'\n'"AZP_AGENT_NAME=$agent_name"
  install -d -m 0755 "$env_dir" "$dropin_dir"
  write_if_changed "$env_file" "$settings" && changed=0
  write_if_changed "$dropin_dir/10-drain-timeout.conf" "# systemd must wait for the drain (install-agentboot.sh).
[Service]
TimeoutStopSec=$((drain_timeout + stop_margin))" && changed=0
  return "$changed"
}

start_service() {
  local changed="$1"
  if [[ ! -d /run/systemd/system ]]; then
    systemctl enable agentboot.service >/dev/null 2>&1 ||
      die 5 "could not enable agentboot.service. Is systemd installed?"
    log "systemd is not running here: agentboot.service is enabled and starts at boot"
    return
  fi
  systemctl daemon-reload
  systemctl enable agentboot.service >/dev/null 2>&1 || die 5 "could not enable agentboot.service."
  if ! systemctl is-active --quiet agentboot.service; then
    systemctl start agentboot.service || die 5 "agentboot.service did not start. See: journalctl -u agentboot"
    log "agentboot.service started"
  elif ((changed)); then
    log "settings changed: restarting agentboot.service (it drains the running job first)"
    systemctl restart agentboot.service || die 5 "agentboot.service did not restart. See: journalctl -u agentboot"
  else
    log "agentboot.service is running with these settings: nothing to do"
  fi
}

main() {
  parse_args "$@"
  [[ $(id -u) == 0 ]] || die 3 "must run as root (the custom script extension does)."
  fetch_package
  install_package
  local changed=0
  if write_settings; then changed=1; log "settings written to $env_file"; else log "settings unchanged"; fi
  start_service "$changed"
}

main "$@"
