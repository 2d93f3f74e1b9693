// What the real agent's HostContext does for every invocation, `--version` included
// (src/Microsoft.VisualStudio.Services.Agent/HostContext.cs, microsoft/azure-pipelines-agent
// at 42bde98): the root is the parent of the directory of the resolved executable, and a trace
// log is created in the diagnostics directory before anything else runs.
#pragma once

#include <string>
#include <vector>

#include "agentboot/base.h"

namespace agentboot::fake_agent {

// The self-contained apphost finds itself with realpath("/proc/self/exe") (dotnet/runtime
// corehost.cpp `exe_start`), so Bin is the directory of the resolved file and Root its parent
// (HostContext.cs:230-254): a symlinked bin/ puts the root wherever the link points.
std::string AgentRoot();

// $AGENT_DIAGLOGPATH, else <root>/_diag (HostContext.cs:344-365, AgentKnobs.cs:290-294).
std::string DiagDirectory(const std::string& root);

// Creates the diagnostics directory and a new Agent_<utc>.log in it (HostContext.cs:135-137,
// HostTraceListener.cs:28-51). It runs outside Program.Main's try block (Program.cs:30-33): a
// failure is an unhandled .NET exception, which aborts the process (SIGABRT, not exit 1 or 2).
void CreateTraceLog(const std::string& root);

// HostContext.StartupType: Service when started with `--startuptype service` (Agent.cs:217-239).
void SetStartedAsService(bool service);
bool StartedAsService();

// `configure`/`remove` are not implemented by the fake: it writes <root>/.fake-configure (uid,
// working directory, the arguments except values after --token, whether VSTS_AGENT_INPUT_TOKEN
// was set) and exits 1.
int RecordConfigure(const std::string& root, const std::vector<std::string>& args);

// Test knobs FAKE_AGENT_*_MS (milliseconds); the defaults are the real agent's. Not AGENTBOOT_*:
// agentboot keeps its own variables out of the listener's environment.
Duration KnobMillis(const char* name, int64_t fallback);

}  // namespace agentboot::fake_agent
