#include "devops_credentials.h"

#include <gtest/gtest.h>

#include "agentboot/jose.h"

namespace agentboot::sim::detail {
namespace {

TEST(ParseAuthorization, NoHeaderIsNone) {
  EXPECT_EQ(ParseAuthorization(std::nullopt).kind, Credential::Kind::kNone);
  EXPECT_EQ(ParseAuthorization("  ").kind, Credential::Kind::kNone);
}

TEST(ParseAuthorization, BearerTokenIsTaken) {
  Credential c = ParseAuthorization("bearer abc.def.ghi");
  EXPECT_EQ(c.kind, Credential::Kind::kBearer);
  EXPECT_EQ(c.secret.Reveal(), "abc.def.ghi");
}

TEST(ParseAuthorization, BasicWithAnyUserPutsThePasswordInSecret) {
  Credential c = ParseAuthorization("Basic " + jose::Base64Encode("VstsAgent:pat:with:colons"));
  EXPECT_EQ(c.kind, Credential::Kind::kBasic);
  EXPECT_EQ(c.user, "VstsAgent");
  EXPECT_EQ(c.secret.Reveal(), "pat:with:colons");
  EXPECT_EQ(ParseAuthorization("Basic " + jose::Base64Encode(":p")).secret.Reveal(), "p");
}

TEST(ParseAuthorization, GarbageIsMalformed) {
  EXPECT_EQ(ParseAuthorization("Bearer").kind, Credential::Kind::kMalformed);
  EXPECT_EQ(ParseAuthorization("Basic !!!").kind, Credential::Kind::kMalformed);
  EXPECT_EQ(ParseAuthorization("Basic " + jose::Base64Encode("nocolon")).kind,
            Credential::Kind::kMalformed);
  EXPECT_EQ(ParseAuthorization("Negotiate xyz").kind, Credential::Kind::kMalformed);
}

TEST(LooksLikeJwt, DistinguishesJwtsFromPats) {
  EXPECT_TRUE(LooksLikeJwt("eyJhbGciOi.eyJzdWIiOiIx.c2lnbmF0dXJl"));
  EXPECT_FALSE(LooksLikeJwt("52charpatwithoutanydotsatallxxxxxxxxxxxxxxxxxxxxxxxx"));
}

}  // namespace
}  // namespace agentboot::sim::detail
