// The fallback registrar: the agent's own config.sh, with the token in the environment only.
#include "agentboot/agent.h"

#include "package_disk.h"
#include <unistd.h>

namespace agentboot::agent {
namespace {

// Variables a child must never inherit from agentboot (secrets of other identity routes).
bool IsSecretVariable(const std::string& name) {
  return name == "AZP_TOKEN" || name == "AZP_TOKEN_FILE" || name == "IDENTITY_HEADER" ||
         name == "MSI_SECRET" || name == "SYSTEM_ACCESSTOKEN" || EndsWith(name, "_SECRET") ||
         StartsWith(name, "VSTS_AGENT_INPUT_");
}

std::string LastLines(const std::string& text, size_t count) {
  size_t at = text.size();
  while (count-- > 0 && at > 0) {
    at = text.rfind('\n', at - 1);
    if (at == std::string::npos) return text;
  }
  return text.substr(at + 1);
}

}  // namespace

Status CheckConfigScript(const std::string& root) {
  const std::string script = root + "/config.sh";
  FileSystem& fs = PosixFileSystem();
  if (detail::KindOf(fs, script) == detail::EntryKind::kMissing)
    return {};  // said by the registrar
  if (detail::KindOf(fs, script) != detail::EntryKind::kOther ||
      !detail::OwnedBySelfAndPrivate(fs, script)) {
    return Fail(ErrorCode::kPermissionDenied, "register via " + script,
                "config.sh is a link, or owned by another user, or writable by group or others",
                "Lay the agent package out as plain files owned by the user agentboot runs as "
                "(`agentboot run` does), or use --registrar native.");
  }
  return {};
}

Status RegisterWithConfigScript(Env& env, identity::TokenSource& tokens, AgentFiles& files,
                                const RegisterOptions& options) {
  const std::string script = files.root() + "/config.sh";
  const std::string context = "register via " + script;
  if (!env.fs.Exists(script)) {
    return Fail(ErrorCode::kNotFound, context, "no config.sh in the agent directory",
                "Unpack the agent package into --agent-dir, or use --registrar native.");
  }
  auto token = tokens.GetToken({});
  if (!token) return Fail(std::move(token.error()));

  ProcessSpec spec;
  spec.argv = {script,
               "--unattended",
               "--acceptTeeEula",
               "--url",
               options.server_url,
               "--auth",
               "pat",
               "--pool",
               options.pool,
               "--agent",
               options.agent_name,
               "--work",
               options.work_folder};
  if (options.replace) spec.argv.emplace_back("--replace");
  for (const auto& [name, value] : env.vars.All()) {
    if (!IsSecretVariable(name)) spec.env[name] = value;
  }
  // The agent reads --token from VSTS_AGENT_INPUT_TOKEN: the token never appears in argv, where
  // every user of the machine could read it (agent-contract §5).
  spec.env["VSTS_AGENT_INPUT_TOKEN"] = token->token.Reveal();
  // config.sh refuses uid 0 unless this is set (config.sh:5-9); agentboot as root means it.
  if (::geteuid() == 0) spec.env["AGENT_ALLOW_RUNASROOT"] = "1";
  spec.working_directory = files.root();
  spec.timeout = std::chrono::minutes(10);
  auto output = env.processes.Run(spec);
  if (!output) return Fail(std::move(output.error()));
  if (output->timed_out || output->exit_code != 0) {
    return Fail(ErrorCode::kInternal, context,
                "config.sh failed (exit code " + std::to_string(output->exit_code) +
                    "): " + LastLines(output->stdout_text + output->stderr_text, 3),
                "Read the agent's _diag logs, or try --registrar native.");
  }
  return {};
}

}  // namespace agentboot::agent
