#include <gtest/gtest.h>

#include "sim_test_support.h"

namespace agentboot::sim::detail {
namespace {

using testing::Get;

HttpResponse Echo(const HttpRequest& request) {
  nlohmann::json params = request.params;
  return HttpResponse::Json(200, {{"params", params}});
}

TEST(Router, PassesRegexCapturesToTheHandler) {
  Router router;
  router.Add("GET", "/([^/]+)/_apis/distributedtask/pools/([0-9]+)", Echo);
  const HttpResponse response = router.Dispatch(Get("/sim/_apis/distributedtask/pools/7"));
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(nlohmann::json::parse(response.body)["params"], nlohmann::json::array({"sim", "7"}));
}

TEST(Router, FirstMatchingRouteWins) {
  Router router;
  router.Add("GET", "/a/.*", [](const HttpRequest&) { return HttpResponse::Empty(201); });
  router.Add("GET", "/a/b", [](const HttpRequest&) { return HttpResponse::Empty(202); });
  EXPECT_EQ(router.Dispatch(Get("/a/b")).status, 201);
}

TEST(Router, MatchesTheWholePathOnly) {
  Router router;
  router.Add("GET", "/msi/token/?", [](const HttpRequest&) { return HttpResponse::Empty(200); });
  EXPECT_EQ(router.Dispatch(Get("/msi/token")).status, 200);
  EXPECT_EQ(router.Dispatch(Get("/msi/token/")).status, 200);
  EXPECT_EQ(router.Dispatch(Get("/msi/token/extra")).status, 404);
}

TEST(Router, UnknownPathGetsWrappedException404) {
  Router router;
  const HttpResponse response = router.Dispatch(Get("/nowhere"));
  EXPECT_EQ(response.status, 404);
  const auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["typeKey"], "ResourceNotFoundException");
  EXPECT_TRUE(body.contains("message"));
  EXPECT_TRUE(body.contains("innerException"));
}

TEST(Router, KnownPathWithOtherMethodGets405) {
  Router router;
  router.Add("POST", "/x", [](const HttpRequest&) { return HttpResponse::Empty(200); });
  EXPECT_EQ(router.Dispatch(Get("/x")).status, 405);
}

TEST(Router, AnyMethodRouteMatchesEveryMethod) {
  Router router;
  router.Add("*", "/x", [](const HttpRequest&) { return HttpResponse::Empty(200); });
  HttpRequest request = Get("/x");
  request.method = "DELETE";
  EXPECT_EQ(router.Dispatch(request).status, 200);
}

TEST(Router, LogsRequestsWithTheIdentityHeaderStripped) {
  auto context = testing::MakeContext();
  Router router(context.get());
  router.Add("GET", "/t", [](const HttpRequest&) {
    return HttpResponse::Empty(200).With(std::string(kIdentityLogHeader), "oid-1");
  });
  const HttpResponse response = router.Dispatch(Get("/t"));
  for (const auto& [name, value] : response.headers) EXPECT_NE(name, kIdentityLogHeader);
  const auto log = context->RequestLog();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].path, "/t");
  EXPECT_EQ(log[0].identity, "oid-1");
  EXPECT_EQ(log[0].status, 200);
}

TEST(Router, ControlPathsAreNeitherFaultedNorLogged) {
  auto context = testing::MakeContext();
  Router router(context.get());
  router.Add("GET", "/_control/health",
             [](const HttpRequest&) { return HttpResponse::Empty(200); });
  Fault fault;
  fault.path_prefix = "/";
  fault.statuses = {500};
  context->AddFault(fault);
  EXPECT_EQ(router.Dispatch(Get("/_control/health")).status, 200);
  EXPECT_TRUE(context->RequestLog().empty());
}

TEST(HttpRequest, HeaderLookupIgnoresCase) {
  HttpRequest request;
  request.headers = {{"x-identity-header", "s3"}};
  EXPECT_EQ(request.Header("X-IDENTITY-HEADER"), "s3");
  EXPECT_FALSE(request.Header("Metadata"));
}

TEST(HttpRequest, FormDecodesUrlEncodedBody) {
  HttpRequest request;
  request.body =
      "scope=499b84ac-1321-427f-aa17-267ca6975798%2F.default&grant_type=client_credentials";
  const auto form = request.Form();
  EXPECT_EQ(form.at("scope"), "499b84ac-1321-427f-aa17-267ca6975798/.default");
  EXPECT_EQ(form.at("grant_type"), "client_credentials");
}

}  // namespace
}  // namespace agentboot::sim::detail
