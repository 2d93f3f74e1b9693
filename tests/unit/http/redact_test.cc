#include "redact.h"

#include <gtest/gtest.h>

namespace agentboot::http::detail {
namespace {

TEST(RedactUrl, KeepsAllowListedQueryValuesOnly) {
  EXPECT_EQ(RedactUrl("http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01"
                      "&resource=499b&client_id=abc&object_id=secret-ish"),
            "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01"
            "&resource=499b&client_id=abc&object_id=***");
}

TEST(RedactUrl, RedactsEveryOtherValueAndBareTokens) {
  EXPECT_EQ(RedactUrl("https://x/y?sig=abc&code=123&sv"), "https://x/y?sig=***&code=***&***");
}

TEST(RedactUrl, RedactsUserInfoAndDropsFragment) {
  EXPECT_EQ(RedactUrl("https://user:pass@host:8443/p?a=1#frag"), "https://***@host:8443/p?a=***");
}

TEST(RedactUrl, LeavesPlainUrlsAlone) {
  EXPECT_EQ(RedactUrl("https://dev.azure.com/org/_apis/connectionData"),
            "https://dev.azure.com/org/_apis/connectionData");
}

}  // namespace
}  // namespace agentboot::http::detail
