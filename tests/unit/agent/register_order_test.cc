// The order of Register's requests around a key made in advance (issue 13): the lookups, which
// send no key, come before the key is waited for, so generation overlaps their round trips; the
// key is on disk before the request that sends it.
#include <string>
#include <vector>

#include "rotation_fixture.h"

namespace agentboot::agent::testing {
namespace {

// The server holds host-1 with TestKey, registered by a run that crashed before writing any file
// into this host's (empty) agent directory: the rerun's new_key supplies that same key.
class RegisterOrder : public RotationTest {
 protected:
  AgentFiles fresh_{fs_, "/fresh-agent"};
};

TEST_F(RegisterOrder, TheAgentIsLookedUpBeforeTheKeyIsWaitedFor) {
  RegisterOptions options;
  options.server_url = kOrg;
  options.agent_name = "host-1";
  options.agent_version = "4.260.0";
  options.host_name = "host-1";
  std::vector<std::string> sent_before_key;
  options.new_key = [&]() -> Result<jose::RsaKey> {
    for (const http::Request& request : server_.requests()) {
      sent_before_key.push_back(request.method + " " + request.url);
    }
    return files_.LoadKeyFile(files_.rsa_params_path());  // TestKey, as the server holds it
  };
  auto registered = Register(client(), fresh_, env_.env, options);
  ASSERT_TRUE(registered) << registered.error().ToString();
  EXPECT_EQ(registered->outcome, RegisterOutcome::kRecovered);
  ASSERT_EQ(sent_before_key.size(), 2U);  // the pool, then the agent by name
  EXPECT_NE(sent_before_key[0].find("poolName=Default"), std::string::npos) << sent_before_key[0];
  EXPECT_NE(sent_before_key[1].find("agentName=host-1"), std::string::npos) << sent_before_key[1];
  auto on_disk = fresh_.LoadKeyFile(fresh_.rsa_params_path());
  ASSERT_TRUE(on_disk) << on_disk.error().ToString();
  EXPECT_TRUE(server_.Holds(*on_disk));
  EXPECT_TRUE(fresh_.IsConfigured());
}

TEST_F(RegisterOrder, AFailedLookupWaitsForNoKeyAndWritesNothing) {
  RegisterOptions options;
  options.server_url = kOrg;
  options.agent_name = "host-1";
  options.agent_version = "4.260.0";
  bool key_asked = false;
  options.new_key = [&]() -> Result<jose::RsaKey> {
    key_asked = true;
    return files_.LoadKeyFile(files_.rsa_params_path());
  };
  crash_.Arm(1);  // the pool lookup is answered; the agent lookup finds the server gone
  auto registered = Register(client(), fresh_, env_.env, options);
  ASSERT_FALSE(registered);
  EXPECT_FALSE(key_asked);
  EXPECT_FALSE(mem_.Exists(fresh_.rsa_params_path()));
}

}  // namespace
}  // namespace agentboot::agent::testing
