// WriteEnvFile and the variables a running simulator exports.
#include "sim_internal.h"

namespace agentboot::sim {

namespace {

bool ShellSafe(std::string_view value) {
  if (value.empty()) return false;
  for (const char c : value) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("_./:@%+,=-").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

std::string ShellQuote(std::string_view value) {
  if (ShellSafe(value)) return std::string(value);
  std::string out = "'";
  for (const char c : value) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out.push_back(c);
    }
  }
  out += "'";
  return out;
}

}  // namespace

Status WriteEnvFile(const std::string& path, const std::map<std::string, std::string>& vars) {
  std::string content;
  for (const auto& [key, value] : vars) content += key + "=" + ShellQuote(value) + "\n";
  // Mode 0600: the file carries the App Service secret.
  return PosixFileSystem().WriteFileAtomic(path, content, 0600);
}

namespace detail {

std::map<std::string, std::string> BuildEnvVars(const SimContext& context) {
  const std::string http = context.http_base();
  const std::string https = context.https_base();
  const std::string& org = context.config().organization;
  const std::string& tenant = context.config().tenant_id;
  return {
      // The default flavour: IMDS through its documented override.
      {"AZURE_POD_IDENTITY_AUTHORITY_HOST", http},
      {"AZP_URL", http + "/" + org},
      {"AGENTBOOT_SIM_AZP_URL_TLS", https + "/" + org},
      {"AGENTBOOT_SIM_HTTP", http},
      {"AGENTBOOT_SIM_HTTPS", https},
      {"AGENTBOOT_SIM_CONTROL", http + "/_control"},
      {"AGENTBOOT_SIM_CA_FILE", context.ca_file()},
      {"AGENTBOOT_SIM_STATE_DIR", context.config().state_dir},
      {"AGENTBOOT_SIM_TENANT_ID", tenant},
      {"AGENTBOOT_SIM_OIDC_ISSUER", context.oidc_issuer()},
      {"AGENTBOOT_SIM_IMDS_AUTHORITY_HOST", http},
      {"AGENTBOOT_SIM_APPSERVICE_IDENTITY_ENDPOINT", http + "/msi/token"},
      {"AGENTBOOT_SIM_APPSERVICE_IDENTITY_HEADER", context.identity_header()},
      {"AGENTBOOT_SIM_APPSERVICE2017_MSI_ENDPOINT", http + "/msi/token2017"},
      {"AGENTBOOT_SIM_APPSERVICE2017_MSI_SECRET", context.identity_header()},
      {"AGENTBOOT_SIM_CLOUDSHELL_MSI_ENDPOINT", http + "/cloudshell/oauth2/token"},
      {"AGENTBOOT_SIM_ARC_IDENTITY_ENDPOINT", http + "/arc/metadata/identity/oauth2/token"},
      {"AGENTBOOT_SIM_ARC_IMDS_ENDPOINT", http + "/arc"},
      {"AGENTBOOT_SIM_ARC_KEY_DIR", context.arc_key_dir()},
      {"AGENTBOOT_SIM_WORKLOAD_AUTHORITY_HOST", https + "/"},
      {"AGENTBOOT_SIM_WORKLOAD_TENANT_ID", tenant},
      {"AGENTBOOT_SIM_WORKLOAD_CLIENT_ID", std::string(kWorkloadClientId)},
      {"AGENTBOOT_SIM_WORKLOAD_OBJECT_ID", std::string(kWorkloadObjectId)},
      {"AGENTBOOT_SIM_WORKLOAD_FEDERATED_TOKEN_FILE", context.workload_token_file()},
      {"AGENTBOOT_SIM_SYSTEM_ASSIGNED_CLIENT_ID", std::string(kSystemAssignedClientId)},
      {"AGENTBOOT_SIM_SYSTEM_ASSIGNED_OBJECT_ID", std::string(kSystemAssignedObjectId)},
      {"AGENTBOOT_SIM_USER_ASSIGNED_CLIENT_ID", std::string(kUserAssignedClientId)},
      {"AGENTBOOT_SIM_USER_ASSIGNED_OBJECT_ID", std::string(kUserAssignedObjectId)},
      {"AGENTBOOT_SIM_USER_ASSIGNED_RESOURCE_ID", std::string(kUserAssignedResourceId)},
  };
}

}  // namespace detail
}  // namespace agentboot::sim
