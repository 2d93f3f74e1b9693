// The native registrar: config.sh's REST calls with an Entra token, ordered so that a crash at
// any point leaves a state the next run repairs (agent-contract §1; see agent.h).
#include "agentboot/agent.h"

#include "key_rotation_checks.h"
#include "placeholder.h"
#include <sys/utsname.h>

namespace agentboot::agent {
namespace {

using detail::IsPlaceholder;
using detail::ServerHolds;
using detail::ServerSentNoKey;

constexpr std::string_view kSource = "register";

std::string OsDescription() {
  utsname name{};
  if (::uname(&name) != 0) return "Linux";
  return std::string(name.sysname) + " " + name.release + " " + name.version;
}

// Agent.* keys the listener would report (agent-contract §7) plus agentboot's marks; the listener
// refreshes the rest when it connects.
std::map<std::string, std::string> Capabilities(const RegisterOptions& options,
                                                const std::string& root) {
  std::map<std::string, std::string> caps = options.capabilities;
  caps["Agent.Name"] = options.agent_name;
  caps["Agent.OS"] = "Linux";
  caps["Agent.Version"] = options.agent_version;
  caps["Agent.ComputerName"] = options.host_name;
  if (!root.empty()) caps["Agent.HomeDirectory"] = root;
  caps[std::string(kOwnerCapability)] = "true";
  if (!options.host_name.empty()) caps[std::string(kHostCapability)] = options.host_name;
  if (options.placeholder) caps[std::string(kPlaceholderCapability)] = "true";
  return caps;
}

devops::Agent AgentBody(const RegisterOptions& options, const jose::RsaKey& key,
                        const std::string& root) {
  devops::Agent agent;
  agent.name = options.agent_name;
  agent.version = options.agent_version;
  agent.os_description = OsDescription();
  const nlohmann::json public_key = PublicKeyJson(key);
  agent.authorization.public_key = {public_key.value("exponent", ""),
                                    public_key.value("modulus", "")};
  agent.system_capabilities = Capabilities(options, root);
  return agent;
}

// `.capabilities` (KEY=VALUE lines) makes the listener keep reporting the ownership mark and the
// user's capabilities at every session (agent-contract §7, user provider).
std::string CapabilitiesFile(const RegisterOptions& options) {
  std::string text;
  for (const auto& [key, value] : options.capabilities) text += key + "=" + value + "\n";
  text += std::string(kOwnerCapability) + "=true\n";
  if (!options.host_name.empty())
    text += std::string(kHostCapability) + "=" + options.host_name + "\n";
  return text;
}

// .credentials from the server's answer; an answer without the OAuth client keeps the file
// that is there (a GET need not carry authorizationUrl, agent-audit D4).
Status WriteCredentialsFrom(AgentFiles& files, const devops::Agent& agent) {
  if (agent.authorization.client_id.empty() || agent.authorization.authorization_url.empty()) {
    if (files.LoadCredentials()) return {};
    return Fail(ErrorCode::kInternal, "register " + agent.name,
                "the server returned no OAuth client for the agent",
                "Report this: the agent cannot authenticate without authorization.clientId.");
  }
  CredentialData credentials;
  credentials.client_id = agent.authorization.client_id;
  credentials.authorization_url = agent.authorization.authorization_url;
  credentials.oauth_endpoint_url = agent.authorization.authorization_url;
  return files.WriteCredentials(credentials);
}

Status WriteLocalFiles(AgentFiles& files, Env& env, const RegisterOptions& options,
                       const devops::Pool& pool, const devops::Agent& agent) {
  if (auto written = WriteCredentialsFrom(files, agent); !written) return written;
  if (auto written =
          env.fs.WriteFileAtomic(files.root() + "/.capabilities", CapabilitiesFile(options), 0644);
      !written) {
    return written;
  }
  AgentSettings settings;
  settings.agent_id = static_cast<int>(agent.id);
  settings.agent_name = agent.name;
  settings.pool_id = static_cast<int>(pool.id);
  settings.pool_name = pool.name;
  settings.server_url = options.server_url;
  settings.work_folder = options.work_folder;
  return files.WriteSettings(settings);  // last: ".agent exists" means configured
}

// Everything that reaches the server, `.capabilities` (one KEY=VALUE per line) or a log must be
// printable UTF-8 (security review L2, L9); the CLI checks first, this is the last line.
Status CheckOptionsText(const RegisterOptions& options) {
  const auto bad = [](const std::string& what, const std::string& problem) {
    return Fail(ErrorCode::kInvalidArgument, "register: " + what, problem,
                "Use printable UTF-8 text without control characters.");
  };
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"agent name", options.agent_name},
      {"pool name", options.pool},
      {"host name", options.host_name},
      {"agent version", options.agent_version}};
  for (const auto& [what, value] : fields) {
    if (auto problem = TextProblem(value); !problem.empty()) return bad(what, problem);
  }
  for (const auto& [key, value] : options.capabilities) {
    if (auto problem = TextProblem(key); !problem.empty()) return bad("capability name", problem);
    if (key.find('=') != std::string::npos) return bad("capability " + key, "the name has a '='");
    if (auto problem = TextProblem(value); !problem.empty())
      return bad("capability " + key, problem);
  }
  return {};
}

