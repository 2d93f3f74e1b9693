// agentboot::agent — what agentboot knows about the official Agent.Listener's files: `.agent`,
// `.credentials` and `.credentials_rsaparams` (agent-contract §2), written byte-for-byte as the
// .NET agent writes them and parsed as strictly as it reads them, plus the agent's OAuth client
// assertion (agent-contract §3).
//
// Serialisers and parsers are pure functions and thread-safe. AgentFiles reaches the disk only
// through the FileSystem seam and is as thread-safe as that seam.
//
// This is the module's one public header; its declarations are kept by topic in
// agentboot/agent/ (files.h, registration.h, rotation.h, package.h).
#pragma once

#include "agentboot/agent/files.h"
#include "agentboot/agent/package.h"
#include "agentboot/agent/registration.h"
#include "agentboot/agent/rotation.h"
