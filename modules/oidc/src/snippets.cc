// Commands that create a federated identity credential matching a checked definition: Azure CLI
// (`az identity federated-credential create`) and Bicep
// (Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31).
#include "agentboot/oidc.h"

namespace agentboot::oidc {
namespace {

// Single-quoted for a POSIX shell.
std::string ShellQuote(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// A Bicep string literal: '…' with \ and ' escaped.
std::string BicepString(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string CredentialName(const FederatedCredential& credential) {
  auto account = KubernetesServiceAccount(credential.subject);
  return account ? account->first + "-" + account->second : std::string("agentboot");
}

}  // namespace

FederatedCredential SuggestedCredential(const FederatedCredential& credential,
                                        const std::optional<nlohmann::json>& claims) {
  FederatedCredential out{Trim(credential.issuer), Trim(credential.subject), {}};
  for (const std::string& audience : credential.audiences) out.audiences.push_back(Trim(audience));
  if (!claims || !claims->is_object()) return out;
  const auto text = [&claims](const char* name) {
    const auto it = claims->find(name);
    return it != claims->end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (!text("iss").empty()) out.issuer = text("iss");
  if (!text("sub").empty()) out.subject = text("sub");
  const auto aud = claims->find("aud");
  if (aud != claims->end() && aud->is_array() && !aud->empty() && aud->front().is_string()) {
    out.audiences = {aud->front().get<std::string>()};
  } else if (aud != claims->end() && aud->is_string()) {
    out.audiences = {aud->get<std::string>()};
  }
  return out;
}

std::string AzCliSnippet(const FederatedCredential& credential) {
  std::string audiences;
  for (const std::string& audience : credential.audiences) {
    audiences += (audiences.empty() ? "" : " ") + ShellQuote(audience);
  }
  return "az identity federated-credential create \\\n"
         "  --resource-group RESOURCE_GROUP --identity-name IDENTITY_NAME \\\n"
         "  --name " +
         ShellQuote(CredentialName(credential)) + " \\\n  --issuer " +
         ShellQuote(credential.issuer) + " \\\n  --subject " + ShellQuote(credential.subject) +
         " \\\n  --audiences " + audiences + "\n";
}

std::string BicepSnippet(const FederatedCredential& credential) {
  std::string audiences;
  for (const std::string& audience : credential.audiences) {
    audiences += (audiences.empty() ? "" : ", ") + BicepString(audience);
  }
  return "resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' "
         "existing = {\n  name: 'IDENTITY_NAME'\n}\n\n"
         "resource federatedCredential "
         "'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials"
         "@2023-01-31' = {\n  parent: identity\n  name: " +
         BicepString(CredentialName(credential)) +
         "\n  properties: {\n    issuer: " + BicepString(credential.issuer) +
         "\n    subject: " + BicepString(credential.subject) + "\n    audiences: [ " + audiences +
         " ]\n  }\n}\n";
}

}  // namespace agentboot::oidc
