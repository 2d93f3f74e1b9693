#include "wire.h"

#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

namespace agentboot::devops::detail {
namespace {

using nlohmann::json;

std::string Text(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<std::string> OptionalText(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

int64_t Integer(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return 0;
  if (it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return 0;
  return it->get<int64_t>();
}

// An id the rest of the code relies on: a positive integer that fits int64. Anything else
// (missing, "abc", 1e20, 2^64) is an error, never a silent 0 (security review L11: pool id 0
// made registration POST to pools/0).
int64_t RequiredId(const json& object, const char* key) {
  const auto it = object.is_object() ? object.find(key) : object.end();
  const bool fits =
      it != object.end() && it->is_number_integer() &&
      !(it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) &&
      it->get<int64_t>() > 0;
  if (!fits) {
    const std::string got =
        it == object.end() ? "nothing" : it->dump(-1, ' ', false, json::error_handler_t::replace);
    throw json::type_error::create(
        302,
        "\"" + std::string(key) + "\" must be a positive 64-bit integer, got " + got.substr(0, 40),
        nullptr);
  }
  return it->get<int64_t>();
}

std::string RequiredText(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) {
    throw json::type_error::create(302, "\"" + std::string(key) + "\" must be a string", nullptr);
  }
  return it->get<std::string>();
}

std::map<std::string, std::string> StringMap(const json& object, const char* key) {
  std::map<std::string, std::string> out;
  const auto it = object.find(key);
  if (it == object.end() || !it->is_object()) return out;
  for (const auto& [name, value] : it->items()) {
    // PropertiesCollection wraps values: {"ServerUrl":{"$type":"System.String","$value":"…"}}.
    const json& inner = value.is_object() && value.contains("$value") ? value["$value"] : value;
    out[name] = inner.is_string() ? inner.get<std::string>()
                : inner.is_null() ? ""
                                  : inner.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return out;
}

constexpr std::string_view kShapeAdvice =
    "Check that --url is an Azure DevOps organization and that no proxy rewrites its answers; "
    "if it is, report this answer.";

// Parses `body` as JSON and applies `read`, turning any surprise into kInternal.
template <typename T, typename Read>
Result<T> ReadJson(std::string_view body, const std::string& context, Read read) {
  const json document = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    return Fail(ErrorCode::kInternal, context, "Azure DevOps answered with malformed JSON",
                std::string(kShapeAdvice));
  }
  try {
    return read(document);
  } catch (const json::exception& e) {
    return Fail(ErrorCode::kInternal, context,
                std::string("unexpected JSON shape from Azure DevOps: ") + e.what(),
                std::string(kShapeAdvice));
  }
}

const json& Values(const json& document) {
  if (!document.is_object() || !document.contains("value") || !document["value"].is_array()) {
    throw json::type_error::create(302, "expected a {\"count\",\"value\":[…]} collection", nullptr);
  }
  return document["value"];
}

JobRequest ToJobRequest(const json& r) {
  JobRequest request;
  request.request_id = RequiredId(r, "requestId");
  request.result = Text(r, "result");
  request.result_kind = ParseJobResult(request.result);
  request.assign_time = OptionalText(r, "assignTime");
  request.finish_time = OptionalText(r, "finishTime");
  if (const auto agent = r.find("reservedAgent"); agent != r.end() && agent->is_object()) {
    request.agent_id = RequiredId(*agent, "id");
  }
  return request;
}

// "2026-11-29T12:00:00Z", "2026-11-29T12:00:00.1234567Z" or "+00:00" (always UTC on the wire).
std::optional<TimePoint> UtcTime(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  std::tm tm{};
  int used = 0;
  const std::string text = it->get<std::string>();
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &used) != 6) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return FromUnixSeconds(static_cast<int64_t>(::timegm(&tm)));
}

Agent ToAgent(const json& j) {
  Agent agent;
  agent.id = RequiredId(j, "id");
  agent.name = RequiredText(j, "name");
  agent.version = Text(j, "version");
  agent.os_description = Text(j, "osDescription");
  agent.enabled = j.value("enabled", true);
  agent.status = Text(j, "status");
  agent.status_kind = ParseAgentStatus(agent.status);
  agent.provisioning_state = Text(j, "provisioningState");
  agent.max_parallelism = j.value("maxParallelism", 1);
  if (const auto auth = j.find("authorization"); auth != j.end() && auth->is_object()) {
    agent.authorization.client_id = Text(*auth, "clientId");
    agent.authorization.authorization_url = Text(*auth, "authorizationUrl");
    if (const auto key = auth->find("publicKey"); key != auth->end() && key->is_object()) {
      agent.authorization.public_key = {Text(*key, "exponent"), Text(*key, "modulus")};
    }
  }
  agent.system_capabilities = StringMap(j, "systemCapabilities");
  agent.user_capabilities = StringMap(j, "userCapabilities");
  agent.properties = StringMap(j, "properties");
  const auto assigned = j.find("assignedRequest");
  agent.has_assigned_request = assigned != j.end() && !assigned->is_null();
  const auto completed = j.find("lastCompletedRequest");
  if (completed != j.end() && completed->is_object()) {
    agent.last_completed_request = ToJobRequest(*completed);
  }
  if (agent.has_assigned_request && assigned->is_object()) {
    agent.assigned_request_time = UtcTime(*assigned, "assignTime");
  }
  agent.created_on = UtcTime(j, "createdOn");
  agent.status_changed_on = UtcTime(j, "statusChangedOn");
  if (const auto last = j.find("lastCompletedRequest"); last != j.end() && last->is_object()) {
    agent.last_completed_finish_time = UtcTime(*last, "finishTime");
  }
  return agent;
}

AgentPackage ToPackage(const json& j) {
  AgentPackage package;
  package.type = Text(j, "type");
  package.platform = Text(j, "platform");
  if (const auto v = j.find("version"); v != j.end() && v->is_object()) {
    package.version = std::to_string(Integer(*v, "major")) + "." +
                      std::to_string(Integer(*v, "minor")) + "." +
                      std::to_string(Integer(*v, "patch"));
  } else {
    package.version = Text(j, "version");
  }
  package.download_url = Text(j, "downloadUrl");
  package.hash_value = Text(j, "hashValue");
  package.filename = Text(j, "filename");
  return package;
}

}  // namespace

Result<ConnectionData> ParseConnectionData(std::string_view body, const std::string& context) {
  return ReadJson<ConnectionData>(body, context, [](const json& j) {
    const json& user = j.at("authenticatedUser");
    ConnectionData data;
    data.user_id = Text(user, "id");
    data.user_descriptor = Text(user, "descriptor");
    data.user_display_name = Text(user, "providerDisplayName");
    if (data.user_display_name.empty()) data.user_display_name = Text(user, "customDisplayName");
    data.instance_id = Text(j, "instanceId");
    data.deployment_type = Text(j, "deploymentType");
    return data;
  });
}

Result<std::vector<Pool>> ParsePools(std::string_view body, const std::string& context) {
  return ReadJson<std::vector<Pool>>(body, context, [](const json& j) {
    std::vector<Pool> pools;
    for (const json& p : Values(j)) {
      const auto hosted = p.is_object() ? p.find("isHosted") : p.end();
      pools.push_back(Pool{RequiredId(p, "id"), RequiredText(p, "name"),
                           hosted != p.end() && hosted->is_boolean() && hosted->get<bool>()});
    }
    return pools;
  });
}

Result<std::vector<Agent>> ParseAgents(std::string_view body, const std::string& context) {
  return ReadJson<std::vector<Agent>>(body, context, [](const json& j) {
    std::vector<Agent> agents;
    for (const json& a : Values(j)) agents.push_back(ToAgent(a));
    return agents;
  });
}

Result<Agent> ParseAgent(std::string_view body, const std::string& context) {
  return ReadJson<Agent>(body, context, [](const json& j) {
    if (!j.is_object() || !j.contains("id")) {
      throw json::type_error::create(302, "expected a TaskAgent object", nullptr);
    }
    return ToAgent(j);
  });
}

Result<std::vector<AgentPackage>> ParsePackages(std::string_view body, const std::string& context) {
  return ReadJson<std::vector<AgentPackage>>(body, context, [](const json& j) {
    std::vector<AgentPackage> packages;
    if (j.is_object() && !j.contains("value")) {
      packages.push_back(ToPackage(j));
      return packages;
    }
    for (const json& p : Values(j)) packages.push_back(ToPackage(p));
    return packages;
  });
}

Result<std::vector<JobRequest>> ParseJobRequests(std::string_view body,
                                                 const std::string& context) {
  return ReadJson<std::vector<JobRequest>>(body, context, [](const json& j) {
    std::vector<JobRequest> requests;
    for (const json& r : Values(j)) requests.push_back(ToJobRequest(r));
    return requests;
  });
}

std::string AgentToJson(const Agent& agent, bool include_id) {
  json body = {{"name", agent.name},
               {"version", agent.version},
               {"osDescription", agent.os_description},
               {"enabled", agent.enabled},
               {"maxParallelism", agent.max_parallelism},
               {"provisioningState", agent.provisioning_state},
               // Only the public key: the server assigns clientId and authorizationUrl (§1).
               {"authorization",
                {{"publicKey",
                  {{"exponent", agent.authorization.public_key.exponent},
                   {"modulus", agent.authorization.public_key.modulus}}}}},
               {"systemCapabilities", agent.system_capabilities}};
  if (!agent.user_capabilities.empty()) body["userCapabilities"] = agent.user_capabilities;
  if (include_id) body["id"] = agent.id;
  // Never throws: inputs are validated up front (UTF-8, no control characters), and anything
  // that slips through is replaced rather than aborting the process (security review L2).
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<WrappedException> ParseWrappedException(std::string_view body) {
  const json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || (!j.contains("message") && !j.contains("typeKey"))) {
    return std::nullopt;
  }
  return WrappedException{Text(j, "message"), Text(j, "typeKey")};
}

}  // namespace agentboot::devops::detail
