#!/bin/bash
# Fake agent package: runs the listener once, like the real run.sh (no restart loop).
root="$(cd "$(dirname "$0")" && pwd)"
exec "$root/bin/Agent.Listener" run "$@"
