#!/bin/bash
# Fake agent package's config.sh, shaped like the real one (src/Misc/layoutroot/config.sh in
# microsoft/azure-pipelines-agent): refuses root without AGENT_ALLOW_RUNASROOT, resolves its own
# symlinks, changes into the directory it really lives in and hands over to the listener. The
# fake listener does not implement `configure`: it records where and as whom it was asked to
# (.fake-configure in that directory) and exits 1, so tests can see what the real one would
# have written where.
user_id="$(id -u)"
if [ "$user_id" -eq 0 ] && [ -z "$AGENT_ALLOW_RUNASROOT" ]; then
  echo "Must not run with sudo"
  exit 1
fi
SOURCE="${BASH_SOURCE[0]}"
while [ -h "$SOURCE" ]; do
  DIR="$(cd -P "$(dirname "$SOURCE")" && pwd)"
  SOURCE="$(readlink "$SOURCE")"
  [[ $SOURCE != /* ]] && SOURCE="$DIR/$SOURCE"
done
DIR="$(cd -P "$(dirname "$SOURCE")" && pwd)"
cd "$DIR" || exit 1
source ./env.sh
shopt -s nocasematch
if [[ "$1" == "remove" ]]; then
  ./bin/Agent.Listener "$@"
else
  ./bin/Agent.Listener configure "$@"
fi
