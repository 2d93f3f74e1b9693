#include "listener_session.h"

#include <chrono>
#include <iostream>
#include <thread>

#include "listener_version.h"
#include <unistd.h>

extern char** environ;

namespace agentboot::fake_agent {
namespace {

using nlohmann::json;

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "AGENT";
  return name;
}

bool IgnoredVariable(std::string_view name) {
  for (const char* ignored :
       {"comp_wordbreaks", "ls_colors", "TERM", "TERM_PROGRAM", "TERM_PROGRAM_VERSION", "SHLVL",
        "PSMODULEPATH", "SYSTEM_ACCESSTOKEN"}) {
    if (EqualsIgnoreCase(name, ignored)) return true;
  }
  return false;
}

}  // namespace

std::string ExceptionType(const HttpAnswer& answer) {
  json body = json::parse(answer.body, nullptr, false);
  if (!body.is_object()) return "";
  return body.value("typeKey", "");
}

json ScanCapabilities(const std::string& root, const AgentSettings& settings) {
  json capabilities = json::object();
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const size_t eq = text.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    const std::string name(text.substr(0, eq));
    const std::string value(text.substr(eq + 1));
    if (IgnoredVariable(name) || value.size() >= 1024) continue;
    capabilities[name] = value;
  }
  capabilities["Agent.Name"] = settings.agent_name;
  capabilities["Agent.OS"] = "Linux";
  capabilities["Agent.OSArchitecture"] = "X64";
  capabilities["Agent.Version"] = ListenerVersion();
  capabilities["Agent.ComputerName"] = HostName();
  capabilities["Agent.HomeDirectory"] = root;
  capabilities["InteractiveSession"] = "True";
  return capabilities;
}

SessionOutcome CreateSession(ServerConnection& server, const std::string& root,
                             Duration conflict_limit) {
  const AgentSettings& settings = server.settings();
  const json body = {{"sessionId", "00000000-0000-0000-0000-000000000000"},
                     {"ownerName", HostName()},
                     {"agent",
                      {{"id", settings.agent_id},
                       {"name", settings.agent_name},
                       {"version", ListenerVersion()},
                       {"osDescription", "Linux"}}},
                     {"systemCapabilities", ScanCapabilities(root, settings)}};
  const auto deadline = std::chrono::steady_clock::now() + conflict_limit;
  const std::string path =
      "_apis/distributedtask/pools/" + std::to_string(settings.pool_id) + "/sessions";
  for (;;) {
    Result<HttpAnswer> answer = server.Call("POST", path, body);
    if (!answer) {
      std::cerr << answer.error().ToString() << "\n";
      return {"", kRetryable};
    }
    if (answer->status == 200 || answer->status == 201) {
      json session = json::parse(answer->body, nullptr, false);
      if (session.is_object() && session.value("sessionId", "") != "") {
        return {session["sessionId"].get<std::string>(), kSuccess};
      }
      std::cerr << "Failed to create session. The answer has no sessionId.\n";
      return {"", kRetryable};
    }
    const std::string type = ExceptionType(*answer);
    if (type == "TaskAgentSessionConflictException") {
      std::cerr << "A session for this agent already exists." << std::endl;
      if (std::chrono::steady_clock::now() >= deadline) {
        std::cerr << "Failed to create session. The session conflict retry limit was reached.\n";
        return {"", kTerminated};
      }
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    if (type == "TaskAgentNotFoundException") {
      std::cerr << "The agent no longer exists on the server. Please reconfigure the agent.\n"
                << "Failed to create session.\n";
      return {"", kTerminated};
    }
    if (type == "TaskAgentPoolNotFoundException" || type == "AccessDeniedException" ||
        answer->status == 401) {
      std::cerr << "Failed to create session. " << type << " (HTTP " << answer->status << ")\n";
      return {"", kTerminated};
    }
    std::cerr << "Failed to create session. HTTP " << answer->status << " " << type << "\n";
    return {"", kRetryable};
  }
}

void DeleteSession(ServerConnection& server, const std::string& session_id) {
  if (session_id.empty()) return;
  Result<HttpAnswer> answer = server.Call("DELETE", "_apis/distributedtask/pools/" +
                                                        std::to_string(server.settings().pool_id) +
                                                        "/sessions/" + session_id);
  if (!answer) std::cerr << "Failed to delete the session: " << answer.error().ToString() << "\n";
}

}  // namespace agentboot::fake_agent
