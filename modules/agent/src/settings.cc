// `.agent`: ConfigurationStore's AgentSettings (agent-contract §2). Every member has
// EmitDefaultValue=false, so defaults are omitted; order follows the class declaration.

#include "agentboot/agent.h"

#include "json_file.h"

namespace agentboot::agent {
namespace {

const std::string kContext = "read .agent";

void PutBool(nlohmann::ordered_json& out, const char* name, bool value) {
  if (value) out[name] = true;
}
void PutInt(nlohmann::ordered_json& out, const char* name, int value) {
  if (value != 0) out[name] = value;
}
void PutString(nlohmann::ordered_json& out, const char* name, const std::string& value) {
  if (!value.empty()) out[name] = value;
}

// Reads an optional bool into `target`; the error, if any, is returned.
Status ReadBool(const nlohmann::json& in, std::string_view name, bool& target) {
  auto value = detail::GetBool(in, name, /*case_sensitive=*/false, kContext);
  if (!value) return Fail(value.error());
  target = value->value_or(false);
  return {};
}

Status ReadString(const nlohmann::json& in, std::string_view name, std::string& target) {
  auto value = detail::GetString(in, name, /*case_sensitive=*/false, kContext);
  if (!value) return Fail(value.error());
  target = value->value_or("");
  return {};
}

Status ReadInt(const nlohmann::json& in, std::string_view name, int& target) {
  auto value = detail::GetInt(in, name, kContext);
  if (!value) return Fail(value.error());
  target = value->value_or(0);
  return {};
}

Status RequireSet(bool ok, const char* name) {
  if (ok) return {};
  return Fail(ErrorCode::kInvalidArgument, kContext, std::string("missing ") + name,
              "The agent is not fully configured; remove it and register again.");
}

}  // namespace

std::string SerializeSettings(const AgentSettings& s) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  PutBool(out, "acceptTeeEula", s.accept_tee_eula);
  PutInt(out, "agentId", s.agent_id);
  PutString(out, "agentName", s.agent_name);
  PutBool(out, "skipCapabilitiesScan", s.skip_capabilities_scan);
  PutBool(out, "skipSessionRecover", s.skip_session_recover);
  PutBool(out, "disableLogUploads", s.disable_log_uploads);
  PutInt(out, "poolId", s.pool_id);
  PutString(out, "poolName", s.pool_name);
  PutString(out, "serverUrl", s.server_url);
  PutString(out, "workFolder", s.work_folder);
  PutBool(out, "debugMode", s.debug_mode);
  return detail::WriteIndented(out);
}

Result<AgentSettings> ParseSettings(std::string_view text) {
  auto in = detail::ParseObject(text, kContext);
  if (!in) return Fail(in.error());
  AgentSettings s;
  for (const Status& status : {
           ReadBool(*in, "acceptTeeEula", s.accept_tee_eula),
           ReadInt(*in, "agentId", s.agent_id),
           ReadString(*in, "agentName", s.agent_name),
           ReadBool(*in, "skipCapabilitiesScan", s.skip_capabilities_scan),
           ReadBool(*in, "skipSessionRecover", s.skip_session_recover),
           ReadBool(*in, "disableLogUploads", s.disable_log_uploads),
           ReadInt(*in, "poolId", s.pool_id),
           ReadString(*in, "poolName", s.pool_name),
           ReadString(*in, "serverUrl", s.server_url),
           ReadString(*in, "workFolder", s.work_folder),
           ReadBool(*in, "debugMode", s.debug_mode),
           RequireSet(s.agent_id > 0, "agentId"),
           RequireSet(s.pool_id > 0, "poolId"),
           RequireSet(!s.server_url.empty(), "serverUrl"),
           RequireSet(!s.work_folder.empty(), "workFolder"),
       }) {
    if (!status) return Fail(status.error());
  }
  return s;
}

}  // namespace agentboot::agent
