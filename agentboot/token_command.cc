// `agentboot token`: acquire a token and report which source issued it and who it names. The
// token itself is printed only with --raw.
#include <iostream>

#include <nlohmann/json.hpp>

#include "agentboot/jose.h"

#include "commands.h"
#include "exit_codes.h"

namespace agentboot::cli {
namespace {

struct TokenOptions {
  std::string resource;
  std::string scope;
  std::string output = "text";
  bool raw = false;
};

std::string ClaimText(const nlohmann::json& claims, const char* name) {
  if (!claims.contains(name)) return "";
  const auto& value = claims[name];
  return value.is_string() ? value.get<std::string>() : value.dump();
}

void Line(std::string_view name, std::string_view value) {
  std::string label(name);
  label.resize(10, ' ');
  std::cout << label << ": " << value << "\n";
}

std::string Remaining(TimePoint now, TimePoint then) {
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(then - now).count();
  if (minutes < 0) return "expired";
  return std::to_string(minutes / 60) + "h" + std::to_string(minutes % 60) + "m";
}

Result<identity::TokenRequest> RequestFrom(const TokenOptions& options) {
  if (!options.resource.empty() && !options.scope.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "token", "--resource and --scope both given",
                "Give one of them.");
  }
  identity::TokenRequest request;
  if (!options.resource.empty()) request.resource = options.resource;
  if (!options.scope.empty()) request.resource = identity::ResourceFromScope(options.scope);
  return request;
}

// What `--output json` prints: the source, resource, expiry and the token's identifying claims.
nlohmann::ordered_json ReportOf(const identity::AccessToken& token,
                                const identity::TokenRequest& request) {
  nlohmann::ordered_json report;
  report["source"] = token.source;
  report["resource"] = request.resource;
  // A PAT's expiry is set in Azure DevOps and not knowable from the token: none is invented.
  report["expires_on"] =
      token.is_pat ? nlohmann::ordered_json() : nlohmann::ordered_json(FormatUtc(token.expires_on));
  if (token.is_pat) report["kind"] = "pat";
  // Claims are decoded for diagnostics only; the signature is Entra's to check.
  if (auto jwt = jose::DecodeJwt(token.token.Reveal())) {
    for (const char* name : {"oid", "tid", "appid", "azp", "aud", "iss", "iat", "exp"}) {
      if (jwt->claims.contains(name)) report["claims"][name] = jwt->claims[name];
    }
  }
  return report;
}

void PrintClaims(const nlohmann::ordered_json& claims) {
  for (const char* name : {"oid", "tid", "appid", "azp", "aud", "iss"}) {
    const std::string value = ClaimText(claims, name);
    if (!value.empty()) Line(name, value);
  }
  for (const char* name : {"iat", "exp"}) {
    if (claims.contains(name) && claims[name].is_number_integer()) {
      Line(name, FormatUtc(FromUnixSeconds(claims[name].get<int64_t>())));
    }
  }
}

void PrintText(TimePoint now, const identity::AccessToken& token,
               const identity::TokenRequest& request, const nlohmann::ordered_json& report) {
  Line("source", token.source);
  Line("resource", request.resource);
  Line("expires_on", token.is_pat ? std::string("unknown (a PAT's expiry is set in Azure DevOps)")
                                  : FormatUtc(token.expires_on) + " (in " +
                                        Remaining(now, token.expires_on) + ")");
  if (report.contains("claims")) PrintClaims(report["claims"]);
}

int Run(App& app, const TokenOptions& options) {
  auto request = RequestFrom(options);
  if (!request) {
    PrintFailure(request.error());
    return kExitUsage;
  }
  auto token = app.tokens().GetToken(*request);
  if (!token) {
    PrintFailure(token.error());
    return ExitCodeFor(Stage::kIdentity, token.error());
  }
  if (options.raw) {
    std::cout << token->token.Reveal() << "\n";
    return kExitOk;
  }
  const nlohmann::ordered_json report = ReportOf(*token, *request);
  if (options.output == "json") {
    std::cout << report.dump(2) << "\n";
    return kExitOk;
  }
  PrintText(app.env().clock.Now(), *token, *request, report);
  return kExitOk;
}

}  // namespace

Runner RegisterTokenCommand(CLI::App& parent) {
  auto options = std::make_shared<TokenOptions>();
  CLI::App* command = parent.add_subcommand(
      "token", "Acquire an Entra token from the host's identity and report who it names");
  command->add_option("--resource", options->resource,
                      "Resource (application id or URI); default: Azure DevOps");
  command->add_option("--scope", options->scope, "v2 scope, e.g. <resource>/.default");
  command->add_option("--output,-o", options->output, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  command->add_flag("--raw", options->raw, "Print the token itself (keep it out of logs)");
  return [options](App& app) { return Run(app, *options); };
}

}  // namespace agentboot::cli
