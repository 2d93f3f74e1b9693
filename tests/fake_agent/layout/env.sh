#!/bin/bash
# Fake agent package: writes .env and .path like the real env.sh (variables of interest only).
root="$(cd "$(dirname "$0")" && pwd)"
echo "PATH=$PATH" > "$root/.path"
: > "$root/.env"
for name in LANG JAVA_HOME ANT_HOME M2_HOME ANDROID_HOME GRADLE_HOME NVM_BIN NVM_PATH; do
  if [ -n "${!name}" ]; then echo "$name=${!name}" >> "$root/.env"; fi
done
