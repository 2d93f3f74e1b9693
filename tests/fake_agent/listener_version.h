// The version baked into this build of the fake listener (FAKE_AGENT_VERSION, or
// FAKE_AGENT_NEXT_VERSION for fake-agent-listener-next): the only per-target source.
#pragma once

namespace agentboot::fake_agent {

const char* ListenerVersion();

}  // namespace agentboot::fake_agent
