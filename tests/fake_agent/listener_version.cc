#include "listener_version.h"

namespace agentboot::fake_agent {

const char* ListenerVersion() { return AGENTBOOT_FAKE_AGENT_VERSION; }

}  // namespace agentboot::fake_agent
