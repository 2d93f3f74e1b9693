#include <gtest/gtest.h>

#include "agentboot/base_testing.h"
#include "agentboot/http_testing.h"
#include "agentboot/oidc.h"

#include "fixed_key.h"

namespace agentboot::oidc {
namespace {

constexpr int64_t kNow = 1'800'000'000;
constexpr std::string_view kIssuer = "https://issuer.example/cluster/";
constexpr std::string_view kSubject = "system:serviceaccount:agents:agentboot";

FederatedCredential Good() {
  return {std::string(kIssuer), std::string(kSubject), {std::string(kRecommendedAudience)}};
}

bool HasError(const std::vector<Finding>& findings, std::string_view field, std::string_view text) {
  for (const Finding& f : findings) {
    if (f.severity == Severity::kError && f.field == field &&
        f.message.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

int Errors(const std::vector<Finding>& findings) {
  int n = 0;
  for (const Finding& f : findings) n += f.severity == Severity::kError ? 1 : 0;
  return n;
}

std::string Mint(ServiceAccountTokenSpec spec = {}) {
  if (spec.issuer.empty()) spec.issuer = std::string(kIssuer);
  if (spec.subject.empty()) spec.subject = std::string(kSubject);
  agentboot::testing::SeededRandom random;
  auto keys = ParseKeys(testing::kPkcs8Private, "fixed");
  auto token = MintServiceAccountToken(keys->front(), spec, kNow, random);
  EXPECT_TRUE(token);
  return *token;
}

TEST(CheckDefinition, AGoodDefinitionHasNoErrors) { EXPECT_EQ(Errors(CheckDefinition(Good())), 0); }

TEST(CheckDefinition, NamesWhitespaceInTheSubject) {
  auto credential = Good();
  credential.subject += " ";
  EXPECT_TRUE(HasError(CheckDefinition(credential), "subject", "contains whitespace"));
}

TEST(CheckDefinition, NamesWhitespaceAndSchemeInTheIssuer) {
  auto credential = Good();
  credential.issuer = " " + credential.issuer;
  EXPECT_TRUE(HasError(CheckDefinition(credential), "issuer", "whitespace"));
  credential.issuer = "http://issuer.example/";
  EXPECT_TRUE(HasError(CheckDefinition(credential), "issuer", "not an https URL"));
}

TEST(CheckDefinition, UpperCaseKubernetesNamesCanNeverMatch) {
  auto credential = Good();
  credential.subject = "system:serviceaccount:Agents:agentboot";
  EXPECT_TRUE(HasError(CheckDefinition(credential), "subject", "case-sensitive"));
}

TEST(CheckDefinition, WildcardsAndAudienceCount) {
  auto credential = Good();
  credential.subject = "system:serviceaccount:agents:*";
  EXPECT_TRUE(HasError(CheckDefinition(credential), "subject", "wildcards"));
  credential = Good();
  credential.audiences.push_back("other");
  EXPECT_TRUE(HasError(CheckDefinition(credential), "audience", "exactly one"));
}

TEST(CheckDefinition, TheRecommendedAudienceInAnotherCaseIsAnError) {
  auto credential = Good();
  credential.audiences = {"api://azureadtokenexchange"};
  EXPECT_TRUE(HasError(CheckDefinition(credential), "audience", "only in whitespace or case"));
  credential.audiences = {"my-audience"};
  const auto findings = CheckDefinition(credential);
  EXPECT_EQ(Errors(findings), 0);
  bool warned = false;
  for (const auto& f : findings)
    warned |= f.field == "audience" && f.severity == Severity::kWarning;
  EXPECT_TRUE(warned);
}

TEST(CompareClaims, AMatchingTokenHasNoErrors) {
  auto jwt = jose::DecodeJwt(Mint());
  ASSERT_TRUE(jwt);
  EXPECT_EQ(Errors(CompareClaims(Good(), *jwt, kNow)), 0);
}

TEST(CompareClaims, NamesTheTrailingSlash) {
  auto jwt = jose::DecodeJwt(Mint());
  auto credential = Good();
  credential.issuer = "https://issuer.example/cluster";
  EXPECT_TRUE(HasError(CompareClaims(credential, *jwt, kNow), "issuer",
                       "only in the trailing '/' (Entra: AADSTS700211)"));
}

TEST(CompareClaims, NamesWhitespaceAndCaseInTheSubject) {
  auto jwt = jose::DecodeJwt(Mint());
  auto credential = Good();
  credential.subject = std::string(kSubject) + " ";
  EXPECT_TRUE(HasError(CompareClaims(credential, *jwt, kNow), "subject",
                       "only in whitespace (Entra: AADSTS700213)"));
  credential.subject = "system:serviceaccount:agents:AgentBoot";
  EXPECT_TRUE(HasError(CompareClaims(credential, *jwt, kNow), "subject", "upper/lower case"));
}

TEST(CompareClaims, NamesTheAudienceAndExpiry) {
  ServiceAccountTokenSpec spec;
  spec.audience = "https://kubernetes.default.svc";
  auto jwt = jose::DecodeJwt(Mint(spec));
  EXPECT_TRUE(HasError(CompareClaims(Good(), *jwt, kNow), "audience", "AADSTS700212"));
  auto fresh = jose::DecodeJwt(Mint());
  EXPECT_TRUE(HasError(CompareClaims(Good(), *fresh, kNow + 3600), "token", "AADSTS700024"));
}

class VerifyWithIssuerTest : public ::testing::Test {
 protected:
  void ServeDocuments(std::string discovery_issuer = std::string(kIssuer)) {
    transport_.Json(
        200, nlohmann::json{{"issuer", discovery_issuer}, {"jwks_uri", JwksUri(kIssuer)}}.dump());
    auto keys = ParseKeys(testing::kPublic, "pub");
    transport_.Json(200, Jwks(*keys));
  }
  http::testing::ScriptedTransport transport_;
};

TEST_F(VerifyWithIssuerTest, FetchesDiscoveryThenJwksAndVerifies) {
  ServeDocuments();
  const std::string token = Mint();
  auto jwt = jose::DecodeJwt(token);
  EXPECT_TRUE(VerifyWithIssuer(transport_, token, *jwt, kNow).empty());
  const auto requests = transport_.requests();
  ASSERT_EQ(requests.size(), 2U);
  EXPECT_EQ(requests[0].url, "https://issuer.example/cluster/.well-known/openid-configuration");
  EXPECT_EQ(requests[1].url, "https://issuer.example/cluster/openid/v1/jwks");
}

TEST_F(VerifyWithIssuerTest, AKeyThatIsNotPublishedIsNamed) {
  ServeDocuments();
  auto other = jose::RsaKey::Generate();
  agentboot::testing::SeededRandom random;
  ServiceAccountTokenSpec spec;
  spec.issuer = std::string(kIssuer);
  spec.subject = std::string(kSubject);
  auto token = MintServiceAccountToken(*other, spec, kNow, random);
  auto jwt = jose::DecodeJwt(*token);
  EXPECT_TRUE(HasError(VerifyWithIssuer(transport_, *token, *jwt, kNow), "issuer documents",
                       "no key with the token's kid"));
}

TEST_F(VerifyWithIssuerTest, ATamperedSignatureIsNamed) {
  ServeDocuments();
  std::string token = Mint();
  const size_t middle = token.rfind('.') + 20;  // inside the signature, not its padding bits
  token[middle] = token[middle] == 'A' ? 'B' : 'A';
  auto jwt = jose::DecodeJwt(token);
  ASSERT_TRUE(jwt);
  EXPECT_TRUE(HasError(VerifyWithIssuer(transport_, token, *jwt, kNow), "issuer documents",
                       "AADSTS700027"));
}

TEST_F(VerifyWithIssuerTest, ADiscoveryDocumentForAnotherIssuerIsNamed) {
  ServeDocuments("https://issuer.example/cluster");
  const std::string token = Mint();
  auto jwt = jose::DecodeJwt(token);
  EXPECT_TRUE(HasError(VerifyWithIssuer(transport_, token, *jwt, kNow), "issuer documents",
                       "is not the token's iss"));
}

TEST_F(VerifyWithIssuerTest, UnreachableDocumentsAreAadsts90061) {
  transport_.Json(404, "{}");
  const std::string token = Mint();
  auto jwt = jose::DecodeJwt(token);
  EXPECT_TRUE(
      HasError(VerifyWithIssuer(transport_, token, *jwt, kNow), "issuer documents", "AADSTS90061"));
}

TEST(CheckFederatedCredential, PutsItAllTogether) {
  auto credential = Good();
  credential.subject += " ";
  const auto report = CheckFederatedCredential(credential, Mint() + "\n", nullptr, kNow);
  EXPECT_FALSE(report.ok());
  ASSERT_TRUE(report.claims);
  EXPECT_EQ((*report.claims)["sub"], kSubject);
  EXPECT_TRUE(HasError(report.findings, "subject", "contains whitespace"));
  EXPECT_TRUE(HasError(report.findings, "subject", "AADSTS700213"));
  bool newline_warned = false;
  for (const auto& f : report.findings) newline_warned |= f.field == "token";
  EXPECT_TRUE(newline_warned);
  EXPECT_TRUE(CheckFederatedCredential(Good(), Mint(), nullptr, kNow).ok());
  EXPECT_FALSE(CheckFederatedCredential(Good(), std::string("garbage"), nullptr, kNow).ok());
}

TEST(Snippets, UseTheTokensValuesAndQuoteForTheShell) {
  auto credential = Good();
  credential.subject += " ";
  const auto suggested =
      SuggestedCredential(credential, nlohmann::json{{"iss", "https://i.example/o'k/"},
                                                     {"sub", std::string(kSubject)},
                                                     {"aud", {"api://AzureADTokenExchange"}}});
  EXPECT_EQ(suggested.subject, kSubject);
  const std::string az = AzCliSnippet(suggested);
  EXPECT_NE(az.find("--issuer 'https://i.example/o'\\''k/'"), std::string::npos) << az;
  EXPECT_NE(az.find("--subject 'system:serviceaccount:agents:agentboot' "), std::string::npos);
  EXPECT_NE(az.find("--name 'agents-agentboot'"), std::string::npos);
  const std::string bicep = BicepSnippet(suggested);
  EXPECT_NE(bicep.find("issuer: 'https://i.example/o\\'k/'"), std::string::npos) << bicep;
  EXPECT_NE(bicep.find("audiences: [ 'api://AzureADTokenExchange' ]"), std::string::npos);
  EXPECT_NE(bicep.find("federatedIdentityCredentials@2023-01-31"), std::string::npos);
}

TEST(KubernetesServiceAccount, SplitsNamespaceAndName) {
  EXPECT_EQ(KubernetesServiceAccount(kSubject),
            (std::make_pair(std::string("agents"), std::string("agentboot"))));
  EXPECT_FALSE(KubernetesServiceAccount("system:serviceaccount:agents"));
  EXPECT_FALSE(KubernetesServiceAccount("repo:org/x:ref:refs/heads/main"));
}

}  // namespace
}  // namespace agentboot::oidc
