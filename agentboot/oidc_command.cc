// `agentboot oidc`: a self-hosted OIDC issuer for workload identity federation from any
// Kubernetes cluster (keys, discovery, jwks, publish, check, token). The logic is in
// modules/oidc; this file parses flags, reads and writes files and prints.
#include <iostream>

#include "agentboot/oidc.h"

#include "commands.h"
#include "exit_codes.h"

namespace agentboot::cli {
namespace {

struct OidcOptions {
  std::string out_dir;
  std::vector<std::string> from_files;
  int bits = 2048;
  std::string issuer;
  std::string out_file;
  std::vector<std::string> public_keys;
  oidc::PublishOptions publish;
  std::string discovery_file = "openid-configuration.json";
  std::string jwks_file = "jwks.json";
  std::string subject;
  std::string namespace_name;
  std::string service_account;
  std::vector<std::string> audiences;
  std::string token_file;
  bool no_fetch = false;
  std::string output = "text";
  std::string key_file;
  int64_t lifetime_seconds = 3600;
};

int Failed(const Error& error, Stage stage = Stage::kLocal) {
  PrintFailure(error);
  return ExitCodeFor(stage, error);
}

// Writes `content` to `path` atomically, or to stdout when `path` is empty.
int Emit(App& app, const std::string& path, const std::string& content, uint32_t mode) {
  if (path.empty()) {
    std::cout << content;
    return kExitOk;
  }
  if (auto written = app.env().fs.WriteFileAtomic(path, content, mode); !written) {
    return Failed(written.error());
  }
  return kExitOk;
}

int RunKeys(App& app, const OidcOptions& o) {
  std::vector<jose::RsaKey> keys;
  for (const std::string& file : o.from_files) {
    auto loaded = oidc::LoadKeys(app.env().fs, file);
    if (!loaded) return Failed(loaded.error());
    for (auto& key : *loaded) keys.push_back(std::move(key));
  }
  if (o.from_files.empty()) {
    auto generated = jose::RsaKey::Generate(o.bits);
    if (!generated) return Failed(generated.error());
    keys.push_back(std::move(*generated));
  }
  for (const jose::RsaKey& key : keys) {
    auto files = oidc::WriteKeyFiles(app.env().fs, o.out_dir, key);
    if (!files) return Failed(files.error());
    std::cout << "kid " << files->kid << "\n";
    if (!files->private_path.empty()) std::cout << "  private " << files->private_path << "\n";
    std::cout << "  public  " << files->public_path << "\n";
  }
  return kExitOk;
}

int RunDiscovery(App& app, const OidcOptions& o) {
  auto document = oidc::DiscoveryDocument(o.issuer);
  if (!document) return Failed(document.error());
  return Emit(app, o.out_file, *document, 0644);
}

int RunJwks(App& app, const OidcOptions& o) {
  std::vector<jose::RsaKey> keys;
  for (const std::string& file : o.public_keys) {
    auto loaded = oidc::LoadKeys(app.env().fs, file);
    if (!loaded) return Failed(loaded.error());
    for (auto& key : *loaded) keys.push_back(std::move(key));
  }
  return Emit(app, o.out_file, oidc::Jwks(keys), 0644);
}

int RunPublish(App& app, const OidcOptions& o) {
  oidc::PublishOptions options = o.publish;
  auto discovery = app.env().fs.ReadFile(o.discovery_file);
  if (!discovery) return Failed(discovery.error());
  auto jwks = app.env().fs.ReadFile(o.jwks_file);
  if (!jwks) return Failed(jwks.error());
  options.discovery_json = *discovery;
  options.jwks_json = *jwks;
  auto published = oidc::Publish(app.transport(), app.tokens(), app.env().clock, options);
  if (!published) {
    const Error& e = published.error();
    // Storage that does not answer is temporary; everything else counts as the identity's.
    const bool storage = e.origin != ErrorOrigin::kIdentity;
    if (storage && e.code == ErrorCode::kUnavailable) return Failed(e, Stage::kDevOps);
    return Failed(e, Stage::kIdentity);
  }
  std::cout << "published " << published->jwks_url << "\n"
            << "published " << published->discovery_url << "\n";
  const auto parsed = nlohmann::json::parse(*discovery, nullptr, false);
  if (parsed.is_object() && parsed.value("issuer", "") != published->issuer) {
    std::cerr << "agentboot: warning: the discovery document names issuer '"
              << parsed.value("issuer", "") << "', not '" << published->issuer
              << "': Entra fetches <issuer>/.well-known/openid-configuration, so it must be "
                 "served there too.\n";
  }
  return kExitOk;
}

void PrintFindings(const std::vector<oidc::Finding>& findings) {
  for (const oidc::Finding& f : findings) {
    std::cout << (f.severity == oidc::Severity::kError ? "error  " : "warning") << " " << f.field
              << ": " << f.message << "\n";
  }
}

void PrintSuggestion(const oidc::FederatedCredential& credential, bool from_token) {
  if (auto account = oidc::KubernetesServiceAccount(credential.subject)) {
    std::cout << "kubernetes subject: " << credential.subject << " (namespace " << account->first
              << ", service account " << account->second << ")\n";
  }
  std::cout << "\n# The federated credential " << (from_token ? "this token matches" : "to create")
            << ", with the Azure CLI:\n"
            << oidc::AzCliSnippet(credential) << "\n# or in Bicep:\n"
            << oidc::BicepSnippet(credential);
}

int RunCheck(App& app, const OidcOptions& o) {
  oidc::FederatedCredential credential{o.issuer, o.subject, o.audiences};
  if (credential.subject.empty() && !o.namespace_name.empty()) {
    credential.subject = "system:serviceaccount:" + o.namespace_name + ":" + o.service_account;
  }
  if (credential.audiences.empty())
    credential.audiences = {std::string(oidc::kRecommendedAudience)};
  std::optional<std::string> token;
  if (!o.token_file.empty()) {
    auto text = app.env().fs.ReadFile(o.token_file);
    if (!text) return Failed(text.error());
    token = std::move(*text);
  }
  const auto report =
      oidc::CheckFederatedCredential(credential, token, o.no_fetch ? nullptr : &app.transport(),
                                     ToUnixSeconds(app.env().clock.Now()));
  if (o.output == "json") {
    nlohmann::ordered_json out;
    out["ok"] = report.ok();
    out["findings"] = nlohmann::json::array();
    for (const auto& f : report.findings) {
      out["findings"].push_back(
          {{"severity", f.severity == oidc::Severity::kError ? "error" : "warning"},
           {"field", f.field},
           {"message", f.message}});
    }
    std::cout << out.dump(2) << "\n";
  } else {
    PrintFindings(report.findings);
    std::cout << (report.ok() ? "ok: Entra would accept this credential"
                              : "FAILED: Entra would refuse it")
              << (token ? " and this token" : "") << "\n";
    PrintSuggestion(oidc::SuggestedCredential(credential, report.claims), token.has_value());
  }
  return report.ok() ? kExitOk : kExitIdentityRefused;
}

int RunToken(App& app, const OidcOptions& o) {
  if (o.out_file.empty()) {
    return Failed(MakeError(ErrorCode::kInvalidArgument, "oidc token", "--out is required",
                            "Tokens go to a file (mode 0600), never to the terminal."));
  }
  auto keys = oidc::LoadKeys(app.env().fs, o.key_file);
  if (!keys) return Failed(keys.error());
  oidc::ServiceAccountTokenSpec spec;
  spec.issuer = o.issuer;
  spec.subject = o.subject;
  if (!o.audiences.empty()) spec.audience = o.audiences.front();
  spec.lifetime = std::chrono::seconds(o.lifetime_seconds);
  auto token = oidc::MintServiceAccountToken(
      keys->front(), spec, ToUnixSeconds(app.env().clock.Now()), app.env().random);
  if (!token) return Failed(token.error());
  if (int code = Emit(app, o.out_file, *token, 0600); code != kExitOk) return code;
  std::cout << "wrote " << o.out_file << " (kid " << jose::KeyId(keys->front()) << ")\n";
  return kExitOk;
}

void AddKeys(CLI::App& oidc, OidcOptions& o) {
  auto* c = oidc.add_subcommand("keys", "Create (or import) service-account signing keys");
  c->add_option("--out", o.out_dir, "Directory for sa-<kid>.key (0600) and .pub")->required();
  c->add_option("--from", o.from_files,
                "Import keys instead: PKCS#1/PKCS#8 private keys, PKIX public keys, certificates");
  c->add_option("--bits", o.bits, "RSA key size")->check(CLI::Range(2048, 8192));
}

void AddDocuments(CLI::App& oidc, OidcOptions& o) {
  auto* d = oidc.add_subcommand("discovery", "Print the OpenID discovery document");
  d->add_option("--issuer", o.issuer, "Issuer URL, exactly as --service-account-issuer")
      ->required();
  d->add_option("--out", o.out_file, "Write to this file instead of stdout");
  auto* j = oidc.add_subcommand("jwks", "Print the JWKS (byte-compatible with azwi jwks)");
  j->add_option("--public-key,--public-keys", o.public_keys, "Key files (repeatable)")
      ->required()
      ->delimiter(',');
  j->add_option("--out", o.out_file, "Write to this file instead of stdout");
}

void AddPublish(CLI::App& oidc, OidcOptions& o) {
  auto* c = oidc.add_subcommand(
      "publish", "Upload both documents to Blob Storage with this host's identity (no key)");
  c->add_option("--account", o.publish.account, "Storage account name");
  c->add_option("--container", o.publish.container, "Blob container")->required();
  c->add_option("--endpoint", o.publish.endpoint,
                "Blob endpoint (default https://ACCOUNT.blob.core.windows.net)");
  c->add_option("--discovery", o.discovery_file, "Discovery document file")->capture_default_str();
  c->add_option("--jwks", o.jwks_file, "JWKS file")->capture_default_str();
  c->add_flag("--create-container", o.publish.create_container,
              "Create the container with public read access to blobs first");
}

void AddCheck(CLI::App& oidc, OidcOptions& o) {
  auto* c =
      oidc.add_subcommand("check", "Check a federated credential (and a token) as Entra would");
  c->add_option("--issuer", o.issuer, "The credential's issuer")->required();
  c->add_option("--subject", o.subject, "The credential's subject");
  c->add_option("--namespace", o.namespace_name, "Or: Kubernetes namespace ...");
  c->add_option("--service-account", o.service_account, "... and service account name");
  c->add_option("--audience", o.audiences, "The credential's audience (default: recommended)");
  c->add_option("--token-file", o.token_file, "A token to compare and verify");
  c->add_flag("--no-fetch", o.no_fetch, "Do not fetch the issuer's documents");
  c->add_option("--output,-o", o.output, "text or json")->check(CLI::IsMember({"text", "json"}));
}

void AddToken(CLI::App& oidc, OidcOptions& o) {
  auto* c = oidc.add_subcommand("token", "Mint a projected-service-account-style token");
  c->add_option("--key", o.key_file, "Private key file")->required();
  c->add_option("--issuer", o.issuer, "iss")->required();
  c->add_option("--subject", o.subject, "sub: system:serviceaccount:NS:NAME")->required();
  c->add_option("--audience", o.audiences, "aud (default api://AzureADTokenExchange)");
  c->add_option("--lifetime", o.lifetime_seconds, "Seconds (600-172800)");
  c->add_option("--out", o.out_file, "Token file (written 0600)")->required();
}

}  // namespace

Runner RegisterOidcCommand(CLI::App& parent) {
  auto options = std::make_shared<OidcOptions>();
  CLI::App* oidc = parent.add_subcommand(
      "oidc", "A self-hosted OIDC issuer for workload identity federation from any cluster");
  oidc->require_subcommand(1);
  AddKeys(*oidc, *options);
  AddDocuments(*oidc, *options);
  AddPublish(*oidc, *options);
  AddCheck(*oidc, *options);
  AddToken(*oidc, *options);
  return [options, oidc](App& app) {
    using Run = int (*)(App&, const OidcOptions&);
    const std::pair<const char*, Run> runs[] = {{"keys", RunKeys},   {"discovery", RunDiscovery},
                                                {"jwks", RunJwks},   {"publish", RunPublish},
                                                {"check", RunCheck}, {"token", RunToken}};
    for (const auto& [name, run] : runs) {
      if (oidc->get_subcommand(name)->parsed()) return run(app, *options);
    }
    return static_cast<int>(kExitUsage);
  };
}

}  // namespace agentboot::cli
