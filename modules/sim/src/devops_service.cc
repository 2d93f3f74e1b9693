#include "devops_service.h"

#include "devops_credentials.h"
#include "devops_wire.h"

namespace agentboot::sim::detail {
namespace {

constexpr const char* kAnonymousMessage =
    "TF400813: Resource not available for anonymous access. Client authentication required.";
constexpr const char* kRefusedMessage =
    "TF400813: The user '' is not authorized to access this resource.";

std::string ClaimString(const nlohmann::json& claims, const char* name) {
  auto it = claims.find(name);
  return it != claims.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

DevOpsService::DevOpsService(SimContext& context, std::unique_ptr<DevOpsOrg> org)
    : context_(context),
      org_(std::move(org)),
      throttle_(std::make_unique<TokenBucketThrottle>()),
      jtis_(std::make_unique<JtiCache>()),
      runtime_(std::make_unique<DevOpsRuntime>(*org_, SystemRandom())) {
  runtime_->parking().SetClock([&context] { return context.Now(); });
}

std::string DevOpsService::BaseUrl(const HttpRequest& request) const {
  return request.tls ? context_.https_base() : context_.http_base();
}

std::string DevOpsService::OrgUrl(const HttpRequest& request) const {
  return BaseUrl(request) + "/" + context_.config().organization;
}

std::string DevOpsService::AuthorizationUrl(const std::string& base) const {
  return base + "/" + context_.config().organization + "/_apis/oauth2/token";
}

bool DevOpsService::IsKnownIdentity(const std::string& oid) const {
  for (const SimIdentity& identity : context_.identities()) {
    if (EqualsIgnoreCase(identity.object_id, oid)) return true;
  }
  return false;
}

bool DevOpsService::IsPoolAdmin(const Principal& principal, int64_t pool_id) const {
  if (principal.is_agent) return false;
  return org_->IsPoolAdmin(pool_id, principal.id, IsKnownIdentity(principal.id));
}

std::optional<Principal> DevOpsService::IdentityFromToken(std::string_view token) const {
  std::optional<nlohmann::json> claims = context_.VerifyAccessToken(token, kDevOpsResource);
  if (!claims) return std::nullopt;
  Principal principal;
  principal.id = ToLower(ClaimString(*claims, "oid"));
  if (principal.id.empty()) return std::nullopt;
  principal.display_name = ClaimString(*claims, "appid");
  return principal;
}

Admission DevOpsService::Admit(const HttpRequest& request, bool allow_agents) const {
  const std::string& tenant = context_.config().tenant_id;
  Credential credential = ParseAuthorization(request.Header("Authorization"));
  std::optional<Principal> principal;
  switch (credential.kind) {
    case Credential::Kind::kNone:
      return tl::unexpected(AuthenticationRequired(request, tenant, kAnonymousMessage));
    case Credential::Kind::kMalformed:
      return tl::unexpected(AuthenticationRequired(request, tenant, kRefusedMessage));
    case Credential::Kind::kBearer:
      principal = IdentityFromToken(credential.secret.Reveal());
      if (!principal && allow_agents) {
        if (std::optional<AgentRecord> agent = VerifyAgentBearer(credential.secret.Reveal())) {
          principal = Principal{agent->client_id, "Agent " + agent->name, true, {}};
        }
      }
      break;
    case Credential::Kind::kBasic:
      // config.sh's PAT provider puts whatever --token holds in the password slot; an Entra
      // access token works there exactly like a bearer token (agent-contract §11.5).
      if (LooksLikeJwt(credential.secret.Reveal())) {
        principal = IdentityFromToken(credential.secret.Reveal());
      } else if (std::optional<std::string> oid = org_->PatIdentity(credential.secret.Reveal())) {
        principal = Principal{*oid, "PAT user", false, {}};
      }
      break;
  }
  if (!principal) return tl::unexpected(AuthenticationRequired(request, tenant, kRefusedMessage));
  if (!principal->is_agent && !org_->IsMember(principal->id, IsKnownIdentity(principal->id))) {
    // A valid Entra token of an identity that was never added to the organization
    // (identity-contract §6.2). A 401 whatever the redirect header says.
    HttpRequest suppressed = request;
    suppressed.headers.emplace_back("X-TFS-FedAuthRedirect", "Suppress");
    return tl::unexpected(AuthenticationRequired(
        suppressed, tenant,
        "TF401444: Sign-in at least once as " + tenant + "\\" + tenant + "\\" + principal->id +
            " in a web browser to enable access to the service."));
  }
  principal->rate =
      throttle_->Take(principal->id, context_.Now(), request.Header("X-TFS-Session").value_or(""));
  if (!principal->rate.allowed) return tl::unexpected(Throttled(principal->rate));
  return *principal;
}

std::optional<AgentRecord> DevOpsService::VerifyAgentBearer(std::string_view token) const {
  Result<jose::Jwt> decoded = jose::DecodeJwt(token);
  if (!decoded) return std::nullopt;
  std::string client_id = ClaimString(decoded->claims, "appid");
  if (client_id.empty()) return std::nullopt;
  if (!context_.VerifyAccessToken(token, "agent:" + client_id)) return std::nullopt;
  std::optional<AgentRecord> agent = org_->FindAgentByClientId(client_id);
  if (!agent) agent = runtime_->FindDeleted(client_id);
  return agent;
}

std::string DevOpsService::IssueAgentToken(const AgentRecord& agent,
                                           std::chrono::seconds lifetime) const {
  SimIdentity identity{"agent", agent.client_id, agent.client_id, ""};
  return context_.IssueAccessToken(identity, "agent:" + agent.client_id, lifetime);
}

void DevOpsService::ExpireIdleSessions() const {
  const TimePoint now = context_.Now();
  for (const SessionRecord& session :
       runtime_->sessions().ExpireIdle(now, runtime_->session_idle())) {
    (void)org_->UpdateAgent(session.pool_id, session.agent_id, [&](AgentRecord& agent) {
      agent.status = "offline";
      agent.status_changed_on = now;
    });
  }
}

Handler Guarded(const ServicePtr& service, bool allow_agents, GuardedHandler handler) {
  return Unguarded([service, allow_agents, handler = std::move(handler)](const HttpRequest& r) {
    Admission admission = service->Admit(r, allow_agents);
    if (!admission) return admission.error();
    if (std::optional<HttpResponse> refused = CheckApiVersion(r)) return *refused;
    HttpResponse response = handler(r, *admission);
    AddRateLimitHeaders(response, admission->rate);
    response.With(std::string(kIdentityLogHeader), admission->id);
    return response;
  });
}

Handler Unguarded(Handler handler) {
  return [handler = std::move(handler)](const HttpRequest& request) {
    try {
      return handler(request);
    } catch (const nlohmann::json::exception& e) {
      return WrappedException(400, "InvalidTaskAgentOperationException",
                              std::string("The request body is not valid: ") + e.what());
    }
  };
}

std::optional<nlohmann::json> JsonBody(const HttpRequest& request) {
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return std::nullopt;
  return body;
}

std::string OrgPathPrefix(const SimContext& context) {
  std::string escaped = "/";
  for (char c : context.config().organization) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) escaped += '\\';
    escaped += c;
  }
  return escaped;
}

}  // namespace agentboot::sim::detail
