// Source selection (identity-contract §1.1): --identity picks one source; auto builds the chain
// in the Azure SDK order, with the Azure CLI last so an administrator's laptop works.
#include <array>
#include <utility>

#include "agentboot/identity.h"

#include "source_common.h"

namespace agentboot::identity {
namespace {

constexpr std::array<std::pair<SourceKind, std::string_view>, 8> kKinds = {{
    {SourceKind::kAuto, "auto"},
    {SourceKind::kImds, "imds"},
    {SourceKind::kAppService, "appservice"},
    {SourceKind::kArc, "arc"},
    {SourceKind::kCloudShell, "cloudshell"},
    {SourceKind::kWorkload, "workload"},
    {SourceKind::kAzCli, "azcli"},
    {SourceKind::kPat, "pat"},
}};

}  // namespace

Result<SourceKind> ParseSourceKind(std::string_view text) {
  const std::string lower = ToLower(Trim(text));
  for (const auto& [kind, name] : kKinds) {
    if (lower == name) return kind;
  }
  return Fail(ErrorCode::kInvalidArgument, "identity: --identity " + std::string(text),
              "unknown identity source",
              "Use one of auto, imds, appservice, arc, cloudshell, workload, azcli or pat.");
}

std::string_view SourceKindName(SourceKind kind) {
  for (const auto& [candidate, name] : kKinds) {
    if (candidate == kind) return name;
  }
  return "unknown";
}

Result<std::unique_ptr<TokenSource>> MakeSource(const IdentityOptions& options, Deps deps) {
  if (Status valid = detail::ValidateSelection(options); !valid) return Fail(valid.error());
  if (options.az_path.empty() || options.arc_key_directory.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "identity: configure sources",
                "the az path or the Arc key directory is empty",
                "Leave --az-path and the Arc key directory at their defaults or give a value.");
  }
  switch (options.kind) {
    case SourceKind::kImds:
      return MakeImdsSource(options, deps, /*probe_first=*/false);
    case SourceKind::kAppService:
      return MakeAppServiceSource(options, deps);
    case SourceKind::kArc:
      return MakeArcSource(options, deps);
    case SourceKind::kCloudShell:
      return MakeCloudShellSource(options, deps);
    case SourceKind::kWorkload:
      return MakeWorkloadSource(options, deps);
    case SourceKind::kAzCli:
      return MakeAzCliSource(options, deps);
    case SourceKind::kPat:
      return MakePatSource(options, deps);
    case SourceKind::kAuto:
      break;
  }
  // Each source answers kUnavailable when its environment is absent, so the order alone decides.
  std::vector<std::unique_ptr<TokenSource>> chain;
  chain.push_back(MakeWorkloadSource(options, deps));
  chain.push_back(MakeAppServiceSource(options, deps));  // 2019, then the 2017 variables
  chain.push_back(MakeCloudShellSource(options, deps));
  chain.push_back(MakeArcSource(options, deps));
  chain.push_back(MakeImdsSource(options, deps, /*probe_first=*/true));
  chain.push_back(MakeAzCliSource(options, deps));
  return std::unique_ptr<TokenSource>(
      std::make_unique<ChainSource>(std::move(chain), deps.env.log));
}

}  // namespace agentboot::identity
