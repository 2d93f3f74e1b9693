// agentboot::base — The Environment seam: a read-only view of environment variables. Included
// through agentboot/base.h.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace agentboot {

// ---------------------------------------------------------------------------------------------
// Environment: a read-only view of environment variables, captured once at start in production
// (getenv is not safe in a threaded daemon).

class Environment {
 public:
  Environment() = default;
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;
  virtual ~Environment() = default;
  // The value, or nullopt when unset. An empty value is returned as "".
  virtual std::optional<std::string> Get(std::string_view name) const = 0;
  // All variables, for building a scrubbed child environment.
  virtual std::map<std::string, std::string> All() const = 0;
  // Non-empty value or nullopt.
  std::optional<std::string> GetNonEmpty(std::string_view name) const;
};

}  // namespace agentboot
