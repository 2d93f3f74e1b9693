#!/bin/bash
# Fake agent package: writes .env and .path in the current directory like the real env.sh,
# which config.sh sources after changing into the agent root (variables of interest only).
echo "PATH=$PATH" > .path
: > .env
for name in LANG JAVA_HOME ANT_HOME M2_HOME ANDROID_HOME GRADLE_HOME NVM_BIN NVM_PATH; do
  if [ -n "${!name}" ]; then echo "$name=${!name}" >> .env; fi
done
