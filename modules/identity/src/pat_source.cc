// A personal access token, for migration only (--identity pat). It is exactly the long-lived
// secret agentboot exists to remove, so every use is logged as a warning.
#include <atomic>

#include "agentboot/identity.h"

#include "source_common.h"

namespace agentboot::identity {
namespace {

constexpr std::string_view kName = "pat";
// A PAT's expiry is not known to us; "far future" keeps the cache from refreshing it.
constexpr Duration kFarFuture = std::chrono::hours(24 * 365 * 10);

class PatSource final : public TokenSource {
 public:
  explicit PatSource(Deps deps) : deps_(deps) {}

  std::string_view Name() const override { return kName; }
  SourceKind Kind() const override { return SourceKind::kPat; }

  Result<AccessToken> GetToken(const TokenRequest&) override {
    auto pat = Read();
    if (!pat) return Fail(pat.error());
    if (!warned_.exchange(true)) {
      deps_.env.log.Log(LogLevel::kWarning, "identity",
                        "using a personal access token: this defeats the purpose of agentboot; "
                        "switch to a managed or workload identity",
                        {{"source", std::string(kName)}});
    }
    AccessToken token;
    token.token = std::move(*pat);
    token.expires_on = deps_.env.clock.Now() + kFarFuture;
    token.source = std::string(kName);
    token.is_pat = true;
    return token;
  }

 private:
  Result<Secret> Read() const {
    if (auto value = deps_.env.vars.GetNonEmpty("AZP_TOKEN")) return Secret(Trim(*value));
    auto path = deps_.env.vars.GetNonEmpty("AZP_TOKEN_FILE");
    if (!path) return Fail(detail::MissingEnvironment(kName, "AZP_TOKEN or AZP_TOKEN_FILE"));
    auto content = deps_.env.fs.ReadFile(*path);
    if (!content) {
      Error error = content.error();
      error.context = "identity/pat: read " + *path;
      error.advice = "Check that AZP_TOKEN_FILE names a readable file.";
      return Fail(std::move(error));
    }
    std::string pat = Trim(*content);
    if (pat.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "identity/pat: read " + *path, "the file is empty",
                  "Put the personal access token in AZP_TOKEN_FILE.");
    }
    return Secret(std::move(pat));
  }

  Deps deps_;
  std::atomic<bool> warned_{false};
};

}  // namespace

std::unique_ptr<TokenSource> MakePatSource(const IdentityOptions&, Deps deps) {
  return std::make_unique<PatSource>(deps);
}

}  // namespace agentboot::identity
