// The simulator's own footprint for GET /_control/stats, from /proc/self/status (Linux).
#include <fstream>

#include "sim_internal.h"

namespace agentboot::sim::detail {

nlohmann::json ProcessStats() {
  nlohmann::json stats = nlohmann::json::object();
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string name = line.substr(0, colon);
    if (name != "VmRSS" && name != "VmHWM" && name != "Threads") continue;
    const std::optional<int64_t> value =
        ParseInt64(Trim(line.substr(colon + 1, line.find(" kB") - colon - 1)));
    if (value)
      stats[name == "Threads" ? "threads" : (name == "VmRSS" ? "rss_kb" : "peak_rss_kb")] = *value;
  }
  return stats;
}

}  // namespace agentboot::sim::detail
