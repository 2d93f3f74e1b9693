// The default agent name: on an Azure VM (the token came from IMDS) the instance's name from IMDS
// instance metadata, else the host name.
#pragma once

#include <string>

#include "app.h"

namespace agentboot::cli {

std::string DefaultAgentName(App& app, const std::string& host_name);

}  // namespace agentboot::cli