Status CheckOptions(const RegisterOptions& options) {
  const std::string context = "register";
  if (options.server_url.empty()) {
    return Fail(ErrorCode::kInvalidArgument, context, "no organization URL",
                "Pass --url https://dev.azure.com/<org> or set AZP_URL.");
  }
  if (options.agent_name.empty()) {
    return Fail(ErrorCode::kInvalidArgument, context, "no agent name",
                "Pass --agent-name or set AZP_AGENT_NAME.");
  }
  if (options.pool.empty()) {
    return Fail(ErrorCode::kInvalidArgument, context, "no pool name",
                "Pass --pool or set AZP_POOL.");
  }
  if (options.agent_version.empty()) {
    return Fail(ErrorCode::kInvalidArgument, context, "the agent's version is unknown",
                "Unpack the agent into the agent directory (bin/Agent.Listener) or pass "
                "--agent-version.");
  }
  return CheckOptionsText(options);
}

Result<devops::Pool> ResolvePool(devops::Client& client, const std::string& name) {
  auto pool = client.FindPool(name);
  if (pool || pool.error().code != ErrorCode::kNotFound) return pool;
  Error error = pool.error();
  if (auto visible = client.ListPools()) {
    error.advice = "Check --pool; " + devops::FormatVisiblePools(*visible) + ".";
  }
  return Fail(std::move(error));
}

// The agentboot marks of this host (Capabilities above) on the server's agent.
bool CarriesOurMarks(devops::Client& client, int64_t pool_id, int64_t agent_id,
                     const std::string& host_name) {
  if (host_name.empty()) return false;
  auto agent = client.GetAgent(pool_id, agent_id);
  if (!agent) return false;
  const auto& caps = agent->system_capabilities;
  const auto owner = caps.find(std::string(kOwnerCapability));
  const auto host = caps.find(std::string(kHostCapability));
  return owner != caps.end() && owner->second == "true" && host != caps.end() &&
         host->second == host_name;
}

Result<Registration> RegisterPlaceholder(devops::Client& client, Env& env,
                                         const RegisterOptions& options, const devops::Pool& pool) {
  Registration result{RegisterOutcome::kUnchanged, pool.id, pool.name, 0, options.agent_name};
  auto existing = client.FindAgent(pool.id, options.agent_name);
  if (!existing) return Fail(std::move(existing.error()));
  if (*existing) {
    auto placeholder = IsPlaceholder(client, pool.id, (*existing)->id);
    if (!placeholder) return Fail(std::move(placeholder.error()));
    if (!*placeholder) {
      return Fail(ErrorCode::kAlreadyExists, "register --placeholder " + options.agent_name,
                  "an agent with that name exists and is not a placeholder",
                  "Choose another --agent-name for the placeholder.");
    }
    result.agent_id = (*existing)->id;
    return result;
  }
  // The private half is dropped on purpose: a placeholder never runs a listener.
  auto key = jose::RsaKey::Generate(2048);
  if (!key) return Fail(std::move(key.error()));
  auto added = client.AddAgent(pool.id, AgentBody(options, *key, ""));
  if (!added) return Fail(std::move(added.error()));
  env.log.Log(LogLevel::kInfo, kSource, "placeholder agent created",
              {{"pool", pool.name}, {"agent", added->name}, {"id", std::to_string(added->id)}});
  result.outcome = RegisterOutcome::kCreated;
  result.agent_id = added->id;
  return result;
}

// Whether an agent found by name is this host's, and what it takes to use it:
//  - the server names our key: ours (unchanged, or recovered after a crash before .agent);
//  - the server names another key: --replace takes it over, else a conflict;
//  - the server names no key (agent-audit D4): ours when .agent names this agent id, or when it
//    carries this host's agentboot marks while our key waits on disk (a crash after the POST);
//    its key is then PUT again, which also returns the OAuth client for .credentials.
Result<devops::Agent> Adopt(devops::Client& client, AgentFiles& files,
                            const RegisterOptions& options, const devops::Pool& pool,
                            const devops::Agent& found, const jose::RsaKey& key,
                            RegisterOutcome& outcome) {
  const bool configured = files.IsConfigured();
  if (ServerHolds(found, key)) {
    outcome = configured ? RegisterOutcome::kUnchanged : RegisterOutcome::kRecovered;
    return found;
  }
  if (ServerSentNoKey(found) && !options.replace) {
    auto settings =
        configured ? files.LoadSettings() : Result<AgentSettings>(tl::unexpected(Error{}));
    if (settings && settings->agent_id == found.id) {
      outcome = RegisterOutcome::kUnchanged;
      if (!found.authorization.authorization_url.empty() || files.LoadCredentials()) return found;
      return detail::PutKey(client, pool.id, found, key);
    }
    if (!configured && CarriesOurMarks(client, pool.id, found.id, options.host_name)) {
      outcome = RegisterOutcome::kRecovered;
      return detail::PutKey(client, pool.id, found, key);
    }
  }
  if (!options.replace) {
    return Fail(ErrorCode::kAlreadyExists, "register " + options.agent_name,
                "pool '" + pool.name + "' already has an agent named '" + options.agent_name +
                    "' with another key",
                "Pass --replace to take it over (its current listener will stop working), or "
                "choose another --agent-name.");
  }
  devops::Agent body = AgentBody(options, key, files.root());
  body.id = found.id;
  body.enabled = found.enabled;
  outcome = RegisterOutcome::kReplaced;
  return client.ReplaceAgent(pool.id, body);
}

}  // namespace

