#!/bin/bash
# Fake agent package: configuration is agentboot's job here.
echo "This is a fake agent package for tests: use agentboot register to configure it." >&2
exit 1
