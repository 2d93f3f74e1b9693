// Azure CLI (identity-contract §8): `az account get-access-token`, run without a shell and with a
// bounded time, so an administrator's logged-in laptop works as a source.
#include <cctype>

#include <nlohmann/json.hpp>

#include "agentboot/identity.h"

#include "source_common.h"
#include "token_parser.h"

namespace agentboot::identity {
namespace {

constexpr std::string_view kName = "azcli";
constexpr size_t kExcerpt = 250;
constexpr size_t kTokenLikeRun = 40;  // longer runs of token characters are redacted

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.' ||
         c == '+' || c == '/' || c == '=';
}

// The first characters of `text` with anything that looks like a token replaced by "***".
std::string RedactedExcerpt(std::string_view text) {
  std::string out;
  size_t i = 0;
  while (i < text.size() && out.size() < kExcerpt) {
    size_t end = i;
    while (end < text.size() && IsTokenChar(text[end])) ++end;
    if (end - i >= kTokenLikeRun) {
      out += "***";
    } else if (end > i) {
      out.append(text.substr(i, end - i));
    } else {
      out += text[i];
      end = i + 1;
    }
    i = end;
  }
  return out.substr(0, kExcerpt);
}

bool ResourceIsSafe(std::string_view resource) {
  if (resource.empty() || resource.front() == '-') return false;  // never an option to az
  for (const char c : resource) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '.' && c != '-' && c != ':' &&
        c != '/' && c != '_') {
      return false;
    }
  }
  return true;
}

class AzCliSource final : public TokenSource {
 public:
  AzCliSource(const IdentityOptions& options, Deps deps) : options_(options), deps_(deps) {}

  std::string_view Name() const override { return kName; }
  SourceKind Kind() const override { return SourceKind::kAzCli; }

  Result<AccessToken> GetToken(const TokenRequest& request) override {
    const std::string resource = ResourceFromScope(request.resource);
    const std::string context = "identity/azcli: " + options_.az_path + " account get-access-token";
    if (!ResourceIsSafe(resource)) {
      return Fail(ErrorCode::kInvalidArgument, context, "the resource has unexpected characters",
                  "Use a resource made of letters, digits and . - : / _ only.");
    }
    ProcessSpec spec;
    spec.argv = {options_.az_path, "account", "get-access-token", "--resource", resource,
                 "--output",       "json"};
    spec.env = deps_.env.vars.All();
    spec.env["AZURE_CORE_NO_COLOR"] = "true";
    spec.timeout = options_.az_timeout;
    deps_.env.log.Log(LogLevel::kDebug, "identity", "running the Azure CLI",
                      {{"source", std::string(kName)}, {"program", options_.az_path}});
    auto output = deps_.env.processes.Run(spec);
    if (!output) {
      if (output.error().code == ErrorCode::kNotFound) return Fail(NotInstalled(context));
      return Fail(ErrorCode::kInternal, context, output.error().detail,
                  "Check that the Azure CLI can be run by this user.");
    }
    if (output->timed_out) {
      return Fail(ErrorCode::kDeadlineExceeded, context, "the Azure CLI did not finish in time",
                  "Run 'az account get-access-token' by hand to see why it hangs.");
    }
    if (output->exit_code == 127) return Fail(NotInstalled(context));
    if (output->exit_code != 0) return Fail(Failed(*output, context));
    return Parse(output->stdout_text, context);
  }

 private:
  static Error NotInstalled(const std::string& context) {
    return MakeError(ErrorCode::kUnavailable, context, "Azure CLI not found",
                     "Install the Azure CLI and run az login, or choose another source with "
                     "--identity.");
  }

  static Error Failed(const ProcessOutput& output, const std::string& context) {
    const std::string& err = output.stderr_text;
    if (err.find("az login") != std::string::npos ||
        err.find("az account set") != std::string::npos) {
      // No identity here rather than a refused one: nobody logged in (identity-contract §9).
      return MakeError(ErrorCode::kUnavailable, context, "the Azure CLI is not logged in",
                       "Run az login (or az login --identity) first, or choose another source "
                       "with --identity.");
    }
    return MakeError(ErrorCode::kUnauthenticated, context,
                     "exit code " + std::to_string(output.exit_code) + ": " + RedactedExcerpt(err),
                     "Run 'az account get-access-token' by hand to see the problem.");
  }

  Result<AccessToken> Parse(const std::string& text, const std::string& context) const {
    const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    const auto token = json.is_object() ? json.find("accessToken") : json.end();
    if (json.is_discarded() || !json.is_object() || token == json.end() || !token->is_string()) {
      return Fail(
          ErrorCode::kInternal, context, "unexpected output: " + RedactedExcerpt(text),
          "Update the Azure CLI; agentboot expects the JSON of 'az account get-access-token'.");
    }
    std::optional<TimePoint> expires;
    // expires_on (integer, UTC, CLI >= 2.54) first; expiresOn is local time (§8).
    if (auto on = json.find("expires_on"); on != json.end()) {
      if (auto seconds = detail::SecondsValue(*on); seconds && *seconds > 0) {
        expires = FromUnixSeconds(*seconds);
      }
    }
    if (auto on = json.find("expiresOn"); !expires && on != json.end() && on->is_string()) {
      expires = detail::ParseLocalTimestamp(on->get<std::string>());
    }
    if (!expires) {
      return Fail(ErrorCode::kInternal, context, "the Azure CLI output has no usable expiry",
                  "Update the Azure CLI to 2.54 or newer.");
    }
    AccessToken result;
    result.token = Secret(token->get<std::string>());
    result.expires_on = *expires;
    result.source = std::string(kName);
    deps_.env.log.Log(LogLevel::kDebug, "identity", "obtained an access token",
                      {{"source", std::string(kName)}, {"expires_on", FormatUtc(*expires)}});
    return result;
  }

  IdentityOptions options_;
  Deps deps_;
};

}  // namespace

std::unique_ptr<TokenSource> MakeAzCliSource(const IdentityOptions& options, Deps deps) {
  return std::make_unique<AzCliSource>(options, deps);
}

}  // namespace agentboot::identity
