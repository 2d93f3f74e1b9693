// Location service of the simulated organization: connectionData (agent-contract §1.3, §9.1),
// OPTIONS resource-location listings (§0.2) and the Location area that azure-devops-node-api
// walks first (identity-contract §12). serviceOwner is the empty GUID, so .NET clients treat the
// server as on-premises and never traverse to other services.
#include <array>

#include "devops_admin.h"
#include "devops_service.h"
#include "devops_wire.h"

namespace agentboot::sim::detail {
namespace {

using nlohmann::json;

constexpr const char* kInstanceId = "5f3b1c2d-7a8e-4c10-9d21-000000000001";
constexpr const char* kDeploymentId = "5f3b1c2d-7a8e-4c10-9d21-000000000002";
constexpr const char* kMinVersion = "1.0";
constexpr const char* kMaxVersion = "7.2";
constexpr const char* kReleasedVersion = "7.1";

struct Location {
  const char* id;
  const char* area;
  const char* resource;
  const char* route;
  int resource_version;
};

constexpr std::array<Location, 8> kLocations{{
    {"a8c47e17-4d56-4a56-92bb-de7ea7dc65be", "distributedtask", "pools",
     "_apis/{area}/{resource}/{poolId}", 1},
    {"e298ef32-5878-4cab-993c-043836571f42", "distributedtask", "agents",
     "_apis/{area}/pools/{poolId}/{resource}/{agentId}", 2},
    {"134e239e-2df3-4794-a6f6-24f1f19ec8dc", "distributedtask", "sessions",
     "_apis/{area}/pools/{poolId}/{resource}/{sessionId}", 1},
    {"c3a054f6-7a8a-49c0-944e-3a8e5d7adfd7", "distributedtask", "messages",
     "_apis/{area}/pools/{poolId}/{resource}/{messageId}", 1},
    {"fc825784-c92a-4299-9221-998a02d1b54f", "distributedtask", "jobrequests",
     "_apis/{area}/pools/{poolId}/{resource}/{requestId}", 1},
    {"8cc1b02b-ae49-4516-b5ad-4f9b29967c30", "distributedtask", "updates",
     "_apis/{area}/pools/{poolId}/agents/{agentId}/{resource}", 1},
    {"8ffcd551-079c-493a-9c02-54346299d144", "distributedtask", "packages",
     "_apis/{area}/{resource}/{packageType}/{platform}/{version}", 2},
    {"e81700f7-3be2-46de-8624-2eb35882fcaa", "Location", "ResourceAreas",
     "_apis/{resource}/{areaId}", 1},
}};

json ResourceLocations(std::string_view area) {
  json value = json::array();
  for (const Location& l : kLocations) {
    if (!area.empty() && !EqualsIgnoreCase(area, l.area)) continue;
    value.push_back({{"id", l.id},
                     {"area", l.area},
                     {"resourceName", l.resource},
                     {"routeTemplate", l.route},
                     {"resourceVersion", l.resource_version},
                     {"minVersion", kMinVersion},
                     {"maxVersion", kMaxVersion},
                     {"releasedVersion", kReleasedVersion}});
  }
  return Collection(value);
}

json ServiceDefinitions(const std::string& org_url) {
  json definitions = json::array();
  definitions.push_back(
      {{"serviceType", "LocationService2"},
       {"identifier", kInstanceId},
       {"displayName", "Location Service"},
       {"relativeToSetting", "fullyQualified"},
       {"relativePath", ""},
       {"description", ""},
       {"serviceOwner", kEmptyGuid},
       {"locationMappings",
        json::array({{{"accessMappingMoniker", "PublicAccessMapping"}, {"location", org_url}}})},
       {"toolId", "Framework"},
       {"status", "active"},
       {"properties", json::object()},
       {"resourceVersion", 0},
       {"minVersion", "0.0"},
       {"maxVersion", "0.0"},
       {"releasedVersion", "0.0"},
       {"inheritLevel", "none"}});
  for (const Location& l : kLocations) {
    definitions.push_back({{"serviceType", l.area},
                           {"identifier", l.id},
                           {"displayName", l.resource},
                           {"relativeToSetting", "context"},
                           {"relativePath", l.route},
                           {"description", ""},
                           {"serviceOwner", kEmptyGuid},
                           {"locationMappings", json::array()},
                           {"toolId", ""},
                           {"status", "active"},
                           {"properties", json::object()},
                           {"resourceVersion", l.resource_version},
                           {"minVersion", kMinVersion},
                           {"maxVersion", kMaxVersion},
                           {"releasedVersion", kReleasedVersion},
                           {"inheritLevel", "none"}});
  }
  return definitions;
}

json IdentityJson(const Principal& principal, const std::string& tenant) {
  const std::string qualified = tenant + "\\" + principal.id;
  const std::string type = principal.is_agent
                               ? "Microsoft.TeamFoundation.ServiceIdentity"
                               : "Microsoft.VisualStudio.Services.Claims.AadServicePrincipal";
  return {{"id", principal.id},
          {"descriptor", type + ";" + qualified},
          {"subjectDescriptor",
           std::string(principal.is_agent ? "svc." : "aadsp.") + jose::Base64UrlEncode(qualified)},
          {"providerDisplayName", principal.display_name},
          {"isActive", true},
          {"properties", json::object()},
          {"resourceVersion", 2},
          {"metaTypeId", principal.is_agent ? 1 : 0}};
}

HttpResponse ConnectionData(const DevOpsService& service, const HttpRequest& request,
                            const Principal& principal) {
  if (auto anonymous = AnonymousConnectionData(service, principal)) return *anonymous;
  const std::string org_url = service.OrgUrl(request);
  const std::string& organization = service.context().config().organization;
  json identity = IdentityJson(principal, service.context().config().tenant_id);
  json body = {{"authenticatedUser", identity},
               {"authorizedUser", identity},
               {"instanceId", kInstanceId},
               {"deploymentId", kDeploymentId},
               {"deploymentType", "hosted"},
               {"webApplicationRelativeDirectory", "/" + organization + "/"},
               {"locationServiceData",
                {{"serviceOwner", kEmptyGuid},
                 {"accessMappings", json::array({{{"displayName", "Public Access Mapping"},
                                                  {"moniker", "PublicAccessMapping"},
                                                  {"accessPoint", org_url},
                                                  {"serviceOwner", kEmptyGuid},
                                                  {"virtualDirectory", ""}}})},
                 {"defaultAccessMappingMoniker", "PublicAccessMapping"},
                 {"lastChangeId", 1},
                 {"lastChangeId64", 1},
                 {"serviceDefinitions", ServiceDefinitions(org_url)}}}};
  return HttpResponse::Json(200, body);
}

}  // namespace

void RegisterDevOpsLocationRoutes(Router& router, const ServicePtr& service) {
  const std::string org = OrgPathPrefix(service->context());
  router.Add("GET", org + "/_apis/[cC]onnection[dD]ata/?",
             Guarded(service, true, [service](const HttpRequest& r, const Principal& p) {
               return ConnectionData(*service, r, p);
             }));
  // HEAD is how the agent discovers the tenant from the Bearer challenge (identity-contract
  // §6.3); answered like GET.
  router.Add("HEAD", org + "/_apis/[cC]onnection[dD]ata/?",
             Guarded(service, true, [service](const HttpRequest& r, const Principal& p) {
               return ConnectionData(*service, r, p);
             }));
  // Resource-location discovery is anonymous on the real service.
  router.Add("OPTIONS", org + "/_apis/?", Unguarded([](const HttpRequest&) {
               return HttpResponse::Json(200, ResourceLocations(""));
             }));
  router.Add("OPTIONS", org + "/_apis/([A-Za-z]+)/?", Unguarded([](const HttpRequest& r) {
               return HttpResponse::Json(200, ResourceLocations(r.params.at(0)));
             }));
  // An on-premises-style answer: clients then use the organization URL for every area.
  router.Add("GET", org + "/_apis/[Rr]esource[Aa]reas(/[^/]*)?", Unguarded([](const HttpRequest&) {
               return HttpResponse::Json(200, {{"count", 0}, {"value", nullptr}});
             }));
}

}  // namespace agentboot::sim::detail
