// The status file's declarations moved to agentboot/lifecycle/status.h, part of the module's
// public header agentboot/lifecycle.h; this name stays so existing includes keep working.
#pragma once

#include "agentboot/lifecycle.h"
