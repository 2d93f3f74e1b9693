// `.credentials`: CredentialData with scheme "OAuth" (agent-contract §2; UpdateCredentialData).

#include "agentboot/agent.h"

#include "json_file.h"

namespace agentboot::agent {
namespace {

const std::string kContext = "read .credentials";

Result<std::string> DataString(const nlohmann::json& data, std::string_view name) {
  // The agent's data dictionary is case-insensitive (StringComparer.OrdinalIgnoreCase).
  auto value = detail::GetString(data, name, /*case_sensitive=*/false, kContext);
  if (!value) return Fail(value.error());
  return value->value_or("");
}

}  // namespace

std::string SerializeCredentials(const CredentialData& credentials) {
  nlohmann::ordered_json data;
  data["clientId"] = credentials.client_id;
  data["authorizationUrl"] = credentials.authorization_url;
  data["oauthEndpointUrl"] = credentials.oauth_endpoint_url;
  nlohmann::ordered_json out;
  out["scheme"] = "OAuth";
  out["data"] = std::move(data);
  return detail::WriteIndented(out);
}

Result<CredentialData> ParseCredentials(std::string_view text) {
  auto in = detail::ParseObject(text, kContext);
  if (!in) return Fail(in.error());
  auto scheme = detail::GetString(*in, "scheme", /*case_sensitive=*/false, kContext);
  if (!scheme) return Fail(scheme.error());
  if (!scheme->has_value()) return Fail(ErrorCode::kInvalidArgument, kContext, "missing scheme");
  if (!EqualsIgnoreCase(**scheme, "OAuth")) {
    return Fail(ErrorCode::kInvalidArgument, kContext,
                "scheme \"" + **scheme + "\" is not supported (only OAuth)",
                "Register the agent with agentboot again.");
  }
  const nlohmann::json* data = detail::FindMember(*in, "data", /*case_sensitive=*/false);
  if (data == nullptr || !data->is_object()) {
    return Fail(ErrorCode::kInvalidArgument, kContext, "missing data object");
  }
  CredentialData credentials;
  auto client_id = DataString(*data, "clientId");
  if (!client_id) return Fail(client_id.error());
  auto authorization_url = DataString(*data, "authorizationUrl");
  if (!authorization_url) return Fail(authorization_url.error());
  auto oauth_endpoint_url = DataString(*data, "oauthEndpointUrl");
  if (!oauth_endpoint_url) return Fail(oauth_endpoint_url.error());
  if (client_id->empty()) return Fail(ErrorCode::kInvalidArgument, kContext, "missing clientId");
  if (authorization_url->empty()) {
    return Fail(ErrorCode::kInvalidArgument, kContext, "missing authorizationUrl");
  }
  credentials.client_id = std::move(*client_id);
  credentials.authorization_url = std::move(*authorization_url);
  // OAuthCredential falls back to authorizationUrl when oauthEndpointUrl is absent.
  credentials.oauth_endpoint_url =
      oauth_endpoint_url->empty() ? credentials.authorization_url : std::move(*oauth_endpoint_url);
  return credentials;
}

}  // namespace agentboot::agent
