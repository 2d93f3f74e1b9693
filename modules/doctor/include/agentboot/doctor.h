// agentboot::doctor — the pure judgements behind `agentboot doctor`: each takes what was observed
// (environment variables, token claims, a token file's text, a server answer, two clocks) and
// returns one Check: what was found and, when it is not fine, the one thing to do. No I/O here;
// the command gathers the observations.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "agentboot/base.h"
#include "agentboot/devops.h"

namespace agentboot::doctor {

enum class Outcome { kPass, kWarn, kFail, kSkip };
std::string_view OutcomeName(Outcome outcome) noexcept;  // "ok", "warn", "FAIL", "skip"

struct Check {
  std::string name;  // "identity source", "token", ...
  Outcome outcome = Outcome::kPass;
  std::string result;  // what was found, one line
  std::string fix;     // empty on kPass: the one thing to do
};

// Which identity source `--identity` (or auto) selects with these variables, in the chain's order
// (workload, appservice, cloudshell, arc, imds, azcli), why, and what each other source needs.
// kFail only when a forced source lacks its variables.
Check ExplainIdentitySource(std::string_view requested, const Environment& vars);

// An Azure DevOps access token's claims: oid, appid (or azp), tid, aud and exp. kFail for an
// audience other than Azure DevOps (499b84ac-1321-427f-aa17-267ca6975798, with or without the
// api:// form) or a token already expired at `now`.
Check CheckTokenClaims(const nlohmann::json& claims, TimePoint now);

// A workload-identity token file (AZURE_FEDERATED_TOKEN_FILE): iss, sub, aud, exp, and the
// pitfalls that make Entra refuse the federated credential (AADSTS70021 / 700211 / 700212):
// whitespace around the token or inside a claim, an audience other than
// api://AzureADTokenExchange, an expired token (the kubelet stopped refreshing it), a subject not
// of the form system:serviceaccount:<namespace>:<name>, and the issuer's trailing slash (the
// federated credential must repeat it byte for byte).
Check CheckWorkloadTokenFile(std::string_view file_text, TimePoint now);

// connectionData's caller: "known" (a member with a licence) or the anonymous public-access user
// (id aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa), which means no licence or not a member.
bool IsAnonymous(const devops::ConnectionData& data);
Check CheckConnectionData(const devops::ConnectionData& data);

// The server's Date header against the local clock. kFail beyond `tolerance` (Entra and Azure
// DevOps accept about five minutes of skew on token and assertion times); kWarn without a header.
Check CheckClockSkew(std::optional<TimePoint> server_date, TimePoint local, Duration tolerance);

// What the registered agent looks like on the server: enabled, online, job, version.
Check CheckRegisteredAgent(const devops::Agent& agent);

}  // namespace agentboot::doctor
