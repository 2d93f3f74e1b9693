// The auto chain: the first source that is present wins and is used from then on, so a host's
// identity never silently changes while agentboot runs (identity-contract §1.1, §9).
#include "agentboot/identity.h"

namespace agentboot::identity {
namespace {

// A source that is not there (so the chain moves on), rather than one that is there and fails.
bool Absent(const TokenSource& source, const Error& error) {
  if (error.code != ErrorCode::kUnavailable) return false;
  // MissingEnvironment (source_common.cc): the source's variables are not set.
  if (StartsWith(error.detail, "not configured on this host")) return true;
  // IMDS and the Azure CLI need no variable: whether they are there is known only by asking.
  return source.Kind() == SourceKind::kImds || source.Kind() == SourceKind::kAzCli;
}

}  // namespace

ChainSource::ChainSource(std::vector<std::unique_ptr<TokenSource>> sources, Logger& log)
    : sources_(std::move(sources)), log_(log) {}

std::string_view ChainSource::Name() const {
  MutexLock lock(mu_);
  return pinned_ != nullptr ? pinned_->Name() : std::string_view("auto");
}

SourceKind ChainSource::Kind() const {
  MutexLock lock(mu_);
  return pinned_ != nullptr ? pinned_->Kind() : SourceKind::kAuto;
}

Result<AccessToken> ChainSource::GetToken(const TokenRequest& request) {
  auto token = FirstToken(request);
  if (!token) return Fail(IdentityError(std::move(token.error())));
  return token;
}

Result<AccessToken> ChainSource::FirstToken(const TokenRequest& request) {
  TokenSource* pinned = nullptr;
  {
    MutexLock lock(mu_);
    pinned = pinned_;
  }
  if (pinned != nullptr) return pinned->GetToken(request);

  std::string reasons;
  for (const auto& source : sources_) {
    auto token = source->GetToken(request);
    if (token) {
      MutexLock lock(mu_);
      if (pinned_ == nullptr) {
        pinned_ = source.get();
        name_ = std::string(source->Name());
        log_.Log(LogLevel::kDebug, "identity", "identity source selected", {{"source", name_}});
      }
      return token;
    }
    // When the environment names a source, its failure is the answer (an untrusted certificate
    // of a configured workload identity must not end as IMDS's "Identity not found").
    if (!Absent(*source, token.error())) return token;
    log_.Log(LogLevel::kDebug, "identity", "identity source not available here, trying the next",
             {{"source", std::string(source->Name())}, {"reason", token.error().detail}});
    reasons += "\n  " + std::string(source->Name()) + ": " + token.error().detail;
  }
  return Fail(ErrorCode::kUnavailable, "identity/auto: find an identity",
              reasons.empty() ? "no sources configured" : "no source worked here:" + reasons,
              "No identity found: run on an Azure host with a managed identity, set the workload "
              "identity variables, run az login, or choose a source with --identity.");
}

}  // namespace agentboot::identity
