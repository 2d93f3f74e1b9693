// The api-version rule of Azure DevOps Services: a resource with no released version answers
// 400 VssInvalidPreviewVersionException to a request without "-preview" in its api-version.
// Pools and agents are released at 7.1 (REST reference "Agents - Get", "Pools - Get");
// job requests, packages, sessions and messages appear in no public reference, and Microsoft's
// own generated clients request them as previews (agent-audit D6: `7.2-preview.1` in the Azure
// DevOps Server 2022 client, `6.0-preview.2` in the agent's). A request with no api-version at
// all is served (Microsoft's Docker start.sh asks for packages that way).
#include "devops_service.h"
#include "devops_wire.h"

namespace agentboot::sim::detail {
namespace {

constexpr std::string_view kParam = "api-version=";

// The api-version of the query string, else of the Accept header's parameters.
std::optional<std::string> RequestedVersion(const HttpRequest& request) {
  if (std::optional<std::string> query = request.Query("api-version")) return Trim(*query);
  const std::string accept = request.Header("Accept").value_or("");
  const size_t at = accept.find(kParam);
  if (at == std::string::npos) return std::nullopt;
  const size_t start = at + kParam.size();
  const size_t end = accept.find_first_of(";,", start);
  return Trim(accept.substr(start, end == std::string::npos ? std::string::npos : end - start));
}

bool IsPreviewOnly(const std::string& path) {
  for (const char* resource : {"/jobrequests", "/packages", "/sessions", "/messages"}) {
    if (path.find(resource) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

std::optional<HttpResponse> CheckApiVersion(const HttpRequest& request) {
  if (!IsPreviewOnly(request.path)) return std::nullopt;
  const std::optional<std::string> version = RequestedVersion(request);
  if (!version || version->empty() || version->find("-preview") != std::string::npos) {
    return std::nullopt;
  }
  return WrappedException(400, "VssInvalidPreviewVersionException",
                          "The requested version \"" + *version +
                              "\" of the resource is under preview. The -preview flag must be "
                              "supplied in the api-version for such requests. For example: \"" +
                              *version + "-preview\"");
}

}  // namespace agentboot::sim::detail
