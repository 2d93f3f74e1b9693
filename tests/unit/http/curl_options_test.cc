#include <gtest/gtest.h>

#include "agentboot/base_testing.h"
#include "agentboot/http.h"

namespace agentboot::http {
namespace {

TEST(CurlOptionsFromEnvironment, ReadsProxiesAndCaFile) {
  testing::FakeEnvironment vars{{"HTTPS_PROXY", "http://proxy:3128"},
                                {"http_proxy", "http://plain:80"},
                                {"NO_PROXY", "localhost,.internal"},
                                {"SSL_CERT_FILE", "/etc/corp-ca.pem"}};
  const CurlOptions options = CurlOptionsFromEnvironment(vars);
  EXPECT_EQ(options.https_proxy, "http://proxy:3128");
  EXPECT_EQ(options.http_proxy, "http://plain:80");
  EXPECT_EQ(options.no_proxy, "localhost,.internal");
  EXPECT_EQ(options.ca_file, "/etc/corp-ca.pem");
}

TEST(CurlOptionsFromEnvironment, FlagWinsOverSslCertFileAndLowerCaseWins) {
  testing::FakeEnvironment vars{{"SSL_CERT_FILE", "/env.pem"},
                                {"https_proxy", "http://lower:1"},
                                {"HTTPS_PROXY", "http://upper:2"}};
  const CurlOptions options = CurlOptionsFromEnvironment(vars, "/flag.pem");
  EXPECT_EQ(options.ca_file, "/flag.pem");
  EXPECT_EQ(options.https_proxy, "http://lower:1");
}

TEST(CurlOptionsFromEnvironment, EmptyEnvironmentMeansNoProxy) {
  testing::FakeEnvironment vars;
  const CurlOptions options = CurlOptionsFromEnvironment(vars);
  EXPECT_TRUE(options.https_proxy.empty());
  EXPECT_TRUE(options.ca_file.empty());
}

}  // namespace
}  // namespace agentboot::http