std::string_view RegisterOutcomeName(RegisterOutcome outcome) {
  switch (outcome) {
    case RegisterOutcome::kCreated:
      return "created";
    case RegisterOutcome::kUnchanged:
      return "unchanged";
    case RegisterOutcome::kRecovered:
      return "recovered";
    case RegisterOutcome::kReplaced:
      return "replaced";
    case RegisterOutcome::kReregistered:
      return "re-registered";
  }
  return "created";
}

Result<Registration> Register(devops::Client& client, AgentFiles& files, Env& env,
                              const RegisterOptions& options) {
  if (auto ok = CheckOptions(options); !ok) return Fail(std::move(ok.error()));
  auto pool = ResolvePool(client, options.pool);
  if (!pool) return Fail(std::move(pool.error()));
  env.log.Log(LogLevel::kInfo, kSource, "agent pool found",
              {{"pool", pool->name}, {"id", std::to_string(pool->id)}});
  if (options.placeholder) return RegisterPlaceholder(client, env, options, *pool);

  bool was_deleted_on_server = false;
  if (files.IsConfigured()) {
    auto settings = files.LoadSettings();
    if (settings && (settings->agent_name != options.agent_name ||
                     settings->pool_id != static_cast<int>(pool->id) ||
                     settings->server_url != options.server_url)) {
      return Fail(ErrorCode::kAlreadyExists, "register " + options.agent_name,
                  files.root() + " is configured as agent '" + settings->agent_name +
                      "' in pool '" + settings->pool_name + "' of " + settings->server_url,
                  "Run `agentboot unregister` for that agent first, or use another --agent-dir.");
    }
    if (!settings) {
      env.log.Log(LogLevel::kWarning, kSource, "unreadable .agent; registering again",
                  {{"detail", settings.error().detail}});
    }
    // A rotation interrupted by a crash: the key the server holds goes back on disk before
    // anything reads it. Without a journal this sends nothing.
    if (settings) {
      if (auto finished = FinishInterruptedRotation(client, files, env); !finished) {
        return Fail(std::move(finished.error()));
      }
    }
  }

  // 1. Find by name. It needs no key, so a key made in advance (KeyInAdvance) goes on being made
  // during this round trip too.
  auto existing = client.FindAgent(pool->id, options.agent_name);
  if (!existing) return Fail(std::move(existing.error()));

  // 2. The private half is on disk before the server ever sees the public half.
  if (auto made = env.fs.CreateDirectories(files.root(), 0755); !made) {
    return Fail(std::move(made.error()));
  }
  const bool had_key = env.fs.Exists(files.rsa_params_path());
  auto key = files.LoadOrCreateKey(options.new_key);
  if (!key) return Fail(std::move(key.error()));
  env.log.Log(LogLevel::kInfo, kSource, had_key ? "agent key reused" : "agent key created",
              {{"bits", std::to_string(key->bits())}, {"file", files.rsa_params_path()}});

  // 3. Create, adopt or replace.
  Registration result{RegisterOutcome::kCreated, pool->id, pool->name, 0, options.agent_name};
  Result<devops::Agent> agent = tl::unexpected(Error{});
  if (!*existing) {
    was_deleted_on_server = files.IsConfigured();
    agent = client.AddAgent(pool->id, AgentBody(options, *key, files.root()));
    result.outcome =
        was_deleted_on_server ? RegisterOutcome::kReregistered : RegisterOutcome::kCreated;
  } else {
    agent = Adopt(client, files, options, *pool, **existing, *key, result.outcome);
  }
  if (!agent) return Fail(std::move(agent.error()));
  result.agent_id = agent->id;

  // 4. Local files; .agent last.
  if (result.outcome != RegisterOutcome::kUnchanged || !files.LoadCredentials()) {
    if (auto written = WriteLocalFiles(files, env, options, *pool, *agent); !written) {
      return Fail(std::move(written.error()));
    }
  }
  env.log.Log(LogLevel::kInfo, kSource, "agent registered",
              {{"outcome", std::string(RegisterOutcomeName(result.outcome))},
               {"pool", pool->name},
               {"agent", agent->name},
               {"id", std::to_string(agent->id)}});
  return result;
}

}  // namespace agentboot::agent
