// libFuzzer target for the response headers agentboot interprets: Retry-After (seconds or an
// HTTP date) and the Arc agent's `WWW-Authenticate: Basic realm=<key file>` challenge, through the
// real Arc source (scripted transport, in-memory files). Arbitrary bytes must never crash, hang,
// trip a sanitizer, or make agentboot read a file outside the Arc key directory.
#include <cstddef>
#include <cstdint>
#include <string>

#include "agentboot/base_testing.h"
#include "agentboot/http.h"
#include "agentboot/http_testing.h"
#include "agentboot/identity.h"

namespace {

using agentboot::FromUnixSeconds;

void CheckRetryAfter(std::string_view input) {
  const auto now = FromUnixSeconds(1800000000);
  const auto delay = agentboot::http::ParseRetryAfter(input, now);
  if (delay && delay->count() < 0) __builtin_trap();
  (void)agentboot::http::ParseHttpDate(input);
  (void)agentboot::http::ParseForm(input);
}

void CheckArcChallenge(std::string_view input) {
  agentboot::testing::FakeEnv fake;
  fake.vars.Set("IDENTITY_ENDPOINT", "http://127.0.0.1:40342/metadata/identity/oauth2/token");
  fake.vars.Set("IMDS_ENDPOINT", "http://127.0.0.1:40342");
  (void)fake.fs.WriteFileAtomic("/var/opt/azcmagent/tokens/k.key", "secret", 0600);
  (void)fake.fs.WriteFileAtomic("/etc/outside.key", "outside", 0600);
  agentboot::http::testing::ScriptedTransport transport;
  agentboot::http::Response challenge;
  challenge.status = 401;
  challenge.headers = {{"WWW-Authenticate", std::string(input)}};
  transport.Respond(challenge);
  transport.Json(200, R"({"access_token":"t","expires_in":"3600"})");
  agentboot::identity::IdentityOptions options;
  options.kind = agentboot::identity::SourceKind::kArc;
  auto source = agentboot::identity::MakeArcSource(options, {fake.env, transport});
  (void)source->GetToken({});
  // The key of any file outside the key directory must never be sent.
  for (const auto& request : transport.requests()) {
    const auto auth = request.Header("Authorization");
    if (auth && auth->find("outside") != std::string::npos) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckRetryAfter(input);
  CheckArcChallenge(input);
  return 0;
}
