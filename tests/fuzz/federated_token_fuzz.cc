// libFuzzer target for the federated token file (AZURE_FEDERATED_TOKEN_FILE, workload identity):
// whatever the file holds must never crash, hang or trip a sanitizer, and the client assertion
// sent is never empty and never ends in a line break (the file's trailing newline is dropped).
#include <cstddef>
#include <cstdint>
#include <string>

#include "agentboot/base_testing.h"
#include "agentboot/http.h"
#include "agentboot/http_testing.h"
#include "agentboot/identity.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  agentboot::testing::FakeEnv fake;
  fake.vars.Set("AZURE_CLIENT_ID", "11111111-1111-1111-1111-111111111111");
  fake.vars.Set("AZURE_TENANT_ID", "22222222-2222-2222-2222-222222222222");
  fake.vars.Set("AZURE_FEDERATED_TOKEN_FILE", "/var/run/secrets/token");
  fake.vars.Set("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com/");
  (void)fake.fs.WriteFileAtomic("/var/run/secrets/token", input, 0600);
  agentboot::http::testing::ScriptedTransport transport;
  transport.Json(200, R"({"access_token":"t","expires_in":3600,"token_type":"Bearer"})");
  agentboot::identity::IdentityOptions options;
  options.kind = agentboot::identity::SourceKind::kWorkload;
  auto source = agentboot::identity::MakeWorkloadSource(options, {fake.env, transport});
  (void)source->GetToken({});
  for (const auto& request : transport.requests()) {
    for (const auto& [name, value] : agentboot::http::ParseForm(request.body)) {
      if (name != "client_assertion") continue;
      if (value.empty() || value.back() == '\n' || value.back() == '\r') __builtin_trap();
    }
  }
  return 0;
}
