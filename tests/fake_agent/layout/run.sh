#!/bin/bash
# Fake agent package's run.sh, shaped like the real one (src/Misc/layoutroot/run.sh in
# microsoft/azure-pipelines-agent): refuses root without AGENT_ALLOW_RUNASROOT, resolves its own
# symlinks to find the root, runs the listener and runs it once more after exit 4 (an update of
# a --once agent).
user_id=$(id -u)
if [ "$user_id" -eq 0 ] && [ -z "$AGENT_ALLOW_RUNASROOT" ]; then
  echo "Must not run interactively with sudo"
  exit 1
fi
SOURCE="${BASH_SOURCE[0]}"
while [ -h "$SOURCE" ]; do
  DIR="$(cd -P "$(dirname "$SOURCE")" && pwd)"
  SOURCE="$(readlink "$SOURCE")"
  [[ $SOURCE != /* ]] && SOURCE="$DIR/$SOURCE"
done
DIR="$(cd -P "$(dirname "$SOURCE")" && pwd)"
"$DIR"/bin/Agent.Listener run "$@"
returnCode=$?
if [[ $returnCode == 4 ]]; then
  sleep 5
  retry=0
  while [[ $retry != 15 ]] && [ ! -x "$DIR"/bin/Agent.Listener ]; do
    sleep 1
    retry=$((retry + 1))
  done
  if [ ! -x "$DIR"/bin/Agent.Listener ]; then
    echo "Failed to update within 20 seconds." >&2
    exit 1
  fi
  "$DIR"/bin/Agent.Listener run "$@"
else
  exit $returnCode
fi
