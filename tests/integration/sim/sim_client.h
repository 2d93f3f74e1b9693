// A tiny HTTP(S) client over Poco for the simulator's integration tests, plus a shared running
// simulator.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "agentboot/sim.h"

namespace agentboot::sim::testing {

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  nlohmann::json Json() const { return nlohmann::json::parse(body, nullptr, false); }
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// `url` is absolute (http:// or https://); https trusts only `ca_file`.
Reply Send(const std::string& method, const std::string& url, const Headers& headers = {},
           const std::string& body = {}, const std::string& ca_file = {});

// One simulator for the whole binary (starting one generates three RSA keys).
Simulator& SharedSimulator();
std::string Env(const std::string& key);  // SharedSimulator()->EnvVars().at(key)

}  // namespace agentboot::sim::testing
