// Azure Arc's challenge flow: a 401 naming a fresh key file, then Basic auth with its contents.
#include <filesystem>

#include "sim_internal.h"

namespace agentboot::sim::detail {

namespace {

constexpr auto kLifetime = std::chrono::seconds(86399);

HttpResponse ArcError(int status, std::string error, std::string description) {
  return HttpResponse::Json(
      status, {{"error", std::move(error)}, {"error_description", std::move(description)}});
}

// True when `presented` equals the contents of some key file the sim handed out.
bool KnownKey(const std::string& directory, const std::string& presented) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(directory, ec)) {
    if (entry.path().extension() != ".key") continue;
    auto content = PosixFileSystem().ReadFile(entry.path().string());
    if (content && !content->empty() && *content == presented) return true;
  }
  return false;
}

HttpResponse Token(const SimContext& context, const HttpRequest& request) {
  if (request.Header("Metadata") != std::optional<std::string>("true")) {
    return ArcError(400, "invalid_request", "Required metadata header not specified");
  }
  if (!request.Query("api-version")) {
    return ArcError(400, "invalid_request", "api-version is required");
  }
  const std::string resource = request.Query("resource").value_or("");
  if (resource.empty()) return ArcError(400, "invalid_request", "resource is required");

  const std::string directory = context.arc_key_dir();
  const auto authorization = request.Header("Authorization");
  if (!authorization) {
    const std::string path = directory + "/" + RandomGuid() + ".key";
    const Status written = PosixFileSystem().WriteFileAtomic(path, RandomHex(32), 0600);
    if (!written) return ArcError(500, "internal_error", "could not write the key file");
    return HttpResponse::Json(401, {{"error", "unauthorized"},
                                    {"error_description", "Use the key in the realm file"}})
        .With("WWW-Authenticate", "Basic realm=" + path);
  }
  if (!StartsWith(*authorization, "Basic ") || !KnownKey(directory, authorization->substr(6))) {
    return ArcError(401, "unauthorized", "The key presented is not valid");
  }
  const auto identity = context.FindManagedIdentity("", "", "");
  if (!identity) return ArcError(400, "invalid_request", "Identity not found");
  const TimePoint now = context.Now();
  const nlohmann::json body = {
      {"access_token", context.IssueAccessToken(*identity, resource, kLifetime)},
      {"refresh_token", ""},
      {"expires_in", std::to_string(kLifetime.count())},
      {"expires_on", UnixString(now + kLifetime)},
      {"not_before", UnixString(now)},
      {"resource", resource},
      {"token_type", "Bearer"},
  };
  return HttpResponse::Json(200, body).With(std::string(kIdentityLogHeader), identity->object_id);
}

}  // namespace

void RegisterArcRoutes(Router& router, SimContext& context) {
  const SimContext* ctx = &context;
  router.Add("GET", "/arc/metadata/identity/oauth2/token/?",
             [ctx](const HttpRequest& r) { return Token(*ctx, r); });
}

}  // namespace agentboot::sim::detail
