// Deregistration with a fresh token, and the listener's version probe.
#include <filesystem>

#include "agentboot/agent.h"

#include "key_rotation_checks.h"
#include "package_disk.h"
#include "placeholder.h"

namespace agentboot::agent {

using detail::IsPlaceholder;

namespace {

// True when the server's agent no longer holds our public key: another host registered under
// its name with --replace and now owns it. An agent already gone is not taken over.
Result<bool> TakenOver(devops::Client& client, AgentFiles& files, int64_t pool_id,
                       int64_t agent_id) {
  auto key = files.LoadKey();
  if (!key) return false;  // no key of ours to compare: the .agent file alone decides
  auto agent = client.GetAgent(pool_id, agent_id);
  if (!agent) {
    if (agent.error().code == ErrorCode::kNotFound) return false;
    return Fail(std::move(agent.error()));
  }
  const auto& server = agent->authorization.public_key;
  if (server.modulus.empty() || server.exponent.empty()) return false;
  return !detail::ServerHolds(*agent, *key);
}

Result<Unregistration> RemoveLocalFiles(AgentFiles& files, Env& env, Unregistration result) {
  const bool had_files = files.IsConfigured() || env.fs.Exists(files.rsa_params_path());
  if (auto removed = files.RemoveAll(); !removed) return Fail(std::move(removed.error()));
  if (auto removed = env.fs.Remove(files.root() + "/.capabilities"); !removed) {
    return Fail(std::move(removed.error()));
  }
  result.removed_local_files = had_files;
  return result;
}

}  // namespace

Result<Unregistration> Unregister(devops::Client& client, AgentFiles& files, Env& env,
                                  const std::string& pool_name, const std::string& agent_name,
                                  bool force) {
  Unregistration result;
  int64_t pool_id = 0;
  const bool from_files = files.IsConfigured();
  if (from_files) {
    auto settings = files.LoadSettings();
    if (!settings) return Fail(std::move(settings.error()));
    pool_id = settings->pool_id;
    result.agent_id = settings->agent_id;
    result.agent_name = settings->agent_name;
  } else if (!agent_name.empty()) {
    auto pool = client.FindPool(pool_name);
    if (!pool) return Fail(std::move(pool.error()));
    auto existing = client.FindAgent(pool->id, agent_name);
    if (!existing) return Fail(std::move(existing.error()));
    result.agent_name = agent_name;
    if (!*existing) return result;  // nothing to do
    auto placeholder = IsPlaceholder(client, pool->id, (*existing)->id);
    if (!placeholder) return Fail(std::move(placeholder.error()));
    if (*placeholder && !force) {
      return Fail(ErrorCode::kInvalidArgument, "unregister " + agent_name,
                  "the agent is a placeholder (template) agent",
                  "Placeholders are never removed by cleanup; pass --force to delete it anyway.");
    }
    pool_id = pool->id;
    result.agent_id = (*existing)->id;
  } else {
    return result;  // not configured, nothing named: nothing to do
  }

  if (from_files) {
    auto taken = TakenOver(client, files, pool_id, result.agent_id);
    if (!taken) return Fail(std::move(taken.error()));
    result.taken_over = *taken;
  }
  if (result.taken_over) return RemoveLocalFiles(files, env, result);
  auto deleted = client.DeleteAgent(pool_id, result.agent_id);
  if (!deleted && deleted.error().code != ErrorCode::kNotFound)
    return Fail(std::move(deleted.error()));
  result.deleted_on_server = deleted.has_value();
  return RemoveLocalFiles(files, env, result);
}

namespace {

std::string TempDirectory(const Environment& vars) {
  std::string dir = vars.GetNonEmpty("TMPDIR").value_or("/tmp");
  return StartsWith(dir, "/") ? dir : "/tmp";
}

}  // namespace

Result<std::string> ListenerVersion(Env& env, const std::string& root) {
  const std::string listener = root + "/bin/Agent.Listener";
  if (!env.fs.Exists(listener)) {
    return Fail(ErrorCode::kNotFound, "version of " + listener, "no listener there");
  }
  // Only a listener nobody else can change is ever run (security-review H1): the real file
  // and its directory belong to this user and are not writable by group or others.
  std::error_code ignored;
  const std::filesystem::path real = std::filesystem::canonical(listener, ignored);
  if (real.empty() || !detail::OwnedBySelfAndPrivate(env.fs, real.string()) ||
      !detail::OwnedBySelfAndPrivate(env.fs, real.parent_path().string())) {
    return Fail(ErrorCode::kPermissionDenied, "version of " + listener,
                "the listener or its directory is owned by another user or writable by others",
                "Pass --agent-version, or let agentboot lay out the package itself.");
  }
  // Every start of the real listener, --version included, creates its diagnostics directory
  // and a trace log (HostContext.cs:135-137): point it at a private directory that goes away,
  // so the query leaves nothing in the root (agent-audit D5).
  auto diag = env.fs.MakeTempDirectory(TempDirectory(env.vars) + "/agentboot-version-");
  if (!diag) return Fail(std::move(diag.error()));
  ProcessSpec spec;
  spec.argv = {listener, "--version"};
  spec.env = {{"PATH", "/usr/bin:/bin"}, {"AGENT_DIAGLOGPATH", *diag}};
  spec.timeout = std::chrono::seconds(60);
  auto output = env.processes.Run(spec);
  (void)env.fs.RemoveTree(*diag);
  if (!output) return Fail(std::move(output.error()));
  const std::string version = Trim(output->stdout_text.substr(0, output->stdout_text.find('\n')));
  if (output->exit_code != 0 || version.empty()) {
    return Fail(ErrorCode::kInternal, listener + " --version",
                "exit code " + std::to_string(output->exit_code) + ", no version printed");
  }
  return version;
}

}  // namespace agentboot::agent
