// Shared set-up for the devops client tests: a client over ScriptedTransport, FakeEnv and
// FakeTokenSource, pointed at https://dev.azure.com/org.
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "agentboot/base_testing.h"
#include "agentboot/devops.h"
#include "agentboot/http_testing.h"

#include "fake_token_source.h"

namespace agentboot::devops::testing {

inline constexpr char kOrg[] = "https://dev.azure.com/org";

class ClientTest : public ::testing::Test {
 protected:
  ClientTest() { env_.random.Fix(0.5); }  // jitter factor exactly 1.0

  Client& client() {
    if (!client_) {
      ClientOptions options = options_;
      options.organization_url = kOrg;
      options.agentboot_version = "1.2.3";
      client_ = std::make_unique<Client>(options, transport_, tokens_, env_.env);
    }
    return *client_;
  }

  http::Request Sent(size_t index) const { return transport_.requests().at(index); }

  static std::string AgentJson(int64_t id, const std::string& name) {
    return R"({"id":)" + std::to_string(id) + R"(,"name":")" + name +
           R"(","version":"4.260.0","enabled":true,"status":"offline",)"
           R"("authorization":{"clientId":"c-1","authorizationUrl":"https://vssps/token"}})";
  }
  static std::string Collection(const std::string& items, int count) {
    return R"({"count":)" + std::to_string(count) + R"(,"value":[)" + items + "]}";
  }

  ClientOptions options_;  // read when client() is first called
  agentboot::testing::FakeEnv env_;
  http::testing::ScriptedTransport transport_;
  FakeTokenSource tokens_;
  std::unique_ptr<Client> client_;
};

}  // namespace agentboot::devops::testing
