// Private: how drain requests combine.
#pragma once

#include "agentboot/lifecycle.h"

namespace agentboot::lifecycle::detail {

// Merges a later drain request into an earlier one: every event is acknowledged, the earliest
// NotBefore wins, the first reason stays.
void Merge(DrainRequest& into, DrainRequest more);

}  // namespace agentboot::lifecycle::detail
